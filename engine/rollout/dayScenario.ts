/**
 * One simulated day of a rollout as a scenario of its own: the base scenario's city on that date,
 * each district's wallet share read off its adoption curve, each adopter's habit by when they
 * adopted, the merchants accepting e-CNY by then, the wallet tiers after the upgrades so far, and
 * the day's payment rates scaled by the merchants accepting and the calendar's peak, if the day
 * is one.
 */
import type { LoadedScenario } from '../../scenarios/loader.js'
import type { Rollout } from '../../scenarios/rolloutSchema.js'
import type { Scenario } from '../../scenarios/schema.js'
import {
  acceptanceShare,
  adoptionShare,
  habitByLevel,
  habitShare,
  upgradedTierShares,
} from './adoption.js'
import type { SampledDay } from './days.js'

export interface DayAdoption {
  /** Share of the city's merchants accepting e-CNY, weighted by their categories' shares. */
  readonly merchantsAccepting: number
  /** Each category's share accepting, by name. */
  readonly acceptanceByCategory: Readonly<Record<string, number>>
  /** The wallet tiers' shares, in the scenario's order, after the upgrades so far. */
  readonly tierShares: readonly number[]
  /** Each district's share of residents holding a wallet, in the scenario's order. */
  readonly byDistrict: readonly number[]
  /** The whole city's share, weighted by population. */
  readonly city: number
  /** The adopters' mean share of their own payments made in e-CNY. */
  readonly habit: number
  /** Each adopter's habit by district and adoption level (undefined: all pay all). */
  readonly habitByLevel: readonly number[] | undefined
}

/** Adoption in every district on the day, and the city's. */
export function dayAdoption(scenario: Scenario, rollout: Rollout, day: number): DayAdoption {
  const districts = scenario.city.districts
  const byDistrict = districts.map((district) => adoptionShare(rollout, district.id, day))
  let population = 0
  let adopters = 0
  let habitual = 0
  districts.forEach((district, index) => {
    const share = byDistrict[index] ?? 0
    population += district.population
    adopters += district.population * share
    habitual += district.population * share * habitShare(rollout, district.id, day)
  })
  const acceptanceByCategory = Object.fromEntries(
    Object.keys(scenario.merchants.categories).map((name) => [
      name,
      acceptanceShare(rollout, name, day),
    ]),
  )
  const merchantsAccepting = Object.entries(scenario.merchants.categories).reduce(
    (sum, [name, category]) => sum + category.share * (acceptanceByCategory[name] ?? 1),
    0,
  )
  return {
    merchantsAccepting,
    acceptanceByCategory,
    tierShares: upgradedTierShares(rollout, scenario.wallets.tiers, day),
    byDistrict,
    city: population > 0 ? adopters / population : 0,
    habit: adopters > 0 ? habitual / adopters : rollout.adoption.habitStart,
    habitByLevel: habitByLevel(
      rollout,
      districts.map((district) => district.id),
      day,
    ),
  }
}

/** The scenario of one sampled day. */
export function dayScenario(
  loaded: LoadedScenario,
  sampled: SampledDay,
  adoption: DayAdoption,
): LoadedScenario {
  const { scenario } = loaded
  const offset = /(Z|[+-]\d{2}:\d{2})$/.exec(scenario.period.from)?.[1] ?? 'Z'
  const next = new Date((sampled.day + 1) * 86_400_000).toISOString().slice(0, 10)
  const peak = scenario.calendar.peaks.find((one) => one.date === sampled.date)
  // Residents shop where they shop: a payment at a merchant not yet accepting e-CNY is made
  // another way, so retail follows the accepting share (a modelling assumption).
  const accepting = adoption.merchantsAccepting
  // Each adopter's habit thins their own payments (paysInEcny). The rates are scaled by the most
  // habitual adopter's habit and each adopter keeps a payment by their habit over it: the same
  // payments in expectation, without drawing the payments a young rollout would throw away.
  const habits = thinning(adoption.habitByLevel)
  const retailFactor = habits.most * accepting * (sampled.kind === 'peak' ? (peak?.retail ?? 1) : 1)
  const p2pFactor = habits.most * (sampled.kind === 'peak' ? (peak?.p2p ?? 1) : 1)
  const { payments } = scenario
  // The day runs flat out, on its own: the rollout and a load section are not its.
  const base: Scenario = { ...scenario }
  delete base.rollout
  delete base.load
  const day: Scenario = {
    ...base,
    name: `${scenario.name}, ${sampled.date}`,
    // The day's peak is in its factors above; the calendar's peaks would count it twice.
    calendar: { ...scenario.calendar, peaks: [] },
    period: { from: `${sampled.date}T00:00:00${offset}`, to: `${next}T00:00:00${offset}` },
    city: {
      ...scenario.city,
      districts: scenario.city.districts.map((district, index) => ({
        ...district,
        adoption: adoption.byDistrict[index] ?? 0,
      })),
    },
    merchants: acceptingMerchants(scenario, adoption),
    wallets: {
      ...scenario.wallets,
      tiers: scenario.wallets.tiers.map((tier, index) => ({
        ...tier,
        share: adoption.tierShares[index] ?? tier.share,
      })),
    },
    payments: {
      ...payments,
      retail: { ...payments.retail, perDay: payments.retail.perDay * retailFactor },
      transit: { ...payments.transit, perDay: payments.transit.perDay * habits.most },
      bill: { ...payments.bill, perDay: payments.bill.perDay * habits.most },
      p2p: { ...payments.p2p, perDay: payments.p2p.perDay * p2pFactor },
    },
  }
  return {
    ...loaded,
    scenario: day,
    ...(habits.byLevel === undefined ? {} : { habitByLevel: habits.byLevel }),
  }
}

/**
 * The habit table as the day's plan takes it: each habit over the largest, and the largest (by
 * which the rates of the kinds a habit thins are scaled). Without a table: every adopter pays all.
 */
export function thinning(habitByLevel: readonly number[] | undefined): {
  most: number
  byLevel: readonly number[] | undefined
} {
  if (habitByLevel === undefined) return { most: 1, byLevel: undefined }
  const most = habitByLevel.reduce((max, habit) => Math.max(max, habit), 0)
  if (most <= 0) return { most: 0, byLevel: habitByLevel }
  return { most, byLevel: habitByLevel.map((habit) => Math.min(1, habit / most)) }
}

/**
 * The scenario's merchants on the day: all of them, each category with the share accepting e-CNY
 * on the day (within a cell the largest accept first, so a merchant that accepts keeps accepting).
 */
function acceptingMerchants(scenario: Scenario, adoption: DayAdoption): Scenario['merchants'] {
  const { merchants } = scenario
  const categories = Object.fromEntries(
    Object.entries(merchants.categories).map(([name, category]) => [
      name,
      { ...category, accepting: adoption.acceptanceByCategory[name] ?? 1 },
    ]),
  )
  return { ...merchants, categories }
}
