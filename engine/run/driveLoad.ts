/**
 * A load run's middle: the city's payments, made as they are needed (cityStream.ts), sent by the
 * open model (load/openLoad.ts) on the profile's schedule to the ledger; each result counted for
 * the audit as it comes back; the institutions' evenings run beside the stream; thresholds checked
 * each second when they may stop the run, and at the end over the whole run.
 *
 *   profile ─▶ schedule ─┐
 *   pool ─▶ CityStream ──┴▶ runOpenLoad ─▶ counting ledger ─▶ ledger
 *                                           └▶ counters, districts (for the audit and the report)
 */
import { createHash, type Hash } from 'node:crypto'
import type { AgentIndexBuffers } from '../behaviour/index.js'
import type { LedgerCore, TransferBatch, TransferResults } from '../ledger/index.js'
import { evaluateThresholds, gracefulStopMsDefault, pacingErrorPct, runOpenLoad, TickSchedule, type LiveSchedule, type LoadSchedule, type LoadSettings, type LoadSoFar, type LoadWindow } from '../load/index.js'
import { transferBatchMax } from '../limits.js'
import type { DistrictCounters } from '../counting/districtCounters.js'
import type { LatencyBuckets } from '../metrics/latencyBuckets.js'
import type { TransferCounters } from '../metrics/transferCounters.js'
import type { LoadProgress, LoadSecond, LoadSection } from './summary.js'
import { isoMinute, type NowMs } from '../time/index.js'
import { RunFailed } from '../errors.js'
import { CityStream } from '../stream/cityStream.js'
import type { Plan } from '../plan/plan.js'
import type { RunControl } from './runControl.js'
import type { SimPool } from '../stream/simPool.js'

/** Sends later than this at p99 mean the generator fell behind: the run is marked invalid (unless told otherwise). */
export const latenessToleranceMs = 10
/** A rate profile keeps at least this much of its peak rate made ahead of the sender. */
const madeAheadSeconds = 0.5
/** The realistic profile keeps the city at least this far ahead of the wall clock. */
const madeAheadMs = 1_000

/**
 * A load run: what was asked (LoadSettings: the profile, thresholds, abortOnFail, the in-flight
 * bound, the lateness tolerance, default `latenessToleranceMs`) and how it is driven.
 */
export interface LoadRunOptions extends LoadSettings {
  /** Waits until the next send (see wallClockPause). */
  readonly pause: (waitMs: number) => Promise<void>
  readonly gracefulStopMs?: number
  /** A warm-up left out of the latency figures and thresholds (a capacity trial's first seconds). */
  readonly warmupMs?: number
  readonly onSecond?: (progress: LoadProgress) => void
  /** Live figures for an exporter (`--prometheus`), each second, with latency counted into its buckets. */
  readonly live?: { readonly buckets: LatencyBuckets; update(window: LoadSecond, soFar: LoadSoFar, simulatedMinutes: number): void }
  /** Every second's figures, in order, once the run is over (for metrics.csv and the report). */
  readonly onSeconds?: (seconds: readonly LoadSecond[]) => void
  /**
   * A run steered as it goes (the live map): its schedule is the control's LiveSchedule over the
   * whole period instead of the profile's, and its commands apply between the sender's steps.
   */
  readonly control?: RunControl
}

export interface DriveLoadContext {
  readonly plan: Plan
  readonly pool: SimPool
  readonly index: AgentIndexBuffers
  readonly ledger: LedgerCore
  readonly driver: {
    allocateIds(count: number): number
    noteDemand(tick: number, payments: number): void
    endOfDay(tick: number): Promise<void>
  }
  readonly counters: TransferCounters
  readonly districts: DistrictCounters
  /** Digests the payments as sent (the same for a seed and a profile, unless some were dropped). */
  readonly digest: Hash
  readonly now: NowMs
  readonly load: LoadRunOptions
  /** Once aborted, sending stops as the next second closes (see RunOptions.stop). */
  readonly stop?: AbortSignal
}

