/**
 * Charts as inline SVG, computed here at render time with d3 running in Node: d3-scale places
 * values and picks ticks (the y axes come from axes.ts, shared with the live page), d3-shape
 * writes the paths, d3-format the labels (format.ts). The markup around them is written here, in
 * d3-axis's shape (a `g.tick` per tick holding its line and text), so a page that holds a chart
 * needs no script, no font and no network to be read. Three shapes: lines over x (throughput,
 * latency), columns over x (demand per hour) and horizontal bars (rejections by reason). Each
 * returns one `<figure>` holding an `<svg class="chart">` whose lines and bars are `<path>`s, and
 * a legend; when there is nothing to draw it holds a short "none" note instead.
 *
 *   ┌ figure.chart-figure ───────────────────────────────┐
 *   │ h3 title                       ul.legend ▬ a ╌ b   │
 *   │ ┌ svg.chart ─────────────────────────────────────┐ │
 *   │ │ g.axis-y │ ── path.series ──                   │ │
 *   │ │  g.tick: line.grid, text                       │ │
 *   │ │          └──────────── path.domain ──────────  │ │
 *   │ │           g.axis-x  g.tick: line, text; label  │ │
 *   │ └────────────────────────────────────────────────┘ │
 *   └────────────────────────────────────────────────────┘
 *
 * Text placed by these functions (titles, series names, bar labels) may come from a scenario:
 * it goes in through the `html` tag, which escapes it.
 */
import { scaleBand, scaleLinear, type ScaleLinear } from 'd3-scale'
import { curveLinearClosed, line } from 'd3-shape'
import { assert } from '../assert.js'
import { linearAxis, logAxis, type YAxis } from './axes.js'
import { formatNumber, tickFormat } from './format.js'
import { html, type Html } from './markup.js'

/** The page's content width at 1280 px, less the card's padding: the SVG is drawn 1:1 there. */
export const chartWidthDefault = 1104
export const chartHeightDefault = 300
const xTicksTarget = 10
/** Series, bars and ticks one chart draws at most: a bound on the page, whatever the data. */
const seriesMax = 16
const barsMax = 64
const ticksMax = 64
/** Rough advance of one character of the 12 px tick font, px, for spacing labels apart. */
const tickCharWidthPx = 7
const tickFontPx = 12
const labelFontPx = 13
const tickSizePx = 5
/** Narrowest column drawn as a column; narrower ones are drawn as the outline of their tops. */
const columnPxMin = 2
const barHeightPx = 18
const barGapPx = 8
/** Longest bar label drawn whole; longer ones are cut, and kept whole in the tooltip. */
const barLabelCharsMax = 36
/** Decimals of a coordinate: a tenth of a pixel is finer than any screen shows. */
const coordinateDigits = 1

/**
 * The styles the charts' markup needs (legend, swatches, axis text): every page that shows a chart
 * includes them.
 */
export const chartCss = html`
.chart-figure { margin: 0 0 28px; }
.chart-figure:last-child { margin-bottom: 0; }
.chart-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 8px 24px; margin-bottom: 4px; }
.chart-note { margin: 0 0 8px; color: var(--muted); font-size: 13px; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0; padding: 0; font-size: 13px; color: #334155; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 22px; border-top: 3px solid; }
.swatch.dashed { border-top-style: dashed; }
.swatch.block { width: 12px; height: 12px; border-top-width: 12px; border-radius: 2px; }
.swatch-inline { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: middle; border: 1px solid #cbd5e1; }
svg.chart { display: block; height: auto; overflow: visible; }
svg.chart text { fill: #475569; }
svg.chart .grid { stroke: #e2e8f0; }
svg.chart .axis-x line, svg.chart .domain { stroke: #94a3b8; }
svg.chart .axis-label { fill: #334155; font-size: 13px; }
svg.chart .bar-label { fill: #334155; font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; }
svg.chart .bar-value { fill: #334155; }
`

/** Colours of series in turn, chosen to stay apart for common colour blindness too. */
export const palette = [
  '#2563eb',
  '#ea580c',
  '#dc2626',
  '#16a34a',
  '#7c3aed',
  '#0891b2',
  '#ca8a04',
  '#64748b',
] as const

export type Point = readonly [x: number, y: number]

