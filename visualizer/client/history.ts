/**
 * What the charts plot: one point per snapshot, the last `chartWindowS` seconds of the run.
 * Rejections arrive as a cumulative count; the rate is taken over about a second of points, as
 * the other rates are, rather than between two snapshots 250 ms apart (too jumpy to read).
 */
import type { Snapshot } from '../protocol.js'
import { chartWindowS, snapshotsPerSecond } from '../protocol.js'

export { chartWindowS } from '../protocol.js'
/** Points kept: the window at the live snapshot rate, plus a margin for uneven arrival. */
export const historyPointsMax = Math.ceil(chartWindowS * snapshotsPerSecond * 1.25)
/** Rejections a second are counted over this span. */
const rateSpanS = 1

export interface ChartPoint {
  /** Wall seconds since the run started. */
  readonly t: number
  /** Simulated minutes since the period began. */
  readonly tick: number
  readonly achievedTps: number
  readonly targetTps: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly p999Ms: number
  readonly rejectionsPerSecond: number
  readonly rejected: number
}

export class History {
  readonly #points: ChartPoint[] = []
  #run: number | null = null

  /** Adds a snapshot; a new run, or time going backwards, starts the history afresh. */
  push(snapshot: Snapshot): void {
    const last = this.#points.at(-1)
    if (snapshot.run !== this.#run || (last !== undefined && snapshot.t < last.t))
      this.#points.length = 0
    this.#run = snapshot.run
    this.#points.push(this.#point(snapshot))
    // An array shifted at most once per snapshot: a few hundred moves, four times a second.
    if (this.#points.length > historyPointsMax) this.#points.shift()
  }

  /** A history of `snapshots` (the run so far a page that joins late is sent). */
  static of(snapshots: readonly Snapshot[]): History {
    const history = new History()
    for (const snapshot of snapshots) history.push(snapshot)
    return history
  }

  get points(): readonly ChartPoint[] {
    return this.#points
  }

  #point(snapshot: Snapshot): ChartPoint {
    // The newest point at least a span older than this one (or the oldest there is).
    let before: ChartPoint | undefined
    for (let i = this.#points.length - 1; i >= 0; i--) {
      before = this.#points[i]
      if (before !== undefined && snapshot.t - before.t >= rateSpanS) break
    }
    const spanS = before === undefined ? 0 : snapshot.t - before.t
    const rejectionsPerSecond =
      before !== undefined && spanS > 0
        ? Math.max(0, snapshot.rejected - before.rejected) / spanS
        : 0
    return {
      t: snapshot.t,
      tick: snapshot.tick,
      achievedTps: snapshot.achievedTps,
      targetTps: snapshot.targetTps,
      p50Ms: snapshot.latency.p50,
      p99Ms: snapshot.latency.p99,
      p999Ms: snapshot.latency.p999,
      rejectionsPerSecond,
      rejected: snapshot.rejected,
    }
  }
}

/** The history a replay shows at position `index`: the window of snapshots up to it. */
export function historyUpTo(snapshots: readonly Snapshot[], index: number): History {
  const history = new History()
  const last = snapshots[index]
  if (last === undefined) return history
  let first = index
  while (
    first > 0 &&
    last.t - (snapshots[first - 1]?.t ?? Number.NEGATIVE_INFINITY) <= chartWindowS + rateSpanS
  )
    first--
  for (let i = first; i <= index; i++) {
    const snapshot = snapshots[i]
    if (snapshot !== undefined) history.push(snapshot)
  }
  return history
}
