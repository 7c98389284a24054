/**
 * A live line chart over the last `chartWindowS` seconds: one <path> per series, redrawn at
 * snapshot rate (not per frame), axes and gridlines by d3-axis, and a key that shows each
 * series' latest value, so the chart answers "how much now?" as well as "how has it moved?".
 * The y scales, their ticks and the time ticks are report.html's (engine/report/axes.ts), and
 * so are the labels: the same run reads the same on the page and in its report.
 */
import { axisBottom, axisLeft, line, scaleLinear, select } from 'd3'
import {
  linearAxis,
  logAxis,
  secondSteps,
  timeTicks,
  type YAxis,
} from '../../engine/report/axes.js'
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

const margin = { top: 8, right: 14, bottom: 20, left: 46 } as const
/**
 * The x axis spans at least this much, so the first seconds of a run are not one vertical smear.
 */
const spanMinS = 10
const xTicks = 5
const yTicks = 4

export interface LineChart {
  readonly update: (points: readonly ChartPoint[]) => void
}

/** Builds a chart of `options.series` in `container`; it redraws on each update and resize. */
export function createLineChart(container: HTMLElement, options: LineChartOptions): LineChart {
  assert(options.series.length > 0, 'a chart has a series')
  assert(options.floor > 0, 'a chart floor is positive (log scales need it)')
  const { key, keyValues } = createKey(options.series)
  const svg = svgElement('svg', { class: 'chart-svg' })
  const grid = svgElement('g', { class: 'chart-grid' })
  const xAxis = svgElement('g', { class: 'chart-axis chart-axis-x' })
  const lines = options.series.map((series) =>
    svgElement('path', { class: `chart-line ${series.className}` }),
  )
  svg.append(grid, xAxis, ...lines)
  container.replaceChildren(key, svg)

  let width = 0
  let height = 0
  let latest: readonly ChartPoint[] = []
  new ResizeObserver(() => {
    width = svg.clientWidth
    height = svg.clientHeight
    update(latest)
  }).observe(svg)

  function update(points: readonly ChartPoint[]): void {
    latest = points
    const last = points.at(-1)
    options.series.forEach((series, i) => {
      const value = keyValues[i]
      if (value !== undefined)
        value.textContent = last === undefined ? '–' : options.format(series.value(last))
    })
    if (width <= margin.left + margin.right || height <= margin.top + margin.bottom) return

    // The axis grows with a young run (a short replay fills the width), then slides once it is a
    // window long.
    const tFirst = points[0]?.t ?? 0
    const tEnd = Math.max(last?.t ?? 0, tFirst + spanMinS)
    const tStart = Math.max(tFirst, tEnd - chartWindowS)
    const shown = points.filter((point) => point.t >= tStart)
    const x = scaleLinear()
      .domain([tStart, tEnd])
      .range([margin.left, width - margin.right])
    const y = yAxisFor(shown, options, height)

    options.series.forEach((series, i) => {
      // `at` keeps a log axis's values on its floor, as the report's charts do.
      const path = line<ChartPoint>()
        .defined((point) => Number.isFinite(series.value(point)))
        .x((point) => x(point.t))
        .y((point) => y.at(series.value(point)))(shown)
      lines[i]?.setAttribute('d', path ?? '')
    })
    select(xAxis)
      .attr('transform', `translate(0,${height - margin.bottom})`)
      .call(
        axisBottom(x)
          .tickValues(timeTicks(tStart, tEnd, secondSteps, xTicks))
          .tickSizeOuter(0)
          .tickFormat((t) => formatRunTime(Number(t))),
      )
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