export interface LineSeries {
  readonly name: string
  readonly points: readonly Point[]
  /** A CSS colour; the palette's colour for the series' place if absent. */
  readonly color?: string
  readonly dashed?: boolean
}

/**
 * What an axis shows: its label, how its values read, and where its ticks go if not chosen here.
 */
interface AxisOptions {
  readonly xLabel: string
  readonly yLabel: string
  /**
   * Labels of the ticks; the shortest that tell the ticks apart (format.ts tickFormat) if absent.
   */
  readonly formatX?: (x: number) => string
  readonly formatY?: (y: number) => string
  /** Ticks of the x axis; d3's nice round numbers across the data if absent. */
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
  /** Moments marked across the plot (a run's events), each a thin vertical line and its label. */
  readonly markers?: readonly Marker[]
  /** Levels drawn across the plot (a threshold's limit), each a dashed horizontal line. */
  readonly rules?: readonly Rule[]
}

/** A moment on the x axis: `label` is its short name on the chart, `title` its hover text. */
export interface Marker {
  readonly x: number
  readonly label: string
  readonly title: string
}

/** A level on the y axis, named. */
export interface Rule {
  readonly y: number
  readonly label: string
  readonly color?: string
}

/** Markers drawn on one chart at most; the rest are in the events table. */
const markersMax = 40

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

/** Closed shapes (a column, a bar, the outline of many columns) from their corners, in pixels. */
const polygon = line<Point>().curve(curveLinearClosed).digits(coordinateDigits)

/**
 * Lines over a shared x axis, y from zero (or on whole decades, `yScale: 'log'`); each series is
 * one `<path class="series">`.
 */
export function lineChart(options: LineChartOptions): Html {
  assert(options.series.length <= seriesMax, `a chart draws at most ${seriesMax} series`)
  const drawn = options.series.filter((series) => series.points.length > 0)
  if (drawn.length === 0) return emptyFigure(options)
  let xMin = Infinity
  let xMax = -Infinity
  let yMax = Math.max(options.yMaxAtLeast ?? 0, ...(options.rules ?? []).map((rule) => rule.y))
  let yMinPositive = Infinity
  for (const series of drawn) {
    for (const [x, y] of series.points) {
      assert(
        Number.isFinite(x) && Number.isFinite(y),
        `${series.name}: a point is two finite numbers`,
      )
      xMin = Math.min(xMin, x)
      xMax = Math.max(xMax, x)
      yMax = Math.max(yMax, y)
      if (y > 0) yMinPositive = Math.min(yMinPositive, y)
    }
  }
  if (xMax === xMin) xMax = xMin + 1
  // A log axis needs something above zero to span; without it the linear one says the same.
  const yScale = options.yScale === 'log' && yMinPositive < Infinity ? 'log' : 'linear'
  const frame = plotFrame(options, xMin, xMax, (range) =>
    yScale === 'log' ? logAxis(yMinPositive, yMax, range) : linearAxis(yMax, range),
  )
  const seriesLine = line<Point>()
    .x(([x]) => frame.x(x))
    .y(([, y]) => frame.y.at(y))
    .digits(coordinateDigits)
  const paths = options.series.map((series, index) => {
    if (series.points.length === 0) return false
    const color = series.color ?? paletteColor(index)
    // One point is drawn as a dot: d3 closes a one-point line, and the round cap gives it a body.
    return html`<path class="series series-${index}" d="${seriesLine(thinned(series.points, frame.x)) ?? ''}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"${series.dashed === true && html` stroke-dasharray="6 4"`}><title>${series.name}</title></path>`
  })
  const legend = options.series.map((series, index) => ({
    name: series.name,
    color: series.color ?? paletteColor(index),
    dashed: series.dashed === true,
  }))
  const marks = [
    ...ruleLines(options.rules ?? [], frame),
    ...markerLines(options.markers ?? [], frame),
  ]
  return figure(options, legend, frame.svg([...paths, ...marks]))
}

