/**
 * Latency as HDR histograms (hdr-histogram-js, its WebAssembly build): microseconds, three
 * significant digits, from 1 µs to an hour, so p99.9 and the maximum are as honest as the median.
 * Values are measured from a transfer's intended send time by the caller (the open model); this
 * file only keeps and summarises them. Histograms from several threads merge by `add`, or travel
 * between threads as compressed text (`encode`/`decode`).
 *
 * WebAssembly memory is not collected: every histogram is destroyed by whoever made it.
 */
import hdr from 'hdr-histogram-js'
import { assert } from '../assert.js'
import { transferKindCount, transferKinds, type TransferKindName } from '../ledger/index.js'

/** An hour, in microseconds: a longer latency is recorded as an hour (and still counted). */
export const latencyMicrosMax = 3_600_000_000

let webAssemblyReady = false
function build(): hdr.Histogram {
  if (!webAssemblyReady) {
    hdr.initWebAssemblySync()
    webAssemblyReady = true
  }
  return hdr.build({
    useWebAssembly: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: latencyMicrosMax,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  })
}

/**
 * Upper bounds of the latency histogram's buckets, ms, in 1-2-5 steps from 10 µs to the hour a
 * latency is clamped to: a bucket holds the values above the bound before it and up to its own.
 */
export const latencyBucketBoundsMs: readonly number[] = (() => {
  const bounds: number[] = []
  for (let decade = 0.01; decade < 3_600_000; decade *= 10) {
    for (const step of [1, 2, 5]) bounds.push(Number((decade * step).toPrecision(1)))
  }
  bounds.push(latencyMicrosMax / 1000)
  return bounds.filter(
    (bound, index) => bound <= latencyMicrosMax / 1000 && bounds.indexOf(bound) === index,
  )
})()

export interface LatencySummary {
  readonly count: number
  readonly p50Ms: number
  readonly p90Ms: number
  readonly p99Ms: number
  readonly p999Ms: number
  readonly maxMs: number
  readonly meanMs: number
}

/** A latency histogram for the summary: counts per bucket, not cumulative. */
export interface LatencyBucketCounts {
  /** Upper bounds, ms; `overall[i]` counts values in (boundsMs[i - 1], boundsMs[i]]. */
  readonly boundsMs: readonly number[]
  readonly overall: readonly number[]
  readonly byKind: Partial<Record<TransferKindName, readonly number[]>>
}

export class LatencyHistogram {
  private readonly histogram: hdr.Histogram
  private destroyed = false

  constructor(histogram: hdr.Histogram = build()) {
    this.histogram = histogram
  }

  static decode(encoded: string): LatencyHistogram {
    return new LatencyHistogram(hdr.decodeFromCompressedBase64(encoded, 32, true))
  }

  /** Records `count` values of `micros` (rounded to whole µs, clamped to 0..latencyMicrosMax). */
  record(micros: number, count = 1): void {
    assert(!this.destroyed, 'a destroyed histogram records nothing')
    assert(
      Number.isFinite(micros) && Number.isInteger(count) && count >= 0,
      'a latency is a finite number of µs, counted whole',
    )
    if (count === 0) return
    this.histogram.recordValueWithCount(
      Math.min(latencyMicrosMax, Math.max(0, Math.round(micros))),
      count,
    )
  }

  add(other: LatencyHistogram): void {
    assert(!this.destroyed && !other.destroyed, 'both histograms are live')
    this.histogram.add(other.histogram)
  }

  get count(): number {
    return this.histogram.totalCount
  }

  /** The latency below which `percentile` % of the values fall, in ms; 0 when empty. */
  percentileMs(percentile: number): number {
    return this.histogram.totalCount === 0
      ? 0
      : this.histogram.getValueAtPercentile(percentile) / 1000
  }

  /** The largest value, in ms; 0 when empty. */
  get maxMs(): number {
    return this.histogram.totalCount === 0 ? 0 : this.histogram.maxValue / 1000
  }

