/**
 * Cross-border visitors: each arrives through a port, tops up a wallet of the anonymous tier from
 * a foreign card (the bank that takes the cards pays it, at the scenario's rate), pays at merchants
 * near the port or in the centre over their stay, and leaves. A visitor's payments are made now,
 * for the ticks of their stay (deferred); those after the period's end are not made. A visitor's
 * wallet is the next of the segment and chunk's block (PlannedVisitors).
 */
import { Channel, Provider, channelByte } from '../ledger/channel.js'
import { TransferKind } from '../ledger/transferKind.js'
import type { BehaviourContext } from './behaviourContext.js'
import { wholeFen } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'
import { merchantOfCell } from './retail.js'

const ticketSpread = 0.8
const plain = { flags: 0, id: -1, pendingId: 0, timeoutMinutes: 0, heldFen: 0 }
/** Visitors pay with the e-CNY app, by QR; their top-up is paid in by the bank. */
const visitorChannel = channelByte(Channel.qr, Provider.ecnyApp)
const topupChannel = channelByte(Channel.credit, Provider.ecnyApp)

/** Arrivals by local hour: the land ports' day, busiest from late morning to the evening. */
export const arrivalsByHour = [
  0, 0, 0, 0, 0, 0.5, 2, 4, 6, 7, 7, 6, 6, 6, 6, 6, 6, 6, 5, 4, 3, 2, 1, 0.5,
]

export function visitors(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, random } = context
  const guests = plan.visitors
  if (guests === undefined) return
  const { bankFirst, visitorFirst, merchantFirst } = plan.accounts
  const block = context.visitorBlock
  const categoryCount = plan.categories.length
  for (let made = 0; made < count; made++) {
    if (context.visitorsTaken >= guests.blockSize) return
    const wallet = visitorFirst + block * guests.blockSize + context.visitorsTaken++
    const port = guests.portDistrict[random.pick(guests.portCumulative)] as number
    out.push(bankFirst + guests.bank, wallet, guests.topupFen, TransferKind.topup, topupChannel)
    for (let payment = 0; payment < guests.paymentsPerVisit; payment++) {
      const at = context.tick + 1 + random.below(guests.stayMinutes)
      if (at >= plan.clock.ticks) continue
      const inCentre = guests.centre.length > 0 && random.float() < guests.centreShare
      const district = inCentre
        ? (guests.centre[random.below(guests.centre.length)] as number)
        : port
      const category = random.pick(context.categories)
      const cell = district * categoryCount + category
      if (plan.merchantCells.accepting[cell] === 0) continue
      const merchant =
        merchantFirst + (plan.merchantCellStart[cell] as number) + merchantOfCell(context, cell)
      const ticketFen = (plan.categories[category] as (typeof plan.categories)[number]).ticketFen
      const amountFen = wholeFen(random.logNormal(ticketFen, ticketSpread))
      out.defer(
        at,
        {
          debit: wallet,
          credit: merchant,
          amountFen,
          kind: TransferKind.retail,
          channel: visitorChannel,
          detail: 0,
        },
        plain,
      )
    }
  }
}
