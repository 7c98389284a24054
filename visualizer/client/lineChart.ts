/**
 * A live line chart over the last `chartWindowS` seconds: one <path> per series, redrawn at
 * snapshot rate (not per frame), axes and gridlines by d3-axis, and a key that shows each
 * series' latest value, so the chart answers "how much now?" as well as "how has it moved?".
 * The time axis is the run's wall time or the simulated clock (TimeAxis), titled under it; the
 * run's events (a pause, a slowdown, a stop) are thin lines across the plot, labelled.
 * The y scales, their ticks and the time ticks are report.html's (engine/report/axes.ts), and
 * so are the labels: the same run reads the same on the page and in its report.
 */
import { axisBottom, axisLeft, line, scaleLinear, select, type ScaleLinear } from 'd3'
import {
  linearAxis,
  logAxis,
  minuteSteps,
  secondSteps,
  timeTicks,
  type YAxis,
} from '../../engine/report/axes.js'
import type { EventShown } from '../protocol.js'
import { assert } from './assert.js'
import { formatRunTime, tickFormat } from './format.js'
import { chartWindowS, type ChartPoint } from './history.js'
import { svgElement } from './svg.js'

export interface Series {
  readonly label: string
  /** Sets the line's colour and dash in style.css. */
  readonly className: string
  readonly value: (point: ChartPoint) => number
}

export interface LineChartOptions {
  readonly series: readonly Series[]
  /** Log for latencies, whose percentiles sit orders of magnitude apart. */
  readonly scale: 'linear' | 'log'
  /** The latest values in the key; the axis has its own, shorter labels. */
  readonly format: (value: number) => string
  /** Linear: the y axis tops at least here. Log: values below this are drawn at it. */
  readonly floor: number
}

/** What the time axis counts, and how a simulated minute reads (the city's clock). */
export interface TimeAxis {
  readonly mode: 'wall' | 'simulated'
  readonly formatMinute: (tick: number) => string
}

const margin = { top: 8, right: 14, bottom: 32, left: 46 } as const
/**
 * The x axis spans at least this much (seconds, or simulated minutes), so the first moments of a
 * run are not one vertical smear.
 */
const spanMinS = 10
const spanMinMinutes = 5
/** Event labels on a chart: the first characters, the rest in the hover title. */
const markerLabelChars = 18
/** Rows event labels are stacked in at most, and the width of one of their characters. */
const markerRowsMax = 3
const markerCharPx = 6
const xTicks = 5
const yTicks = 4

export interface LineChart {
  readonly update: (
    points: readonly ChartPoint[],
    events: readonly EventShown[],
    axis: TimeAxis,
  ) => void
}

/** Builds a chart of `options.series` in `container`; it redraws on each update and resize. */
export function createLineChart(container: HTMLElement, options: LineChartOptions): LineChart {
  assert(options.series.length > 0, 'a chart has a series')
  assert(options.floor > 0, 'a chart floor is positive (log scales need it)')
  const { key, keyValues } = createKey(options.series)
  const svg = svgElement('svg', { class: 'chart-svg' })
  const grid = svgElement('g', { class: 'chart-grid' })
  const xAxis = svgElement('g', { class: 'chart-axis chart-axis-x' })
  const xTitle = svgElement('text', { class: 'chart-axis-title', 'text-anchor': 'middle' })
  const markers = svgElement('g', { class: 'chart-markers' })
  const lines = options.series.map((series) =>
    svgElement('path', { class: `chart-line ${series.className}` }),
  )
  svg.append(grid, xAxis, xTitle, markers, ...lines)
  container.replaceChildren(key, svg)

  let width = 0
  let height = 0
  let latest: Parameters<LineChart['update']> | undefined
  new ResizeObserver(() => {
    width = svg.clientWidth
    height = svg.clientHeight
    if (latest !== undefined) update(...latest)
  }).observe(svg)

  function update(
    points: readonly ChartPoint[],
    events: readonly EventShown[],
    axis: TimeAxis,
  ): void {
    latest = [points, events, axis]
    const last = points.at(-1)
    options.series.forEach((series, i) => {
      const value = keyValues[i]
      if (value !== undefined)
        value.textContent = last === undefined ? '–' : options.format(series.value(last))
    })
    if (width <= margin.left + margin.right || height <= margin.top + margin.bottom) return

    // The axis grows with a young run (a short replay fills the width), then slides once it is a
    // window long (of wall time, whichever clock it counts).
    const tFirst = points[0]?.t ?? 0
    const tStart = Math.max(tFirst, Math.max(last?.t ?? 0, tFirst + spanMinS) - chartWindowS)
    const shown = points.filter((point) => point.t >= tStart)
    const frame = timeFrame(shown, axis, tStart)
    const x = scaleLinear()
      .domain([frame.from, frame.to])
      .range([margin.left, width - margin.right])
    const y = yAxisFor(shown, options, height)

    options.series.forEach((series, i) => {
      // `at` keeps a log axis's values on its floor, as the report's charts do.
      const path = line<ChartPoint>()
        .defined((point) => Number.isFinite(series.value(point)))
        .x((point) => x(frame.at(point)))
        .y((point) => y.at(series.value(point)))(shown)
      lines[i]?.setAttribute('d', path ?? '')
    })
    drawTimeAxis({ axis: xAxis, title: xTitle }, x, frame, { width, height })
    drawMarkers(markers, events, {
      x,
      frame,
      shown,
      top: margin.top,
      bottom: height - margin.bottom,
    })
    // A log axis is labelled at its decades (and 2× and 5× when few), not at each of 2, 3 … 9.
    const yLabel = tickFormat(y.ticks)
    const yAxis = axisLeft(y.scale)
      .tickSize(-(width - margin.left - margin.right))
      .tickValues(y.ticks)
      .tickFormat((value) => yLabel(Number(value)))
    select(grid).attr('transform', `translate(${margin.left},0)`).call(yAxis)
  }

  return { update }
}

