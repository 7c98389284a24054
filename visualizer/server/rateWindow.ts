/**
 * At most `perSecond` takes in each one-second window (fixed windows, from the first take after the
 * last one ended).
 */
import { assert } from '../../engine/assert.js'

export class RateWindow {
  private windowStartMs = -Infinity
  private taken = 0

  constructor(readonly perSecond: number) {
    assert(Number.isInteger(perSecond) && perSecond >= 1, 'a rate of at least one a second')
  }

  /** Whether one more fits the window of `nowMs`; it is counted when it does. */
  take(nowMs: number): boolean {
    if (nowMs - this.windowStartMs >= 1000) {
      this.windowStartMs = nowMs
      this.taken = 0
    }
    if (this.taken >= this.perSecond) return false
    this.taken += 1
    return true
  }
}
