/**
 * The open model: transfers go to the ledger when the schedule says, whatever has come back.
 * Each transfer has an intended send time; its latency is measured from that time, not from when
 * it was actually sent, so a ledger that stalls shows its stall in the percentiles instead of
 * quietly lowering the rate (no coordinated omission). When the sender cannot keep up (the
 * source or the event loop is slow, or `inFlightMax` calls are outstanding), transfers go out
 * late and the lateness is measured. At the end, transfers held by calls outstanding go as call
 * places free (late); what is still unsent when the graceful stop ends, or what the source never
 * made, is dropped and counted, never absorbed.
 *
 *   intended:   |  |  |  |  |  |  |  |      (the schedule: RateSchedule.sendTimeMs)
 *   sent:       |  |  |     |||  |  |       lateness = sent − intended
 *   completed:     |  |  |       |||  |     latency  = completed − intended
 *
 * Time and waiting are passed in (`now`, `pause`): tests drive it with a fake clock.
 */
import { assert } from '../assert.js'
import {
  ResultCode,
  resultCodeCount,
  type LedgerCore,
  type TransferBatch,
  type TransferResults,
} from '../ledger/index.js'
import { transferBatchMax } from '../limits.js'
import type { LatencyBuckets } from '../metrics/latencyBuckets.js'
import { LatencyByKind, LatencyHistogram } from '../metrics/latencyHistogram.js'
import { wallScheduler, type NowMs, type Scheduler } from '../time/index.js'
import type { LoadSchedule } from './rateSchedule.js'

/** How long after the schedule ends calls still outstanding may take, unless told otherwise. */
export const gracefulStopMsDefault = 30_000
const coalesceMsDefault = 0.5
/** While draining, how long a pause may wait between looks. */
const drainPollMs = 1
/**
 * While due transfers wait on the source or on calls outstanding, how long a pause waits: a timer,
 * not a spin.
 */
const heldPollMs = 3
/**
 * At light load, the sender looks at most about this often (a timer's tick), unless told otherwise.
 */
const lightWakeMsDefault = 1
/**
 * Light load: fewer transfers than this fall due in one wake. Sending them a wake at a time keeps
 * every call full enough, and the thread asleep between wakes; above it the sender stays awake.
 */
const lightTransfersPerWake = 64

/** Transfers [from, to) of the stream, as a batch the ledger may keep until its call settles. */
export type LoadSource = (from: number, to: number) => TransferBatch

/** How the sender waits between looks at the schedule: see `OpenLoadOptions.pause`. */
export type LoadPause = (waitMs: number, light: boolean) => Promise<void>

export interface OpenLoadOptions {
  readonly schedule: LoadSchedule
  readonly ledger: LedgerCore
  readonly source: LoadSource
  readonly now: NowMs
  /**
   * Yields to the event loop (so results can arrive), and may wait up to `waitMs`, the time until
   * the next send: sleeping rather than spinning leaves the other core to the ledger and the
   * collector. `light` says the load is light: the wait may be a timer's tick even when the next
   * send is nearer, and run late by a timer's slack. (`wallClockPause` is the one for real time.)
   */
  readonly pause: LoadPause
  /** Calls outstanding at most; beyond it, due transfers wait (and grow late). */
  readonly inFlightMax: number
  /** Transfers per call at most. */
  readonly batchMax?: number
  /** How long after the schedule ends calls still outstanding may take; default 30 s. */
  readonly gracefulStopMs?: number
  /**
   * Due transfers wait at most this long to be sent together (default 0.5 ms): at a million a
   * second, each pass of the loop would otherwise send one or two, and calls, not transfers,
   * would become the limit. It bounds the lateness it adds.
   */
  readonly coalesceMs?: number
  /**
   * At light load (a target rate of fewer than 64 transfers in this time), the sender sends what is
   * due, then sleeps this long or until the next send, whichever is later, instead of coalescing:
   * the wake gathers the transfers, and the thread is idle between wakes. Default 1 ms; 0 turns it
   * off.
   */
  readonly lightWakeMs?: number
  /**
   * Transfers the source can give now, counted from the next unsent one (default: all). A source
   * that generates as it goes may fall behind: what is due but not yet made goes out late, and
   * what is still unmade at the end is dropped.
   */
  readonly available?: () => number
  /**
   * Where a call from `from` that would end at `to` should end instead, so that it cuts no linked
   * chain (all or nothing within one call): the source knows its chains. Default: at `to`.
   */
  readonly chainSafeEnd?: (from: number, to: number) => number
  /**
   * Transfers intended before this time are sent and counted but left out of the latency and
   * lateness histograms (a warm-up: the window a capacity trial judges starts after it). Default 0.
   */
  readonly measureFromMs?: number
  /** Also count latency into these fixed buckets (for a live histogram export). */
  readonly buckets?: LatencyBuckets
  /** Called as each second of wall time closes, with that second and the figures so far. */
  readonly onSecond?: (window: LoadWindow, sofar: LoadSoFar) => void
  /** Asked after each second: true stops sending (what was due until then counts as intended). */
  readonly shouldStop?: () => boolean
  /**
   * Called at the start of every step of the sender, between sends: where commands from outside
   * (a new pace, a fault) are applied, so none lands in the middle of a call.
   */
  readonly onStep?: (elapsedMs: number) => void
}