/** Where the points sit on the time axis, its span, ticks and title. */
interface TimeFrame {
  readonly simulated: boolean
  readonly from: number
  readonly to: number
  readonly at: (point: ChartPoint) => number
  readonly ticks: number[]
  readonly label: (value: number) => string
  readonly title: string
}

function timeFrame(shown: readonly ChartPoint[], axis: TimeAxis, tStart: number): TimeFrame {
  const last = shown.at(-1)
  if (axis.mode === 'simulated') {
    const from = shown[0]?.tick ?? 0
    const to = Math.max(last?.tick ?? 0, from + spanMinMinutes)
    return {
      simulated: true,
      from,
      to,
      at: (point) => point.tick,
      ticks: timeTicks(from, to, minuteSteps, xTicks),
      label: axis.formatMinute,
      title: 'simulated time (the city’s clock)',
    }
  }
  const to = Math.max(last?.t ?? 0, tStart + spanMinS)
  return {
    simulated: false,
    from: tStart,
    to,
    at: (point) => point.t,
    ticks: timeTicks(tStart, to, secondSteps, xTicks),
    label: formatRunTime,
    title: 'run time, m:ss of wall clock',
  }
}

/** The time axis at the bottom, its ticks and its title under them. */
function drawTimeAxis(
  into: { readonly axis: SVGGElement; readonly title: SVGTextElement },
  x: ScaleLinear<number, number>,
  frame: TimeFrame,
  size: { readonly width: number; readonly height: number },
): void {
  select(into.axis)
    .attr('transform', `translate(0,${size.height - margin.bottom})`)
    .call(
      axisBottom(x)
        .tickValues(frame.ticks)
        .tickSizeOuter(0)
        .tickFormat((value) => frame.label(Number(value))),
    )
  into.title.setAttribute('x', String((margin.left + size.width - margin.right) / 2))
  into.title.setAttribute('y', String(size.height - 3))
  into.title.textContent = frame.title
}

/** The run's events inside the chart's span, each a line across the plot with its label. */
function drawMarkers(
  group: SVGGElement,
  events: readonly EventShown[],
  place: {
    readonly x: (value: number) => number
    readonly frame: TimeFrame
    readonly shown: readonly ChartPoint[]
    readonly top: number
    readonly bottom: number
  },
): void {
  const { frame, shown } = place
  const first = shown[0]
  // Labels close together go on the next row down, so two events a moment apart both read.
  const rowEnds: number[] = []
  const rowFor = (x: number, chars: number): number => {
    let row = rowEnds.findIndex((end) => x > end)
    if (row === -1) row = Math.min(rowEnds.length, markerRowsMax - 1)
    rowEnds[row] = x + chars * markerCharPx + 6
    return row
  }
  const marks = events.flatMap((event) => {
    if (first === undefined || event.t < first.t) return []
    // On the simulated clock, an event sits where the city stood at its moment.
    const at = frame.simulated
      ? (shown.find((point) => point.t >= event.t) ?? shown.at(-1) ?? first).tick
      : event.t
    if (at < frame.from || at > frame.to) return []
    const x = place.x(at)
    const mark = svgElement('g', { class: `chart-marker marker-${event.kind}` })
    const rule = svgElement('line', { x1: x, x2: x, y1: place.top, y2: place.bottom })
    const text = event.label.slice(0, markerLabelChars)
    const width = text.length * markerCharPx
    // Near the right edge a label reads leftwards from its rule, so it is not cut.
    const leftwards = x + 3 + width > place.x(frame.to)
    const row = rowFor(leftwards ? x - width - 6 : x, text.length)
    const label = svgElement('text', {
      x: leftwards ? x - 3 : x + 3,
      y: place.top + 9 + row * 11,
      'text-anchor': leftwards ? 'end' : 'start',
    })
    label.textContent = text
    const title = svgElement('title', {})
    title.textContent = `${event.label} at ${formatRunTime(event.t)}`
    mark.append(rule, label, title)
    return [mark]
  })
  group.replaceChildren(...marks)
}

/** The chart's key: a swatch, label and latest value per series; returns the value elements too. */
function createKey(series: readonly Series[]): { key: HTMLElement; keyValues: HTMLElement[] } {
  const key = document.createElement('div')
  key.className = 'chart-key'
  const keyValues = series.map((one) => {
    const item = document.createElement('span')
    item.className = `chart-key-item ${one.className}`
    const swatch = document.createElement('i')
    const value = document.createElement('b')
    item.append(swatch, `${one.label} `, value)
    key.append(item)
    return value
  })
  return { key, keyValues }
}

/** The y axis for the points shown, tall enough for the largest value of any series. */
function yAxisFor(shown: readonly ChartPoint[], options: LineChartOptions, height: number): YAxis {
  let largest = 0
  for (const point of shown) {
    for (const series of options.series) {
      const value = series.value(point)
      if (Number.isFinite(value) && value > largest) largest = value
    }
  }
  const range = [height - margin.bottom, margin.top] as const
  if (options.scale === 'log') {
    return logAxis(options.floor, Math.max(options.floor * 10, largest), range)
  }
  return linearAxis(Math.max(options.floor, largest), range, yTicks)
}
