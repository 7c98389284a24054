/**
 * The rollout's parts without a city: the Bass curve, promotions and habit, the calendar's day
 * kinds and the sampled days' weights, the weighted percentile and the capacity plan against a
 * knee.
 */
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { acceptanceShare, upgradedTierShares } from '../../../engine/rollout/adoption.js'
import { dayAdoption, dayScenario } from '../../../engine/rollout/dayScenario.js'
import {
  adoptionShare,
  bassFraction,
  capacityPlan,
  dayKind,
  habitShare,
  rolloutMonths,
  tableShare,
  weightedQuantile,
} from '../../../engine/rollout/index.js'
import type { RolloutDay } from '../../../engine/rollout/capacityPlan.js'
import { isRestDay, type SimClock } from '../../../engine/time/index.js'
import { dayNumber, type Rollout } from '../../../scenarios/rolloutSchema.js'
import { scenarioSchema } from '../../../scenarios/schema.js'
import { readFileSync } from 'node:fs'
import { repoRoot } from '../../scenarios/scenarioFiles.js'
import path from 'node:path'

const smoke = scenarioSchema.parse(
  parse(readFileSync(path.join(repoRoot, 'scenarios', 'rollout-smoke.yaml'), 'utf8')),
)
const rollout = smoke.rollout as Rollout
const calendar = smoke.calendar

describe('the Bass curve', () => {
  it('starts at 0, follows the closed form and approaches 1', () => {
    // Proves: F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}), here at the textbook averages.
    const bass = { p: 0.03, q: 0.38 }
    expect(bassFraction(bass, 0)).toBe(0)
    expect(bassFraction(bass, -1)).toBe(0)
    const decay = Math.exp(-0.41 * 5)
    expect(bassFraction(bass, 5)).toBeCloseTo((1 - decay) / (1 + (0.38 / 0.03) * decay), 12)
    expect(bassFraction(bass, 60)).toBeGreaterThan(0.999)
    let before = 0
    for (let year = 0.25; year <= 10; year += 0.25) {
      const now = bassFraction(bass, year)
      expect(now).toBeGreaterThan(before)
      before = now
    }
  })

  it('gives each district its curve, lifted by its promotions, never above 1', () => {
    // Proves: district overrides replace only the fields given; a promotion lifts its districts
    // from its date on and no other; adoption is 0 before the start.
    const start = dayNumber(rollout.start)
    const luohu = adoptionShare(rollout, '440303', start + 30)
    const nanshan = adoptionShare(rollout, '440305', start + 30)
    const futian = adoptionShare(rollout, '440304', start + 30)
    expect(luohu - nanshan).toBeCloseTo(0.02, 10)
    expect(futian).toBeGreaterThan(nanshan)
    const years = 31 / 365.25
    expect(nanshan).toBeCloseTo(0.8 * bassFraction({ p: 0.3, q: 2 }, years), 12)
    expect(adoptionShare(rollout, '440305', start - 1)).toBe(0)
    const lifted: Rollout = {
      ...rollout,
      adoption: {
        ...rollout.adoption,
        promotions: [{ name: 'all', date: rollout.start, lift: 0.9 }],
      },
    }
    expect(adoptionShare(lifted, '440303', start + 400)).toBe(1)
  })

  it('reads a table of shares by date in a line between its dates, for the city or a district', () => {
    // Proves: 0 before the start, a line from 0 at the start to the first date's share, a line
    // between dates, the last share after; a district's table replaces the city's Bass curve.
    const start = dayNumber('2021-01-01')
    const table = [
      { date: '2021-01-11', share: 0.1 },
      { date: '2021-01-21', share: 0.3 },
    ]
    expect(tableShare(table, start, start - 1)).toBe(0)
    expect(tableShare(table, start, start + 5)).toBeCloseTo(0.05, 12)
    expect(tableShare(table, start, start + 15)).toBeCloseTo(0.2, 12)
    expect(tableShare(table, start, start + 400)).toBe(0.3)
    const tabled: Rollout = {
      ...rollout,
      start: '2021-01-01',
      adoption: {
        ...rollout.adoption,
        promotions: [],
        districts: { '440305': { table } },
      },
    }
    expect(adoptionShare(tabled, '440305', start + 15)).toBeCloseTo(0.2, 12)
    expect(adoptionShare(tabled, '440303', start + 15)).toBeCloseTo(
      0.8 * bassFraction({ p: 0.3, q: 2 }, 16 / 365.25),
      12,
    )
    const cityTable: Rollout = {
      ...tabled,
      adoption: { ...tabled.adoption, bass: undefined, table, districts: {} },
    }
    expect(adoptionShare(cityTable, '440303', start + 10)).toBeCloseTo(0.1, 12)
  })

  it('makes new adopters pay habitStart of their payments in e-CNY, rising towards all of them', () => {
    // Proves: the habit of a district's adopters starts near habitStart and grows with time.
    const start = dayNumber(rollout.start)
    const early = habitShare(rollout, '440305', start)
    const later = habitShare(rollout, '440305', start + 80)
    expect(early).toBeCloseTo(0.5, 2)
    expect(later).toBeGreaterThan(early)
    expect(later).toBeLessThan(1)
    expect(
      habitShare({ ...rollout, adoption: { ...rollout.adoption, habitStart: 1 } }, '1', 0),
    ).toBe(1)
  })
})

