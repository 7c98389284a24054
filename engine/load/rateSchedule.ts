/**
 * A target rate over wall time, as consecutive segments whose rate moves in a straight line
 * (flat segments are constant). Every profile (constant, ramp, steps, spike) is one of these.
 * From it the open model takes each transfer's intended send time: transfer n (from 0) is due when
 * the integral of the rate since the start reaches n, so the first goes at the start and a second
 * at a constant 1,000/s holds transfers 1,000·s to 1,000·s + 999.
 *
 *   rate ▲        ╱‾‾‾‾╲
 *        │   ____╱      ╲____          transfers due by t = area under the line up to t
 *        └──────────────────────▶ t
 *
 * Pure arithmetic on time given as an argument: nothing here reads a clock.
 */
import { assert } from '../assert.js'
import { profileSegmentsMax } from '../limits.js'

export interface RateSegment {
  readonly durationMs: number
  /** Transfers per second at the start and at the end of the segment. */
  readonly fromTps: number
  readonly toTps: number
}

/**
 * What the open model needs of a schedule: when each transfer is due. A RateSchedule knows all
 * its transfers at once; the realistic one (TickSchedule) learns them as the city makes them.
 */
export interface LoadSchedule {
  readonly durationMs: number
  /**
   * Transfers in the schedule; for one that learns as it goes, those known so far (all, after
   * `complete`).
   */
  readonly transfers: number
  /** Transfers whose send time is at or before `elapsedMs`. */
  dueCount(elapsedMs: number): number
  /** Transfers whose send time falls in [fromMs, toMs). */
  dueBetween(fromMs: number, toMs: number): number
  /** When transfer `n` (0-based, below `transfers`) is due. */
  sendTimeMs(n: number): number
  /** The target rate at `elapsedMs`, transfers per second. */
  rateAt(elapsedMs: number): number
  /** Waits until every transfer due before `untilMs` is known. */
  complete?(untilMs: number): Promise<void>
}

export class RateSchedule implements LoadSchedule {
  readonly durationMs: number
  /** Transfers in the schedule: every n below the integral over its whole duration. */
  readonly transfers: number
  private readonly startMs: Float64Array
  /** Transfers due before each segment starts (not rounded). */
  private readonly dueBefore: Float64Array

  constructor(readonly segments: readonly RateSegment[]) {
    assert(
      segments.length >= 1 && segments.length <= profileSegmentsMax,
      'a schedule has 1..profileSegmentsMax segments',
    )
    this.startMs = new Float64Array(segments.length + 1)
    this.dueBefore = new Float64Array(segments.length + 1)
    segments.forEach((segment, index) => {
      assert(
        segment.durationMs > 0 && segment.fromTps >= 0 && segment.toTps >= 0,
        'a segment lasts and its rates are not negative',
      )
      this.startMs[index + 1] = (this.startMs[index] as number) + segment.durationMs
      this.dueBefore[index + 1] =
        (this.dueBefore[index] as number) +
        ((segment.fromTps + segment.toTps) / 2) * (segment.durationMs / 1000)
    })
    this.durationMs = this.startMs[segments.length] as number
    this.transfers = countBelow(this.dueBefore[segments.length] as number)
  }

  /** The target rate at `elapsedMs` since the start, transfers per second (0 after the end). */
  rateAt(elapsedMs: number): number {
    const index = this.segmentAt(elapsedMs)
    if (index < 0) return 0
    const segment = this.segments[index] as RateSegment
    const intoMs = elapsedMs - (this.startMs[index] as number)
    return segment.fromTps + ((segment.toTps - segment.fromTps) * intoMs) / segment.durationMs
  }

  /** Transfers due in [0, elapsedMs): the integral of the rate, not rounded. */
  dueBy(elapsedMs: number): number {
    if (elapsedMs <= 0) return 0
    if (elapsedMs >= this.durationMs) return this.dueBefore[this.segments.length] as number
    const index = this.segmentAt(elapsedMs)
    const segment = this.segments[index] as RateSegment
    const intoS = (elapsedMs - (this.startMs[index] as number)) / 1000
    const slope = (segment.toTps - segment.fromTps) / (segment.durationMs / 1000)
    return (this.dueBefore[index] as number) + segment.fromTps * intoS + (slope * intoS * intoS) / 2
  }

  /** Transfers whose send time is at or before `elapsedMs`. */
  dueCount(elapsedMs: number): number {
    if (elapsedMs < 0) return 0
    return Math.min(
      this.transfers,
      Math.floor(this.dueBy(elapsedMs) + slack(this.dueBy(elapsedMs))) + 1,
    )
  }

  /** Transfers whose send time falls in [fromMs, toMs). */
  dueBetween(fromMs: number, toMs: number): number {
    const before = (ms: number) =>
      ms <= 0 ? 0 : Math.min(this.transfers, countBelow(this.dueBy(ms)))
    return before(toMs) - before(fromMs)
  }

  /** When transfer `n` (0-based, below `transfers`) is due: the time the integral reaches n. */
  sendTimeMs(n: number): number {
    assert(Number.isInteger(n) && n >= 0 && n < this.transfers, 'a transfer of the schedule')
    const target = n
    let index = 0
    // The first segment whose end reaches n: at a boundary into a pause (a zero rate), n is due as
    // the pause begins.
    while (index < this.segments.length - 1 && (this.dueBefore[index + 1] as number) < target)
      index++
    const segment = this.segments[index] as RateSegment
    const need = target - (this.dueBefore[index] as number)
    const a = segment.fromTps
    const slope = (segment.toTps - segment.fromTps) / (segment.durationMs / 1000)
    // Solve a·t + slope·t²/2 = need for t ≥ 0, in the form that keeps precision when slope is
    // small.
    const root = Math.sqrt(Math.max(0, a * a + 2 * slope * need))
    const intoS = a + root > 0 ? (2 * need) / (a + root) : 0
    return Math.min(
      (this.startMs[index] as number) + intoS * 1000,
      this.startMs[index + 1] as number,
    )
  }

  private segmentAt(elapsedMs: number): number {
    if (elapsedMs < 0 || elapsedMs >= this.durationMs) return -1
    let index = 0
    while ((this.startMs[index + 1] as number) <= elapsedMs) index++
    return index
  }
}

/** Rounding room for integrals computed in floating point: relative, as they grow large. */
function slack(value: number): number {
  return 1e-9 * Math.max(1, Math.abs(value))
}

/** How many whole numbers n ≥ 0 lie below `value`. */
function countBelow(value: number): number {
  return value <= 0 ? 0 : Math.ceil(value - slack(value))
}
