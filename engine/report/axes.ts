/**
 * The y scales and tick choices both kinds of chart use: report.html's, drawn in Node as SVG
 * text (charts.ts), and the live page's, drawn in the browser (visualizer/client/lineChart.ts).
 * Pure d3-scale, no DOM and no Node, so the page's bundle takes this file as it is.
 *
 *   linear   0 ─ 500 ─ 1k ─ 1.5k ─ 2k ─ 2.5k      from zero to a nice top, nothing leaves it
 *   log      0.1 ─ 1 ─ 10 ─ 100 ─ 1k              whole decades; 2× and 5× when few
 *   time     0:00 ─ 0:30 ─ 1:00 ─ 1:30            round steps of seconds, or of hours
 */
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale'
import { assert } from '../assert.js'

/** Ticks a linear y axis aims for. */
export const yTicksTarget = 5
/** Decades a log axis spans at most: below that, values sit on its floor. */
export const logDecadesMax = 9
/** Decades up to which a log axis also marks 2× and 5×. */
const logDecadesDense = 2
/** Steps a time axis is cut into at most (one tick more when both ends fall on a step). */
export const timeTicksMax = 12

/**
 * A y scale over `range` (bottom, top in pixels) with the ticks to draw; `at` places a value,
 * clamped onto the axis.
 */
export interface YAxis {
  readonly scale: ScaleContinuousNumeric<number, number>
  readonly ticks: readonly number[]
  readonly at: (value: number) => number
}

/** From zero to the first nice tick at or above `yMax` (one, when there is nothing above zero). */
export function linearAxis(
  yMax: number,
  range: readonly [number, number],
  ticksTarget = yTicksTarget,
): YAxis {
  assert(Number.isFinite(yMax) && ticksTarget >= 1, 'a linear axis tops at a finite number')
  const scale = scaleLinear()
    .domain([0, yMax > 0 ? yMax : 1])
    .nice(ticksTarget)
    .range([...range])
  const ticks = scale.ticks(ticksTarget)
  return { scale, ticks, at: (value) => scale(Math.max(0, value)) }
}

/**
 * Whole decades around [minPositive, max], at most `logDecadesMax` of them, for latency, where a
 * spike would flatten the median on a linear axis. Zeros and anything below the floor sit on it.
 */
export function logAxis(minPositive: number, max: number, range: readonly [number, number]): YAxis {
  assert(
    minPositive > 0 && Number.isFinite(minPositive) && Number.isFinite(max),
    'a log axis spans positive, finite values',
  )
  const high = Math.ceil(Math.log10(Math.max(max, minPositive)) - 1e-9)
  const low = Math.max(high - logDecadesMax, Math.floor(Math.log10(minPositive) + 1e-9))
  const top = Math.max(high, low + 1)
  const floor = decade(low)
  const scale = scaleLog()
    .domain([floor, decade(top)])
    .range([...range])
  return { scale, ticks: logTicks(low, top), at: (value) => scale(Math.max(floor, value)) }
}

/** 10^power without the float dust of 10 ** -1 = 0.1 written 0.1000000000001. */
function decade(power: number): number {
  return Number((10 ** power).toPrecision(12))
}

/** Each decade from 10^low to 10^high; with few of them, 2× and 5× between. */
function logTicks(low: number, high: number): number[] {
  const ticks: number[] = []
  for (let power = low; power <= high; power++) {
    const base = decade(power)
    ticks.push(base)
    if (high - low <= logDecadesDense && power < high)
      ticks.push(Number((2 * base).toPrecision(12)), Number((5 * base).toPrecision(12)))
  }
  return ticks
}

/** Steps for an axis of seconds: the round ones a reader counts in. */
export const secondSteps = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
] as const
/** Steps for an axis of simulated minutes. */
export const minuteSteps = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440] as const
/** Steps for an axis of hours. */
export const hourSteps = [1, 2, 3, 6, 12, 24, 48, 168, 336, 720, 2160] as const

/**
 * Ticks at the first round step from `steps` that cuts [from, to] into at most `ticksMax` steps.
 */
export function timeTicks(
  from: number,
  to: number,
  steps: readonly number[] = secondSteps,
  ticksMax = timeTicksMax,
): number[] {
  assert(
    Number.isFinite(from) && Number.isFinite(to) && ticksMax >= 1,
    'time ticks cover a finite span',
  )
  const length = Math.max(1, to - from)
  const step =
    steps.find((candidate) => length / candidate <= ticksMax) ?? Math.ceil(length / ticksMax)
  const ticks: number[] = []
  for (
    let tick = Math.ceil(from / step) * step;
    tick <= to && ticks.length <= ticksMax;
    tick += step
  )
    ticks.push(tick)
  return ticks
}