/** The running figures, for progress lines, gates and live metrics. */
export interface LoadSoFar {
  readonly elapsedMs: number
  readonly intended: number
  readonly sent: number
  readonly completed: number
  readonly errors: number
  readonly rejected: number
  /** Transfers by result code so far. */
  readonly byCode: readonly number[]
  readonly latency: LatencyByKind
  readonly lateness: LatencyHistogram
}

/** One second of wall time since the start. */
export interface LoadWindow {
  readonly second: number
  /** 1000, or less for the last second of a run stopped early. */
  readonly lengthMs: number
  /** What the schedule wanted sent in this second. */
  readonly target: number
  readonly sent: number
  /**
   * Results that came back in this second, of them rejected (a code other than ok), and failed
   * calls' transfers.
   */
  readonly completed: number
  readonly rejected: number
  readonly errors: number
  /** Latency of the transfers completed in this second, from their intended send times. */
  readonly latency: WindowLatency
  /** How late the transfers sent in this second went out: p99. */
  readonly latenessP99Ms: number
}

export interface WindowLatency {
  readonly p50Ms: number
  readonly p99Ms: number
  readonly p999Ms: number
  readonly maxMs: number
}

export interface OpenLoadResult {
  readonly intended: number
  readonly sent: number
  readonly dropped: number
  readonly completed: number
  /** Transfers whose call failed (the ledger gave no result). */
  readonly errors: number
  /** Transfers whose call was still unanswered `gracefulStopMs` after the schedule ended. */
  readonly unanswered: number
  /** Transfers with a result code other than ok. */
  readonly rejected: number
  /** Transfers by result code (indexed by ResultCode). */
  readonly byCode: readonly number[]
  /** From intended send time to result, by kind. The caller destroys it. */
  readonly latency: LatencyByKind
  /** From intended to actual send time. The caller destroys it. */
  readonly lateness: LatencyHistogram
  readonly windows: readonly LoadWindow[]
  readonly wallMs: number
  /** Sending stopped early because `shouldStop` said so, at `durationMs`. */
  readonly stoppedEarly: boolean
  /** How long the schedule ran: its duration, or less if stopped early. */
  readonly durationMs: number
  /**
   * Looks at the schedule that found due transfers held back by `inFlightMax` outstanding calls.
   */
  readonly heldByInFlight: number
  /** Looks that found due transfers the source had not made yet. */
  readonly heldBySource: number
}

/** Sends the schedule's transfers as they fall due, waits for what is outstanding, and counts. */
export async function runOpenLoad(options: OpenLoadOptions): Promise<OpenLoadResult> {
  const sender = new OpenLoadSender(options)
  await sender.runSchedule()
  await sender.drain()
  return sender.result()
}

/**
 * The state of one open-model run: what has been sent, what is outstanding, and the figures so far.
 * Its methods are the steps of the run, in order: runSchedule, drain, result.
 */
