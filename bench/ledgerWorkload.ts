/**
 * A city's day as a ledger sees it, built once and replayed on fresh ledgers: the accounts, the
 * opening (issuance, employer funding, first top-ups) and every payment of the day in the batches
 * a run submits (one or more per simulated minute), with ids numbered densely as a run does.
 * The evenings' institutional transfers are left out: they read balances between batches.
 */
import {
  generateChunk,
  generateOpening,
  segmentAgents,
  unpackIntents,
  type PackedIntents,
} from '../engine/behaviour/index.js'
import type { City } from '../engine/city/index.js'
import type { AccountBatch, TransferBatch } from '../engine/ledger/index.js'
import { copyBatch, joinBatches, sliceBatch } from '../engine/ledger/transferBatches.js'
import { ticksPerChunk, transferBatchMax } from '../engine/limits.js'
import {
  allocatePopulation,
  synthesizeMerchants,
  synthesizeResidents,
  viewPopulation,
} from '../engine/population/index.js'
import {
  accountBatch,
  institutionNeeds,
  openingTransfers,
} from '../engine/behaviour/institutions.js'
import { planRun, type Plan } from '../engine/run/index.js'
import { DeferredQueue } from '../engine/stream/deferredQueue.js'
import { TickBatch } from '../engine/stream/tickBatch.js'
import type { Scenario } from '../scenarios/index.js'

export interface LedgerWorkload {
  readonly plan: Plan
  readonly accounts: AccountBatch
  readonly opening: readonly TransferBatch[]
  readonly day: readonly TransferBatch[]
  readonly dayTransfers: number
}

export function ledgerWorkload(scenario: Scenario, city: City, residents: number): LedgerWorkload {
  const plan = planRun(scenario, city, { residents })
  const population = viewPopulation(allocatePopulation(plan.residents, plan.merchants))
  for (const segment of plan.segments) {
    synthesizeResidents(plan, population, segment)
    synthesizeMerchants(plan, city, population, segment)
  }
  const agents = plan.segments.map((segment) => segmentAgents(plan, population, segment))
  let nextId = 0
  const seal = (batch: TickBatch, minute: number, out: TransferBatch[]) => {
    for (let from = 0, to = 0; from < batch.count; from = to) {
      to = batch.chainSafeEnd(from, Math.min(batch.count, from + transferBatchMax))
      out.push(copyBatch(batch.seal(nextId, minute, from, to)))
      nextId += to - from
    }
  }

  const opening: TransferBatch[] = []
  const openingBatch = new TickBatch(1024)
  openingTransfers(plan, institutionNeeds(plan, population), openingBatch)
  agents.forEach((segment) => {
    const intents = unpackIntents(generateOpening(plan, population, segment))
    openingBatch.appendIntents(intents, 0, intents.count)
  })
  seal(openingBatch, plan.clock.startMinute, opening)

  const day: TransferBatch[] = []
  // Posts and voids of reservations, and visitors' purchases, go in the tick they were made for.
  const deferred = new DeferredQueue(plan.segments.length)
  const tickBatch = new TickBatch(transferBatchMax)
  for (let chunk = 0; chunk < plan.chunks; chunk++) {
    const segments: PackedIntents[] = plan.segments.map((segment, index) =>
      unpackIntents(
        generateChunk(
          plan,
          population,
          agents[index] ?? segmentAgents(plan, population, segment),
          segment,
          chunk,
        ),
      ),
    )
    deferred.add(segments)
    const ticks = segments[0]?.ticks ?? 0
    for (let tick = 0; tick < ticks; tick++) {
      tickBatch.reset()
      segments.forEach((intents, segment) => {
        tickBatch.appendIntents(
          intents,
          tick === 0 ? 0 : (intents.tickEnd[tick - 1] as number),
          intents.tickEnd[tick] as number,
        )
        deferred.appendDue(tickBatch, segment, chunk * ticksPerChunk + tick)
      })
      seal(tickBatch, plan.clock.startMinute + chunk * ticksPerChunk + tick, day)
    }
  }
  return {
    plan,
    accounts: accountBatch(plan, population),
    opening,
    day,
    dayTransfers: day.reduce((sum, batch) => sum + batch.count, 0),
  }
}

/** Transfers [from, to) of `batch`, as views (the bench never writes them). */
export const sliceOf = sliceBatch

/** One batch holding every transfer of `batches`, in order. */
export const flattened = joinBatches
