/**
 * Retail P2M: an adopted resident pays a merchant near where they are, a ticket typical of its
 * category. The merchant is one of those of the cell accepting e-CNY (the largest first), each
 * drawing payments by its size's weight.
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
  // No category accepting e-CNY: nowhere to pay (a rollout's day sets its rate to 0 then).
  if ((context.categories[categoryCount - 1] as number) <= 0) return
  const weights = new Float64Array(plan.merchantCells.sizes.length)
  for (let made = 0; made < count; made++) {
    const resident = agents.adopted[random.below(agents.adopted.length)] as number
    const district = whereIs(context, resident)
    const category = random.pick(context.categories)
    const cell = district * categoryCount + category
    const merchant =
      (plan.merchantCellStart[cell] as number) + merchantOfCell(context, cell, weights)
    const ticketFen = (plan.categories[category] as (typeof plan.categories)[number]).ticketFen
    out.push(
      residentFirst + resident,
      merchantFirst + merchant,
      wholeFen(random.logNormal(ticketFen, ticketSpread)),
      TransferKind.retail,
    )
  }
}

/**
 * A merchant of the cell accepting e-CNY, as an offset within the cell: a size drawn by the
 * weights of its accepting merchants, then one of them.
 */
function merchantOfCell(context: BehaviourContext, cell: number, weights: Float64Array): number {
  const { plan, random } = context
  const { sizes, sizeStart, accepting } = plan.merchantCells
  const sizeCount = sizes.length
  const cellSize =
    (plan.merchantCellStart[cell + 1] as number) - (plan.merchantCellStart[cell] as number)
  const open = accepting[cell] as number
  let total = 0
  for (let size = 0; size < sizeCount; size++) {
    const start = sizeStart[cell * sizeCount + size] as number
    const end = size + 1 < sizeCount ? (sizeStart[cell * sizeCount + size + 1] as number) : cellSize
    const inSize = Math.max(0, Math.min(end, open) - start)
    total += inSize * (sizes[size] as (typeof sizes)[number]).weight
    weights[size] = total
  }
  const size = random.pick(weights)
  const start = sizeStart[cell * sizeCount + size] as number
  const end = size + 1 < sizeCount ? (sizeStart[cell * sizeCount + size + 1] as number) : cellSize
  return start + random.below(Math.min(end, open) - start)
}
