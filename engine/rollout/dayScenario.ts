/**
 * One simulated day of a rollout as a scenario of its own: the base scenario's city on that date,
 * each district's wallet share read off its adoption curve, and the day's payment rates scaled by
 * the adopters' habit and by the calendar's peak, if the day is one.
 */
import type { LoadedScenario } from '../../scenarios/loader.js'
import type { Rollout } from '../../scenarios/rolloutSchema.js'
import type { Scenario } from '../../scenarios/schema.js'
import { adoptionShare, habitShare } from './adoption.js'
import type { SampledDay } from './days.js'

export interface DayAdoption {
  /** Each district's share of residents holding a wallet, in the scenario's order. */
  readonly byDistrict: readonly number[]
  /** The whole city's share, weighted by population. */
  readonly city: number
  /** The adopters' mean share of their own payments made in e-CNY. */
  readonly habit: number
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
  return {
    byDistrict,
    city: population > 0 ? adopters / population : 0,
    habit: adopters > 0 ? habitual / adopters : rollout.adoption.habitStart,
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
  const peak = scenario.calendar?.peaks.find((one) => one.date === sampled.date)
  const retailFactor = adoption.habit * (sampled.kind === 'peak' ? (peak?.retail ?? 1) : 1)
  const p2pFactor = adoption.habit * (sampled.kind === 'peak' ? (peak?.p2p ?? 1) : 1)
  const { payments } = scenario
  // The day runs flat out, on its own: the rollout and a load section are not its.
  const base: Scenario = { ...scenario }
  delete base.rollout
  delete base.load
  const day: Scenario = {
    ...base,
    name: `${scenario.name}, ${sampled.date}`,
    period: { from: `${sampled.date}T00:00:00${offset}`, to: `${next}T00:00:00${offset}` },
    city: {
      ...scenario.city,
      districts: scenario.city.districts.map((district, index) => ({
        ...district,
        adoption: adoption.byDistrict[index] ?? 0,
      })),
    },
    payments: {
      ...payments,
      retail: { ...payments.retail, perDay: payments.retail.perDay * retailFactor },
      transit: { ...payments.transit, perDay: payments.transit.perDay * adoption.habit },
      bill: { ...payments.bill, perDay: payments.bill.perDay * adoption.habit },
      p2p: { ...payments.p2p, perDay: payments.p2p.perDay * p2pFactor },
    },
  }
  return { ...loaded, scenario: day }
}
