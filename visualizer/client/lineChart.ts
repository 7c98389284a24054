/**
 * A live line chart over the last `chartWindowS` seconds: one <path> per series, redrawn at
 * snapshot rate (not per frame), axes and gridlines by d3-axis, and a key that shows each
 * series' latest value, so the chart answers "how much now?" as well as "how has it moved?".
 */
import { axisBottom, axisLeft, line, nice, scaleLinear, scaleLog, select, type ScaleContinuousNumeric } from 'd3'
import { assert } from './assert.js'
import { formatRunTime, formatTick } from './format.js'
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
/** The x axis spans at least this much, so the first seconds of a run are not one vertical smear. */
const spanMinS = 10
const xTicks = 5
const yTicks = 4

export interface LineChart {
  readonly update: (points: readonly ChartPoint[]) => void
}

export function createLineChart(container: HTMLElement, options: LineChartOptions): LineChart {
  assert(options.series.length > 0, 'a chart has a series')
  assert(options.floor > 0, 'a chart floor is positive (log scales need it)')
  const key = document.createElement('div')
  key.className = 'chart-key'
  const keyValues = options.series.map((series) => {
    const item = document.createElement('span')
    item.className = `chart-key-item ${series.className}`
    const swatch = document.createElement('i')
    const value = document.createElement('b')
    item.append(swatch, `${series.label} `, value)
    key.append(item)
    return value
  })
  const svg = svgElement('svg', { class: 'chart-svg' })
  const grid = svgElement('g', { class: 'chart-grid' })
  const xAxis = svgElement('g', { class: 'chart-axis chart-axis-x' })
  const lines = options.series.map((series) => svgElement('path', { class: `chart-line ${series.className}` }))
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
      if (value !== undefined) value.textContent = last === undefined ? '–' : options.format(series.value(last))
    })
    if (width <= margin.left + margin.right || height <= margin.top + margin.bottom) return

    // The axis grows with a young run (a short replay fills the width), then slides once it is a window long.
    const tFirst = points[0]?.t ?? 0
    const tEnd = Math.max(last?.t ?? 0, tFirst + spanMinS)
    const tStart = Math.max(tFirst, tEnd - chartWindowS)
    const shown = points.filter((point) => point.t >= tStart)
    const x = scaleLinear().domain([tStart, tEnd]).range([margin.left, width - margin.right])
    const y = yScale(shown)
    const clampFloor = (value: number): number => (options.scale === 'log' ? Math.max(options.floor, value) : value)

    options.series.forEach((series, i) => {
      const path = line<ChartPoint>()
        .defined((point) => Number.isFinite(series.value(point)))
        .x((point) => x(point.t))
        .y((point) => y(clampFloor(series.value(point))))(shown)
      lines[i]?.setAttribute('d', path ?? '')
    })
    select(xAxis)
      .attr('transform', `translate(0,${height - margin.bottom})`)
      .call(
        axisBottom(x)
          .ticks(xTicks)
          .tickSizeOuter(0)
          .tickFormat((t) => formatRunTime(Number(t))),
      )
    const yAxis = axisLeft(y)
      .tickSize(-(width - margin.left - margin.right))
      .tickFormat((value) => formatTick(Number(value)))
    // A log axis labels its decades only; d3 would otherwise also label 2, 3 … 9 of each.
    if (options.scale === 'log') yAxis.tickValues(decades(y.domain()))
    else yAxis.ticks(yTicks)
    select(grid).attr('transform', `translate(${margin.left},0)`).call(yAxis)
  }

  function yScale(shown: readonly ChartPoint[]): ScaleContinuousNumeric<number, number> {
    let largest = 0
    for (const point of shown) {
      for (const series of options.series) {
        const value = series.value(point)
        if (Number.isFinite(value) && value > largest) largest = value
      }
    }
    const range = [height - margin.bottom, margin.top]
    if (options.scale === 'log') {
      return scaleLog()
        .domain([options.floor, Math.max(options.floor * 10, largest)])
        .nice()
        .range(range)
    }
    return scaleLinear()
      .domain([0, Math.max(options.floor, nice(0, largest, yTicks)[1])])
      .range(range)
  }

  return { update }
}

/** Powers of ten from the bottom of a log domain to its top. */
function decades(domain: readonly number[]): number[] {
  const [bottom = 1, top = 1] = domain
  const values: number[] = []
  for (let exponent = Math.ceil(Math.log10(bottom)); exponent <= Math.floor(Math.log10(top)); exponent++) {
    values.push(10 ** exponent)
  }
  return values
}
