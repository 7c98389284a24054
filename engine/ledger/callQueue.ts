/**
 * What every ledger reached over a network shares: calls applied one at a time in the order they
 * are made (so a lookup made after a submit sees it), faults retried after a growing pause a
 * bounded number of times and counted by class, and the time each retried call took to recover.
 *
 * An adapter makes each call replayable before it retries it: the same call number (http), or the
 * same call key stored with the call's answer in the same transaction (postgres, redis). A retry
 * then sees exactly what the lost attempt did, and nothing applies twice.
 *
 * A call that spends its attempts, or its time (`callMsMax`, all attempts and pauses included),
 * fails the ledger for good: its outcome is unknown, so every later call fails at once and the run
 * stops rather than audit a ledger whose last call may or may not have applied. A queue stopped
 * (the ledger closed) makes no further attempt.
 */
import { RunFailed, UserError } from '../errors.js'
import { wallScheduler, type NowMs, type Scheduler } from '../time/index.js'
import type { LedgerHealth } from './ledgerCore.js'

export type FaultClass = 'timeout' | 'refused' | 'connection' | 'server'

/** A call the ledger could not answer: a fault of the server or the network, retried. */
export class Fault extends Error {
  constructor(
    readonly fault: FaultClass,
    message: string,
  ) {
    super(message)
  }
}

export interface RetryTiming {
  /** Attempts per call before it fails (the first and the retries). */
  readonly attemptsMax?: number | undefined
  /** Pause before the first retry; it doubles up to 2 s. */
  readonly retryPauseMs?: number | undefined
  /**
   * A clock, for how long a call took to recover; without one, recovery is counted but not timed.
   */
  readonly now?: NowMs | undefined
  /**
   * Where the call's deadline and the pauses between attempts wait: real timers unless told
   * otherwise.
   */
  readonly scheduler?: Scheduler | undefined
  /**
   * The longest one call may take, from its first attempt to its answer, pauses included: past it
   * the attempt under way is aborted (through the signal it is given) and no other is made. Without
   * it, only `attemptsMax` and the attempts' own timeouts bound a call.
   */
  readonly callMsMax?: number | undefined
  /** How a message names that deadline to the user, like "--ledger-timeout". */
  readonly callMsName?: string | undefined
}

/**
 * With the pauses below, about 9 s from the first failure to the last attempt: time for a server to
 * restart.
 */
const attemptsMaxDefault = 10
const retryPauseMsDefault = 50
const retryPauseMsMax = 2_000

export class CallQueue {
  /** Failed attempts by class, over the ledger's life (retried or not). */
  readonly faults: Record<FaultClass, number> = { timeout: 0, refused: 0, connection: 0, server: 0 }
  /** Calls that succeeded only after a retry. */
  recovered = 0
  /**
   * The longest a call took from its first failed attempt to its answer, ms (measured when given a
   * clock).
   */
  longestRecoveryMs = 0
  /** The last call made: the next waits for it. */
  private turn: Promise<unknown> = Promise.resolve()
  /** Set once a call has failed for good: every call from then on fails with it. */
  private failure: RunFailed | undefined
  private readonly scheduler: Scheduler

  /**
   * @param ledger How messages name the ledger, like "the postgres ledger at 127.0.0.1:5432".
   * @param broken What an error that is neither a Fault nor a RunFailed means, as a RunFailed.
   */
  constructor(
    private readonly ledger: string,
    private readonly timing: RetryTiming = {},
    private readonly broken: (error: unknown) => RunFailed = (error) =>
      new RunFailed(`${ledger} failed: ${error instanceof Error ? error.message : String(error)}`),
  ) {
    this.scheduler = timing.scheduler ?? wallScheduler
  }

