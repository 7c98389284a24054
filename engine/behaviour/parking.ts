/**
 * Parking and tolls, without interaction (无感支付): at entry the operator reserves the most a
 * session may cost (a pending transfer); at exit it posts what the session cost, or voids the
 * reservation when the stay was free. The exit is made now, for its later tick; an exit after the
 * period's end is not made, and the reservation is still held when the run ends.
 */
import { Channel } from '../ledger/channel.js'
import { TransferFlag } from '../ledger/ledgerCore.js'
import { TransferKind } from '../ledger/transferKind.js'
import { minutesPerDay } from '../limits.js'
import type { BehaviourContext } from './behaviourContext.js'
import { nextPendingId, ownChannel, paysInEcny } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'

export function parking(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, agents, random } = context
  const session = plan.services.parking
  if (session === undefined) return
  const { residentFirst } = plan.accounts
  const operator = plan.accounts.parking
  for (let made = 0; made < count; made++) {
    const resident = agents.adopted[random.below(agents.adopted.length)] as number
    if (!paysInEcny(context, resident)) continue
    const minutes = Math.max(1, Math.ceil(-Math.log(1 - random.float()) * session.meanMinutes))
    const costFen =
      minutes <= session.freeMinutes
        ? 0
        : Math.min(session.holdFen, Math.ceil(minutes / 60) * session.hourlyFen)
    const id = nextPendingId(context)
    const payer = residentFirst + resident
    const channel = ownChannel(context, resident, Channel.autoDebit)
    // The reservation outlives its exit by a day: it never expires before it is settled.
    out.pushSpecial(payer, operator, session.holdFen, TransferKind.parking, channel, {
      flags: TransferFlag.pending,
      id,
      pendingId: 0,
      timeoutMinutes: minutes + minutesPerDay,
      heldFen: 0,
    })
    const exit = context.tick + minutes
    if (exit >= plan.clock.ticks) continue
    const transfer = {
      debit: payer,
      credit: operator,
      amountFen: costFen,
      kind: TransferKind.parking,
    }
    out.defer(
      exit,
      { ...transfer, channel, detail: 0 },
      {
        flags: costFen === 0 ? TransferFlag.voidPending : TransferFlag.postPending,
        id: -1,
        pendingId: id,
        timeoutMinutes: 0,
        heldFen: session.holdFen,
      },
    )
  }
}
