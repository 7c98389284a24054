/**
 * Transfers the city made in each simulated minute (tick), learned tick by tick as it makes them,
 * and the two readings the schedules built on them need: where transfer n sits in simulated time,
 * and how many transfers lie before a point in a tick. Shared by TickSchedule (the realistic
 * profile) and LiveSchedule (the live map's clock pace).
 *
 *   tick:        0        1        2 (empty)   3
 *   made before: 0        4        7           7        9
 *   position of transfer 5 = 1 + (5 − 4) / 3
 */
import { assert } from '../assert.js'

export class TickCounts {
  /** Transfers made before each tick, for the ticks known so far (`known + 1` entries are set). */
  private readonly madeBefore: Float64Array
  private knownTicks = 0

  constructor(readonly ticks: number) {
    assert(Number.isInteger(ticks) && ticks >= 1, 'at least one tick')
    this.madeBefore = new Float64Array(ticks + 1)
  }

  /** The next tick's count of transfers, in tick order. */
  add(count: number): void {
    assert(this.knownTicks < this.ticks, 'no more ticks than the period holds')
    assert(Number.isInteger(count) && count >= 0, 'a tick makes a whole number of transfers')
    this.madeBefore[this.knownTicks + 1] = (this.madeBefore[this.knownTicks] as number) + count
    this.knownTicks += 1
  }

  /** Ticks known so far. */
  get known(): number {
    return this.knownTicks
  }

  /** Transfers made in the ticks known so far. */
  get made(): number {
    return this.madeBefore[this.knownTicks] as number
  }

  /** Transfers of tick `tick` (a known one). */
  of(tick: number): number {
    return (this.madeBefore[tick + 1] as number) - (this.madeBefore[tick] as number)
  }

  /**
   * Where transfer `n` sits in simulated time (ticks, fractional); after every known tick for one
   * not made yet.
   */
  positionOf(n: number): number {
    if (n >= this.made) return this.knownTicks
    // The last tick whose first transfer is at or before n: it holds n, and is not empty.
    let low = 0
    let high = this.knownTicks - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if ((this.madeBefore[middle] as number) <= n) low = middle
      else high = middle - 1
    }
    const first = this.madeBefore[low] as number
    return low + (n - first) / ((this.madeBefore[low + 1] as number) - first)
  }

  /**
   * Transfers of the ticks before `tick`, plus `inTick(fraction, count)` of its own (a fraction of
   * the way into it); every transfer made when `tick` is not known yet.
   */
  countAt(
    tick: number,
    fraction: number,
    inTick: (fraction: number, count: number) => number,
  ): number {
    if (tick >= this.knownTicks) return this.made
    const before = this.madeBefore[tick] as number
    const count = this.of(tick)
    return count === 0 ? before : before + inTick(fraction, count)
  }
}
