/**
 * The schedule of a run someone is steering (the live map's controls): the pace changes while the
 * run goes on. The run is a sequence of stretches, each starting where the last one was told to
 * stop, each with one pace:
 *
 *   rate    a constant target, transfers a second
 *   clock   the city's own rhythm at a clock speed: each simulated minute (tick) gets `tickMs` of
 *           wall time and its transfers are due evenly across it (as in TickSchedule)
 *   paused  nothing is due; the simulated clock stands still
 *
 *   wall time ──▶ |── clock 500 ms/tick ──|─ paused ─|──── rate 20k/s ────|── clock … ──
 *   due count      D₀ ─────────────────▶ D₁ ───────── D₁ ──────────────▶ D₂ ─────────▶
 *
 * A new stretch starts with D, the transfers due by the moment it was asked for; transfer D is due
 * at that moment. Transfers already due keep the send times they had: changing the pace never
 * rewrites the past, so latency is still measured from honest intended times. A clock stretch
 * starts at the simulated position of transfer D, so after a pause the clock goes on where it
 * stood.
 *
 * The schedule ends when the city has made its whole period and the last transfer is due, or at a
 * set duration (`--duration`). Until then `durationMs` is Infinity and the open model keeps going.
 * Pure arithmetic on times passed in: nothing here reads a clock.
 */
import { assert } from '../assert.js'
import { transferBatchMax } from '../limits.js'
import type { LoadSchedule } from './rateSchedule.js'
import { TickCounts } from './tickCounts.js'

export type LivePace =
  | { readonly sort: 'rate'; readonly tps: number }
  | { readonly sort: 'clock'; readonly tickMs: number }
  | { readonly sort: 'paused' }

interface Stretch {
  readonly startMs: number
  /** Transfers due before the stretch: its first transfer is this one. */
  readonly due: number
  readonly pace: LivePace
  /** For a clock stretch: the simulated position (ticks, fractional) of transfer `due`. */
  readonly position: number
}

/**
 * A rate stretch keeps this much of its rate made ahead of the sender; a clock stretch, this much
 * of its clock.
 */
const madeAheadMs = 1_000
/** Rounding room for counts computed in floating point. */
const countSlack = 1e-9

export class LiveSchedule implements LoadSchedule {
  private readonly stretches: Stretch[] = []
  /** What the city made in each tick so far. */
  private readonly counts: TickCounts

  /**
   * `ticks` simulated minutes in the city's period; `pace` the first stretch's; `limitMs` when the
   * run ends at the latest (Infinity: when the period's payments are all due). `learnUntil(n)`
   * makes the city give its first n ticks (used as the run ends).
   */
  constructor(
    readonly ticks: number,
    pace: LivePace,
    private limitMs: number,
    private readonly learnUntil: (ticks: number) => Promise<void>,
  ) {
    assert(Number.isInteger(ticks) && ticks >= 1, 'a period of at least one tick')
    assert(limitMs > 0, 'a run lasts a moment at least')
    this.counts = new TickCounts(ticks)
    this.stretches.push(this.stretch(0, 0, pace))
  }

  /** The pace from now on. Called between two steps of the sender, never inside one. */
  setPace(pace: LivePace, elapsedMs: number): void {
    const last = this.last
    assert(elapsedMs >= last.startMs, 'the pace changes from now, not in the past')
    checkPace(pace)
    this.stretches.push(this.stretch(elapsedMs, this.dueCount(elapsedMs), pace))
  }

  /** Ends the schedule at `elapsedMs` (now): what is due before it still goes, nothing after. */
  stopAt(elapsedMs: number): void {
    this.limitMs = Math.max(Number.MIN_VALUE, Math.min(this.limitMs, elapsedMs))
  }

  get pace(): LivePace {
    return this.last.pace
  }

  /** The next tick's count of transfers, in tick order, as the city makes it. */
  addTick(count: number): void {
    this.counts.add(count)
  }

  get ticksKnown(): number {
    return this.counts.known
  }