class OpenLoadSender {
  private readonly options: OpenLoadOptions
  private readonly schedule: LoadSchedule
  private readonly ledger: LedgerCore
  private readonly source: LoadSource
  private readonly now: NowMs
  private readonly pause: LoadPause
  private readonly batchMax: number
  private readonly available: () => number
  private readonly latency = new LatencyByKind()
  private readonly lateness = new LatencyHistogram()
  private readonly seconds: SecondWindows
  private readonly byCode: number[]
  /** The next transfer of the stream to send: all before it have been sent. */
  private next = 0
  private inFlight = 0
  private completed = 0
  private errors = 0
  /** The run is over: results arriving after it are not counted. */
  private stopped = false
  /** Calls not yet settled, with the transfers each holds. */
  private readonly outstanding = new Map<Promise<void>, number>()
  private readonly measureFromMs: number
  private readonly buckets: LatencyBuckets | undefined
  private readonly startMs: number
  private readonly busyCoalesceMs: number
  private readonly lightWakeMs: number
  /** The load is light: due transfers go at each wake, without waiting for company. */
  private light = false
  private coalesceMs: number
  private heldByInFlight = 0
  private heldBySource = 0
  /** Due transfers could not all go on the last look (no source yet, or every call place taken). */
  private held = false
  /**
   * A schedule steered as it goes (LiveSchedule) knows its end only once it is there: durationMs
   * is read each step, and this is where the run ended.
   */
  private endMs: number
  private stoppedEarly = false
  /** Seconds reported so far. */
  private closedSeconds = 0
  /** Set by drain(): what the schedule meant to send, what never answered, how long it all took. */
  private intended = 0
  private unanswered = 0
  private wallMs = 0

  /** Checks the options and starts the clock of the run. */
  constructor(options: OpenLoadOptions) {
    this.options = options
    this.schedule = options.schedule
    this.ledger = options.ledger
    this.source = options.source
    this.now = options.now
    this.pause = options.pause
    this.batchMax = options.batchMax ?? transferBatchMax
    this.available = options.available ?? (() => Infinity)
    assert(
      this.batchMax >= 1 && this.batchMax <= transferBatchMax,
      'a call holds 1..transferBatchMax transfers',
    )
    assert(
      Number.isInteger(options.inFlightMax) && options.inFlightMax >= 1,
      'at least one call may be outstanding',
    )
    this.seconds = new SecondWindows(Math.ceil(this.schedule.durationMs / 1000))
    this.byCode = new Array<number>(resultCodeCount).fill(0)
    this.measureFromMs = options.measureFromMs ?? 0
    this.buckets = options.buckets
    this.startMs = this.now()
    this.busyCoalesceMs = options.coalesceMs ?? coalesceMsDefault
    assert(this.busyCoalesceMs >= 0, 'coalescing waits a non-negative time')
    this.lightWakeMs = options.lightWakeMs ?? lightWakeMsDefault
    assert(this.lightWakeMs >= 0, 'a light wake lasts a non-negative time')
    this.coalesceMs = this.busyCoalesceMs
    this.endMs = this.schedule.durationMs
  }

  /** Milliseconds since the run started. */
  private elapsed(): number {
    return this.now() - this.startMs
  }

  /** Sends transfers [from, to) as one call, recording how late each went out. */
  private send(from: number, to: number): void {
    const batch = this.source(from, to)
    assert(batch.count === to - from, 'the source gives the transfers asked for')
    const intendedMs = new Float64Array(batch.count)
    const sentMs = this.elapsed()
    const sending = this.seconds.at(sentMs)
    for (let index = 0; index < batch.count; index++) {
      const intended = this.schedule.sendTimeMs(from + index)
      intendedMs[index] = intended
      const lateMicros = (sentMs - intended) * 1000
      if (intended >= this.measureFromMs) this.lateness.record(lateMicros)
      sending.lateness.record(lateMicros)
    }
    sending.sent += batch.count
    this.inFlight += 1
    const call = this.ledger.submit(batch).then(
      (results) => this.recordResults(batch, intendedMs, results),
      () => this.recordFailure(batch.count),
    )
    const settled = call.finally(() => {
      this.inFlight -= 1
      this.outstanding.delete(settled)
    })
    this.outstanding.set(settled, batch.count)
  }

