/**
 * The city's demand as the stream makes it: payments per simulated hour, and the busiest minute.
 */
export class Demand {
  peakPerMinute = 0
  peakTick = 0
  readonly perHour: number[]

  constructor(ticks: number) {
    this.perHour = new Array<number>(Math.ceil(ticks / 60)).fill(0)
  }

  /** A tick was made with `payments` in it. */
  note(tick: number, payments: number): void {
    const hour = Math.floor(tick / 60)
    this.perHour[hour] = (this.perHour[hour] as number) + payments
    if (payments > this.peakPerMinute) {
      this.peakPerMinute = payments
      this.peakTick = tick
    }
  }
}
