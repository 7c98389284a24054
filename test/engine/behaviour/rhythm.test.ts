import { describe, expect, it } from 'vitest'
import { minuteShares, paymentKindBehaviours } from '../../../engine/behaviour/index.js'
import { minutesPerDay } from '../../../engine/limits.js'
import type { PaymentKindName } from '../../../engine/plan/plan.js'

/** A weekend day's volume relative to a weekday's, per kind, as the model sets them. */
const weekendFactor: Record<PaymentKindName, number> = {
  retail: 1.15,
  transit: 0.75,
  bill: 0.5,
  payroll: 0,
  p2p: 1.2,
  topup: 1,
  welfare: 1,
  tax: 0.3,
  health: 0.6,
  parking: 1.1,
  online: 1.2,
}

const kinds = paymentKindBehaviours.map((behaviour) => behaviour.name)

const sum = (shares: Float64Array) => shares.reduce((total, share) => total + share, 0)
const at = (shares: Float64Array, hour: number, minute = 0) => shares[hour * 60 + minute] as number
/** The minute of the day with the largest share within [fromHour, toHour). */
function busiestMinute(shares: Float64Array, fromHour: number, toHour: number): number {
  let best = fromHour * 60
  for (let minute = fromHour * 60; minute < toHour * 60; minute++)
    if ((shares[minute] as number) > (shares[best] as number)) best = minute
  return best
}

describe('minute shares of each payment kind', () => {
  it('covers all six payment kinds', () => {
    // Proves the loop below sees every kind the generator draws, so none escapes the checks.
    expect([...kinds].sort()).toEqual(Object.keys(weekendFactor).sort())
  })

  it.each(kinds)('%s: a weekday has 1440 non-negative shares adding up to 1', (kind) => {
    // Proves a weekday's rate is spread over the day without creating or losing volume.
    const { weekday } = minuteShares(kind)
    expect(weekday).toHaveLength(minutesPerDay)
    expect(weekday.every((share) => Number.isFinite(share) && share >= 0)).toBe(true)
    expect(Math.abs(sum(weekday) - 1)).toBeLessThan(1e-9)
  })

  it.each(kinds)('%s: a weekend day adds up to its weekend factor', (kind) => {
    // Proves weekend volume is the weekday's times the kind's factor (payroll: none at all).
    const { weekend } = minuteShares(kind)
    expect(weekend).toHaveLength(minutesPerDay)
    expect(weekend.every((share) => Number.isFinite(share) && share >= 0)).toBe(true)
    expect(Math.abs(sum(weekend) - weekendFactor[kind])).toBeLessThan(1e-9)
    if (weekendFactor[kind] === 0) expect(weekend.every((share) => share === 0)).toBe(true)
  })

  it.each(kinds)('%s: shares change smoothly from minute to minute, midnight included', (kind) => {
    // Proves the curve is interpolated, not stepped by the hour. Shares are linear between the
    // middles of neighbouring hours, so one minute moves the curve by 1/60 of the gap between two
    // hourly levels, and a gap is at most the larger level, itself at most the curve's peak:
    // no step may exceed peak / 60. A curve stepped at each hour would jump by whole levels
    // (transit: 3 → 9 at 07:00, 36 times this bound).
    for (const shares of [minuteShares(kind).weekday, minuteShares(kind).weekend]) {
      const peak = Math.max(...shares)
      let steepest = 0
      for (let minute = 0; minute < minutesPerDay; minute++) {
        const next = shares[(minute + 1) % minutesPerDay] as number
        steepest = Math.max(steepest, Math.abs(next - (shares[minute] as number)))
      }
      expect(steepest).toBeLessThanOrEqual((peak / 60) * (1 + 1e-9))
    }
  })
})

describe('the shape of the day', () => {
  it('transit peaks with the weekday commutes, morning 7–9h and evening 17–19h, and is quiet at 3h', () => {
    // Proves fares follow the commute: both peaks where they belong, and far above the night and
    // midday.
    const { weekday } = minuteShares('transit')
    const morning = busiestMinute(weekday, 0, 12)
    const evening = busiestMinute(weekday, 12, 24)
    expect(morning).toBeGreaterThanOrEqual(7 * 60)
    expect(morning).toBeLessThan(9 * 60)
    expect(evening).toBeGreaterThanOrEqual(17 * 60)
    expect(evening).toBeLessThan(19 * 60)
    const peak = Math.max(...weekday)
    expect(peak === weekday[morning] || peak === weekday[evening]).toBe(true)
    for (let minute = 3 * 60; minute < 4 * 60; minute++)
      expect(weekday[minute]).toBeLessThan(peak / 100)
    expect(at(weekday, 12, 30)).toBeLessThan((weekday[morning] as number) / 3)
    expect(at(weekday, 12, 30)).toBeLessThan((weekday[evening] as number) / 3)
  })

  it('transit has no morning rush at the weekend', () => {
    // Proves the weekend curve is its own: 08:30 on a Saturday is well below 08:30 on a Monday.
    const { weekday, weekend } = minuteShares('transit')
    expect(at(weekend, 8, 30)).toBeLessThan(at(weekday, 8, 30) / 2)
  })

  it('retail has a lunch peak above mid-afternoon, weekday and weekend', () => {
    // Proves shopping rises at lunch (11–14h) over the afternoon lull (15:30).
    for (const shares of [minuteShares('retail').weekday, minuteShares('retail').weekend]) {
      const lunch = busiestMinute(shares, 11, 14)
      expect(lunch).toBeGreaterThan(11 * 60)
      expect(lunch).toBeLessThan(14 * 60 - 1)
      expect(shares[lunch]).toBeGreaterThan(at(shares, 15, 30) * 1.3)
    }
  })

  it('payroll is paid in working hours only, with the morning busiest', () => {
    // Proves salaries are not paid at night: nothing before 07:30 or after 17:30, most around
    // 9–10h.
    const { weekday } = minuteShares('payroll')
    for (let minute = 0; minute <= 7 * 60 + 30; minute++) expect(weekday[minute]).toBe(0)
    for (let minute = 17 * 60 + 30; minute < minutesPerDay; minute++)
      expect(weekday[minute]).toBe(0)
    for (let minute = 9 * 60; minute < 16 * 60; minute++) expect(weekday[minute]).toBeGreaterThan(0)
    const busiest = busiestMinute(weekday, 0, 24)
    expect(busiest).toBeGreaterThanOrEqual(9 * 60)
    expect(busiest).toBeLessThan(10 * 60)
  })
})