  /** Counts a call's results: latency from each transfer's intended send time, and its code. */
  private recordResults(
    batch: TransferBatch,
    intendedMs: Float64Array,
    results: TransferResults,
  ): void {
    if (this.stopped) return
    const doneMs = this.elapsed()
    const done = this.seconds.at(doneMs)
    let rejected = 0
    for (let index = 0; index < batch.count; index++) {
      const intended = intendedMs[index] as number
      const micros = (doneMs - intended) * 1000
      if (intended >= this.measureFromMs) {
        this.latency.record(batch.kind[index] as number, micros)
        this.buckets?.record(batch.kind[index] as number, micros)
      }
      done.latency.record(micros)
      const code = results.code[index] as number
      this.byCode[code] = (this.byCode[code] as number) + 1
      if (code !== ResultCode.ok) rejected += 1
    }
    this.completed += batch.count
    done.completed += batch.count
    done.rejected += rejected
  }

  /** Counts the transfers of a call that failed as errors. */
  private recordFailure(count: number): void {
    if (this.stopped) return
    this.errors += count
    this.seconds.at(this.elapsed()).errors += count
  }

  /** Sends what is due at `elapsedMs` as far as the source and the call places allow. */
  private sendDue(elapsedMs: number, final = false): void {
    const scheduled = this.schedule.dueCount(elapsedMs)
    const due = Math.min(scheduled, this.next + this.available())
    this.held = due < scheduled
    if (due < scheduled) this.heldBySource += 1
    if (this.next >= due) return
    // Wait for company unless the oldest due transfer has waited long enough or a full call is due.
    if (
      !final &&
      due - this.next < this.batchMax &&
      this.schedule.sendTimeMs(this.next) > elapsedMs - this.coalesceMs
    )
      return
    while (this.next < due && this.inFlight < this.options.inFlightMax) {
      const wanted = Math.min(due, this.next + this.batchMax)
      const to = this.options.chainSafeEnd?.(this.next, wanted) ?? wanted
      this.send(this.next, to)
      this.next = to
    }
    if (this.next < due) {
      this.heldByInFlight += 1
      this.held = true
    }
  }

  /** The running figures at `elapsedMs`. */
  private soFar(elapsedMs: number): LoadSoFar {
    return {
      elapsedMs,
      intended: this.schedule.dueCount(elapsedMs),
      sent: this.next,
      completed: this.completed,
      errors: this.errors,
      rejected: this.completed - (this.byCode[ResultCode.ok] as number),
      byCode: this.byCode,
      latency: this.latency,
      lateness: this.lateness,
    }
  }

  /** Sends along the schedule until it ends, or until `shouldStop` stops it early. */
  async runSchedule(): Promise<void> {
    for (let elapsedMs = this.elapsed(); ; elapsedMs = this.elapsed()) {
      this.options.onStep?.(elapsedMs)
      if (elapsedMs >= this.schedule.durationMs) break
      this.sendDue(elapsedMs)
      if (Math.floor(elapsedMs / 1000) > this.closedSeconds && this.closeSeconds(elapsedMs)) {
        this.endMs = elapsedMs
        this.stoppedEarly = true
        break
      }
      await this.waitForNextSend(elapsedMs)
    }
    if (!this.stoppedEarly) this.endMs = this.schedule.durationMs
  }

  /** Reports the seconds closed by `elapsedMs`; true when `shouldStop` says to stop sending. */
  private closeSeconds(elapsedMs: number): boolean {
    this.reportClosedSeconds(elapsedMs)
    return this.options.shouldStop?.() === true
  }

  /** Reports each second closed by `elapsedMs` and not yet reported, with the figures so far. */
  private reportClosedSeconds(elapsedMs: number): void {
    for (; this.closedSeconds < Math.floor(elapsedMs / 1000); this.closedSeconds++) {
      const window = this.seconds.window(this.closedSeconds, this.schedule)
      this.options.onSecond?.(window, this.soFar(elapsedMs))
    }
  }

