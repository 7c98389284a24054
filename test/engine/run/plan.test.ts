import { describe, expect, it } from 'vitest'
import { UserError } from '../../../engine/errors.js'
import { expectedTransfersMax, segmentCount } from '../../../engine/limits.js'
import { apportion, planRun, scenarioCity } from '../../../engine/run/index.js'
import { loadScenario } from '../../../scenarios/index.js'
import { defaultScenario } from '../../helpers/runs.js'

const loaded = await loadScenario(defaultScenario)
const city = scenarioCity(loaded)

describe('apportion', () => {
  it('splits a total exactly, in proportion, by largest remainder', () => {
    // Proves the parts always add up to the total and follow the weights.
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3])
    expect(apportion(7, [0, 1, 0])).toEqual([0, 7, 0])
    expect(apportion(100, [2, 1, 1])).toEqual([50, 25, 25])
    const parts = apportion(1_000_003, [17, 3, 29, 51])
    expect(parts.reduce((a, b) => a + b, 0)).toBe(1_000_003)
  })
})

describe('the plan', () => {
  it('sizes the whole city at scale 1 from the 2020 census', () => {
    // Proves the default scenario plans all 17,494,398 residents of Shenzhen.
    const plan = planRun(loaded.scenario, city)
    expect(plan.residents).toBe(17_494_398)
    expect(plan.districts.map((district) => district.residents).reduce((a, b) => a + b, 0)).toBe(
      17_494_398,
    )
    expect(plan.merchants).toBeGreaterThanOrEqual(1_200_000)
    expect(plan.clock.ticks).toBe(1440)
  })

  it('plans the default wallet tiers with the limits of the published 2020 agreement, and fills them in where a scenario leaves them out', () => {
    // Proves the default scenario's limits are the published ones, and a tier given by number and
    // share alone gets the same.
    const published = [
      [50_000_000, 5_000_000, 10_000_000, 50_000_000],
      [1_000_000, 500_000, 1_000_000, 30_000_000],
      [200_000, 200_000, 200_000, 5_000_000],
      [100_000, 50_000, 100_000, 1_000_000],
    ]
    const limitsOf = (
      tiers: readonly {
        balanceCapFen: number
        perPaymentFen: number
        perDayFen: number
        perYearFen: number
      }[],
    ) =>
      tiers
        .slice(1)
        .map((tier) => [tier.balanceCapFen, tier.perPaymentFen, tier.perDayFen, tier.perYearFen])
    expect(limitsOf(planRun(loaded.scenario, city, { residents: 1000 }).tiers)).toEqual(published)
    const bare = structuredClone(loaded.scenario)
    for (const tier of bare.wallets.tiers) {
      delete tier.balanceCapFen
      delete tier.perPaymentFen
      delete tier.perDayFen
      delete tier.perYearFen
    }
    expect(limitsOf(planRun(bare, city, { residents: 1000 }).tiers)).toEqual(published)
  })

  it('cuts residents and merchants into fixed segments that cover each exactly once', () => {
    // Proves segments do not depend on workers and leave no agent out or twice.
    const plan = planRun(loaded.scenario, city, { residents: 123_457 })
    expect(plan.segments).toHaveLength(segmentCount)
    let residents = 0
    let merchants = 0
    plan.segments.forEach((segment, index) => {
      expect(segment.residentStart).toBe(residents)
      expect(segment.merchantStart).toBe(merchants)
      expect(segment.index).toBe(index)
      residents = segment.residentEnd
      merchants = segment.merchantEnd
    })
    expect(residents).toBe(123_457)
    expect(merchants).toBe(plan.merchants)
  })

  it('lays out accounts without overlap: institutions, merchants, then residents', () => {
    // Proves every account id has one owner.
    const plan = planRun(loaded.scenario, city, { residents: 1000 })
    const a = plan.accounts
    expect(a.issuer).toBe(0)
    expect(a.bankFirst).toBe(1)
    expect(a.transit).toBe(a.bankFirst + a.bankCount)
    expect(a.utilityFirst).toBe(a.transit + 1)
    expect(a.depositFirst).toBe(a.utilityFirst + a.utilityCount)
    expect(a.liabilityFirst).toBe(a.depositFirst + a.bankCount)
    expect(a.employerFirst).toBe(a.liabilityFirst + a.bankCount)
    // The districts' employers, then the treasury and the insurance fund: refilled alike.
    expect(a.treasury).toBe(a.employerFirst + plan.districts.length)
    expect(a.insuranceFund).toBe(a.treasury + 1)
    expect(a.employerCount).toBe(plan.districts.length + 2)
    expect(a.parking).toBe(a.employerFirst + a.employerCount)
    expect(a.onlineFirst).toBe(a.parking + 1)
    expect(a.onlineCount).toBe(loaded.scenario.services?.online?.shops)
    expect(a.visitorFirst).toBe(a.onlineFirst + a.onlineCount)
    expect(a.visitorCount).toBeGreaterThan(0)
    expect(a.merchantFirst).toBe(a.visitorFirst + a.visitorCount)
    expect(a.residentFirst).toBe(a.merchantFirst + plan.merchants)
    expect(a.count).toBe(a.residentFirst + 1000)
  })

  it('refuses a scenario whose money could outgrow exact integers, naming the fields to lower', () => {
    // Proves money stays exact: a plan that could issue more than moneyFenMax fen is bad input, not
    // a crash.
    const rich = structuredClone(loaded.scenario)
    rich.banks.issuancePerResidentFen = 4_294_967_295
    expect(() => planRun(rich, city, { residents: 4_000_000 })).toThrow(
      /banks\.issuancePerResidentFen/,
    )
    expect(() => planRun(rich, city, { residents: 4_000_000 })).toThrow(UserError)
    expect(() => planRun(loaded.scenario, city, { residents: 4_000_000 })).not.toThrow()
  })

  it('plans 150 days of the whole city, more transfers than 32-bit ids could number', () => {
    // Proves the 2^31 refusal is gone: 150 days of Shenzhen plan, more than 2^32 transfers. (A
    // year of it is refused by the money bound, not by its ids.) Only planned, never run.
    const long = structuredClone(loaded.scenario)
    long.period = { from: '2026-01-01T00:00:00+08:00', to: '2026-05-31T00:00:00+08:00' }
    const plan = planRun(long, city)
    expect(plan.clock.ticks).toBe(150 * 1440)
    expect(plan.paymentsExpected).toBeGreaterThan(2 ** 32)
    expect(plan.paymentsExpected).toBeLessThan(expectedTransfersMax)
  })

  it('refuses a scenario whose transfers could run past the ids, naming the period and rates', () => {
    // Proves the bound on transfer ids (below 2^53) is a user error that says what to lower. No
    // scenario the schema allows reaches it, so the rate here is one the schema would refuse.
    const flood = structuredClone(loaded.scenario)
    flood.period = { from: '2026-01-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' }
    flood.payments.p2p.perDay = 1e9
    const refusal = (() => {
      try {
        planRun(flood, city)
      } catch (error) {
        return error
      }
      return undefined
    })()
    expect(refusal).toBeInstanceOf(UserError)
    expect((refusal as Error).message).toMatch(
      /transfers \(365 days of 17494398 residents at \d+(\.\d+)? payments a resident a day\), more than the 2251799813685248 transfer ids one run may plan; shorten the period, lower the rates or the scale/,
    )
  })

  it('refuses more residents than the engine holds', () => {
    // Proves --residents is bounded with a user error, not an allocation failure.
    expect(() => planRun(loaded.scenario, city, { residents: 1e9 })).toThrow(UserError)
  })
})