  /** Whether the city should make more now: enough for the next second at this pace. */
  wantsMore(queued: number, elapsedMs: number): boolean {
    if (this.known >= this.ticks) return false
    const { pace } = this.last
    if (pace.sort === 'rate')
      return queued < Math.max(2 * transferBatchMax, (pace.tps * madeAheadMs) / 1000)
    if (pace.sort === 'clock')
      return this.known < Math.ceil(this.positionAt(this.last, elapsedMs + madeAheadMs)) + 1
    return queued < transferBatchMax
  }

  /**
   * When the schedule ends: the set limit, or once the city's whole period is made, just after
   * its last transfer is due (whichever comes first).
   */
  get durationMs(): number {
    if (this.known < this.ticks) return this.limitMs
    const made = this.made
    if (made === 0) return Math.min(this.limitMs, 1)
    if (this.transfers < made) return this.limitMs
    return Math.min(this.limitMs, this.sendTimeMs(made - 1) + 1)
  }

  /**
   * Transfers the schedule holds so far: what it knows will be due (a rate stretch knows ahead of
   * the city), and none at or after the limit.
   */
  get transfers(): number {
    const cap = this.cityCap
    return this.limitMs === Infinity ? cap : Math.min(cap, this.estimateBefore(this.limitMs))
  }

  /**
   * Transfers whose send time is at or before `elapsedMs`: the arithmetic's estimate, then checked
   * against sendTimeMs itself, so that rounding never lets the two disagree on a boundary.
   */
  dueCount(elapsedMs: number): number {
    if (elapsedMs < 0) return 0
    const transfers = this.transfers
    let count = Math.min(transfers, this.estimateAtOrBefore(elapsedMs))
    while (count < transfers && this.sendTimeMs(count) <= elapsedMs) count++
    while (count > 0 && this.sendTimeMs(count - 1) > elapsedMs) count--
    return count
  }

  dueBetween(fromMs: number, toMs: number): number {
    return this.dueBefore(toMs) - this.dueBefore(fromMs)
  }

  /**
   * Transfers whose send time is before `elapsedMs` (checked against sendTimeMs, as in dueCount).
   */
  dueBefore(elapsedMs: number): number {
    if (elapsedMs <= 0) return 0
    const transfers = this.transfers
    let count = Math.min(transfers, this.estimateBefore(elapsedMs))
    while (count < transfers && this.sendTimeMs(count) < elapsedMs) count++
    while (count > 0 && this.sendTimeMs(count - 1) >= elapsedMs) count--
    return count
  }

  sendTimeMs(n: number): number {
    assert(Number.isInteger(n) && n >= 0 && n < this.transfers, 'a transfer of the schedule')
    let index = this.stretches.length - 1
    while (index > 0 && (this.stretches[index] as Stretch).due > n) index--
    const stretch = this.stretches[index] as Stretch
    const { pace } = stretch
    if (pace.sort === 'paused') return Infinity
    if (pace.sort === 'rate') return stretch.startMs + ((n - stretch.due) * 1000) / pace.tps
    return stretch.startMs + (this.positionOf(n) - stretch.position) * pace.tickMs
  }

  rateAt(elapsedMs: number): number {
    if (elapsedMs < 0 || elapsedMs >= this.durationMs) return 0
    const { stretch } = this.stretchAt(elapsedMs)
    const { pace } = stretch
    if (pace.sort === 'paused') return 0
    if (pace.sort === 'rate') return pace.tps
    const tick = Math.floor(this.positionAt(stretch, elapsedMs))
    if (tick >= this.known) return 0
    return (this.counts.of(tick) * 1000) / pace.tickMs
  }

  /**
   * Learns the ticks that hold what is due before `untilMs`, so what was due but never made counts
   * as dropped.
   */
  async complete(untilMs: number): Promise<void> {
    const { stretch } = this.stretchAt(untilMs)
    for (;;) {
      if (this.known >= this.ticks) return
      const short =
        stretch.pace.sort === 'clock'
          ? this.known < Math.ceil(this.positionAt(stretch, untilMs))
          : stretch.pace.sort === 'rate' &&
            this.made < Math.min(this.transfers, this.estimateBefore(untilMs))
      if (!short) return
      const known = this.known
      await this.learnUntil(known + 1)
      // A city that makes no more (its stream ended or failed) has nothing more to teach.
      if (this.known === known) return
    }
  }

  /** The simulated position (ticks since the start, fractional) of transfer `n`. */
  positionOf(n: number): number {
    return this.counts.positionOf(n)
  }