  /**
   * Pauses until the next send is due. Light or not decides how: at light load the sender sleeps
   * between wakes.
   */
  private async waitForNextSend(elapsedMs: number): Promise<void> {
    const { schedule } = this
    this.light =
      this.lightWakeMs > 0 &&
      (schedule.rateAt(elapsedMs) * this.lightWakeMs) / 1000 < lightTransfersPerWake
    this.coalesceMs = this.light ? 0 : this.busyCoalesceMs
    // The next send, or, when due transfers wait on the source or on calls outstanding, a
    // millisecond: not a spin.
    const nextMs =
      this.next < schedule.transfers
        ? Math.min(schedule.durationMs, schedule.sendTimeMs(this.next) + this.coalesceMs)
        : schedule.durationMs
    const waitMs = nextMs - this.elapsed()
    await this.pause(
      waitMs > 0
        ? waitMs
        : this.next < schedule.dueCount(this.elapsed()) && this.held
          ? heldPollMs
          : 0,
      this.light,
    )
  }

  /**
   * After the schedule: sends what was due by its end, reports the seconds left, and waits for
   * the results still due, each for `gracefulStopMs` at most.
   */
  async drain(): Promise<void> {
    const { endMs } = this
    // Everything due by the end goes now, or, when every call place is taken, as places free
    // (late, and counted so), for `gracefulStopMs` at most; a schedule that learns its transfers
    // as it goes learns the rest.
    await this.schedule.complete?.(endMs)
    const stopAtMs = endMs + (this.options.gracefulStopMs ?? gracefulStopMsDefault)
    this.sendDue(endMs, true)
    while (this.held && this.inFlight >= this.options.inFlightMax && this.elapsed() < stopAtMs) {
      await this.pause(drainPollMs, false)
      this.sendDue(endMs, true)
    }
    // The seconds that closed as the schedule ended are reported too (the loop stops at the end,
    // before it sees them).
    if (!this.stoppedEarly) this.reportClosedSeconds(endMs)
    // After an early stop the last second is cut short, and results still to come count into it.
    this.seconds.endAt(endMs)
    this.intended = this.stoppedEarly ? this.schedule.dueCount(endMs) : this.schedule.transfers
    // Results still due come in as time goes on (pausing, not blocking: a fake clock moves this
    // way too), for `gracefulStopMs` at most: a ledger that never answers does not hold the run
    // forever.
    while (this.outstanding.size > 0 && this.elapsed() < stopAtMs)
      await this.pause(drainPollMs, false)
    this.stopped = true
    // Counted at once, before any call still outstanding can settle.
    for (const count of this.outstanding.values()) this.unanswered += count
    this.wallMs = this.elapsed()
  }

  /** The figures of the run, once drained; frees the per-second histograms. */
  result(): OpenLoadResult {
    const { intended, next: sent } = this
    const windows = Array.from({ length: this.seconds.count }, (_, second) =>
      this.seconds.window(second, this.schedule),
    )
    this.seconds.destroy()
    return {
      intended,
      sent,
      dropped: intended - sent,
      completed: this.completed,
      errors: this.errors,
      unanswered: this.unanswered,
      rejected: this.completed - (this.byCode[ResultCode.ok] as number),
      byCode: this.byCode,
      latency: this.latency,
      lateness: this.lateness,
      windows,
      wallMs: this.wallMs,
      stoppedEarly: this.stoppedEarly,
      durationMs: this.endMs,
      heldByInFlight: this.heldByInFlight,
      heldBySource: this.heldBySource,
    }
  }
}

/**
 * One second's counts, and histograms for its percentiles (kept only until the second is
 * summarised).
 */
interface SecondCounts {
  sent: number
  completed: number
  rejected: number
  errors: number
  readonly latency: LatencyHistogram
  readonly lateness: LatencyHistogram
}

/**
 * The per-second figures. Histograms are made as seconds are reached and freed once a second is
 * summarised, so a long run holds a few, not one per second. Anything after the last second
 * (results of the graceful stop) counts into the last.
 */