describe('merchants accepting and wallets upgraded over the rollout', () => {
  it("reads each category's acceptance off its curve, and upgrades tiers month by month", () => {
    // Proves: a category's table and Bass curve are read like adoption's; a category with no curve
    // accepts from the start; each month perMonth of the wallets still in tier 4 move to tier 2,
    // the shares still adding up to 1.
    const start = dayNumber(rollout.start)
    expect(acceptanceShare(rollout, 'grocery', start)).toBeCloseTo(0.3, 12)
    expect(acceptanceShare(rollout, 'grocery', dayNumber('2021-01-12'))).toBeCloseTo(0.6, 12)
    expect(acceptanceShare(rollout, 'healthcare', start + 30)).toBeCloseTo(
      0.6 * bassFraction({ p: 0.5, q: 2 }, 31 / 365.25),
      12,
    )
    expect(acceptanceShare(rollout, 'retail', start)).toBe(1)
    const tiers = smoke.wallets.tiers
    const twoMonths = upgradedTierShares(rollout, tiers, start + (2 * 365.25) / 12)
    const four = tiers.findIndex((tier) => tier.tier === 4)
    const two = tiers.findIndex((tier) => tier.tier === 2)
    const left = (tiers[four]?.share ?? 0) * 0.95 ** 2
    expect(twoMonths[four]).toBeCloseTo(left, 12)
    expect(twoMonths[two]).toBeCloseTo(
      (tiers[two]?.share ?? 0) + (tiers[four]?.share ?? 0) - left,
      12,
    )
    expect(twoMonths.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 12)
  })

  it('makes each day a scenario of the merchants accepting, its retail following them', () => {
    // Proves: the day keeps all the city's merchants, each category accepting its share on the
    // day; retail is scaled by the accepting share (each adopter's habit thins their own payments
    // as they are drawn, so it is not in the rate); tiers carry the upgrades.
    const day = {
      day: dayNumber('2020-11-27'),
      date: '2020-11-27',
      kind: 'work' as const,
      weight: 1,
    }
    const adoption = dayAdoption(smoke, rollout, day.day)
    expect(adoption.merchantsAccepting).toBeGreaterThan(0)
    expect(adoption.merchantsAccepting).toBeLessThan(1)
    const loaded = { file: 'x', scenario: smoke, map: { features: [] }, mapFile: 'x' } as never
    const { scenario, habitByLevel } = dayScenario(loaded, day, adoption)
    // The habit thins by the table over its largest, the rates scaled by the largest.
    const most = Math.max(...(adoption.habitByLevel ?? []))
    expect(most).toBeGreaterThan(0)
    expect(most).toBeLessThan(1)
    expect(habitByLevel).toEqual(adoption.habitByLevel?.map((habit) => habit / most))
    expect(scenario.payments.transit.perDay).toBeCloseTo(smoke.payments.transit.perDay * most, 12)
    expect(scenario.payments.bill.perDay).toBeCloseTo(smoke.payments.bill.perDay * most, 12)
    expect(scenario.merchants.count).toBe(smoke.merchants.count)
    const categories = Object.entries(scenario.merchants.categories)
    for (const [name, category] of categories) {
      expect(category.accepting).toBe(adoption.acceptanceByCategory[name])
      expect(category.share).toBe(smoke.merchants.categories[name]?.share)
    }
    const accepting = categories.reduce((sum, [, one]) => sum + one.share * one.accepting, 0)
    expect(accepting).toBeCloseTo(adoption.merchantsAccepting, 12)
    expect(scenario.payments.retail.perDay).toBeCloseTo(
      smoke.payments.retail.perDay * adoption.merchantsAccepting * most,
      12,
    )
    expect(scenario.wallets.tiers.map((tier) => tier.share)).toEqual(adoption.tierShares)
    expect(scenario.rollout).toBeUndefined()
    expect(scenario.period).toEqual({
      from: '2020-11-27T00:00:00+08:00',
      to: '2020-11-28T00:00:00+08:00',
    })
  })
})

