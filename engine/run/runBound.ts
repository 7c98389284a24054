/**
 * A run's overall bound, from its schedule, and the watch that holds a run to it. Each ledger call
 * has a deadline of its own (the http ledger's `--ledger-timeout`), but a ledger that answers every
 * call just inside its deadline would still hold a run for days: the bound is on the whole.
 *
 *   bound = allowance (5 min)
 *         + the schedule and its drain (a load run: its planned duration + the graceful stop)
 *         + the run's ledger work at the slowest rate worth load testing
 *           (transfers expected, plus the accounts opened, read each evening and audited,
 *            at `runLedgerItemsPerSecondMin` a second)
 *
 * A flat-out run has no schedule: its ledger work is its bound. A run steered from the live map has
 * none at all (a presenter may pause it for as long as they like); its calls' deadlines still hold.
 *
 * The watch is a timer, like the adapters' own call deadlines: it interrupts a call that would
 * otherwise never end, which no reading of the run's clock can. It fires only when a run fails, so
 * no result of a run that finishes depends on it.
 */
import { assert } from '../assert.js'
import { RunFailed } from '../errors.js'
import type { LedgerCore } from '../ledger/index.js'
import { gracefulStopMsDefault } from '../load/index.js'
import { minutesPerDay, runBoundAllowanceMs, runLedgerItemsPerSecondMin } from '../limits.js'
import type { LoadRunOptions } from './executors/index.js'
import type { Plan } from '../plan/plan.js'
import { wallScheduler, type Scheduler } from '../time/index.js'

export interface RunBound {
  readonly ms: number
  /** What it is made of, for the message of a run that passes it. */
  readonly why: string
}

/** Longest delay one timer takes (Node fires a longer one at once). */
const timerMsMax = 2 ** 31 - 1

/**
 * The bound of a run of `plan`: flat out (`load` undefined) or on a load profile, which gives the
 * ledger about `loadTransfers` transfers. Undefined for a steered run.
 */
export function runBound(
  plan: Plan,
  load: LoadRunOptions | undefined,
  loadTransfers: number | undefined,
): RunBound | undefined {
  if (load?.control !== undefined) return undefined
  const wallets = plan.residents + plan.merchants
  const days = Math.max(1, Math.ceil(plan.clock.ticks / minutesPerDay))
  // Flat out: every payment of the period, and every wallet's openings and evenings (as
  // runScenario's transfersExpected counts them).
  const transfers = loadTransfers ?? plan.paymentsExpected + wallets * (days + 1)
  // Accounts opened once, read twice each evening (the sweeps and the top-ups) and once by the
  // audit.
  const accountItems = plan.accounts.count * (2 * days + 2)
  const items = transfers + accountItems
  const workMs = Math.ceil((items / runLedgerItemsPerSecondMin) * 1000)
  const scheduleMs =
    load === undefined
      ? 0
      : (load.profile.sort === 'rate'
          ? load.profile.schedule.durationMs
          : load.profile.durationMs) + (load.gracefulStopMs ?? gracefulStopMsDefault)
  const ms = runBoundAllowanceMs + scheduleMs + workMs
  assert(Number.isFinite(ms) && ms > 0, 'a bound is a positive duration')
  const parts = [
    `${minutes(runBoundAllowanceMs)} of allowance`,
    ...(load === undefined ? [] : [`the schedule's ${minutes(scheduleMs)} with its drain`]),
    `${minutes(workMs)} for ${items.toLocaleString('en-US')} transfers and account reads at ${runLedgerItemsPerSecondMin.toLocaleString('en-US')} a second`,
  ]
  return { ms, why: parts.join(' + ') }
}

/**
 * Holds a run to its bound: `guard` wraps the run's ledger so that, once the bound has passed,
 * every call under way and every later one fails at once with `failure`, and the run stops.
 */
export class RunWatch {
  /** Set when the bound has passed. */
  failure: RunFailed | undefined
  /** Cancels the timer armed; set while one is. */
  private cancel: (() => void) | undefined
  /**
   * The calls under way, to fail at the bound: a set, so that a run of millions of calls holds only
   * those still out.
   */
  private readonly waiting = new Set<(error: RunFailed) => void>()

  constructor(
    private readonly bound: RunBound,
    private readonly scheduler: Scheduler = wallScheduler,
  ) {
    this.arm(bound.ms)
  }

  /** The run is over (finished or failed by itself): the watch ends. */
  stop(): void {
    this.cancel?.()
    this.cancel = undefined
  }

  /**
   * `ledger`, its calls failing once the bound has passed. Close passes straight through, to be
   * awaited.
   */
  guard(ledger: LedgerCore): LedgerCore {
    const watched = <T>(call: () => Promise<T>): Promise<T> => {
      if (this.failure !== undefined) return Promise.reject(this.failure)
      return new Promise<T>((resolve, reject) => {
        this.waiting.add(reject)
        call().then(
          (value) => {
            this.waiting.delete(reject)
            resolve(value)
          },
          (error: unknown) => {
            this.waiting.delete(reject)
            reject(error instanceof Error ? error : new Error(String(error)))
          },
        )
      })
    }
    return {
      name: ledger.name,
      ...(ledger.health === undefined ? {} : { health: ledger.health.bind(ledger) }),
      open: () => watched(() => ledger.open()),
      createAccounts: (batch) => watched(() => ledger.createAccounts(batch)),
      submit: (batch) => watched(() => ledger.submit(batch)),
      lookup: (ids) => watched(() => ledger.lookup(ids)),
      totals: () => watched(() => ledger.totals()),
      close: () => ledger.close(),
    }
  }

  /** A timer of at most `timerMsMax`, armed again until the whole bound has passed. */
  private arm(remainingMs: number): void {
    const stepMs = Math.min(remainingMs, timerMsMax)
    // A sleep, which keeps the process alive: a run waiting on a call that never ends must still
    // wake at its bound. The run stops the watch as it ends.
    const stopped = new AbortController()
    this.cancel = () => stopped.abort()
    void this.scheduler.sleep(stepMs, stopped.signal).then(() => {
      if (stopped.signal.aborted) return
      if (remainingMs > stepMs) this.arm(remainingMs - stepMs)
      else this.expire()
    })
  }

  private expire(): void {
    this.cancel = undefined
    this.failure = new RunFailed(
      `the run passed its bound of ${minutes(this.bound.ms)} (${this.bound.why}): the ledger is far too slow to finish it, and the run stopped`,
    )
    for (const reject of this.waiting) reject(this.failure)
    this.waiting.clear()
  }
}

/** A duration for a message, in the largest unit that reads well. */
function minutes(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min`
  return `${(ms / 3_600_000).toFixed(1)} h`
}
