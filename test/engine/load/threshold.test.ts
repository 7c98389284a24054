import { describe, expect, it } from 'vitest'
import { UserError } from '../../../engine/errors.js'
import { evaluateThresholds, parseThreshold, parseThresholds } from '../../../engine/load/index.js'
import type { ThresholdFigures } from '../../../engine/load/index.js'

const figures: ThresholdFigures = {
  latency: { count: 99_000, p50Ms: 2, p90Ms: 8, p99Ms: 49.9, p999Ms: 120, maxMs: 900, meanMs: 3 },
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
      comparison: '<',
      limitMs: 50,
    })
    expect(parseThreshold(' p99.9 <= 0.2s ', 'x')).toMatchObject({
      metric: 'p99.9',
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
    expect(refusal('p95<50ms')).toContain('is not a threshold')
    expect(refusal('p99<50')).toBe('--threshold: "p99<50": a latency needs a unit, us, ms or s')
    expect(refusal('p99<5%')).toContain('a latency needs a unit')
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