describe('the calendar and the sampled days', () => {
  it('tells working days, days of rest, holidays, make-up days and peaks apart', () => {
    // Proves: 2020-10-10 was a Saturday worked for National Day; 2020-10-08 a holiday Thursday;
    // Double 11 a peak; an ordinary Saturday a rest day, an ordinary Tuesday a working day.
    expect(dayKind(dayNumber('2020-10-10'), calendar).kind).toBe('work')
    expect(dayKind(dayNumber('2020-10-08'), calendar)).toEqual({
      kind: 'rest',
      named: 'National Day and Mid-Autumn',
    })
    expect(dayKind(dayNumber('2020-11-11'), calendar)).toEqual({ kind: 'peak', named: 'Double 11' })
    expect(dayKind(dayNumber('2020-10-17'), calendar).kind).toBe('rest')
    expect(dayKind(dayNumber('2020-10-20'), calendar).kind).toBe('work')
    // The engine's clock reads the same calendar: a holiday runs the weekend rhythm.
    const clock: SimClock = {
      startMinute: dayNumber('2020-10-08') * 1440 - 480,
      ticks: 1440,
      utcOffsetMinutes: 480,
      restDays: [dayNumber('2020-10-08')],
      workDays: [dayNumber('2020-10-10')],
    }
    expect(isRestDay(clock, 600)).toBe(true)
    expect(isRestDay(clock, 2 * 1440 + 600)).toBe(false)
    expect(isRestDay({ ...clock, restDays: [] }, 600)).toBe(false)
  })

  it('samples each month so that its days stand for every day of the month', () => {
    // Proves: months run from the start's day of the month; the weights of a month's sampled days
    // add up to its days; a peak stands for itself; the days asked for of each kind are sampled.
    const months = rolloutMonths(rollout, calendar)
    expect(months.map((month) => [month.from, month.days])).toEqual([
      ['2020-10-12', 31],
      ['2020-11-12', 30],
      ['2020-12-12', 31],
    ])
    for (const month of months) {
      const weights = month.sampled.reduce((sum, day) => sum + day.weight, 0)
      expect(weights).toBeCloseTo(month.days, 9)
      expect(month.sampled.filter((day) => day.kind === 'work')).toHaveLength(1)
      expect(month.sampled.filter((day) => day.kind === 'rest')).toHaveLength(1)
    }
    const peak = months[0]?.sampled.find((day) => day.kind === 'peak')
    expect(peak).toMatchObject({ date: '2020-11-11', weight: 1, named: 'Double 11' })
    const unsampled = rolloutMonths(
      { ...rollout, sample: { ...rollout.sample, peaks: false } },
      calendar,
    )
    expect(unsampled[0]?.sampled.some((day) => day.kind === 'peak')).toBe(false)
    expect(unsampled[0]?.sampled.reduce((sum, day) => sum + day.weight, 0)).toBeCloseTo(31, 9)
  })
})

