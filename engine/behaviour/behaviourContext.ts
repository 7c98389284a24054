/**
 * What a payment kind needs to turn a count into intents: the plan, the population columns,
 * this segment's eligible agents, the segment's random stream, and the time of day.
 */
import { cumulative, type Random } from '../random/index.js'
import { adoptionLevels, ResidentFlag, type Population } from '../population/index.js'
import type { Plan } from '../plan/plan.js'
import type { SegmentAgents } from './segmentAgents.js'

export interface BehaviourContext {
  readonly plan: Plan
  readonly population: Population
  readonly agents: SegmentAgents
  readonly random: Random
  /** Cumulative job weights by district, for trips and workplaces. */
  readonly jobs: Float64Array
  /** Cumulative merchant category shares. */
  readonly categories: Float64Array
  /** Local hour 0..23 of the tick being generated. */
  hour: number
  weekend: boolean
}

export function behaviourContext(
  plan: Plan,
  population: Population,
  agents: SegmentAgents,
  random: Random,
): BehaviourContext {
  return {
    plan,
    population,
    agents,
    random,
    jobs: cumulative(plan.districts.map((district) => district.jobs)),
    // Residents pay e-CNY only where it is accepted: each category in its accepting share.
    categories: cumulative(plan.categories.map((category) => category.share * category.accepting)),
    hour: 0,
    weekend: false,
  }
}

/**
 * Whether a payment the resident would make is made in e-CNY, by their habit on a rollout's day
 * (their share of their own payments made in e-CNY, growing with the time since they adopted).
 * Outside a rollout every adopter pays all their payments in e-CNY, and no draw is made.
 */
export function paysInEcny(context: BehaviourContext, resident: number): boolean {
  const habits = context.plan.habitByLevel
  if (habits === undefined) return true
  const { home, adoptedAt } = context.population
  const habit =
    habits[(home[resident] as number) * adoptionLevels + (adoptedAt[resident] as number)]
  return habit === undefined || habit >= 1 || context.random.float() < habit
}

/** Whole fen, at least one, at most `maxFen`. */
export function wholeFen(amount: number, maxFen = 0xffff_ffff): number {
  return Math.min(maxFen, Math.max(1, Math.round(amount)))
}

/** Whether a resident is at work at this hour: employed, on weekday working hours. */
export function isAtWork(context: BehaviourContext, resident: number): boolean {
  const flags = context.population.flags[resident] as number
  return (
    !context.weekend &&
    context.hour >= 9 &&
    context.hour < 18 &&
    (flags & ResidentFlag.employed) !== 0
  )
}

/** A resident's usual district at this hour: at work on weekday working hours, else at home. */
export function whereIs(context: BehaviourContext, resident: number): number {
  const { work, home } = context.population
  return (isAtWork(context, resident) ? work[resident] : home[resident]) as number
}