  /** The mean, in ms; 0 when empty. It walks the whole histogram: not for every second. */
  get meanMs(): number {
    return this.histogram.totalCount === 0 ? 0 : this.histogram.mean / 1000
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50Ms: this.percentileMs(50),
      p90Ms: this.percentileMs(90),
      p99Ms: this.percentileMs(99),
      p999Ms: this.percentileMs(99.9),
      maxMs: this.maxMs,
      meanMs: this.meanMs,
    }
  }

  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram)
  }

  /**
   * How many values fall in each of the fixed buckets of `latencyBucketBoundsMs` (at the
   * histogram's own resolution: three significant digits). The WebAssembly histogram has no
   * iterator, so a copy decoded as a plain one is walked once: for the end of a run, not each
   * second.
   */
  bucketCounts(): number[] {
    const counts = new Array<number>(latencyBucketBoundsMs.length).fill(0)
    if (this.count === 0) return counts
    const copy = hdr.decodeFromCompressedBase64(this.encode(), 32, false) as hdr.JsHistogram
    const values = copy.recordedValuesIterator
    values.reset()
    let bucket = 0
    while (values.hasNext()) {
      const step = values.next()
      const ms = step.valueIteratedTo / 1000
      while (
        bucket < latencyBucketBoundsMs.length - 1 &&
        ms > (latencyBucketBoundsMs[bucket] as number)
      )
        bucket++
      counts[bucket] = (counts[bucket] as number) + step.countAtValueIteratedTo
    }
    copy.destroy()
    return counts
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.histogram.destroy()
  }
}

/** One histogram per payment kind; the one over all transfers is their sum, made when asked. */
export class LatencyByKind {
  private readonly kinds: LatencyHistogram[] = Array.from(
    { length: transferKindCount },
    () => new LatencyHistogram(),
  )

  record(kind: number, micros: number, count = 1): void {
    const histogram = this.kinds[kind]
    assert(histogram !== undefined, 'a known transfer kind')
    histogram.record(micros, count)
  }

  add(other: LatencyByKind): void {
    this.kinds.forEach((histogram, kind) => histogram.add(other.kinds[kind] as LatencyHistogram))
  }

  /** Every kind together, as a new histogram the caller destroys. */
  overall(): LatencyHistogram {
    const all = new LatencyHistogram()
    for (const histogram of this.kinds) all.add(histogram)
    return all
  }

  /**
   * The summary over every kind, without one per kind: what a running figure needs each second.
   * A kind's summary walks its whole histogram five times; this merges them once and walks once.
   */
  overallSummary(): LatencySummary {
    const all = this.overall()
    const overall = all.summary()
    all.destroy()
    return overall
  }

  /** Counts in `latencyBucketBoundsMs`'s buckets, over every kind and for each kind seen. */
  buckets(): LatencyBucketCounts {
    const byKind: Partial<Record<TransferKindName, readonly number[]>> = {}
    this.kinds.forEach((histogram, kind) => {
      if (histogram.count > 0)
        byKind[transferKinds[kind] as TransferKindName] = histogram.bucketCounts()
    })
    const all = this.overall()
    const overall = all.bucketCounts()
    all.destroy()
    return { boundsMs: latencyBucketBoundsMs, overall, byKind }
  }

  /** The overall summary, and one per kind that saw any transfer. */
  summary(): {
    readonly overall: LatencySummary
    readonly byKind: Partial<Record<TransferKindName, LatencySummary>>
  } {
    const byKind: Partial<Record<TransferKindName, LatencySummary>> = {}
    this.kinds.forEach((histogram, kind) => {
      if (histogram.count > 0) byKind[transferKinds[kind] as TransferKindName] = histogram.summary()
    })
    const all = this.overall()
    const overall = all.summary()
    all.destroy()
    return { overall, byKind }
  }

  destroy(): void {
    for (const histogram of this.kinds) histogram.destroy()
  }
}