/** A simulated day of the plan's tests: only the fields the plan reads matter. */
function day(month: number, peakPerMinute: number, weight: number): RolloutDay {
  return {
    date: `2021-0${month + 1}-15`,
    kind: 'work',
    weight,
    month,
    adoption: 0.1 * (month + 1),
    habit: 1,
    adopted: 10_000 * 0.1 * (month + 1),
    payments: peakPerMinute * 100,
    accepted: peakPerMinute * 100,
    rejected: 0,
    byReason: {},
    peakPerMinute,
    peakAt: `2021-0${month + 1}-15T08:30:00+08:00`,
    peakHour: { hour: 8, byDistrict: {}, byKind: {} },
    peakMinute: { byDistrict: { Luohu: peakPerMinute / 2 }, byKind: { retail: peakPerMinute / 3 } },
    adoptionByDistrict: [],
    conservationOk: true,
    doubleEntryOk: true,
    residents: 10_000,
    merchantsAccepting: 1,
    banks: [
      // Each wallet opened with 100 yuan from this bank; a day tops up 5,000 yuan, redeems 2,000;
      // employers open with 9,000 yuan of payroll funds and are refilled 1,000 in the evening.
      {
        bank: 'ICBC',
        openingToWalletsFen: 10_000 * 0.1 * (month + 1) * 10_000,
        toWalletsFen: 500_000,
        toDepositsFen: 200_000,
        openingToEmployersFen: 900_000,
        toEmployersFen: 100_000,
      },
    ],
  }
}

describe('the capacity plan', () => {
  it('reads the 99.9th percentile with each minute weighted by the days its day stands for', () => {
    // Proves: a day standing for 999 days outweighs one standing for 1 in the percentile.
    const quiet = { minutes: new Float64Array(1000).fill(10), weight: 999 }
    const busy = { minutes: new Float64Array(1000).fill(500), weight: 1 }
    expect(weightedQuantile([quiet, busy], 0.999)).toBe(10)
    expect(weightedQuantile([quiet, busy], 0.9995)).toBe(500)
    expect(weightedQuantile([], 0.999)).toBe(0)
  })

  it('flags the first month whose needed rate, scaled to the city with headroom, passes the knee', () => {
    // Proves: needed = peak per minute / 60 / scale × headroom; a month above the knee is flagged
    // and the first such month named; with no knee nothing is flagged.
    const months = [0, 1, 2].map((index) => ({
      index,
      from: `2021-0${index + 1}-01`,
      to: `2021-0${index + 2}-01`,
      days: 30,
      sampled: [],
    }))
    // Peaks of 60, 120 and 240 payments a minute in a tenth of the city: 10, 20, 40 a second
    // for the whole city, 15, 30 and 60 with headroom 1.5.
    const days = [day(0, 60, 30), day(1, 120, 30), day(2, 240, 30)]
    const minutes = days.map((one) => ({
      minutes: new Float64Array([one.peakPerMinute, one.peakPerMinute / 2]),
      weight: one.weight,
    }))
    const plan = capacityPlan(months, days, minutes, { scale: 0.1, headroom: 1.5, kneeTps: 50 })
    expect(plan.months.map((month) => month.neededTps)).toEqual([15, 30, 60])
    expect(plan.months.map((month) => month.cityPeakPerSecond)).toEqual([10, 20, 40])
    expect(plan.months.map((month) => month.exceedsKnee)).toEqual([false, false, true])
    expect(plan.months.map((month) => month.cityPeakByDistrict)).toEqual([
      { Luohu: 5 },
      { Luohu: 10 },
      { Luohu: 20 },
    ])
    expect(plan.months[2]?.cityPeakByKind.retail).toBeCloseTo(40 / 3, 9)
    expect(plan.firstExceeding).toEqual({ index: 2, from: '2021-03-01' })
    expect(plan.months[1]?.payments).toBe(120 * 100 * 30)
    // Deposits: month 1 opens 1,000 wallets in the simulated tenth (10,000 in the city) of 100
    // yuan, months 2 and 3 as many again each; each month's 30 days move 4,000 yuan net a day
    // (the employers' refills count, not the float each simulated day opens them with).
    expect(plan.deposits.map((month) => [month.walletsOpenedFen, month.netTopupsFen])).toEqual([
      [10_000 * 10_000, 30 * 400_000 * 10],
      [10_000 * 10_000, 30 * 400_000 * 10],
      [10_000 * 10_000, 30 * 400_000 * 10],
    ])
    expect(plan.deposits[0]?.outflowFen).toBe(10_000 * 10_000 + 30 * 400_000 * 10)
    const unplanned = capacityPlan(months, days, minutes, { scale: 0.1, headroom: 1.5 })
    expect(unplanned.firstExceeding).toBeUndefined()
    expect(unplanned.months.every((month) => month.exceedsKnee === undefined)).toBe(true)
  })
})