/** A load run's figures, and whether `stop` ended it before its schedule did. */
export interface DrivenLoad {
  readonly section: LoadSection
  readonly stopped: boolean
}

export async function driveLoad(context: DriveLoadContext): Promise<DrivenLoad> {
  const { plan, pool, index, ledger, driver, counters, districts, now, load } = context
  const { profile, control } = load
  let startMs = 0
  let schedule: LoadSchedule
  let realistic: TickSchedule | undefined
  let live: LiveSchedule | undefined
  let peakTps: number
  const stream: CityStream = new CityStream(plan, pool, index, {
    ticks: profile.sort === 'realistic' && control === undefined ? profile.simulatedMinutes : plan.clock.ticks,
    allocateIds: (count) => driver.allocateIds(count),
    wantMore: (made) =>
      live !== undefined
        ? live.wantsMore(made.queued, now() - startMs)
        : realistic === undefined
          ? made.queued < Math.max(2 * transferBatchMax, peakTps * madeAheadSeconds)
          : made.ticksMade * realistic.tickMs < now() - startMs + Math.max(madeAheadMs, 2 * realistic.tickMs),
    onTick: (tick, batch) => {
      driver.noteDemand(tick, batch.count)
      realistic?.addTick(batch.count)
      live?.addTick(batch.count)
    },
  })
  if (control !== undefined) {
    live = control.scheduleFor(plan.clock.ticks, (ticks) => stream.makeUntil(ticks), () => stream.tickReached())
    schedule = live
    peakTps = 0
  } else if (profile.sort === 'realistic') {
    realistic = new TickSchedule(profile.durationMs / profile.simulatedMinutes, profile.simulatedMinutes, (ticks) => stream.makeUntil(ticks))
    schedule = realistic
    peakTps = 0
  } else {
    schedule = profile.schedule
    peakTps = Math.max(...profile.schedule.segments.map((segment) => Math.max(segment.fromTps, segment.toTps)))
  }

  // Results are counted as they come back, whatever the open model makes of them; the evenings
  // start once a day's last payment has gone, in order, beside the stream.
  const sentDigest = new StreamDigest()
  const counting = new Set<Promise<unknown>>()
  /** The first failure to count a result: a broken invariant of ours, reported as such after the run. */
  let countingFailure: Error | undefined
  let evenings = Promise.resolve()
  let eveningCount = 0
  const startEvenings = () => {
    for (const tick of stream.eveningsDue()) {
      eveningCount += 1
      evenings = evenings.then(() => driver.endOfDay(tick))
      evenings.catch(() => undefined) // awaited after the run; this only keeps a failure meanwhile from going unhandled
    }
  }
  const countingLedger: Pick<LedgerCore, 'submit'> = {
    submit(batch: TransferBatch): Promise<TransferResults> {
      const call = ledger.submit(batch)
      sentDigest.add(batch)
      const counted = call.then(
        (results) => {
          counters.count(batch.count, batch.debit, batch.credit, batch.amountFen, batch.kind, results.code)
          districts.count(batch, results.code)
          if (control !== undefined) control.answered += batch.count
        },
        () => undefined, // a failed call is the open model's to count, as errors
      )
      counting.add(counted)
      counted.then(
        () => counting.delete(counted),
        (error: unknown) => {
          // Counting itself failed: a broken invariant of ours, not of the ledger.
          counting.delete(counted)
          countingFailure ??= error instanceof Error ? error : new Error(String(error))
        },
      )
      startEvenings()
      return call
    },
  }

  // The first ticks are made before the clock starts, so the sender starts with payments in hand.
  startMs = now()
  stream.kick()
  await stream.stop()
  const seconds: LoadSecond[] = []
  let abortedBy: string | undefined
  /** Seconds that ended with the city behind the realistic clock. */
  let cityBehindSeconds = 0
  const secondOf = (window: LoadWindow): LoadSecond => loadSecond(window, stream.simulatedAt())
  /** A steered schedule's end is known only once the city's period is all made (Infinity until then). */
  const plannedSecondsNow = () => schedule.durationMs / 1000
  startMs = now()
  const result = await runOpenLoad({
    schedule,
    ledger: countingLedger as LedgerCore,
    source: (from, to) => stream.take(from, to),
    available: () => stream.available(),
    now,
    pause: load.pause,
    inFlightMax: load.inFlightMax,
    ...(load.gracefulStopMs === undefined ? {} : { gracefulStopMs: load.gracefulStopMs }),
    ...(load.warmupMs === undefined ? {} : { measureFromMs: load.warmupMs }),
    ...(load.live === undefined ? {} : { buckets: load.live.buckets }),
    onSecond: (window, soFar) => {
      // The realistic schedule only knows the ticks the city has made: a city behind the clock shows here.
      if (realistic !== undefined && stream.ticksMade < Math.min(realistic.ticks, Math.floor(soFar.elapsedMs / realistic.tickMs))) cityBehindSeconds += 1
      const second = secondOf(window)
      seconds[window.second] = second
      control?.second(window)
      load.live?.update(second, soFar, stream.tickReached())
      const summary = soFar.latency.summary().overall
      load.onSecond?.({
        second: window.second + 1,
        plannedSeconds: plannedSecondsNow(),
        window: second,
        p99Ms: summary.p99Ms,
        completed: soFar.completed,
        rejected: soFar.rejected,
        errors: soFar.errors,
        behind: soFar.intended - soFar.sent,
        speed: (stream.tickReached() * 60) / (soFar.elapsedMs / 1000),
      })
      if (load.abortOnFail && abortedBy === undefined) abortedBy = evaluateThresholds(load.thresholds, figuresOf(soFar, summary)).find((check) => !check.ok)?.threshold
    },
    shouldStop: () => abortedBy !== undefined || context.stop?.aborted === true,
    ...(control === undefined ? {} : { onStep: (elapsedMs: number) => control.step(elapsedMs) }),
  })
  try {
    await stream.stop()
    if (result.unanswered > 0) {
      // Those calls may still be applied at any time: no audit of the ledger's balances could be trusted.
      throw new RunFailed(
        `${result.unanswered} transfers were still unanswered ${(load.gracefulStopMs ?? gracefulStopMsDefault) / 1000} s after the schedule ended: the ledger stopped answering, so the run cannot be audited`,
      )
    }
    // Every call is counted before the audit: the ledger applied what it answered, even late.
    while (counting.size > 0) await Promise.allSettled([...counting])
    if (countingFailure !== undefined) throw countingFailure
    // A day whose last payments went in the final call, or whose last ticks were empty, ends here.
    startEvenings()
    await evenings
    sentDigest.into(context.digest)
    // The final counts of every second (results come in after a second is reported), with the simulated time it reached.
    const windows = result.windows.map((window) => loadSecond(window, seconds[window.second]?.simulatedAt ?? stream.simulatedAt()))
    load.onSeconds?.(windows)
    const latency = result.latency.summary()
    const lateMs = result.lateness.summary()
    const durationSeconds = result.durationMs / 1000
    const thresholds = evaluateThresholds(load.thresholds, {
      latency: latency.overall,
      intended: result.intended,
      sent: result.sent,
      errors: result.errors + result.unanswered,
      rejected: result.rejected,
      dropped: result.dropped,
    })
    const invalidReasons: string[] = []
    const periodRanOut = stream.exhausted && result.dropped > 0 && stream.queued === 0
    const lateToleranceMs = load.lateToleranceMs ?? latenessToleranceMs
    if (result.dropped > 0 || lateMs.p99Ms > lateToleranceMs) {
      const what = result.dropped > 0 ? `${result.dropped} transfers were never sent` : `sends were late (p99 ${lateMs.p99Ms.toFixed(2)} ms, tolerance ${lateToleranceMs} ms)`
      const why: string[] = []
      if (periodRanOut) why.push(`the scenario's payments ran out at ${stream.simulatedAt()}: lengthen its period or lower the rate`)
      else if (result.heldBySource > 0 || cityBehindSeconds > 0) why.push('the city could not make payments as fast as the target: give it more workers or lower the rate')
      if (result.heldByInFlight > 0) why.push(`${load.inFlightMax} calls were outstanding at once: the ledger, or the thread taking its results, did not keep up (or raise --in-flight)`)
      if (why.length === 0) why.push('the sender could not keep the schedule (the machine is busy)')
      invalidReasons.push(`${what}: ${why.join('; ')}`)
    }
    if (result.unanswered > 0) invalidReasons.push(`${result.unanswered} transfers were still unanswered when the run stopped`)
    const reachedTick = stream.tickReached()
    const targetMean = durationSeconds > 0 ? result.intended / durationSeconds : 0
    // A threshold's stop is told as abortedBy; any other early stop was asked from outside.
    const stopped = result.stoppedEarly && abortedBy === undefined
    const section: LoadSection = {
      profile: profile.text,
      sort: profile.sort,
      durationSeconds,
      plannedSeconds: Number.isFinite(plannedSecondsNow()) ? plannedSecondsNow() : durationSeconds,
      ...(abortedBy === undefined ? {} : { abortedBy }),
      inFlightMax: load.inFlightMax,
      targetTps: { mean: Math.round(targetMean), peak: Math.round(profile.sort === 'rate' && control === undefined ? peakTps : Math.max(0, ...windows.map((window) => window.targetTps))) },
      achievedTps: durationSeconds > 0 ? Math.round(result.completed / durationSeconds) : 0,
      intended: result.intended,
      sent: result.sent,
      dropped: result.dropped,
      completed: result.completed,
      errors: result.errors,
      unanswered: result.unanswered,
      rejected: result.rejected,
      pacingErrorPct: pacingErrorPct(result.windows),
      latencyMs: latency,
      lateMs,
      lateToleranceMs,
      valid: invalidReasons.length === 0,
      invalidReasons,
      thresholds,
      thresholdsOk: thresholds.every((check) => check.ok),
      simulated: { to: isoMinute(plan.clock, Math.floor(reachedTick)), minutes: reachedTick, speed: durationSeconds > 0 ? (reachedTick * 60) / durationSeconds : 0 },
      evenings: eveningCount,
      periodRanOut,
    }
    return { section, stopped }
  } finally {
    result.latency.destroy()
    result.lateness.destroy()
  }
}

