/**
 * Charts as inline SVG, computed here at render time: a page that holds them needs no script, no
 * font and no network to be read. Three shapes: lines over x (throughput, latency), columns over
 * x (demand per hour) and horizontal bars (rejections by reason). Each returns one `<figure>`
 * holding an `<svg class="chart">` whose lines and bars are `<path>`s, and a legend; when there is
 * nothing to draw it holds a short "none" note instead.
 *
 *   ┌ figure.chart-figure ───────────────────────────────┐
 *   │ h3 title                       ul.legend ▬ a ╌ b   │
 *   │ ┌ svg.chart ─────────────────────────────────────┐ │
 *   │ │ y  │ ── path.series ──                         │ │
 *   │ │ ticks   path.grid                              │ │
 *   │ │    └──────────── path.axis ────────────────    │ │
 *   │ │           x ticks, x label                     │ │
 *   │ └────────────────────────────────────────────────┘ │
 *   └────────────────────────────────────────────────────┘
 *
 * Text placed by these functions (titles, series names, bar labels) may come from a scenario and
 * is escaped here.
 */
import { assert } from '../assert.js'

/** The page's content width at 1280 px, less the card's padding: the SVG is drawn 1:1 there. */
export const chartWidthDefault = 1104
export const chartHeightDefault = 300
/** Ticks an axis aims for; fewer are drawn when their labels would touch. */
const yTicksTarget = 5
/** Decades a log axis spans at most: below that, values sit on its floor. */
const logDecadesMax = 9
const xTicksTarget = 10
/** Series, bars and ticks one chart draws at most: a bound on the page, whatever the data. */
const seriesMax = 16
const barsMax = 64
const ticksMax = 64
/** Rough advance of one character of the 12 px tick font, px, for spacing labels apart. */
const tickCharWidthPx = 7
const tickFontPx = 12
const labelFontPx = 13
/** Narrowest column drawn as a column; narrower ones are drawn as the outline of their tops. */
const columnPxMin = 2
const barHeightPx = 18
const barGapPx = 8
/** Longest bar label drawn whole; longer ones are cut, and kept whole in the tooltip. */
const barLabelCharsMax = 36

/** Colours of series in turn, chosen to stay apart for common colour blindness too. */
/** The styles the charts' markup needs (legend, swatches, axis text): every page that shows a chart includes them. */
export const chartCss = `
.chart-figure { margin: 0 0 28px; }
.chart-figure:last-child { margin-bottom: 0; }
.chart-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 8px 24px; margin-bottom: 4px; }
.chart-note { margin: 0 0 8px; color: var(--muted); font-size: 13px; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0; padding: 0; font-size: 13px; color: #334155; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 22px; border-top: 3px solid; }
.swatch.dashed { border-top-style: dashed; }
.swatch.block { width: 12px; height: 12px; border-top-width: 12px; border-radius: 2px; }
svg.chart { display: block; height: auto; overflow: visible; }
svg.chart text { fill: #475569; }
svg.chart .axis-label { fill: #334155; font-size: 13px; }
svg.chart .bar-label { fill: #334155; font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; }
svg.chart .bar-value { fill: #334155; }
`

export const palette = ['#2563eb', '#ea580c', '#dc2626', '#16a34a', '#7c3aed', '#0891b2', '#ca8a04', '#64748b'] as const

/** Text for HTML content and attribute values: & < > " ' become entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character] ?? character)
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export type Point = readonly [x: number, y: number]

export interface LineSeries {
  readonly name: string
  readonly points: readonly Point[]
  /** A CSS colour; the palette's colour for the series' place if absent. */
  readonly color?: string
  readonly dashed?: boolean
}

/** What an axis shows: its label, how its values read, and where its ticks go if not chosen here. */
interface AxisOptions {
  readonly xLabel: string
  readonly yLabel: string
  readonly formatX?: (x: number) => string
  readonly formatY?: (y: number) => string
  /** Ticks of the x axis; nice round numbers across the data if absent. */
  readonly xTicks?: readonly number[]
  /** Top of the y axis at least this (a target line, a limit); the data's own maximum otherwise. */
  readonly yMaxAtLeast?: number
  /**
   * `linear` (the default) runs from zero. `log` runs over the decades the positive values span,
   * for latency, where a spike would flatten the median; zeros sit on the floor of the axis.
   */
  readonly yScale?: 'linear' | 'log'
}

