/**
 * The open model's figures for the summary: what was asked and achieved, latency and lateness,
 * the thresholds judged over the whole run, and whether the run is valid, with the reasons it is
 * not in words a user can act on.
 */
import { evaluateThresholds, pacingErrorPct, type OpenLoadResult } from '../../load/index.js'
import type { Plan } from '../../plan/index.js'
import type { CityStream } from '../../stream/cityStream.js'
import { isoMinute } from '../../time/index.js'
import type { LoadSecond, LoadSection } from '../summary.js'
import type { LoadRunOptions } from './loadRunOptions.js'
import type { Pacing } from './pacing.js'

/**
 * Sends later than this at p99 mean the generator fell behind: the run is marked invalid (unless
 * told otherwise).
 */
export const latenessToleranceMs = 10

export interface LoadEnding {
  readonly result: OpenLoadResult
  readonly windows: readonly LoadSecond[]
  /** Seconds that ended with the city behind the realistic clock. */
  readonly cityBehindSeconds: number
  /** The threshold that stopped the run, under abortOnFail. */
  readonly abortedBy: string | undefined
  readonly evenings: number
}

export function loadSection(
  plan: Plan,
  load: LoadRunOptions,
  pacing: Pacing,
  stream: CityStream,
  ending: LoadEnding,
): LoadSection {
  const { result, windows, abortedBy } = ending
  const durationSeconds = result.durationMs / 1000
  const lateMs = result.lateness.summary()
  const latency = result.latency.summary()
  const all = result.latency.overall()
  const thresholds = evaluateThresholds(load.thresholds, {
    latency: all,
    intended: result.intended,
    sent: result.sent,
    errors: result.errors + result.unanswered,
    rejected: result.rejected,
    dropped: result.dropped,
  })
  all.destroy()
  const periodRanOut = stream.exhausted && result.dropped > 0 && stream.queued === 0
  const lateToleranceMs = load.lateToleranceMs ?? latenessToleranceMs
  const invalidReasons = invalidity(load, stream, ending, {
    periodRanOut,
    lateP99Ms: lateMs.p99Ms,
    lateToleranceMs,
  })
  const reachedTick = stream.tickReached()
  const plannedSeconds = pacing.schedule.durationMs / 1000
  const steadyPeak = load.profile.sort === 'rate' && load.control === undefined
  return {
    profile: load.profile.text,
    sort: load.profile.sort,
    durationSeconds,
    // A steered schedule's end is known only once the city's period is all made (Infinity until
    // then).
    plannedSeconds: Number.isFinite(plannedSeconds) ? plannedSeconds : durationSeconds,
    ...(abortedBy === undefined ? {} : { abortedBy }),
    inFlightMax: load.inFlightMax,
    targetTps: {
      mean: Math.round(durationSeconds > 0 ? result.intended / durationSeconds : 0),
      peak: Math.round(
        steadyPeak ? pacing.peakTps : Math.max(0, ...windows.map((window) => window.targetTps)),
      ),
    },
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
    latencyHistogram: result.latency.buckets(),
    lateMs,
    lateToleranceMs,
    valid: invalidReasons.length === 0,
    invalidReasons,
    thresholds,
    thresholdsOk: thresholds.every((check) => check.ok),
    simulated: {
      to: isoMinute(plan.clock, Math.floor(reachedTick)),
      minutes: reachedTick,
      speed: durationSeconds > 0 ? (reachedTick * 60) / durationSeconds : 0,
    },
    evenings: ending.evenings,
    periodRanOut,
  }
}

/** Why the run's figures cannot be trusted as the ledger's: empty when they can. */
function invalidity(
  load: LoadRunOptions,
  stream: CityStream,
  ending: LoadEnding,
  late: {
    readonly periodRanOut: boolean
    readonly lateP99Ms: number
    readonly lateToleranceMs: number
  },
): string[] {
  const { result } = ending
  const reasons: string[] = []
  if (result.dropped > 0 || late.lateP99Ms > late.lateToleranceMs) {
    const what =
      result.dropped > 0
        ? `${result.dropped} transfers were never sent`
        : `sends were late (p99 ${late.lateP99Ms.toFixed(2)} ms, tolerance ${late.lateToleranceMs} ms)`
    const why: string[] = []
    if (late.periodRanOut)
      why.push(
        `the scenario's payments ran out at ${stream.simulatedAt()}: lengthen its period or lower the rate`,
      )
    else if (result.heldBySource > 0 || ending.cityBehindSeconds > 0)
      why.push(
        'the city could not make payments as fast as the target: give it more workers or lower the rate',
      )
    if (result.heldByInFlight > 0)
      why.push(
        `${load.inFlightMax} calls were outstanding at once: the ledger, or the thread taking its results, did not keep up (or raise --in-flight)`,
      )
    if (why.length === 0) why.push('the sender could not keep the schedule (the machine is busy)')
    reasons.push(`${what}: ${why.join('; ')}`)
  }
  if (result.unanswered > 0)
    reasons.push(`${result.unanswered} transfers were still unanswered when the run stopped`)
  return reasons
}
