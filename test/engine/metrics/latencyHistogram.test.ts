import { afterEach, describe, expect, it } from 'vitest'
import { TransferKind } from '../../../engine/ledger/index.js'
import {
  LatencyByKind,
  LatencyHistogram,
  latencyBucketBoundsMs,
  latencyMicrosMax,
} from '../../../engine/metrics/latencyHistogram.js'

const made: { destroy(): void }[] = []
function keep<T extends { destroy(): void }>(histogram: T): T {
  made.push(histogram)
  return histogram
}
afterEach(() => {
  for (const histogram of made.splice(0)) histogram.destroy()
})

describe('latency histograms', () => {
  it('gives percentiles of a known distribution within HDR precision (0.1%)', () => {
    // Proves the recorded values come back as percentiles: 1..100,000 µs once each has p50 50 ms,
    // p99 99 ms, p99.9 99.9 ms, max 100 ms.
    const histogram = keep(new LatencyHistogram())
    for (let micros = 1; micros <= 100_000; micros++) histogram.record(micros)
    const summary = histogram.summary()
    expect(summary.count).toBe(100_000)
    expect(summary.p50Ms).toBeCloseTo(50, 1)
    expect(Math.abs(summary.p90Ms - 90) / 90).toBeLessThan(0.001)
    expect(Math.abs(summary.p99Ms - 99) / 99).toBeLessThan(0.001)
    expect(Math.abs(summary.p999Ms - 99.9) / 99.9).toBeLessThan(0.001)
    expect(Math.abs(summary.maxMs - 100) / 100).toBeLessThan(0.001)
    expect(summary.meanMs).toBeCloseTo(50, 1)
  })

  it('keeps the tail: one slow transfer in 10,000 shows at p99.99 and max, not at p99', () => {
    // Proves a rare long latency is neither averaged away nor hidden: the coordinated-omission view
    // needs it whole.
    const histogram = keep(new LatencyHistogram())
    histogram.record(1_000, 9_999)
    histogram.record(2_000_000)
    const summary = histogram.summary()
    expect(summary.p99Ms).toBeCloseTo(1, 2)
    expect(summary.maxMs).toBeGreaterThanOrEqual(1_999)
  })

  it('merges histograms from several threads, also through their compressed text', () => {
    // Proves add() and encode()/decode() keep every count and value: what workers send is what the
    // summary shows.
    const a = keep(new LatencyHistogram())
    const b = keep(new LatencyHistogram())
    for (let index = 0; index < 1_000; index++) a.record(100 + index)
    for (let index = 0; index < 3_000; index++) b.record(10_000 + index)
    const decoded = keep(LatencyHistogram.decode(b.encode()))
    expect(decoded.summary()).toEqual(b.summary())
    a.add(decoded)
    expect(a.count).toBe(4_000)
    expect(a.summary().p50Ms).toBeGreaterThan(10)
    expect(a.summary().maxMs).toBeCloseTo(13, 1)
  })

  it('clamps what is out of range and counts it, and reports zeros when empty', () => {
    // Proves an hour-long (or negative, from clock skew) latency is still counted, at the edge of
    // the range.
    const histogram = keep(new LatencyHistogram())
    expect(histogram.summary()).toEqual({
      count: 0,
      p50Ms: 0,
      p90Ms: 0,
      p99Ms: 0,
      p999Ms: 0,
      maxMs: 0,
      meanMs: 0,
    })
    histogram.record(latencyMicrosMax * 10)
    histogram.record(-5)
    expect(histogram.count).toBe(2)
    expect(histogram.summary().maxMs).toBeGreaterThanOrEqual(
      latencyMicrosMax / 1000 - latencyMicrosMax / 1_000_000,
    )
    expect(() => histogram.record(Number.NaN)).toThrow(/finite/)
  })

  it('keeps one histogram per kind and one over all, and summarises the kinds that saw transfers', () => {
    // Proves per-kind percentiles are apart (retail fast, transit slow) while the overall one holds
    // both.
    const latency = keep(new LatencyByKind())
    latency.record(TransferKind.retail, 1_000, 900)
    latency.record(TransferKind.transit, 50_000, 100)
    const summary = latency.summary()
    expect(Object.keys(summary.byKind)).toEqual(['retail', 'transit'])
    expect(summary.byKind.retail?.p99Ms).toBeCloseTo(1, 2)
    expect(summary.byKind.transit?.p50Ms).toBeCloseTo(50, 0)
    expect(summary.overall.count).toBe(1_000)
    expect(summary.overall.p99Ms).toBeCloseTo(50, 0)
    const other = keep(new LatencyByKind())
    other.record(TransferKind.retail, 2_000, 100)
    latency.add(other)
    expect(latency.summary().byKind.retail?.count).toBe(1_000)
  })

  it('counts values into 1-2-5 buckets from 10 µs to an hour, each value once', () => {
    // Proves the histogram the report draws: a value on a bound falls in that bound's bucket, one
    // just above it in the next, and the clamped hour in the last; the counts add up to the total.
    expect(latencyBucketBoundsMs.slice(0, 4)).toEqual([0.01, 0.02, 0.05, 0.1])
    expect(latencyBucketBoundsMs.at(-1)).toBe(latencyMicrosMax / 1000)
    expect(new Set(latencyBucketBoundsMs).size).toBe(latencyBucketBoundsMs.length)
    const histogram = keep(new LatencyHistogram())
    expect(histogram.bucketCounts().every((count) => count === 0)).toBe(true)
    histogram.record(1_000, 7) // 1 ms: the bucket whose bound is 1
    histogram.record(1_100, 3) // 1.1 ms: the (1, 2] bucket
    histogram.record(45_000, 2) // 45 ms: (20, 50]
    histogram.record(latencyMicrosMax * 2) // clamped to the hour
    const counts = histogram.bucketCounts()
    const at = (boundMs: number): number => counts[latencyBucketBoundsMs.indexOf(boundMs)] ?? -1
    expect(at(1)).toBe(7)
    expect(at(2)).toBe(3)
    expect(at(50)).toBe(2)
    expect(counts.at(-1)).toBe(1)
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(histogram.count)
    const byKind = keep(new LatencyByKind())
    byKind.record(TransferKind.retail, 300, 4)
    byKind.record(TransferKind.transit, 3_000, 6)
    const buckets = byKind.buckets()
    expect(Object.keys(buckets.byKind)).toEqual(['retail', 'transit'])
    expect(buckets.overall[latencyBucketBoundsMs.indexOf(0.5)]).toBe(4)
    expect(buckets.overall[latencyBucketBoundsMs.indexOf(5)]).toBe(6)
    expect(buckets.byKind.transit?.[latencyBucketBoundsMs.indexOf(5)]).toBe(6)
  })
})
