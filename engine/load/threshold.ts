/**
 * Pass/fail thresholds, written as people say them: `p99<50ms`, `p99.9<=200ms`, `max<1s`,
 * `errors<0.1%`, `rejected<5%`, `dropped<=0`. A run checks them against its figures over all
 * workers together, and a failed one makes the run exit 1.
 *
 *   latency   p50 p90 p99 p99.9 max mean   in us, ms or s, from the intended send time
 *   errors    share of transfers the ledger gave no result for (timeouts, refusals, server errors)
 *   rejected  share of transfers with a result code other than ok
 *   dropped   share of intended transfers never sent (the generator fell behind)
 *
 * Shares are written with % (`0.1%`) or as a count of transfers (`errors<=0`).
 */
import { UserError } from '../errors.js'
import { thresholdsMax } from '../limits.js'
import type { LatencySummary } from '../metrics/latencyHistogram.js'

const latencyMetrics = {
  p50: 'p50Ms',
  p90: 'p90Ms',
  p99: 'p99Ms',
  'p99.9': 'p999Ms',
  max: 'maxMs',
  mean: 'meanMs',
} as const
type LatencyMetric = keyof typeof latencyMetrics
type ShareMetric = 'errors' | 'rejected' | 'dropped'
type Comparison = '<' | '<=' | '>' | '>='

export type Threshold =
  | {
      readonly kind: 'latency'
      readonly text: string
      readonly metric: LatencyMetric
      readonly comparison: Comparison
      readonly limitMs: number
    }
  | {
      readonly kind: 'share'
      readonly text: string
      readonly metric: ShareMetric
      readonly comparison: Comparison
      readonly limitShare: number
    }
  | {
      readonly kind: 'count'
      readonly text: string
      readonly metric: ShareMetric
      readonly comparison: Comparison
      readonly limitCount: number
    }

/** What thresholds are checked against: the run's figures over all workers. */
export interface ThresholdFigures {
  readonly latency: LatencySummary
  /** Transfers the run meant to send. */
  readonly intended: number
  readonly sent: number
  readonly errors: number
  readonly rejected: number
  readonly dropped: number
}

export interface ThresholdResult {
  readonly threshold: string
  /** The figure compared, in the threshold's own unit (ms, a share as %, or a count). */
  readonly actual: number
  readonly unit: 'ms' | '%' | 'transfers'
  readonly ok: boolean
}

const pattern =
  /^\s*(p50|p90|p99\.9|p99|max|mean|errors|rejected|dropped)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(us|ms|s|%)?\s*$/
const toMs: Record<string, number> = { us: 0.001, ms: 1, s: 1000 }

export function parseThreshold(text: string, where: string): Threshold {
  const match = pattern.exec(text)
  if (match === null) {
    throw new UserError(
      `${where}: "${text}" is not a threshold (write p99<50ms, p99.9<=200ms, max<1s, errors<0.1%, rejected<5% or dropped<=0; latency: p50 p90 p99 p99.9 max mean)`,
    )
  }
  const [, metric, comparison, number, unit] = match as unknown as [
    string,
    string,
    Comparison,
    string,
    string | undefined,
  ]
  const value = Number(number)
  if (metric in latencyMetrics) {
    if (unit === undefined || unit === '%')
      throw new UserError(`${where}: "${text}": a latency needs a unit, us, ms or s`)
    return {
      kind: 'latency',
      text,
      metric: metric as LatencyMetric,
      comparison,
      limitMs: value * (toMs[unit] as number),
    }
  }
  if (unit === '%') {
    if (value > 100) throw new UserError(`${where}: "${text}": a share is at most 100%`)
    return {
      kind: 'share',
      text,
      metric: metric as ShareMetric,
      comparison,
      limitShare: value / 100,
    }
  }
  if (unit !== undefined)
    throw new UserError(
      `${where}: "${text}": ${metric} is a share (%) or a count of transfers, not a time`,
    )
  if (!Number.isInteger(value))
    throw new UserError(`${where}: "${text}": a count of transfers is a whole number`)
  return { kind: 'count', text, metric: metric as ShareMetric, comparison, limitCount: value }
}

export function parseThresholds(texts: readonly string[], where: string): Threshold[] {
  if (texts.length > thresholdsMax)
    throw new UserError(`${where}: at most ${thresholdsMax} thresholds`)
  return texts.map((text) => parseThreshold(text, where))
}

export function evaluateThresholds(
  thresholds: readonly Threshold[],
  figures: ThresholdFigures,
): ThresholdResult[] {
  return thresholds.map((threshold) => {
    switch (threshold.kind) {
      case 'latency': {
        const actual = figures.latency[latencyMetrics[threshold.metric]]
        return {
          threshold: threshold.text,
          actual,
          unit: 'ms',
          ok: holds(actual, threshold.comparison, threshold.limitMs),
        }
      }
      case 'share': {
        const count = figures[threshold.metric]
        const of = threshold.metric === 'dropped' ? figures.intended : figures.sent
        const share = of === 0 ? 0 : count / of
        return {
          threshold: threshold.text,
          actual: share * 100,
          unit: '%',
          ok: holds(share, threshold.comparison, threshold.limitShare),
        }
      }
      case 'count': {
        const count = figures[threshold.metric]
        return {
          threshold: threshold.text,
          actual: count,
          unit: 'transfers',
          ok: holds(count, threshold.comparison, threshold.limitCount),
        }
      }
    }
  })
}

function holds(actual: number, comparison: Comparison, limit: number): boolean {
  switch (comparison) {
    case '<':
      return actual < limit
    case '<=':
      return actual <= limit
    case '>':
      return actual > limit
    case '>=':
      return actual >= limit
  }
}

/** What a threshold saw, in its own unit: `51.45 ms`, `0.120%`, `3 transfers`. */
export function thresholdActual(result: ThresholdResult): string {
  switch (result.unit) {
    case 'ms':
      return `${result.actual.toFixed(2)} ms`
    case '%':
      return `${result.actual.toFixed(3)}%`
    case 'transfers':
      return `${result.actual.toLocaleString('en-US')} transfers`
  }
}