class SecondWindows {
  private readonly counts: SecondCounts[] = []
  private readonly summaries: { latency: WindowLatency; latenessP99Ms: number }[] = []
  /** Where a summarised second's late arrivals record: never read. */
  private readonly sink = { latency: new LatencyHistogram(), lateness: new LatencyHistogram() }

  /** Where the last second ends (ms since the start): its end, unless the run stopped early. */
  private endMs: number

  constructor(public count: number) {
    assert(count >= 1, 'a schedule lasts at least a moment')
    this.endMs = count * 1000
  }

  /** The run ended at `endMs`: no second after it, and the last one may be short. */
  endAt(endMs: number): void {
    this.count = Math.max(1, Math.min(this.count, Math.ceil(endMs / 1000)))
    this.endMs = Math.min(this.count * 1000, endMs)
  }

  at(elapsedMs: number): SecondCounts {
    const second = Math.min(this.count - 1, Math.max(0, Math.floor(elapsedMs / 1000)))
    while (this.counts.length <= second) {
      this.counts.push({
        sent: 0,
        completed: 0,
        rejected: 0,
        errors: 0,
        latency: new LatencyHistogram(),
        lateness: new LatencyHistogram(),
      })
    }
    return this.counts[second] as SecondCounts
  }

  /**
   * The figures of `second`; the first call summarises its percentiles and frees its histograms.
   */
  window(second: number, schedule: LoadSchedule): LoadWindow {
    const counts = this.at(second * 1000)
    let summary = this.summaries[second]
    if (summary === undefined) {
      const latency = counts.latency.summary()
      summary = {
        latency: {
          p50Ms: latency.p50Ms,
          p99Ms: latency.p99Ms,
          p999Ms: latency.p999Ms,
          maxMs: latency.maxMs,
        },
        latenessP99Ms: counts.lateness.summary().p99Ms,
      }
      this.summaries[second] = summary
      counts.latency.destroy()
      counts.lateness.destroy()
      this.counts[second] = { ...counts, latency: this.sink.latency, lateness: this.sink.lateness }
    }
    const endMs = Math.min((second + 1) * 1000, this.endMs)
    return {
      second,
      lengthMs: endMs - second * 1000,
      target: schedule.dueBetween(second * 1000, endMs),
      sent: counts.sent,
      completed: counts.completed,
      rejected: counts.rejected,
      errors: counts.errors,
      latency: summary.latency,
      latenessP99Ms: summary.latenessP99Ms,
    }
  }

  destroy(): void {
    for (const counts of this.counts) {
      if (counts.latency !== this.sink.latency) counts.latency.destroy()
      if (counts.lateness !== this.sink.lateness) counts.lateness.destroy()
    }
    this.sink.latency.destroy()
    this.sink.lateness.destroy()
  }
}

/**
 * A pause for wall-clock runs: sleeps with a timer when the next send is more than `spinMs` away
 * (timers wake late by a millisecond or so), and otherwise only yields a turn of the event loop.
 * At light load it always sleeps, a millisecond at least: the sender wakes with a timer's tick.
 */
export function wallClockPause(spinMs = 2, scheduler: Scheduler = wallScheduler): LoadPause {
  return (waitMs, light) => {
    if (light) return scheduler.sleep(Math.min(Math.max(waitMs - spinMs, 1), 50))
    return waitMs > spinMs ? scheduler.sleep(Math.min(waitMs - spinMs, 50)) : scheduler.yieldTurn()
  }
}

/**
 * The largest miss of the sending rate in any whole second after the first, as a percentage of
 * that second's target (the first second is left out: the sender starts inside it; so is a last
 * second cut short by an early stop).
 */
export function pacingErrorPct(windows: readonly LoadWindow[]): number {
  let worst = 0
  for (const window of windows.slice(1)) {
    if (window.target === 0 || window.lengthMs < 1000) continue
    worst = Math.max(worst, (Math.abs(window.sent - window.target) / window.target) * 100)
  }
  return worst
}