  /**
   * Runs `body` after every call made before it; any error it throws but a UserError fails the
   * ledger for good.
   */
  inTurn<T>(body: () => Promise<T>): Promise<T> {
    const result = this.turn.then(async () => {
      if (this.failure !== undefined) throw this.failure
      try {
        return await body()
      } catch (error) {
        // A user's mistake a call found (a schema that is not a ledger's, say) is theirs to hear as
        // it is.
        if (error instanceof UserError) throw error
        this.failure ??= error instanceof RunFailed ? error : this.broken(error)
        throw this.failure
      }
    })
    this.turn = result.catch(() => undefined)
    return result
  }

  /**
   * Runs `attempt` until it does not throw a Fault, `attemptsMax` times at most and within the
   * call's deadline. `attempt` is given the deadline's signal (undefined without one): an attempt
   * that honours it ends when the deadline passes; one that does not is the last made.
   */
  async retried<T>(attempt: (deadline: AbortSignal | undefined) => Promise<T>): Promise<T> {
    // A timer, not the clock: it interrupts an attempt that never ends, which no reading of a clock
    // can. Cleared as the call ends (AbortSignal.timeout's would live on, one per call, until it
    // fired).
    const controller = this.timing.callMsMax === undefined ? undefined : new AbortController()
    const cancel =
      controller === undefined
        ? undefined
        : this.scheduler.timer(this.timing.callMsMax ?? 0, () => controller.abort())
    const deadline = controller?.signal
    const over = (): boolean => deadline?.aborted === true
    try {
      return await this.attempted(attempt, deadline, over)
    } finally {
      cancel?.()
    }
  }

  private async attempted<T>(
    attempt: (deadline: AbortSignal | undefined) => Promise<T>,
    deadline: AbortSignal | undefined,
    over: () => boolean,
  ): Promise<T> {
    const attempts = this.timing.attemptsMax ?? attemptsMaxDefault
    let pauseMs = this.timing.retryPauseMs ?? retryPauseMsDefault
    let failedAtMs = 0
    for (let number = 1; ; number++) {
      try {
        const answer = await attempt(deadline)
        if (number > 1) {
          this.recovered += 1
          if (this.timing.now !== undefined)
            this.longestRecoveryMs = Math.max(
              this.longestRecoveryMs,
              this.timing.now() - failedAtMs,
            )
        }
        return answer
      } catch (error) {
        if (!(error instanceof Fault)) throw error
        if (number === 1 && this.timing.now !== undefined) failedAtMs = this.timing.now()
        this.faults[error.fault] += 1
        if (over()) throw this.pastDeadline(number, error)
        if (number >= attempts)
          throw new RunFailed(
            `${this.ledger} failed ${attempts} times (${error.fault}: ${error.message})`,
          )
        // Closed meanwhile: nobody waits for this call any more.
        if (this.failure !== undefined) throw this.failure
        await this.scheduler.sleep(pauseMs, deadline)
        if (over()) throw this.pastDeadline(number, error)
        pauseMs = Math.min(retryPauseMsMax, pauseMs * 2)
      }
    }
  }

  private pastDeadline(attempts: number, last: Fault): RunFailed {
    const name = this.timing.callMsName === undefined ? '' : `, ${this.timing.callMsName}`
    return new RunFailed(
      `${this.ledger} did not answer a call within ${seconds(this.timing.callMsMax ?? 0)}, its deadline${name} (${attempts} attempt${attempts === 1 ? '' : 's'}, the last: ${last.fault}: ${last.message})`,
    )
  }

  /** What went wrong on the way to the ledger, for the run's summary. */
  health(): LedgerHealth {
    return {
      faults: { ...this.faults },
      recovered: this.recovered,
      longestRecoveryMs: this.longestRecoveryMs,
    }
  }

  /**
   * Fails every call still waiting and every later one; resolves when the call under way has
   * settled.
   */
  async stop(reason: string): Promise<void> {
    this.failure ??= new RunFailed(reason)
    await this.turn
  }
}

/** A duration for a message: whole seconds when it is one, else milliseconds. */
function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
