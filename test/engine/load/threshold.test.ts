import { describe, expect, it } from 'vitest'
import { UserError } from '../../../engine/errors.js'
import { evaluateThresholds, parseThreshold, parseThresholds } from '../../../engine/load/index.js'
import type { LatencyReading, ThresholdFigures } from '../../../engine/load/index.js'
import { LatencyHistogram } from '../../../engine/metrics/latencyHistogram.js'

/** Latency with known percentiles: the ones these tests name, and no other. */
const percentiles = new Map([
  [50, 2],
  [90, 8],
  [95, 30],
  [99, 49.9],
  [99.9, 120],
])
const latency: LatencyReading = {
  percentileMs: (percentile) => {
    const ms = percentiles.get(percentile)
    if (ms === undefined) throw new Error(`p${percentile} was not expected`)
    return ms
  },
  maxMs: 900,
  meanMs: 3,
}

const figures: ThresholdFigures = {
  latency,
  intended: 100_000,
  sent: 99_000,
  errors: 50,
  rejected: 4_900,
  dropped: 1_000,
}

function refusal(text: string): string {
  try {
    parseThreshold(text, '--threshold')
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return (error as Error).message
  }
  throw new Error(`"${text}" was accepted`)
}

describe('thresholds', () => {
  it('reads latency limits in us, ms and s, and shares and counts', () => {
    // Proves the written forms and their units: all limits end up in ms, a share, or a count.
    expect(parseThreshold('p99<50ms', 'x')).toEqual({
      kind: 'latency',
      text: 'p99<50ms',
      metric: 'p99',
      statistic: 99,
      comparison: '<',
      limitMs: 50,
    })
    expect(parseThreshold(' p99.9 <= 0.2s ', 'x')).toMatchObject({
      metric: 'p99.9',
      statistic: 99.9,
      comparison: '<=',
      limitMs: 200,
    })
    expect(parseThreshold('p50<500us', 'x')).toMatchObject({ limitMs: 0.5 })
    expect(parseThreshold('errors<0.1%', 'x')).toEqual({
      kind: 'share',
      text: 'errors<0.1%',
      metric: 'errors',
      comparison: '<',
      limitShare: 0.001,
    })
    expect(parseThreshold('dropped<=0', 'x')).toEqual({
      kind: 'count',
      text: 'dropped<=0',
      metric: 'dropped',
      comparison: '<=',
      limitCount: 0,
    })
  })

  it('passes and fails on the figures over all workers, at the boundary too', () => {
    // Proves each comparison and base: latency against its percentile, errors and rejections as a
    // share of what was sent, drops of what was intended.
    const results = evaluateThresholds(
      parseThresholds(
        [
          'p99<50ms',
          'p99<49.9ms',
          'p99<=49.9ms',
          'max<1s',
          'p99.9<100ms',
          'errors<0.1%',
          'rejected<5%',
          'rejected<=4.9%',
          'dropped<1%',
          'dropped<=1%',
          'errors<=50',
          'errors<50',
          'mean>=3ms',
        ],
        '--threshold',
      ),
      figures,
    )
    expect(results.map((result) => [result.threshold, result.ok])).toEqual([
      ['p99<50ms', true],
      ['p99<49.9ms', false],
      ['p99<=49.9ms', true],
      ['max<1s', true],
      ['p99.9<100ms', false],
      ['errors<0.1%', true],
      ['rejected<5%', true],
      ['rejected<=4.9%', false],
      ['dropped<1%', false],
      ['dropped<=1%', true],
      ['errors<=50', true],
      ['errors<50', false],
      ['mean>=3ms', true],
    ])
    expect(results[6]).toMatchObject({ threshold: 'rejected<5%', unit: '%', ok: true })
    expect(results[6]?.actual).toBeCloseTo((4_900 / 99_000) * 100, 9)
    expect(results[3]).toEqual({ threshold: 'max<1s', actual: 900, unit: 'ms', ok: true })
  })

  it("reads any percentile, and k6's spellings: p(N), med, avg, and a bare number as ms", () => {
    // Proves p95 and p(95) are one threshold, that a number with no unit is milliseconds, and
    // that med and avg are the median and the mean.
    expect(parseThreshold('p95<200ms', 'x')).toMatchObject({ metric: 'p95', statistic: 95 })
    expect(parseThreshold('p(95)<200', 'x')).toMatchObject({
      metric: 'p95',
      statistic: 95,
      limitMs: 200,
    })
    expect(parseThreshold('p( 99.99 ) <= 1s', 'x')).toMatchObject({
      statistic: 99.99,
      limitMs: 1000,
    })
    expect(parseThreshold('med<5', 'x')).toMatchObject({ metric: 'p50', statistic: 50 })
    expect(parseThreshold('avg<10', 'x')).toMatchObject({ metric: 'mean', statistic: 'mean' })
    const results = evaluateThresholds(
      parseThresholds(['p95<30ms', 'p(95)<=30', 'med<2', 'avg<=3', 'p99<50'], 'x'),
      figures,
    )
    expect(results.map((result) => [result.threshold, result.actual, result.ok])).toEqual([
      ['p95<30ms', 30, false],
      ['p(95)<=30', 30, true],
      ['med<2', 2, false],
      ['avg<=3', 3, true],
      ['p99<50', 49.9, true],
    ])
  })

  it('reads the percentile a threshold names from a real histogram', () => {
    // Proves the evaluation asks the histogram for the named percentile itself: 1..1000 µs once
    // each, so p95 is 0.95 ms and p99.5 is 0.995 ms (to the histogram's three digits).
    const histogram = new LatencyHistogram()
    for (let micros = 1; micros <= 1000; micros++) histogram.record(micros)
    const results = evaluateThresholds(parseThresholds(['p(95)<0.951', 'p99.5<995us'], 'x'), {
      ...figures,
      latency: histogram,
    })
    histogram.destroy()
    expect(results[0]?.actual).toBeCloseTo(0.95, 3)
    expect(results[0]?.ok).toBe(true)
    expect(results[1]?.actual).toBeCloseTo(0.995, 3)
    expect(results[1]?.ok).toBe(false)
  })

  it('counts a run that sent nothing as 0% errors, not as a division by zero', () => {
    // Proves an empty run has defined shares.
    const [result] = evaluateThresholds([parseThreshold('errors<1%', 'x')], {
      ...figures,
      sent: 0,
      errors: 0,
    })
    expect(result).toEqual({ threshold: 'errors<1%', actual: 0, unit: '%', ok: true })
  })

  it('refuses what is not a threshold, naming the flag and saying how to write one', () => {
    // Proves each malformed form is a user error with the text quoted.
    expect(refusal('p99 under 50ms')).toContain(
      '--threshold: "p99 under 50ms" is not a threshold (write p99<50ms',
    )
    expect(refusal('p99.<50ms')).toContain('is not a threshold')
    expect(refusal('p(95<50ms')).toContain('is not a threshold')
    expect(refusal('p0<50ms')).toBe(
      '--threshold: "p0<50ms": a percentile is above 0 and at most 100',
    )
    expect(refusal('p100.5<1s')).toContain('a percentile is above 0 and at most 100')
    expect(refusal('p99<5%')).toBe('--threshold: "p99<5%": a latency is a time, in us, ms or s')
    expect(refusal('errors<5ms')).toContain(
      'errors is a share (%) or a count of transfers, not a time',
    )
    expect(refusal('errors<101%')).toContain('a share is at most 100%')
    expect(refusal('dropped<0.5')).toContain('a count of transfers is a whole number')
    expect(() =>
      parseThresholds(
        Array.from({ length: 65 }, () => 'p99<1s'),
        '--threshold',
      ),
    ).toThrow('at most 64 thresholds')
  })
})
