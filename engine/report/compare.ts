/**
 * `citytwin compare`: runs side by side, the first the baseline. Run folders (summary.json) set
 * adoption, demand, the busiest minute, rejections by reason and latency against each other;
 * rollout folders (rollout.json) their capacity plans month by month. Each figure beside the
 * baseline's says how far it is from it; differences of 5% or more are highlighted.
 */
import path from 'node:path'
import { z } from 'zod'
import { UserError } from '../errors.js'
import { readInsideFolder } from '../insideFolder.js'
import { printable } from '../printable.js'
import type { RunSummary } from '../run/summary.js'
import { chartCss, lineChart, type Point } from './charts.js'
import { formatInteger, formatRate, formatShare } from './format.js'
import { html, type Html } from './markup.js'
import { rolloutJsonFile } from './rollout.js'
import { readRunFolder } from './runFiles.js'

export const compareHtmlFile = 'compare.html'
export const comparedMax = 8
/** A difference from the baseline this large or larger is highlighted. */
const notableShare = 0.05
const rolloutBytesMax = 32 * 1024 * 1024

const figure = () => z.number().finite()
const text = () => z.string().max(4096)

const rolloutSchema = z.object({
  scenario: text(),
  seed: figure(),
  scale: figure(),
  ledger: text(),
  districts: z.array(text()).max(255),
  plan: z.object({
    headroom: figure(),
    kneeTps: figure().optional(),
    firstExceeding: z.object({ index: figure(), from: text() }).optional(),
    months: z
      .array(
        z.object({
          index: figure(),
          from: text(),
          adoption: figure(),
          cityPayments: figure(),
          cityPeakPerSecond: figure(),
          cityP999PerSecond: figure(),
          neededTps: figure(),
        }),
      )
      .max(64),
  }),
  days: z
    .array(
      z.object({
        date: text(),
        payments: figure(),
        rejected: figure(),
        byReason: z.record(z.string().max(64), figure()),
      }),
    )
    .max(10_000),
})

type ComparedRollout = z.output<typeof rolloutSchema>

export type Compared =
  | { readonly kind: 'run'; readonly folder: string; readonly summary: RunSummary }
  | { readonly kind: 'rollout'; readonly folder: string; readonly rollout: ComparedRollout }

/** Each folder read and checked: a run folder or a rollout folder, all of one kind. */
export async function readCompared(folders: readonly string[]): Promise<Compared[]> {
  if (folders.length < 2)
    throw new UserError('compare: give two folders or more, the baseline first')
  if (folders.length > comparedMax) {
    throw new UserError(`compare: at most ${comparedMax} folders at once (${folders.length} given)`)
  }
  const read: Compared[] = []
  for (const folder of folders) read.push(await readOne(folder))
  const kinds = new Set(read.map((one) => one.kind))
  if (kinds.size > 1) {
    throw new UserError(
      'compare: the folders must be of one kind: runs (summary.json) or rollouts (rollout.json), not both',
    )
  }
  return read
}