  private get last(): Stretch {
    return this.stretches[this.stretches.length - 1] as Stretch
  }

  private get made(): number {
    return this.counts.made
  }

  private get known(): number {
    return this.counts.known
  }

  private stretch(startMs: number, due: number, pace: LivePace): Stretch {
    return { startMs, due, pace, position: pace.sort === 'clock' ? this.positionOf(due) : 0 }
  }

  /**
   * What the city's ticks allow so far: all it made once the period is made; a rate stretch runs
   * ahead of it.
   */
  private get cityCap(): number {
    const { pace, due } = this.last
    return this.known >= this.ticks
      ? this.made
      : pace.sort === 'rate'
        ? Number.MAX_SAFE_INTEGER
        : Math.max(due, this.made)
  }

  /**
   * The stretch holding `elapsedMs` (the last to start at or before it; the first for earlier
   * times), and the transfers due before the next one starts: a count inside a stretch never
   * passes it, even when ticks learned later would say more.
   */
  private stretchAt(elapsedMs: number): { stretch: Stretch; dueBeforeNext: number } {
    let index = this.stretches.length - 1
    while (index > 0 && (this.stretches[index] as Stretch).startMs > elapsedMs) index--
    const next = this.stretches[index + 1]
    return {
      stretch: this.stretches[index] as Stretch,
      dueBeforeNext: next === undefined ? Number.MAX_SAFE_INTEGER : next.due,
    }
  }

  private positionAt(stretch: Stretch, elapsedMs: number): number {
    assert(stretch.pace.sort === 'clock', 'a clock stretch has positions')
    return stretch.position + (elapsedMs - stretch.startMs) / stretch.pace.tickMs
  }

  /** Transfers of the ticks before `position`'s, plus `inTick(fraction, count)` of its own. */
  private countAtPosition(
    position: number,
    inTick: (fraction: number, count: number) => number,
  ): number {
    const tick = Math.floor(position)
    return this.counts.countAt(tick, position - tick, inTick)
  }

  /**
   * The arithmetic's count of transfers due at or before `elapsedMs`, before the check against
   * sendTimeMs.
   */
  private estimateAtOrBefore(elapsedMs: number): number {
    const { stretch, dueBeforeNext } = this.stretchAt(elapsedMs)
    const { pace, due } = stretch
    let count: number
    if (pace.sort === 'paused') count = due
    else if (pace.sort === 'rate')
      count = due + Math.floor(((elapsedMs - stretch.startMs) * pace.tps) / 1000 + countSlack) + 1
    else
      count = Math.max(
        due,
        this.countAtPosition(this.positionAt(stretch, elapsedMs), (fraction, inTick) =>
          Math.min(inTick, Math.floor(fraction * inTick + countSlack) + 1),
        ),
      )
    return Math.min(dueBeforeNext, count)
  }

  /** The arithmetic's count of transfers due before `elapsedMs`, uncapped by the limit. */
  private estimateBefore(elapsedMs: number): number {
    if (elapsedMs <= 0) return 0
    const { stretch, dueBeforeNext } = this.stretchAt(elapsedMs)
    const { pace, due } = stretch
    let count: number
    if (pace.sort === 'paused') count = due
    else if (pace.sort === 'rate')
      count = due + countBelow(((elapsedMs - stretch.startMs) * pace.tps) / 1000)
    else
      count = Math.max(
        due,
        this.countAtPosition(this.positionAt(stretch, elapsedMs), (fraction, inTick) =>
          Math.min(inTick, Math.max(0, Math.ceil(fraction * inTick - countSlack))),
        ),
      )
    return Math.min(dueBeforeNext, this.cityCap, count)
  }
}

/** How many whole numbers n ≥ 0 lie below `value`. */
function countBelow(value: number): number {
  return value <= 0 ? 0 : Math.ceil(value - countSlack * Math.max(1, value))
}

function checkPace(pace: LivePace): void {
  if (pace.sort === 'rate') assert(Number.isFinite(pace.tps) && pace.tps > 0, 'a rate above 0')
  if (pace.sort === 'clock')
    assert(Number.isFinite(pace.tickMs) && pace.tickMs > 0, 'a tick lasts a moment')
}