/** Each rule a dashed line across the plot at its level, its name at the right end above it. */
function ruleLines(rules: readonly Rule[], frame: Frame): Html[] {
  const [left, right] = frame.x.range() as [number, number]
  return rules.map((rule) => {
    const y = round(frame.y.at(rule.y))
    const color = rule.color ?? '#b91c1c'
    return html`<g class="rule"><line x1="${left}" x2="${right}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="1.5" stroke-dasharray="3 3"/><text x="${right - 4}" y="${y - 4}" text-anchor="end" fill="${color}">${cut(rule.label, 40)}</text><title>${rule.label}</title></g>`
  })
}

/** About how wide a character of a marker's label is, in pixels, at the charts' type size. */
const markerCharPx = 6

/** Each marker a thin line down the plot at its moment, its label at the top. */
function markerLines(markers: readonly Marker[], frame: Frame): Html[] {
  const [xLow, xHigh] = frame.x.domain() as [number, number]
  const [top, bottom] = [frame.y.scale.range()[1] ?? 0, frame.y.scale.range()[0] ?? 0]
  return markers
    .filter((marker) => marker.x >= xLow && marker.x <= xHigh)
    .slice(0, markersMax)
    .map((marker) => {
      const x = round(frame.x(marker.x))
      const label = cut(marker.label, 24)
      // Near the right edge the label reads leftwards from its line, so it is not cut off.
      const leftwards = x + 3 + label.length * markerCharPx > (frame.x.range()[1] ?? 0)
      const anchor = leftwards ? 'end' : 'start'
      return html`<g class="marker"><line x1="${x}" x2="${x}" y1="${top}" y2="${bottom}" stroke="#7c3aed" stroke-width="1"/><text x="${leftwards ? x - 3 : x + 3}" y="${top + 9}" text-anchor="${anchor}" fill="#7c3aed">${label}</text><title>${marker.title}</title></g>`
    })
}

/** Columns, one per x unit from zero (hours of a day, say), as one `<path class="series">`. */
export function columnChart(options: ColumnChartOptions): Html {
  const { values } = options
  if (values.length === 0) return emptyFigure(options)
  let yMax = options.yMaxAtLeast ?? 0
  for (const value of values) {
    assert(Number.isFinite(value) && value >= 0, 'a column is a finite number, zero or more')
    yMax = Math.max(yMax, value)
  }
  const frame = plotFrame(options, 0, values.length, (range) => linearAxis(yMax, range))
  const step = frame.x(1) - frame.x(0)
  const base = frame.y.at(0)
  let d: string
  if (step >= columnPxMin) {
    // A gap between columns while they are wide enough to spare one; each column its own closed
    // shape.
    const gap = step >= 4 ? Math.min(2, step / 4) : 0
    d = values
      .map((value, index) => {
        const [left, right, top] = [
          frame.x(index) + gap / 2,
          frame.x(index + 1) - gap / 2,
          frame.y.at(value),
        ]
        return (
          polygon([
            [left, base],
            [left, top],
            [right, top],
            [right, base],
          ]) ?? ''
        )
      })
      .join('')
  } else {
    // Thinner than a pixel or two, columns would alias into stripes: draw their outline instead,
    // one step per pixel column at the tallest column that falls in it, as one closed shape.
    const corners: Point[] = [[frame.x(0), base]]
    let column = Math.floor(frame.x(0))
    let from = frame.x(0)
    let top = 0
    values.forEach((value, index) => {
      const at = Math.floor(frame.x(index))
      if (at !== column) {
        corners.push([from, frame.y.at(top)], [frame.x(index), frame.y.at(top)])
        column = at
        from = frame.x(index)
        top = 0
      }
      top = Math.max(top, value)
    })
    corners.push(
      [from, frame.y.at(top)],
      [frame.x(values.length), frame.y.at(top)],
      [frame.x(values.length), base],
    )
    d = polygon(corners) ?? ''
  }
  const color = options.color ?? paletteColor(0)
  const path = html`<path class="series series-0" d="${d}" fill="${color}"><title>${options.seriesName}</title></path>`
  return figure(
    options,
    [{ name: options.seriesName, color, dashed: false, block: true }],
    frame.svg([path]),
  )
}

/**
 * Horizontal bars, largest first as given, each a `<path class="series bar">` with its value at its
 * end.
 */
