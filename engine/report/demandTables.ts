/**
 * The report's view of demand over simulated time, from the summary's hourly table: a heat-map
 * of payments by district and hour (or day, for a run of more than three days), and payments by
 * kind over the same columns. Drawn as SVG text here, as the other charts are; every name in it is
 * escaped by the `html` tag.
 */
import { assert } from '../assert.js'
import type { RunSummary } from '../run/summary.js'
import { chartWidthDefault, lineChart, type LineSeries } from './charts.js'
import { formatInteger } from './format.js'
import { html, type Html } from './markup.js'
import { hourSteps, timeTicks } from './axes.js'

/** Hours up to which a column is an hour; past it, a column is a day. */
const hourColumnsMax = 72
const rowHeightPx = 22
const labelWidthPx = 150
const headerHeightPx = 26
/** The ramp's two ends: no payments, the busiest cell. */
const coolest = [241, 245, 249] as const
const hottest = [30, 58, 138] as const

interface Columns {
  readonly count: number
  /** Hours a column spans: 1 or 24. */
  readonly hours: number
  readonly label: (column: number) => string
}

/** The heat-map and the kinds chart, or false when the summary holds no hourly table. */
export function demandOverTime(summary: RunSummary): Html | false {
  const hourly = summary.demand.hourly
  if (hourly === undefined || hourly.cells.length === 0) return false
  const hours = summary.demand.perHour.length
  const columns = columnsFor(hours, summary.simulated.from)
  const byDistrict = hourly.districts.map(() => new Array<number>(columns.count).fill(0))
  const byKind = hourly.kinds.map(() => new Array<number>(columns.count).fill(0))
  for (const [hour, district, kind, payments] of hourly.cells) {
    const column = Math.min(columns.count - 1, Math.floor(hour / columns.hours))
    const row = byDistrict[district]
    const line = byKind[kind]
    if (row !== undefined) row[column] = (row[column] ?? 0) + payments
    if (line !== undefined) line[column] = (line[column] ?? 0) + payments
  }
  const unit = columns.hours === 1 ? 'hour' : 'day'
  const heat = heatMap(hourly.districts, byDistrict, columns, unit)
  const series: LineSeries[] = hourly.kinds.flatMap((kind, index) => {
    const values = byKind[index] ?? []
    if (values.every((value) => value === 0)) return []
    return [{ name: kind, points: values.map((value, column) => [column, value] as const) }]
  })
  const kinds = lineChart({
    title: `Payments by kind, per simulated ${unit}`,
    note: "The city's payments by kind, answered, counted in the simulated hour they were made.",
    xLabel: `simulated ${unit}s from ${summary.simulated.from.slice(0, 16).replace('T', ' ')}`,
    yLabel: `payments per ${unit}`,
    formatX: (column) => columns.label(column),
    xTicks: timeTicks(
      0,
      Math.max(1, columns.count - 1),
      columns.hours === 1 ? hourSteps : [1, 7, 14, 28, 91],
    ),
    series,
    empty: 'none: no payment was answered',
  })
  return html`<section class="card"><h2>Demand over simulated time</h2>${heat}${kinds}</section>`
}

function columnsFor(hours: number, fromIso: string): Columns {
  const start = /T(\d{2}):(\d{2})/.exec(fromIso)
  const startHour = start === null ? 0 : Number(start[1])
  if (hours <= hourColumnsMax)
    return {
      count: Math.max(1, hours),
      hours: 1,
      label: (column) => `${String((startHour + column) % 24).padStart(2, '0')}h`,
    }
  return { count: Math.ceil(hours / 24), hours: 24, label: (column) => `day ${column + 1}` }
}

/** Rows of districts, a column per hour (or day), each cell shaded by its payments. */
function heatMap(
  districts: readonly string[],
  values: readonly (readonly number[])[],
  columns: Columns,
  unit: string,
): Html {
  assert(values.length === districts.length, 'a row of values per district')
  const width = chartWidthDefault
  const cellWidth = (width - labelWidthPx - 8) / columns.count
  const height = headerHeightPx + districts.length * rowHeightPx + 4
  const top = Math.max(1, ...values.flat())
  const every = Math.max(1, Math.ceil(28 / cellWidth))
  const heads = Array.from({ length: columns.count }, (_, column) => column)
    .filter((column) => column % every === 0)
    .map(
      (column) =>
        html`<text x="${round(labelWidthPx + (column + 0.5) * cellWidth)}" y="${headerHeightPx - 8}" text-anchor="middle">${columns.label(column)}</text>`,
    )
  const rows = districts.map((district, row) => {
    const y = headerHeightPx + row * rowHeightPx
    const cells = (values[row] ?? []).map(
      (value, column) =>
        html`<rect x="${round(labelWidthPx + column * cellWidth)}" y="${y}" width="${round(cellWidth + 0.2)}" height="${rowHeightPx - 2}" fill="${shade(value / top)}"><title>${district}, ${columns.label(column)}: ${formatInteger(value)} payments</title></rect>`,
    )
    return html`<text x="${labelWidthPx - 8}" y="${y + rowHeightPx / 2}" dy="0.32em" text-anchor="end">${district}</text>${cells}`
  })
  const svg = html`<svg class="chart chart-heat" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Payments by district and ${unit}" style="font-size:12px">${heads}${rows}</svg>`
  const legend = html`<p class="chart-note">Each cell is a district's payments in one simulated ${unit} (the payer's district), from none (<span class="swatch-inline" style="background:${shade(0)}"></span>) to the busiest cell's ${formatInteger(top)} (<span class="swatch-inline" style="background:${shade(1)}"></span>), on a square-root scale so quiet hours still show.</p>`
  return html`<figure class="chart-figure"><div class="chart-head"><h3>Payments by district and ${unit}</h3></div>${legend}${svg}</figure>`
}

/** The ramp's colour at `share` (0..1) of the busiest cell, square-root scaled. */
function shade(share: number): string {
  const t = Math.sqrt(Math.min(1, Math.max(0, share)))
  const channel = (i: 0 | 1 | 2) => Math.round(coolest[i] + (hottest[i] - coolest[i]) * t)
  return `rgb(${channel(0)},${channel(1)},${channel(2)})`
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}
