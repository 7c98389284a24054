/**
 * What a payment kind needs to turn a count into intents: the plan, the population columns,
 * this segment's eligible agents, the segment's random stream, and the time of day.
 */
import { assert } from '../assert.js'
import { cumulative, type Random } from '../random/index.js'
import type { Population } from '../population/index.js'
import { ResidentFlag } from '../population/index.js'
import type { Plan, Segment } from '../run/plan.js'

/** The agents of one segment each kind draws from, as lists of resident rows. */
export interface SegmentAgents {
  /** Residents who use e-CNY. */
  readonly adopted: Uint32Array
  /** Adopted residents who ride the metro. */
  readonly riders: Uint32Array
  /** Adopted, employed residents whose wallet can hold a salary (see `holdsSalary`). */
  readonly payees: Uint32Array
}

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

export function segmentAgents(plan: Plan, population: Population, segment: Segment): SegmentAgents {
  const adopted: number[] = []
  const riders: number[] = []
  const payees: number[] = []
  for (let resident = segment.residentStart; resident < segment.residentEnd; resident++) {
    const flags = population.flags[resident] as number
    if ((flags & ResidentFlag.adopted) === 0) continue
    adopted.push(resident)
    if ((flags & ResidentFlag.rider) !== 0) riders.push(resident)
    if ((flags & ResidentFlag.employed) !== 0 && holdsSalary(plan, population.tier[resident] as number)) payees.push(resident)
  }
  return { adopted: Uint32Array.from(adopted), riders: Uint32Array.from(riders), payees: Uint32Array.from(payees) }
}

/**
 * Employers pay salaries into wallets whose balance cap holds two median salaries; smaller
 * wallets are paid at the bank, outside e-CNY. (A cap of one salary would reject most paydays.)
 */
const salaryHeadroom = 2

export function holdsSalary(plan: Plan, tier: number): boolean {
  const limits = plan.tiers[tier]
  assert(limits !== undefined, 'every resident has a planned tier')
  return limits.balanceCapFen >= salaryHeadroom * plan.payments.payroll.amountFen
}

export function behaviourContext(plan: Plan, population: Population, agents: SegmentAgents, random: Random): BehaviourContext {
  return {
    plan,
    population,
    agents,
    random,
    jobs: cumulative(plan.districts.map((district) => district.jobs)),
    categories: cumulative(plan.categories.map((category) => category.share)),
    hour: 0,
    weekend: false,
  }
}

/** Whole fen, at least one, at most `maxFen`. */
export function wholeFen(amount: number, maxFen = 0xffff_ffff): number {
  return Math.min(maxFen, Math.max(1, Math.round(amount)))
}

/** A resident's usual district at this hour: at work on weekday working hours, else at home. */
export function whereIs(context: BehaviourContext, resident: number): number {
  const flags = context.population.flags[resident] as number
  const atWork = !context.weekend && context.hour >= 9 && context.hour < 18 && (flags & ResidentFlag.employed) !== 0
  return (atWork ? context.population.work[resident] : context.population.home[resident]) as number
}