interface FrameOptions extends AxisOptions {
  readonly title: string
  /** Under the title, in small print. */
  readonly note?: string
  /** Shown instead of the chart when there is nothing to draw. */
  readonly empty?: string
  readonly width?: number
  readonly height?: number
}

export interface LineChartOptions extends FrameOptions {
  readonly series: readonly LineSeries[]
}

export interface ColumnChartOptions extends FrameOptions {
  /** Column i spans x from i to i + 1. */
  readonly values: readonly number[]
  readonly seriesName: string
  readonly color?: string
}

export interface Bar {
  readonly label: string
  readonly value: number
}

export interface BarChartOptions {
  readonly title: string
  readonly note?: string
  readonly bars: readonly Bar[]
  readonly formatValue?: (value: number) => string
  readonly color?: string
  readonly empty?: string
  readonly width?: number
}

/** Lines over a shared x axis, y from zero (or on whole decades, `yScale: 'log'`); each series is one `<path class="series">`. */
export function lineChart(options: LineChartOptions): string {
  assert(options.series.length <= seriesMax, `a chart draws at most ${seriesMax} series`)
  const drawn = options.series.filter((series) => series.points.length > 0)
  if (drawn.length === 0) return emptyFigure(options)
  let xMin = Infinity
  let xMax = -Infinity
  let yMax = options.yMaxAtLeast ?? 0
  let yMinPositive = Infinity
  for (const series of drawn) {
    for (const [x, y] of series.points) {
      assert(Number.isFinite(x) && Number.isFinite(y), `${series.name}: a point is two finite numbers`)
      xMin = Math.min(xMin, x)
      xMax = Math.max(xMax, x)
      yMax = Math.max(yMax, y)
      if (y > 0) yMinPositive = Math.min(yMinPositive, y)
    }
  }
  if (xMax === xMin) xMax = xMin + 1
  // A log axis needs something above zero to span; without it the linear one says the same.
  const yAxis = options.yScale === 'log' && yMinPositive < Infinity ? logAxis(yMinPositive, yMax) : linearAxis(yMax)
  const frame = plotFrame(options, xMin, xMax, yAxis)
  const paths = options.series.map((series, index) => {
    if (series.points.length === 0) return ''
    const color = series.color ?? paletteColor(index)
    const d = linePath(series.points, frame)
    return `<path class="series series-${index}" d="${d}" fill="none" stroke="${escapeHtml(color)}" stroke-width="2" stroke-linejoin="round"${series.dashed === true ? ' stroke-dasharray="6 4"' : ''}><title>${escapeHtml(series.name)}</title></path>`
  })
  const legend = options.series.map((series, index) => ({ name: series.name, color: series.color ?? paletteColor(index), dashed: series.dashed === true }))
  return figure(options, legend, frame.svg(paths.join('')))
}

