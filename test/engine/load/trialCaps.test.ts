/** The bounds of a capacity search: its rates, its ramp, its trials' length, the period's cap. */
import { describe, expect, it } from 'vitest'
import { capacityTrialsMax, loadDurationMsMax } from '../../../engine/limits.js'
import {
  checkTrialRates,
  checkTrialSpan,
  periodCap,
  periodShareMax,
  rampTrials,
} from '../../../engine/load/index.js'
import { userError } from '../../helpers/userError.js'

const bounds = { startTps: 10_000, maxTps: 4_000_000, growth: 2, warmupMs: 2000, windowMs: 10_000 }

describe('the rates of a search', () => {
  it('takes a first rate of at least 1 a second and a highest no lower', () => {
    // Proves the edges: 1 and equal rates are taken, 0 and a lower highest are refused, each naming
    // its flag.
    expect(() => checkTrialRates(1, 1)).not.toThrow()
    expect(userError(() => checkTrialRates(0, 10))).toBe(
      '--start: must be at least 1 transfer per second',
    )
    expect(userError(() => checkTrialRates(100, 50))).toBe('--max: must be at least --start (100)')
  })

  it("counts the ramp's trials, the last at the highest rate", () => {
    // Proves the count: 10k ×2 reaches 4M on the 10th trial (10k·2⁹ = 5.12M ≥ 4M > 2.56M).
    expect(rampTrials(10_000, 4_000_000, 2)).toBe(10)
    expect(rampTrials(1000, 1000, 2)).toBe(1)
    expect(rampTrials(1000, 1001, 2)).toBe(2)
    expect(rampTrials(1000, 16_000, 4)).toBe(3)
  })
})

describe('the span of a search', () => {
  it('refuses a ramp that leaves no trial for the bisection', () => {
    // Proves the edge: a ramp of capacityTrialsMax − 1 trials is taken, one of capacityTrialsMax
    // refused.
    expect(capacityTrialsMax).toBe(40)
    const taken = { ...bounds, startTps: 1, maxTps: 1.5 * 2 ** 37 }
    expect(rampTrials(taken.startTps, taken.maxTps, 2)).toBe(39)
    expect(() => checkTrialSpan(taken)).not.toThrow()
    const refused = { ...bounds, startTps: 1, maxTps: 1.5 * 2 ** 38 }
    expect(userError(() => checkTrialSpan(refused))).toMatch(
      /^--growth: ramping ×2 from 1 to \d+ would take 40 trials, more than the 39 a search may run/,
    )
  })

  it('refuses a trial longer than a load run may last', () => {
    // Proves warm-up and window count together: 24 hours in all is taken, a millisecond more
    // refused.
    const day = { ...bounds, warmupMs: 60_000, windowMs: loadDurationMsMax - 60_000 }
    expect(() => checkTrialSpan(day)).not.toThrow()
    expect(userError(() => checkTrialSpan({ ...day, windowMs: day.windowMs + 1 }))).toBe(
      '--window: with --warmup, a trial may last at most 24 hours',
    )
  })
})

describe("the cap of the period's payments", () => {
  it('caps the rates at what 90% of the payments feed for a whole trial', () => {
    // Proves the figure: 1M payments × 0.9 over a 12 s trial is 75,000 a second.
    expect(periodShareMax).toBe(0.9)
    expect(periodCap(1_000_000, bounds)).toEqual({ sort: 'capped', maxTps: 75_000 })
  })

  it('keeps every rate asked for when the period has enough', () => {
    // Proves a highest rate below the period's cap is kept as it is.
    expect(periodCap(1_000_000, { ...bounds, maxTps: 50_000 })).toEqual({
      sort: 'within',
      maxTps: 50_000,
    })
    expect(periodCap(1_000_000, { ...bounds, maxTps: 75_000 })).toEqual({
      sort: 'within',
      maxTps: 75_000,
    })
  })

  it('says when not even the first rate can be fed', () => {
    // Proves the edge: a first rate of 75,000 is fed, 75,001 is not.
    expect(periodCap(1_000_000, { ...bounds, startTps: 75_000 }).sort).toBe('capped')
    expect(periodCap(1_000_000, { ...bounds, startTps: 75_001 })).toEqual({
      sort: 'too-few',
      periodTps: 75_000,
    })
    expect(periodCap(0, bounds)).toEqual({ sort: 'too-few', periodTps: 0 })
  })
})
