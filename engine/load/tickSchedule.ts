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
import type { LoadSchedule } from './rateSchedule.js'

export class TickSchedule implements LoadSchedule {
  readonly durationMs: number
  /** Transfers due before each tick, for the ticks known so far (`known + 1` entries are set). */
  private readonly dueBefore: Float64Array
  private known = 0

  /**
   * `ticks` simulated minutes, each `tickMs` of wall time. `learnUntil(n)` makes the city give the
   * first n ticks (called once sending is over, so what was never made in time counts as dropped).
   */
  constructor(
    readonly tickMs: number,
    readonly ticks: number,
    private readonly learnUntil: (ticks: number) => Promise<void>,
  ) {
    assert(tickMs > 0 && Number.isInteger(ticks) && ticks >= 1, 'a realistic schedule covers at least one tick')
    this.durationMs = tickMs * ticks
    this.dueBefore = new Float64Array(ticks + 1)
  }

  /** The next tick's count of transfers, in tick order. */
  addTick(count: number): void {
    assert(this.known < this.ticks, 'no more ticks than the schedule covers')
    assert(Number.isInteger(count) && count >= 0, 'a tick makes a whole number of transfers')
    this.dueBefore[this.known + 1] = (this.dueBefore[this.known] as number) + count
    this.known += 1
  }

  get ticksKnown(): number {
    return this.known
  }

  get transfers(): number {
    return this.dueBefore[this.known] as number
  }

  /** Learns every tick that starts before `untilMs` (a run stopped early needs no more). */
  async complete(untilMs: number): Promise<void> {
    await this.learnUntil(Math.min(this.ticks, Math.ceil(untilMs / this.tickMs)))
  }

  dueCount(elapsedMs: number): number {
    if (elapsedMs < 0) return 0
    return this.counted(elapsedMs, (fraction, count) => Math.min(count, Math.floor(fraction * count + 1e-9) + 1))
  }

  dueBetween(fromMs: number, toMs: number): number {
    const before = (ms: number) => (ms <= 0 ? 0 : this.counted(ms, (fraction, count) => Math.min(count, Math.max(0, Math.ceil(fraction * count - 1e-9)))))
    return before(toMs) - before(fromMs)
  }

  sendTimeMs(n: number): number {
    assert(Number.isInteger(n) && n >= 0 && n < this.transfers, 'a known transfer of the schedule')
    // The last tick whose first transfer is at or before n.
    let low = 0
    let high = this.known - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if ((this.dueBefore[middle] as number) <= n) low = middle
      else high = middle - 1
    }
    const count = (this.dueBefore[low + 1] as number) - (this.dueBefore[low] as number)
    return (low + (n - (this.dueBefore[low] as number)) / count) * this.tickMs
  }

  rateAt(elapsedMs: number): number {
    const tick = this.tickAt(elapsedMs)
    if (elapsedMs < 0 || tick >= this.known) return 0
    return (((this.dueBefore[tick + 1] as number) - (this.dueBefore[tick] as number)) * 1000) / this.tickMs
  }

  /** Transfers of the ticks before the one holding `elapsedMs`, plus `inTick(fraction, count)` of that one. */
  private counted(elapsedMs: number, inTick: (fraction: number, count: number) => number): number {
    const tick = this.tickAt(elapsedMs)
    if (tick >= this.known) return this.transfers
    const before = this.dueBefore[tick] as number
    const count = (this.dueBefore[tick + 1] as number) - before
    if (count === 0) return before
    return before + inTick(Math.max(0, (elapsedMs - tick * this.tickMs) / this.tickMs), count)
  }

  /** The tick holding `elapsedMs`, by the same products `sendTimeMs` uses: a tick's start belongs to it. */
  private tickAt(elapsedMs: number): number {
    let tick = Math.floor(elapsedMs / this.tickMs)
    if ((tick + 1) * this.tickMs <= elapsedMs) tick += 1
    else if (tick > 0 && tick * this.tickMs > elapsedMs) tick -= 1
    return tick
  }
}
