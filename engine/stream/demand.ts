/**
 * The city's demand as the stream makes it: payments per simulated minute, from which the hours
 * and the busiest minute of any stretch of the period are read.
 */
export class Demand {
  /** Payments made in each tick of the period. */
  private readonly perTick: Float64Array

  constructor(ticks: number) {
    this.perTick = new Float64Array(ticks)
  }

  /** A tick was made with `payments` in it. */
  note(tick: number, payments: number): void {
    this.perTick[tick] = (this.perTick[tick] as number) + payments
  }

  /** Payments per hour over the first `minutes` of the period (a last hour in part, in part). */
  perHourWithin(minutes: number): number[] {
    const shown = Math.min(this.perTick.length, Math.max(0, Math.ceil(minutes)))
    const hours = new Array<number>(Math.ceil(shown / 60)).fill(0)
    for (let tick = 0; tick < shown; tick++) {
      const hour = Math.floor(tick / 60)
      hours[hour] = (hours[hour] as number) + (this.perTick[tick] as number)
    }
    return hours
  }

  /** Payments in each of the first `minutes` of the period. */
  perMinuteWithin(minutes: number): Float64Array {
    const shown = Math.min(this.perTick.length, Math.max(0, Math.ceil(minutes)))
    return this.perTick.slice(0, shown)
  }

  /** The busiest minute in the first `minutes` of the period, and its tick (the first of ties). */
  peakWithin(minutes: number): { readonly payments: number; readonly tick: number } {
    const shown = Math.min(this.perTick.length, Math.max(0, Math.ceil(minutes)))
    let peak = { payments: 0, tick: 0 }
    for (let tick = 0; tick < shown; tick++) {
      const payments = this.perTick[tick] as number
      if (payments > peak.payments) peak = { payments, tick }
    }
    return peak
  }
}