async function readOne(folder: string): Promise<Compared> {
  let raw: string | undefined
  try {
    raw = await readInsideFolder(folder, rolloutJsonFile, rolloutBytesMax, 'rollout')
  } catch {
    raw = undefined
  }
  if (raw === undefined)
    return { kind: 'run', folder, summary: (await readRunFolder(folder)).summary }
  const file = path.join(folder, rolloutJsonFile)
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch (error) {
    throw new UserError(
      `${file}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    )
  }
  const parsed = rolloutSchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 8)
      .map((issue) => `${issue.path.map(String).join('.') || '(top)'}: ${issue.message}`)
    throw new UserError(`${file}: not the outcome of a citytwin rollout`, issues)
  }
  return { kind: 'rollout', folder, rollout: parsed.data }
}

/** One row of the side-by-side table: a figure of each run, the first the baseline. */
interface Row {
  readonly name: string
  readonly values: readonly (number | undefined)[]
  readonly format: (value: number) => string
}

/** The share by which `value` differs from `baseline` (undefined when either is missing or 0). */
function difference(value: number | undefined, baseline: number | undefined): number | undefined {
  if (value === undefined || baseline === undefined || baseline === 0) return undefined
  return (value - baseline) / Math.abs(baseline)
}

function signedPercent(share: number): string {
  const percent = share * 100
  const rounded = Math.abs(percent) >= 10 ? percent.toFixed(0) : percent.toFixed(1)
  return `${percent >= 0 ? '+' : ''}${rounded}%`
}

/** The rows a run folder is compared by. */
function runRows(summaries: readonly RunSummary[]): Row[] {
  const payments = (summary: RunSummary) =>
    summary.demand.perHour.reduce((sum, hour) => sum + hour, 0)
  const rejectedShare = (summary: RunSummary) => {
    const total = summary.transfers.submitted
    return total > 0 ? summary.transfers.rejected / total : 0
  }
  const rows: Row[] = [
    {
      name: 'residents',
      values: summaries.map((one) => one.agents.residents),
      format: formatInteger,
    },
    { name: 'wallets', values: summaries.map((one) => one.agents.adopted), format: formatInteger },
    {
      name: 'wallet share',
      values: summaries.map((one) => one.agents.adopted / Math.max(1, one.agents.residents)),
      format: formatShare,
    },
    { name: 'payments', values: summaries.map(payments), format: formatInteger },
    {
      name: 'busiest minute, payments/s',
      values: summaries.map((one) => one.demand.peakPerMinute / 60),
      format: formatRate,
    },
    {
      name: 'rejected share of transfers',
      values: summaries.map(rejectedShare),
      format: formatShare,
    },
    {
      name: 'latency p99, ms',
      values: summaries.map((one) => one.load?.latencyMs.overall.p99Ms),
      format: (value) => value.toFixed(2),
    },
  ]
  return rows
}

/** The rows a rollout folder is compared by: its months' needs, then its totals. */
function rolloutRows(rollouts: readonly ComparedRollout[]): Row[] {
  const months = Math.max(...rollouts.map((one) => one.plan.months.length))
  const rows: Row[] = []
  for (let month = 0; month < months; month++) {
    rows.push({
      name: `month ${month + 1}: needed payments/s`,
      values: rollouts.map((one) => one.plan.months[month]?.neededTps),
      format: formatRate,
    })
  }
  rows.push(
    {
      name: 'adoption at the end',
      values: rollouts.map((one) => one.plan.months.at(-1)?.adoption),
      format: formatShare,
    },
    {
      name: 'payments, whole city',
      values: rollouts.map((one) =>
        one.plan.months.reduce((sum, month) => sum + month.cityPayments, 0),
      ),
      format: formatInteger,
    },
    {
      name: 'busiest minute of the rollout, /s',
      values: rollouts.map((one) =>
        Math.max(0, ...one.plan.months.map((month) => month.cityPeakPerSecond)),
      ),
      format: formatRate,
    },
  )
  return rows
}

/** The rejections by reason of each run, a row a reason. */
function reasonRows(byReason: readonly Readonly<Record<string, number>>[]): Row[] {
  const reasons = [...new Set(byReason.flatMap((one) => Object.keys(one)))].sort()
  return reasons.map((reason) => ({
    name: `rejected: ${reason.replaceAll('_', ' ')}`,
    values: byReason.map((one) => one[reason] ?? 0),
    format: formatInteger,
  }))
}

function sumReasons(days: ComparedRollout['days']): Record<string, number> {
  const out: Record<string, number> = {}
  for (const day of days) {
    for (const [reason, count] of Object.entries(day.byReason))
      out[reason] = (out[reason] ?? 0) + count
  }
  return out
}

/** The rows of the comparison, whichever kind the folders are. */
export function compareRows(compared: readonly Compared[]): Row[] {
  if (compared.every((one) => one.kind === 'run')) {
    const summaries = compared.map((one) => one.summary)
    return [...runRows(summaries), ...reasonRows(summaries.map((one) => one.transfers.byReason))]
  }
  const rollouts = compared.flatMap((one) => (one.kind === 'rollout' ? [one.rollout] : []))
  return [...rolloutRows(rollouts), ...reasonRows(rollouts.map((one) => sumReasons(one.days)))]
}

/** A short name for each folder: its last part. */
function labels(compared: readonly Compared[]): string[] {
  return compared.map((one) => printable(path.basename(path.resolve(one.folder))))
}

/** The comparison as a terminal table, the differences from the baseline in brackets. */
export function compareTable(compared: readonly Compared[]): string {
  const names = labels(compared)
  const rows = compareRows(compared).map((row) => [
    row.name,
    ...row.values.map((value, index) => {
      if (value === undefined) return '–'
      const shown = row.format(value)
      const share = index === 0 ? undefined : difference(value, row.values[0])
      return share === undefined ? shown : `${shown} (${signedPercent(share)})`
    }),
  ])
  const head = ['', ...names]
  const widths = head.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
  return [line(head), ...rows.map(line)].join('\n')
}

/** compare.html. */
export function renderComparison(compared: readonly Compared[]): string {
  const names = labels(compared)
  const rows = compareRows(compared)
  const scenarios = compared.map((one) =>
    one.kind === 'run' ? one.summary.scenario : one.rollout.scenario,
  )
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Comparison: ${names.join(' · ')}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; color: #1d2330; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; --muted: #5b6473; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } .meta { color: #5b6473; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; } th, td { padding: .3rem .55rem; border-bottom: 1px solid #e3e6ec; text-align: right; font-variant-numeric: tabular-nums; }
th:first-child, td:first-child { text-align: left; } th { background: #f4f6f9; }
td.up { background: #fdecea; } td.down { background: #e8f3ff; } .delta { color: #5b6473; font-size: .85em; margin-left: .3rem; }
svg { width: 100%; height: auto; }
${chartCss}
</style></head><body>
<h1>${compared.length} ${compared[0]?.kind === 'rollout' ? 'rollouts' : 'runs'} side by side</h1>
<div class="meta">the baseline is the first, ${names[0] ?? ''}; a figure 5% or more above it is shaded red, below it blue</div>
<table><thead><tr><th></th>${names.map((name, index) => html`<th>${name}<div class="meta">${printable(scenarios[index] ?? '')}</div></th>`)}</tr></thead>
<tbody>${rows.map((row) => comparedRow(row))}</tbody></table>
${compareChart(compared, names)}
</body></html>
`.toString()
}

function comparedRow(row: Row): Html {
  const baseline = row.values[0]
  const cells = row.values.map((value, index) => {
    if (value === undefined) return html`<td>–</td>`
    const share = index === 0 ? undefined : difference(value, baseline)
    const notable = share !== undefined && Math.abs(share) >= notableShare
    const delta =
      share === undefined ? '' : html`<span class="delta">${signedPercent(share)}</span>`
    if (!notable) return html`<td>${row.format(value)}${delta}</td>`
    return html`<td class="${(share ?? 0) > 0 ? 'up' : 'down'}">${row.format(value)}${delta}</td>`
  })
  return html`<tr><td>${row.name}</td>${cells}</tr>`
}

/** Demand by simulated hour for runs; needed rate by month for rollouts. */
function compareChart(compared: readonly Compared[], names: readonly string[]): Html {
  if (compared.every((one) => one.kind === 'run')) {
    return lineChart({
      title: 'Payments by simulated hour',
      xLabel: 'simulated hour from the start',
      yLabel: 'payments an hour',
      series: compared.map((one, index) => ({
        name: names[index] ?? '',
        points: one.summary.demand.perHour.map((payments, hour): Point => [hour, payments]),
      })),
    })
  }
  return lineChart({
    title: 'Ledger rate needed by month, whole city',
    xLabel: 'month of the rollout',
    yLabel: 'payments/s',
    formatY: (rate) => formatRate(rate),
    series: compared.flatMap((one, index) =>
      one.kind === 'rollout'
        ? [
            {
              name: names[index] ?? '',
              points: one.rollout.plan.months.map((month): Point => [
                month.index + 1,
                month.neededTps,
              ]),
            },
          ]
        : [],
    ),
  })
}