export function barChart(options: BarChartOptions): Html {
  assert(options.bars.length <= barsMax, `a bar chart draws at most ${barsMax} bars`)
  const bars = options.bars.filter((bar) => bar.value > 0)
  if (bars.length === 0) return emptyFigure(options)
  for (const bar of bars)
    assert(Number.isFinite(bar.value), `${bar.label}: a bar is a finite number`)
  const width = options.width ?? chartWidthDefault
  const format = options.formatValue ?? formatNumber
  const labels = bars.map((bar) => cut(bar.label, barLabelCharsMax))
  const labelWidth = Math.max(...labels.map((label) => label.length)) * tickCharWidthPx + 16
  const valueWidth = Math.max(...bars.map((bar) => format(bar.value).length)) * tickCharWidthPx + 16
  const barsLeft = labelWidth
  const barsWidth = width - barsLeft - valueWidth
  assert(barsWidth > 0, 'bars have room beside their labels')
  const height = bars.length * (barHeightPx + barGapPx) - barGapPx
  const length = scaleLinear()
    .domain([0, Math.max(...bars.map((bar) => bar.value))])
    .range([0, barsWidth])
  // A band per bar: its step is a bar and a gap, its bandwidth the bar.
  const row = scaleBand<number>()
    .domain(bars.map((_, index) => index))
    .range([0, height])
    .paddingInner(barGapPx / (barHeightPx + barGapPx))
  const color = options.color ?? paletteColor(0)
  const rows = bars.map((bar, index) => {
    const top = row(index) ?? 0
    const bottom = top + row.bandwidth()
    const right = barsLeft + Math.max(1, length(bar.value))
    const middle = round(top + row.bandwidth() / 2)
    const d =
      polygon([
        [barsLeft, top],
        [right, top],
        [right, bottom],
        [barsLeft, bottom],
      ]) ?? ''
    return html`<text class="bar-label" x="${barsLeft - 8}" y="${middle}" dy="0.32em" text-anchor="end">${labels[index] ?? ''}</text><path class="series bar" d="${d}" fill="${color}"><title>${bar.label}: ${format(bar.value)}</title></path><text class="bar-value" x="${round(right + 6)}" y="${middle}" dy="0.32em">${format(bar.value)}</text>`
  })
  const svg = html`<svg class="chart chart-bars" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${options.title}" style="font-size:${tickFontPx}px">${rows}</svg>`
  return figure(options, [], svg)
}

interface Frame {
  readonly x: ScaleLinear<number, number>
  readonly y: YAxis
  svg(content: readonly (Html | false)[]): Html
}

/**
 * Scales, grid, axes and tick labels for data over [xMin, xMax] on the y axis `yAxisFor` makes for
 * a pixel range.
 */
function plotFrame(
  options: FrameOptions,
  xMin: number,
  xMax: number,
  yAxisFor: (range: readonly [number, number]) => YAxis,
): Frame {
  const width = options.width ?? chartWidthDefault
  const height = options.height ?? chartHeightDefault
  const top = 10
  const bottom = height - (tickFontPx + labelFontPx + 20)
  const y = yAxisFor([bottom, top])
  const formatY = options.formatY ?? tickFormat(y.ticks)
  const yLabels = y.ticks.map(formatY)
  // Room on the left for the rotated y label and the widest tick label.
  const left =
    labelFontPx + 12 + Math.max(...yLabels.map((label) => label.length)) * tickCharWidthPx + 8
  const right = width - 16
  const x = scaleLinear().domain([xMin, xMax]).range([left, right])

  const { xTicks, formatX } = xAxisTicks(options, x, xMin, xMax)
  const yAxis = y.ticks.map(
    (tick, index) =>
      html`<g class="tick" transform="translate(0,${round(y.scale(tick))})"><line class="grid" x1="${left}" x2="${right}"/><text x="${left - 8}" dy="0.32em">${yLabels[index] ?? ''}</text></g>`,
  )
  const xAxis = xTicks.map(
    (tick) =>
      html`<g class="tick" transform="translate(${round(x(tick))},0)"><line y2="${tickSizePx}"/><text y="${tickSizePx + 3}" dy="0.71em">${formatX(tick)}</text></g>`,
  )
  const domain =
    line().digits(coordinateDigits)([
      [left, top],
      [left, bottom],
      [right, bottom],
    ]) ?? ''
  const labels = axisLabels(options, { left, right, top, bottom, height })

  return {
    x,
    y,
    svg: (content) =>
      html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${options.title}" style="font-size:${tickFontPx}px"><g class="axis axis-y" text-anchor="end">${yAxis}</g><g class="axis axis-x" transform="translate(0,${bottom})" text-anchor="middle">${xAxis}</g>${labels}<g class="plot">${content}</g><path class="domain" d="${domain}" fill="none"/></svg>`,
  }
}