/** Columns, one per x unit from zero (hours of a day, say), as one `<path class="series">`. */
export function columnChart(options: ColumnChartOptions): string {
  const { values } = options
  if (values.length === 0) return emptyFigure(options)
  let yMax = options.yMaxAtLeast ?? 0
  for (const value of values) {
    assert(Number.isFinite(value) && value >= 0, 'a column is a finite number, zero or more')
    yMax = Math.max(yMax, value)
  }
  const frame = plotFrame(options, 0, values.length, linearAxis(yMax))
  const step = frame.xPx(1) - frame.xPx(0)
  const base = frame.yPx(0)
  let d: string
  if (step >= columnPxMin) {
    // A gap between columns while they are wide enough to spare one.
    const gap = step >= 4 ? Math.min(2, step / 4) : 0
    d = values.map((value, index) => `M${fixed(frame.xPx(index) + gap / 2)} ${fixed(base)}V${fixed(frame.yPx(value))}H${fixed(frame.xPx(index + 1) - gap / 2)}V${fixed(base)}Z`).join('')
  } else {
    // Thinner than a pixel or two, columns would alias into stripes: draw their outline instead,
    // one step per pixel column at the tallest column that falls in it, as one filled shape.
    const steps: string[] = [`M${fixed(frame.xPx(0))} ${fixed(base)}`]
    let column = Math.floor(frame.xPx(0))
    let top = 0
    values.forEach((value, index) => {
      const at = Math.floor(frame.xPx(index))
      if (at !== column) {
        steps.push(`V${fixed(frame.yPx(top))}H${fixed(frame.xPx(index))}`)
        column = at
        top = 0
      }
      top = Math.max(top, value)
    })
    steps.push(`V${fixed(frame.yPx(top))}H${fixed(frame.xPx(values.length))}V${fixed(base)}Z`)
    d = steps.join('')
  }
  const color = options.color ?? paletteColor(0)
  const path = `<path class="series series-0" d="${d}" fill="${escapeHtml(color)}"><title>${escapeHtml(options.seriesName)}</title></path>`
  return figure(options, [{ name: options.seriesName, color, dashed: false, block: true }], frame.svg(path))
}

/** Horizontal bars, largest first as given, each a `<path class="series bar">` with its value at its end. */
export function barChart(options: BarChartOptions): string {
  assert(options.bars.length <= barsMax, `a bar chart draws at most ${barsMax} bars`)
  const bars = options.bars.filter((bar) => bar.value > 0)
  if (bars.length === 0) return emptyFigure(options)
  const width = options.width ?? chartWidthDefault
  const format = options.formatValue ?? compactNumber
  const labels = bars.map((bar) => cut(bar.label, barLabelCharsMax))
  const labelWidth = Math.max(...labels.map((label) => label.length)) * tickCharWidthPx + 16
  const valueWidth = Math.max(...bars.map((bar) => format(bar.value).length)) * tickCharWidthPx + 16
  const barsLeft = labelWidth
  const barsWidth = width - barsLeft - valueWidth
  assert(barsWidth > 0, 'bars have room beside their labels')
  const top = Math.max(...bars.map((bar) => bar.value))
  const color = escapeHtml(options.color ?? paletteColor(0))
  const rows = bars.map((bar, index) => {
    assert(Number.isFinite(bar.value), `${bar.label}: a bar is a finite number`)
    const y = index * (barHeightPx + barGapPx)
    const length = Math.max(1, (bar.value / top) * barsWidth)
    const middle = y + barHeightPx / 2
    return (
      `<text class="bar-label" x="${barsLeft - 8}" y="${fixed(middle)}" text-anchor="end" dominant-baseline="central">${escapeHtml(labels[index] ?? '')}</text>` +
      `<path class="series bar" d="M${barsLeft} ${y}h${fixed(length)}v${barHeightPx}h${fixed(-length)}Z" fill="${color}"><title>${escapeHtml(`${bar.label}: ${format(bar.value)}`)}</title></path>` +
      `<text class="bar-value" x="${fixed(barsLeft + length + 6)}" y="${fixed(middle)}" dominant-baseline="central">${escapeHtml(format(bar.value))}</text>`
    )
  })
  const height = bars.length * (barHeightPx + barGapPx) - barGapPx
  const svg = `<svg class="chart chart-bars" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeHtml(options.title)}" style="font-size:${tickFontPx}px">${rows.join('')}</svg>`
  return figure(options, [], svg)
}

interface Frame {
  xPx(x: number): number
  yPx(y: number): number
  svg(content: string): string
}

/** A y axis: its ticks, and where a value stands on it, 0 at the bottom to 1 at the top. */
interface YAxis {
  readonly ticks: readonly number[]
  readonly at: (y: number) => number
}

/** From zero to the first nice tick at or above `yMax`: nothing drawn leaves the frame. */
function linearAxis(yMax: number): YAxis {
  const ticks = niceTicks(0, yMax > 0 ? yMax : 1, yTicksTarget)
  const top = ticks[ticks.length - 1] as number
  return { ticks, at: (y) => y / top }
}

