/**
 * Before the clock starts: the central bank's issuance and the employers' funding, then every
 * wallet's opening top-up, segment by segment, through the institutions' side of the counting
 * ledger.
 */
import { unpackIntents, type AgentIndexBuffers } from '../behaviour/index.js'
import { openingTransfers, type InstitutionNeeds } from '../behaviour/institutions.js'
import type { LedgerCore } from '../ledger/index.js'
import type { Plan } from '../plan/index.js'
import type { SimPool } from '../stream/simPool.js'
import { TickBatch } from '../stream/tickBatch.js'
import type { TransferIds } from '../stream/transferIds.js'
import { sendBatch } from './evening.js'

export async function sendOpening(
  plan: Plan,
  needs: InstitutionNeeds,
  pool: SimPool,
  index: AgentIndexBuffers,
  ledger: LedgerCore,
  ids: TransferIds,
): Promise<void> {
  const segments = await Promise.all(
    plan.segments.map((segment) => pool.open(segment.index, index).then(unpackIntents)),
  )
  // A batch of its own: the opening is far bigger than any tick, and its memory goes once it is
  // done.
  const opening = new TickBatch(segments.reduce((sum, intents) => sum + intents.count, 0) + 1024)
  openingTransfers(plan, needs, opening)
  for (const intents of segments) opening.appendIntents(intents, 0, intents.count)
  await sendBatch(ledger, ids, opening, plan.clock.startMinute)
}