/** The x ticks that fit side by side on `x`, at most `ticksMax`, and how they are written. */
function xAxisTicks(
  options: FrameOptions,
  x: ScaleLinear<number, number>,
  xMin: number,
  xMax: number,
): { xTicks: number[]; formatX: (value: number) => string } {
  const candidates = (options.xTicks ?? x.ticks(xTicksTarget)).filter(
    (tick) => tick >= xMin && tick <= xMax,
  )
  assert(candidates.length <= ticksMax * 16, 'x tick candidates are bounded')
  const formatX = options.formatX ?? tickFormat(candidates)
  const xTicks = spaced(candidates, (tick) => formatX(tick).length * tickCharWidthPx + 16, x).slice(
    0,
    ticksMax,
  )
  return { xTicks, formatX }
}

/** The two axis titles: x centred under the plot, y rotated up the left side. */
function axisLabels(
  options: FrameOptions,
  box: { left: number; right: number; top: number; bottom: number; height: number },
): Html {
  const { left, right, top, bottom, height } = box
  const middleY = round((top + bottom) / 2)
  return html`<text class="axis-label" x="${round((left + right) / 2)}" y="${height - 6}" text-anchor="middle">${options.xLabel}</text><text class="axis-label" x="${labelFontPx}" y="${middleY}" text-anchor="middle" transform="rotate(-90 ${labelFontPx} ${middleY})">${options.yLabel}</text>`
}

/**
 * The series thinned to what one pixel column can show: of the points falling in a column it
 * keeps the first, the lowest, the highest and the last, so a one-second spike of a day-long run
 * still reaches its height, and a path has at most four points a pixel whatever the run's length.
 */
function thinned(points: readonly Point[], x: (value: number) => number): Point[] {
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
    const at = Math.floor(x(point[0]))
    if (at !== column) {
      flush()
      column = at
    }
    group.push(point)
  }
  flush()
  return kept
}

/**
 * The ticks whose labels do not touch: every k-th, k the least that leaves each label its width.
 */
function spaced(
  ticks: readonly number[],
  widthPx: (tick: number) => number,
  x: (value: number) => number,
): number[] {
  if (ticks.length === 0) return []
  const widest = Math.max(...ticks.map(widthPx))
  let every = 1
  while (every < ticks.length && x(ticks[every] as number) - x(ticks[0] as number) < widest) every++
  return ticks.filter((_, index) => index % every === 0)
}

/** One entry of a legend: a stroke like the series' line, or a block like its columns. */
interface LegendEntry {
  readonly name: string
  readonly color: string
  readonly dashed: boolean
  readonly block?: boolean
}

function figure(
  options: { readonly title: string; readonly note?: string },
  legend: readonly LegendEntry[],
  body: Html,
): Html {
  const items = legend.map((entry) => {
    const shape = entry.block === true ? ' block' : entry.dashed ? ' dashed' : ''
    return html`<li><span class="swatch${shape}" style="border-color:${entry.color}"></span>${entry.name}</li>`
  })
  return html`<figure class="chart-figure"><div class="chart-head"><h3>${options.title}</h3>${items.length > 0 && html`<ul class="legend">${items}</ul>`}</div>${options.note !== undefined && html`<p class="chart-note">${options.note}</p>`}${body}</figure>`
}

function emptyFigure(options: {
  readonly title: string
  readonly note?: string
  readonly empty?: string
}): Html {
  return figure(options, [], html`<p class="none">${options.empty ?? 'none'}</p>`)
}

function paletteColor(index: number): string {
  return palette[index % palette.length] as string
}

function cut(text: string, charsMax: number): string {
  return text.length <= charsMax ? text : `${text.slice(0, charsMax - 1)}…`
}

/** A coordinate to a tenth of a pixel, as the paths are. */
function round(value: number): number {
  return Math.round(value * 10) / 10
}