/** Whole decades around [yMinPositive, yMax]; with few decades, 2× and 5× ticks between. */
function logAxis(yMinPositive: number, yMax: number): YAxis {
  const high = Math.ceil(Math.log10(yMax) - 1e-9)
  const low = Math.max(high - logDecadesMax, Math.floor(Math.log10(yMinPositive) + 1e-9))
  const decades = Math.max(1, high - low)
  const ticks: number[] = []
  for (let power = low; power <= low + decades; power++) {
    const base = 10 ** power
    ticks.push(Number(base.toPrecision(12)))
    if (decades <= 2 && power < low + decades) ticks.push(Number((2 * base).toPrecision(12)), Number((5 * base).toPrecision(12)))
  }
  const floor = 10 ** low
  return { ticks, at: (y) => (Math.log10(Math.max(y, floor)) - low) / decades }
}

/** Scales, grid, axes and tick labels for data over [xMin, xMax] on the given y axis. */
function plotFrame(options: FrameOptions, xMin: number, xMax: number, yAxis: YAxis): Frame {
  const width = options.width ?? chartWidthDefault
  const height = options.height ?? chartHeightDefault
  const formatX = options.formatX ?? compactNumber
  const formatY = options.formatY ?? compactNumber
  const yTicks = yAxis.ticks
  const yLabels = yTicks.map(formatY)
  // Room on the left for the rotated y label and the widest tick label.
  const left = labelFontPx + 12 + Math.max(...yLabels.map((label) => label.length)) * tickCharWidthPx + 8
  const right = width - 16
  const top = 10
  const bottom = height - (tickFontPx + labelFontPx + 20)
  const xPx = (x: number) => left + ((x - xMin) / (xMax - xMin)) * (right - left)
  const yPx = (y: number) => bottom - yAxis.at(y) * (bottom - top)

  const candidates = (options.xTicks ?? niceTicks(xMin, xMax, xTicksTarget)).filter((tick) => tick >= xMin && tick <= xMax)
  assert(candidates.length <= ticksMax * 16, 'x tick candidates are bounded')
  const xTicks = spaced(candidates, (tick) => formatX(tick).length * tickCharWidthPx + 16, xPx).slice(0, ticksMax)

  const grid = yTicks.map((tick) => `M${left} ${fixed(yPx(tick))}H${right}`).join('')
  const axis = `M${left} ${top}V${bottom}H${right}`
  const xTickMarks = xTicks.map((tick) => `M${fixed(xPx(tick))} ${bottom}v5`).join('')
  const yText = yTicks
    .map((tick, index) => `<text x="${left - 8}" y="${fixed(yPx(tick))}" text-anchor="end" dominant-baseline="central">${escapeHtml(yLabels[index] ?? '')}</text>`)
    .join('')
  const xText = xTicks.map((tick) => `<text x="${fixed(xPx(tick))}" y="${bottom + 8 + tickFontPx}" text-anchor="middle">${escapeHtml(formatX(tick))}</text>`).join('')
  const middleY = (top + bottom) / 2
  const labels =
    `<text class="axis-label" x="${(left + right) / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>` +
    `<text class="axis-label" x="${labelFontPx}" y="${fixed(middleY)}" text-anchor="middle" transform="rotate(-90 ${labelFontPx} ${fixed(middleY)})">${escapeHtml(options.yLabel)}</text>`

  return {
    xPx,
    yPx,
    svg: (content) =>
      `<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeHtml(options.title)}" style="font-size:${tickFontPx}px">` +
      `<path class="grid" d="${grid}" fill="none" stroke="#e2e8f0"/>` +
      `<g class="ticks">${yText}${xText}</g>${labels}` +
      `<g class="plot">${content}</g>` +
      `<path class="axis" d="${axis}${xTickMarks}" fill="none" stroke="#94a3b8"/>` +
      `</svg>`,
  }
}

/**
 * The series as a path, thinned to what one pixel column can show: of the points falling in a
 * column it keeps the first, the lowest, the highest and the last, so a one-second spike of a
 * day-long run still reaches its height.
 */
