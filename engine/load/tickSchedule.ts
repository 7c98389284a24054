/**
 * The realistic schedule: the city's own demand curve at a chosen clock speed. Each simulated
 * minute (a tick) is given the same stretch of wall time, and the transfers the city makes in that
 * minute are due evenly across it, so the rate follows the city: the morning commute's fares, the
 * lunch peak, the quiet night. The schedule learns each minute's count as the city makes it.
 *
 *   tick t, c transfers:   due at  t·tickMs + (i / c)·tickMs   for i = 0 … c − 1
 *
 * Until a tick is known, its transfers are not due: if the city falls behind the clock they go out
 * late, and the lateness is measured from the times they were due.
 */
import { assert } from '../assert.js'
import { TickCounts } from './tickCounts.js'
import type { LoadSchedule } from './rateSchedule.js'

export class TickSchedule implements LoadSchedule {
  readonly durationMs: number
  /** What the city made in each tick so far. */
  private readonly counts: TickCounts

  /**
   * `ticks` simulated minutes, each `tickMs` of wall time. `learnUntil(n)` makes the city give the
   * first n ticks (called once sending is over, so what was never made in time counts as dropped).
   */
  constructor(
    readonly tickMs: number,
    readonly ticks: number,
    private readonly learnUntil: (ticks: number) => Promise<void>,
  ) {
    assert(
      tickMs > 0 && Number.isInteger(ticks) && ticks >= 1,
      'a realistic schedule covers at least one tick',
    )
    this.durationMs = tickMs * ticks
    this.counts = new TickCounts(ticks)
  }

  /** The next tick's count of transfers, in tick order. */
  addTick(count: number): void {
    this.counts.add(count)
  }

  get ticksKnown(): number {
    return this.counts.known
  }

  get transfers(): number {
    return this.counts.made
  }

  /** Learns every tick that starts before `untilMs` (a run stopped early needs no more). */
  async complete(untilMs: number): Promise<void> {
    await this.learnUntil(Math.min(this.ticks, Math.ceil(untilMs / this.tickMs)))
  }

  dueCount(elapsedMs: number): number {
    if (elapsedMs < 0) return 0
    return this.counted(elapsedMs, (fraction, count) =>
      Math.min(count, Math.floor(fraction * count + 1e-9) + 1),
    )
  }

  dueBetween(fromMs: number, toMs: number): number {
    const before = (ms: number) =>
      ms <= 0
        ? 0
        : this.counted(ms, (fraction, count) =>
            Math.min(count, Math.max(0, Math.ceil(fraction * count - 1e-9))),
          )
    return before(toMs) - before(fromMs)
  }

  sendTimeMs(n: number): number {
    assert(Number.isInteger(n) && n >= 0 && n < this.transfers, 'a known transfer of the schedule')
    return this.counts.positionOf(n) * this.tickMs
  }

  rateAt(elapsedMs: number): number {
    const tick = this.tickAt(elapsedMs)
    if (elapsedMs < 0 || tick >= this.counts.known) return 0
    return (this.counts.of(tick) * 1000) / this.tickMs
  }

  /**
   * Transfers of the ticks before the one holding `elapsedMs`, plus `inTick(fraction, count)` of
   * that one.
   */
  private counted(elapsedMs: number, inTick: (fraction: number, count: number) => number): number {
    const tick = this.tickAt(elapsedMs)
    return this.counts.countAt(
      tick,
      Math.max(0, (elapsedMs - tick * this.tickMs) / this.tickMs),
      inTick,
    )
  }

  /**
   * The tick holding `elapsedMs`, by the same products `sendTimeMs` uses: a tick's start belongs to
   * it.
   */
  private tickAt(elapsedMs: number): number {
    let tick = Math.floor(elapsedMs / this.tickMs)
    if ((tick + 1) * this.tickMs <= elapsedMs) tick += 1
    else if (tick > 0 && tick * this.tickMs > elapsedMs) tick -= 1
    return tick
  }
}
