/**
 * Retail P2M: an adopted resident pays a merchant near where they are, a ticket typical of its
 * category. The merchant is one of those of the cell accepting e-CNY (the largest first), each
 * drawing payments by its size's weight.
 */
import { TransferKind } from '../ledger/transferKind.js'
import type { BehaviourContext } from './behaviourContext.js'
import { merchantChannel, paysInEcny, wholeFen, whereIs } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'

const ticketSpread = 0.7

export function retail(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, agents, random } = context
  const { merchantFirst, residentFirst } = plan.accounts
  const categoryCount = plan.categories.length
  // No category accepting e-CNY: nowhere to pay (a rollout's day sets its rate to 0 then).
  if ((context.categories[categoryCount - 1] as number) <= 0) return
  for (let made = 0; made < count; made++) {
    const resident = agents.adopted[random.below(agents.adopted.length)] as number
    if (!paysInEcny(context, resident)) continue
    const district = whereIs(context, resident)
    const category = random.pick(context.categories)
    const channel = merchantChannel(context, resident, plan.channels.accept[category] as number)
    // A card where no terminal takes a tap: paid some other way, not in e-CNY.
    if (channel < 0) continue
    const cell = district * categoryCount + category
    const merchant = (plan.merchantCellStart[cell] as number) + merchantOfCell(context, cell)
    const ticketFen = (plan.categories[category] as (typeof plan.categories)[number]).ticketFen
    out.push(
      residentFirst + resident,
      merchantFirst + merchant,
      wholeFen(random.logNormal(ticketFen, ticketSpread)),
      TransferKind.retail,
      channel,
    )
  }
}

/**
 * A merchant of the cell accepting e-CNY, as an offset within the cell: a size drawn by the
 * weights of its accepting merchants (the plan's cumulative weights), then one of them.
 */
export function merchantOfCell(context: BehaviourContext, cell: number): number {
  const { sizes, sizeStart, acceptingEnd, acceptingWeight } = context.plan.merchantCells
  const base = cell * sizes.length
  const target = context.random.float() * (acceptingWeight[base + sizes.length - 1] as number)
  let size = 0
  while (size + 1 < sizes.length && (acceptingWeight[base + size] as number) <= target) size += 1
  const start = sizeStart[base + size] as number
  return start + context.random.below((acceptingEnd[base + size] as number) - start)
}
