/**
 * Online shopping: an adopted resident buys from an online shop (the city's own, or one outside
 * it); the payment is held in escrow (a pending transfer) until the parcel is delivered a few days
 * later, then posted to the shop, or voided when it is returned. A delivery after the period's end
 * is not made: the escrow is still held when the run ends.
 */
import { Channel } from '../ledger/channel.js'
import { TransferFlag } from '../ledger/ledgerCore.js'
import { TransferKind } from '../ledger/transferKind.js'
import { minutesPerDay } from '../limits.js'
import type { BehaviourContext } from './behaviourContext.js'
import { nextPendingId, ownChannel, paysInEcny, wholeFen } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'

const ticketSpread = 0.9
/** Deliveries come in the working day: from 09:00 over ten hours. */
const deliveryFromMinute = 9 * 60
const deliveryWindowMinutes = 10 * 60
/** A returned parcel's escrow is voided this long after delivery. */
const returnAfterMinutes = 2 * minutesPerDay
/** An escrow outlives its settlement by a week: it never expires before it. */
const escrowMarginMinutes = 7 * minutesPerDay

export function online(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, agents, random } = context
  const shop = plan.services.online
  if (shop === undefined) return
  const { residentFirst, onlineFirst } = plan.accounts
  const [fewest, most] = shop.deliveryDays
  const minuteNow = context.minuteOfDay
  for (let made = 0; made < count; made++) {
    const resident = agents.adopted[random.below(agents.adopted.length)] as number
    if (!paysInEcny(context, resident)) continue
    const seller = onlineFirst + random.below(shop.shops)
    const amountFen = wholeFen(random.logNormal(shop.ticketFen, ticketSpread))
    const days = fewest + random.below(most - fewest + 1)
    const returned = random.float() < shop.returnShare
    // Delivered within the working day `days` days on (the same day only if that is still ahead).
    const deliveredAt = Math.max(
      context.tick + 1,
      context.tick -
        minuteNow +
        days * minutesPerDay +
        deliveryFromMinute +
        random.below(deliveryWindowMinutes),
    )
    const settleAt = returned ? deliveredAt + returnAfterMinutes : deliveredAt
    const id = nextPendingId(context)
    const payer = residentFirst + resident
    const channel = ownChannel(context, resident, Channel.online)
    out.pushSpecial(payer, seller, amountFen, TransferKind.online, channel, {
      flags: TransferFlag.pending,
      id,
      pendingId: 0,
      timeoutMinutes: settleAt - context.tick + escrowMarginMinutes,
      heldFen: 0,
    })
    if (settleAt >= plan.clock.ticks) continue
    out.defer(
      settleAt,
      {
        debit: payer,
        credit: seller,
        amountFen: returned ? 0 : amountFen,
        kind: TransferKind.online,
        channel,
        detail: 0,
      },
      {
        flags: returned ? TransferFlag.voidPending : TransferFlag.postPending,
        id: -1,
        pendingId: id,
        timeoutMinutes: 0,
        heldFen: amountFen,
      },
    )
  }
}
