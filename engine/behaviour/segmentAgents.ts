/**
 * Who each payment kind draws from, per segment: lists of resident rows, built once after
 * synthesis into SharedArrayBuffers that every worker reads. Segment s's adopted residents are
 * adopted[adoptedStart[s] .. adoptedStart[s + 1]), and likewise for the other lists.
 */
import { assert } from '../assert.js'
import { ResidentFlag, type Population } from '../population/index.js'
import type { Plan, Segment } from '../plan/plan.js'

/** The agents of one segment each kind draws from. */
export interface SegmentAgents {
  /** Residents who use e-CNY. */
  readonly adopted: Uint32Array
  /** Adopted residents who ride the metro. */
  readonly riders: Uint32Array
  /** Adopted, employed residents whose wallet can hold a salary (see `holdsSalary`). */
  readonly payees: Uint32Array
}

export interface AgentCounts {
  readonly adopted: number
  readonly riders: number
  readonly payees: number
}

export interface AgentIndexBuffers {
  readonly adopted: SharedArrayBuffer
  readonly riders: SharedArrayBuffer
  readonly payees: SharedArrayBuffer
  readonly adoptedStart: readonly number[]
  readonly ridersStart: readonly number[]
  readonly payeesStart: readonly number[]
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

/** Calls `visit` with each eligible resident of the segment: 1 adopted, 2 rider, 4 payee (bits). */
function eachEligible(
  plan: Plan,
  population: Population,
  segment: Segment,
  visit: (resident: number, lists: number) => void,
): void {
  for (let resident = segment.residentStart; resident < segment.residentEnd; resident++) {
    const flags = population.flags[resident] as number
    if ((flags & ResidentFlag.adopted) === 0) continue
    let lists = 1
    if ((flags & ResidentFlag.rider) !== 0) lists |= 2
    if (
      (flags & ResidentFlag.employed) !== 0 &&
      holdsSalary(plan, population.tier[resident] as number)
    )
      lists |= 4
    visit(resident, lists)
  }
}

export function countSegmentAgents(
  plan: Plan,
  population: Population,
  segment: Segment,
): AgentCounts {
  let adopted = 0
  let riders = 0
  let payees = 0
  eachEligible(plan, population, segment, (_, lists) => {
    adopted += 1
    if ((lists & 2) !== 0) riders += 1
    if ((lists & 4) !== 0) payees += 1
  })
  return { adopted, riders, payees }
}

export function allocateAgentIndex(counts: readonly AgentCounts[]): AgentIndexBuffers {
  const starts = (pick: (count: AgentCounts) => number) => {
    const out = [0]
    for (const count of counts) out.push((out[out.length - 1] as number) + pick(count))
    return out
  }
  const adoptedStart = starts((count) => count.adopted)
  const ridersStart = starts((count) => count.riders)
  const payeesStart = starts((count) => count.payees)
  const bytes = (start: number[]) => new SharedArrayBuffer((start[start.length - 1] as number) * 4)
  return {
    adopted: bytes(adoptedStart),
    riders: bytes(ridersStart),
    payees: bytes(payeesStart),
    adoptedStart,
    ridersStart,
    payeesStart,
  }
}

/** Views of one segment's lists; no copy. */
export function viewSegmentAgents(index: AgentIndexBuffers, segment: number): SegmentAgents {
  const view = (buffer: SharedArrayBuffer, start: readonly number[]) => {
    const from = start[segment]
    const to = start[segment + 1]
    assert(from !== undefined && to !== undefined, 'the segment is in the index')
    return new Uint32Array(buffer, from * 4, to - from)
  }
  return {
    adopted: view(index.adopted, index.adoptedStart),
    riders: view(index.riders, index.ridersStart),
    payees: view(index.payees, index.payeesStart),
  }
}

/** Writes the segment's lists into its slices of the shared index. */
export function fillSegmentAgents(
  plan: Plan,
  population: Population,
  segment: Segment,
  index: AgentIndexBuffers,
): SegmentAgents {
  const agents = viewSegmentAgents(index, segment.index)
  let adopted = 0
  let riders = 0
  let payees = 0
  eachEligible(plan, population, segment, (resident, lists) => {
    agents.adopted[adopted++] = resident
    if ((lists & 2) !== 0) agents.riders[riders++] = resident
    if ((lists & 4) !== 0) agents.payees[payees++] = resident
  })
  assert(
    adopted === agents.adopted.length &&
      riders === agents.riders.length &&
      payees === agents.payees.length,
    'the counts match the lists',
  )
  return agents
}

/** One segment's lists in memory of their own, for tools and tests that work outside a run. */
export function segmentAgents(plan: Plan, population: Population, segment: Segment): SegmentAgents {
  const counts = plan.segments.map((other) =>
    other.index === segment.index
      ? countSegmentAgents(plan, population, segment)
      : { adopted: 0, riders: 0, payees: 0 },
  )
  return fillSegmentAgents(plan, population, segment, allocateAgentIndex(counts))
}
