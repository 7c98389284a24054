/**
 * Latency counted into a few fixed buckets per payment kind, for a Prometheus histogram: one
 * comparison walk per transfer on the thread that takes results, so serving the buckets costs
 * nothing at scrape time (reading them out of the HDR histograms took about 10 ms a second).
 */
import { assert } from '../assert.js'
import { transferKindCount } from '../ledger/index.js'

export class LatencyBuckets {
  /** counts[kind * (bounds + 1) + b]: values in bucket b (the last one: above every bound). */
  private readonly counts: Float64Array
  private readonly sums = new Float64Array(transferKindCount)
  private readonly width: number

  /** Bucket upper bounds, µs, increasing. */
  constructor(readonly boundsMicros: readonly number[]) {
    assert(
      boundsMicros.every(
        (bound, index) => index === 0 || bound > (boundsMicros[index - 1] as number),
      ),
      'bounds increase',
    )
    this.width = boundsMicros.length + 1
    this.counts = new Float64Array(transferKindCount * this.width)
  }

  record(kind: number, micros: number): void {
    const bounds = this.boundsMicros
    let bucket = 0
    while (bucket < bounds.length && micros > (bounds[bucket] as number)) bucket++
    const at = kind * this.width + bucket
    this.counts[at] = (this.counts[at] as number) + 1
    this.sums[kind] = (this.sums[kind] as number) + micros
  }

  /** Values at or below each bound, then the total: Prometheus's cumulative `le` buckets. */
  cumulative(kind: number): number[] {
    const out: number[] = []
    let running = 0
    for (let bucket = 0; bucket < this.width; bucket++) {
      running += this.counts[kind * this.width + bucket] as number
      out.push(running)
    }
    return out
  }

  sumMicros(kind: number): number {
    return this.sums[kind] as number
  }
}
