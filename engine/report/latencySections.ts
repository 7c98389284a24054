/**
 * report.html's latency: the table of percentiles for all transfers and by kind, where each
 * percentile lies, the histogram of the whole run, and the lateness of sending. The threshold
 * lines drawn on latency charts are read here too.
 */
import { parseThreshold } from '../load/threshold.js'
import { transferKinds } from '../ledger/index.js'
import type { LatencyBucketCounts, LatencySummary } from '../metrics/latencyHistogram.js'
import { columnChart, lineChart, palette, type Point, type Rule } from './charts.js'
import { formatInteger, formatMs, formatNumber, formatPercentOf } from './format.js'
import { html, type Html } from './markup.js'
import { table, type Cell } from './tables.js'
import type { LoadSection } from '../run/summary.js'

const msPerSecond = 1_000

/** Each latency threshold's limit, as a line on the latency chart. */
export function thresholdRules(load: LoadSection): Rule[] {
  const rules: Rule[] = []
  for (const check of load.thresholds) {
    try {
      const threshold = parseThreshold(check.threshold, 'summary')
      if (threshold.kind === 'latency')
        rules.push({ y: threshold.limitMs, label: threshold.text.trim() })
    } catch {
      // A summary from another version may hold a threshold this one cannot read: no line for it.
    }
  }
  return rules
}

/** A tick of a latency axis, as short as it goes: 0.1 ms, 20 ms, 1 s. */
export function tickMs(value: number): string {
  return value >= msPerSecond
    ? `${formatNumber(value / msPerSecond)} s`
    : `${formatNumber(value)} ms`
}

/**
 * Where each percentile lies ("nines" along the axis: p50, p90, p99, p99.9, then the maximum),
 * for all transfers and for each kind: the shape of the latency distribution, tail included,
 * which one percentile cannot show.
 */
function percentileChart(load: LoadSection): Html {
  const at = { p50: Math.log10(2), p90: 1, p99: 2, p999: 3, max: 4 } as const
  const points = (figures: LatencySummary): Point[] => [
    [at.p50, figures.p50Ms],
    [at.p90, figures.p90Ms],
    [at.p99, figures.p99Ms],
    [at.p999, figures.p999Ms],
    [at.max, figures.maxMs],
  ]
  const kinds = transferKinds.flatMap((kind) => {
    const figures = load.latencyMs.byKind[kind]
    return figures === undefined || figures.count === 0
      ? []
      : [{ name: kind, points: points(figures) }]
  })
  const names: Record<number, string> = {
    [at.p50]: 'p50',
    [at.p90]: 'p90',
    [at.p99]: 'p99',
    [at.p999]: 'p99.9',
    [at.max]: 'max',
  }
  return lineChart({
    title: 'Latency by percentile',
    note: 'How long the slowest share of transfers took: each percentile of the run, for all transfers and by kind. Log scale.',
    xLabel: 'percentile (the slowest 10%, 1%, 0.1% to the right)',
    yLabel: 'latency (log scale)',
    yScale: 'log',
    formatY: tickMs,
    formatX: (x) => names[x] ?? '',
    xTicks: Object.values(at),
    rules: thresholdRules(load),
    series: [
      { name: 'all transfers', points: points(load.latencyMs.overall), color: '#111827' },
      ...kinds.slice(0, 8),
    ],
    empty: 'none: no transfer was answered',
  })
}

export function latencyTables(load: LoadSection): Html {
  const columns = [
    { head: '' },
    ...['count', 'p50', 'p90', 'p99', 'p99.9', 'max'].map((head) => ({ head, numeric: true })),
  ]
  const row = (name: string, figures: LatencySummary): Cell[] => [
    { text: name },
    { text: formatInteger(figures.count) },
    { text: formatMs(figures.p50Ms) },
    { text: formatMs(figures.p90Ms) },
    { text: formatMs(figures.p99Ms) },
    { text: formatMs(figures.p999Ms) },
    { text: formatMs(figures.maxMs) },
  ]
  const rows = [row('all transfers', load.latencyMs.overall)]
  for (const kind of transferKinds) {
    const figures = load.latencyMs.byKind[kind]
    if (figures !== undefined) rows.push(row(kind, figures))
  }
  const latency = html`<h2>Latency from the intended send time</h2>${table(columns, rows.slice(1), rows[0])}${percentileChart(load)}${histogramChart(load.latencyHistogram)}`
  const lateness = html`<h2>Lateness of sending</h2><p class="explain">From the intended to the actual send time: how far the generator ran behind. ${formatInteger(load.sent)} of ${formatInteger(load.intended)} intended transfers were sent; ${formatInteger(load.dropped)} were dropped.</p>${table(columns, [row('sent transfers', load.lateMs)])}`
  return html`${latency}${lateness}`
}

/**
 * How many transfers took how long: the run's latency histogram in 1-2-5 buckets, from the first
 * bucket that holds a transfer to the last. Each column reads as its bucket's upper bound.
 */
function histogramChart(histogram: LatencyBucketCounts | undefined): Html {
  const title = 'Latency histogram'
  if (histogram === undefined)
    return html`<h3>${title}</h3><p class="explain">none: this summary predates the histogram</p>`
  const { boundsMs, overall } = histogram
  const first = overall.findIndex((count) => count > 0)
  let last = overall.length - 1
  while (last > first && (overall[last] as number) === 0) last--
  const values = first < 0 ? [] : overall.slice(first, last + 1)
  const total = values.reduce((sum, count) => sum + count, 0)
  const modal = values.indexOf(Math.max(...values))
  const bound = (column: number): number => boundsMs[first + column] as number
  const lower = (column: number): number =>
    first + column > 0 ? (boundsMs[first + column - 1] as number) : 0
  return columnChart({
    title,
    ...(values.length > 0 && {
      note: `Transfers by how long they took, all kinds together; the most, ${formatPercentOf(values[modal] as number, total)}, took from ${tickMs(lower(modal))} to ${tickMs(bound(modal))}.`,
    }),
    xLabel:
      'latency from the intended send time (each column up to the bound under its right edge)',
    yLabel: 'transfers',
    values,
    seriesName: 'transfers',
    color: palette[0],
    formatX: (x) => (x >= 1 ? tickMs(bound(x - 1)) : tickMs(lower(0))),
    xTicks: Array.from({ length: values.length + 1 }, (_, index) => index),
    formatY: formatInteger,
    empty: 'none: no transfer was answered',
  })
}