/**
 * The figures so far, for abortOnFail. A transfer is dropped only if it is never sent, which is known
 * at the end: mid-run, due transfers still waiting (for company, or for a call to finish) are not
 * dropped, so `dropped` thresholds are judged on the whole run only.
 */
/** A second of the open model as metrics.csv and the report show it, with the simulated time reached. */
export function loadSecond(window: LoadWindow, simulatedAt: string): LoadSecond {
  return {
    second: window.second,
    targetTps: window.target,
    sentTps: window.sent,
    completedTps: window.completed,
    rejected: window.rejected,
    errors: window.errors,
    p50Ms: window.latency.p50Ms,
    p99Ms: window.latency.p99Ms,
    maxMs: window.latency.maxMs,
    lateP99Ms: window.latenessP99Ms,
    simulatedAt,
  }
}

function figuresOf(soFar: LoadSoFar, latency: ReturnType<LoadSoFar['latency']['summary']>['overall']) {
  return { latency, intended: soFar.intended, sent: soFar.sent, errors: soFar.errors, rejected: soFar.rejected, dropped: 0 }
}

/**
 * A digest of the payments as sent that does not depend on how timing cut them into calls: one
 * running hash per column, the columns' digests hashed together at the end. Ids are left out: the
 * evenings take theirs from the same sequence when they run, which timing decides.
 */
class StreamDigest {
  private readonly columns = ['debit', 'credit', 'amountFen', 'minute', 'kind'] as const
  private readonly hashes = this.columns.map(() => createHash('sha256'))

  add(batch: TransferBatch): void {
    this.columns.forEach((name, index) => {
      const column = batch[name]
      ;(this.hashes[index] as Hash).update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength))
    })
  }

  into(digest: Hash): void {
    for (const hash of this.hashes) digest.update(hash.digest())
  }
}
