/**
 * Pass/fail thresholds, written as people say them: `p99<50ms`, `p95<=200ms`, `max<1s`,
 * `errors<0.1%`, `rejected<5%`, `dropped<=0`, and k6's spellings (`p(95)<200`, `avg<10`, `med<5`).
 * A run checks them against its figures over all workers together; a failed one gives the run
 * its own exit code (bin/exitCodes.ts).
 *
 *   latency   pN or p(N) for any percentile N in (0, 100], med, max, mean or avg; in us, ms or s
 *             (no unit: ms, as in k6), from the intended send time
 *   errors    share of transfers the ledger gave no result for (timeouts, refusals, server errors)
 *   rejected  share of transfers with a result code other than ok
 *   dropped   share of intended transfers never sent (the generator fell behind)
 *
 * Shares are written with % (`0.1%`) or as a count of transfers (`errors<=0`).
 */
import { UserError } from '../errors.js'
import { thresholdsMax } from '../limits.js'

type ShareMetric = 'errors' | 'rejected' | 'dropped'
type Comparison = '<' | '<=' | '>' | '>='

/** What a latency threshold reads: a percentile (50 for the median), the maximum or the mean. */
export type LatencyStatistic = number | 'max' | 'mean'

export type Threshold =
  | {
      readonly kind: 'latency'
      readonly text: string
      /** The statistic as the report names it: p99, p99.9, max, mean. */
      readonly metric: string
      readonly statistic: LatencyStatistic
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

/** Latency as thresholds read it: any percentile, the maximum and the mean, in ms. */
export interface LatencyReading {
  /** The latency below which `percentile` % of the transfers fall; 0 when none were counted. */
  percentileMs(percentile: number): number
  readonly maxMs: number
  readonly meanMs: number
}

/** What thresholds are checked against: the run's figures over all workers. */
export interface ThresholdFigures {
  readonly latency: LatencyReading
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

const number = String.raw`\d+(?:\.\d+)?`
const pattern = new RegExp(
  String.raw`^\s*(p${number}|p\(\s*${number}\s*\)|med|max|mean|avg|errors|rejected|dropped)\s*(<=|>=|<|>)\s*(${number})\s*(us|ms|s|%)?\s*$`,
)
const toMs: Record<string, number> = { us: 0.001, ms: 1, s: 1000 }
const howToWrite =
  'write p99<50ms, p(95)<200, max<1s, errors<0.1%, rejected<5% or dropped<=0; latency: pN or p(N) for any percentile, med, max, mean or avg'

/** The latency statistic `metric` names, or undefined when it names a share. */
function latencyStatistic(
  metric: string,
  text: string,
  where: string,
): LatencyStatistic | undefined {
  if (metric === 'max' || metric === 'mean') return metric
  if (metric === 'avg') return 'mean'
  if (metric === 'med') return 50
  if (!metric.startsWith('p')) return undefined
  const percentile = Number(metric.replace(/[p()\s]/g, ''))
  if (!(percentile > 0 && percentile <= 100))
    throw new UserError(`${where}: "${text}": a percentile is above 0 and at most 100`)
  return percentile
}

/** How a report names a statistic: p95, p99.9, max, mean. */
function statisticName(statistic: LatencyStatistic): string {
  return typeof statistic === 'number' ? `p${statistic}` : statistic
}

export function parseThreshold(text: string, where: string): Threshold {
  const match = pattern.exec(text)
  if (match === null) throw new UserError(`${where}: "${text}" is not a threshold (${howToWrite})`)
  const [, metric, comparison, written, unit] = match as unknown as [
    string,
    string,
    Comparison,
    string,
    string | undefined,
  ]
  const value = Number(written)
  const statistic = latencyStatistic(metric, text, where)
  if (statistic !== undefined) {
    if (unit === '%')
      throw new UserError(`${where}: "${text}": a latency is a time, in us, ms or s`)
    return {
      kind: 'latency',
      text,
      metric: statisticName(statistic),
      statistic,
      comparison,
      limitMs: value * (toMs[unit ?? 'ms'] as number),
    }
  }
  const share = metric as ShareMetric
  if (unit === '%') {
    if (value > 100) throw new UserError(`${where}: "${text}": a share is at most 100%`)
    return { kind: 'share', text, metric: share, comparison, limitShare: value / 100 }
  }
  if (unit !== undefined)
    throw new UserError(
      `${where}: "${text}": ${metric} is a share (%) or a count of transfers, not a time`,
    )
  if (!Number.isInteger(value))
    throw new UserError(`${where}: "${text}": a count of transfers is a whole number`)
  return { kind: 'count', text, metric: share, comparison, limitCount: value }
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
        const { statistic } = threshold
        const actual =
          typeof statistic === 'number'
            ? figures.latency.percentileMs(statistic)
            : statistic === 'max'
              ? figures.latency.maxMs
              : figures.latency.meanMs
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