function linePath(points: readonly Point[], frame: Frame): string {
  const kept: Point[] = []
  let column = Number.NaN
  let group: Point[] = []
  const flush = () => {
    if (group.length <= 4) {
      kept.push(...group)
    } else {
      const first = group[0] as Point
      const last = group[group.length - 1] as Point
      let low = first
      let high = first
      for (const point of group) {
        if (point[1] < low[1]) low = point
        if (point[1] > high[1]) high = point
      }
      const middle = group.indexOf(low) <= group.indexOf(high) ? [low, high] : [high, low]
      kept.push(first, ...middle, last)
    }
    group = []
  }
  for (const point of points) {
    const at = Math.floor(frame.xPx(point[0]))
    if (at !== column) {
      flush()
      column = at
    }
    group.push(point)
  }
  flush()
  return kept.map(([x, y], index) => `${index === 0 ? 'M' : 'L'}${fixed(frame.xPx(x))} ${fixed(frame.yPx(y))}`).join('')
}

/**
 * About `target` ticks at multiples of 1, 2 or 5 times a power of ten: from the first multiple at
 * or below `min` to the first at or above `max`, so the last tick can top an axis.
 */
export function niceTicks(min: number, max: number, target: number): number[] {
  assert(Number.isFinite(min) && Number.isFinite(max) && max > min && target >= 1, 'ticks cover a positive, finite span')
  const rough = (max - min) / target
  const power = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power
  const first = Math.floor(min / step + 1e-9)
  const last = Math.ceil(max / step - 1e-9)
  assert(last - first <= target * 5, 'a handful of ticks')
  return Array.from({ length: last - first + 1 }, (_, index) => Number(((first + index) * step).toPrecision(12)))
}

/** The ticks whose labels do not touch: each at least its label's width past the last one kept. */
function spaced(ticks: readonly number[], widthPx: (tick: number) => number, xPx: (x: number) => number): number[] {
  if (ticks.length === 0) return []
  const widest = Math.max(...ticks.map(widthPx))
  // Keep every k-th tick, so the kept ones stay evenly spread.
  let every = 1
  while (every < ticks.length && (xPx(ticks[every] as number) - xPx(ticks[0] as number)) < widest) every++
  return ticks.filter((_, index) => index % every === 0)
}

/** One entry of a legend: a stroke like the series' line, or a block like its columns. */
interface LegendEntry {
  readonly name: string
  readonly color: string
  readonly dashed: boolean
  readonly block?: boolean
}

function figure(options: { readonly title: string; readonly note?: string }, legend: readonly LegendEntry[], svg: string): string {
  const items = legend
    .map((entry) => {
      const shape = entry.block === true ? ' block' : entry.dashed ? ' dashed' : ''
      return `<li><span class="swatch${shape}" style="border-color:${escapeHtml(entry.color)}"></span>${escapeHtml(entry.name)}</li>`
    })
    .join('')
  return (
    `<figure class="chart-figure"><div class="chart-head"><h3>${escapeHtml(options.title)}</h3>${items === '' ? '' : `<ul class="legend">${items}</ul>`}</div>` +
    `${options.note === undefined ? '' : `<p class="chart-note">${escapeHtml(options.note)}</p>`}${svg}</figure>`
  )
}

function emptyFigure(options: { readonly title: string; readonly note?: string; readonly empty?: string }): string {
  return figure(options, [], `<p class="none">${escapeHtml(options.empty ?? 'none')}</p>`)
}

function paletteColor(index: number): string {
  return palette[index % palette.length] as string
}

function cut(text: string, charsMax: number): string {
  return text.length <= charsMax ? text : `${text.slice(0, charsMax - 1)}…`
}

function fixed(value: number): string {
  return value.toFixed(1)
}

/** 950, 1.2k, 3.4M: short labels for ticks and bars. */
export function compactNumber(value: number): string {
  const absolute = Math.abs(value)
  if (absolute >= 1e9) return `${trim(value / 1e9)}G`
  if (absolute >= 1e6) return `${trim(value / 1e6)}M`
  if (absolute >= 1e3) return `${trim(value / 1e3)}k`
  return trim(value)
}

function trim(value: number): string {
  return String(Number(value.toFixed(Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2)))
}
