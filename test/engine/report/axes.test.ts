/**
 * The scales and ticks the report's charts and the live page share: where each axis starts and
 * ends, which ticks it draws, and where a value outside it is placed.
 */
import { describe, expect, it } from 'vitest'
import {
  hourSteps,
  linearAxis,
  logAxis,
  logDecadesMax,
  timeTicks,
} from '../../../engine/report/axes.js'

const range = [300, 10] as const

describe('axes', () => {
  it('a linear axis runs from zero to a nice top at or above the largest value', () => {
    // Proves nothing drawn leaves the frame, and an empty axis still has a span.
    const axis = linearAxis(2_345, range)
    expect(axis.ticks).toEqual([0, 500, 1_000, 1_500, 2_000, 2_500])
    expect(axis.at(0)).toBe(300)
    expect(axis.at(2_500)).toBe(10)
    expect(axis.at(2_345)).toBeGreaterThan(10)
    expect(linearAxis(0, range).ticks.at(-1)).toBe(1)
  })

  it('a log axis spans whole decades, marks 2× and 5× when few, and keeps zeros on its floor', () => {
    // Proves the latency axis: decade ticks, dense ticks for a narrow span, zero and sub-floor
    // values on the bottom, not at -Infinity.
    const wide = logAxis(0.5, 480, range)
    expect(wide.ticks).toEqual([0.1, 1, 10, 100, 1_000])
    expect(wide.at(0)).toBe(300)
    expect(wide.at(0.1)).toBe(300)
    expect(wide.at(1_000)).toBe(10)
    expect(logAxis(0.3, 4, range).ticks).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10])
    // A flat series of one value still spans a decade.
    expect(logAxis(1, 1, range).ticks).toEqual([1, 2, 5, 10])
    // Nine decades at most: a nanosecond next to a minute is drawn on the floor.
    const far = logAxis(1e-6, 60_000, range)
    expect(far.ticks).toHaveLength(logDecadesMax + 1)
    expect(far.at(1e-6)).toBe(300)
  })

  it('time ticks take the first round step that spans the axis in twelve steps or fewer', () => {
    // Proves the time axes: 10 s steps over two minutes, 5 minutes over an hour, 2 h over a day of
    // hours; both ends ticked when they fall on a step.
    expect(timeTicks(1, 120)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120])
    expect(timeTicks(0, 3_600)).toEqual(Array.from({ length: 13 }, (_, index) => index * 300))
    expect(timeTicks(0, 24, hourSteps)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24])
    expect(timeTicks(0, 300, undefined, 5)).toEqual([0, 60, 120, 180, 240, 300])
    expect(timeTicks(7, 9)).toEqual([7, 8, 9])
  })
})
