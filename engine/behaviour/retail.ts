/**
 * Retail P2M: an adopted resident pays a merchant near where they are, a ticket typical of its
 * category.
 */
import { TransferKind } from '../ledger/transferKind.js'
import type { BehaviourContext } from './behaviourContext.js'
import { wholeFen, whereIs } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'

const ticketSpread = 0.7

export function retail(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, agents, random } = context
  const { merchantFirst, residentFirst } = plan.accounts
  const categoryCount = plan.categories.length
  for (let made = 0; made < count; made++) {
    const resident = agents.adopted[random.below(agents.adopted.length)] as number
    const district = whereIs(context, resident)
    const category = random.pick(context.categories)
    const cell = district * categoryCount + category
    const first = plan.merchantCellStart[cell] as number
    const end = plan.merchantCellStart[cell + 1] as number
    const merchant = first + random.below(end - first)
    const ticketFen = (plan.categories[category] as (typeof plan.categories)[number]).ticketFen
    out.push(
      residentFirst + resident,
      merchantFirst + merchant,
      wholeFen(random.logNormal(ticketFen, ticketSpread)),
      TransferKind.retail,
    )
  }
}
