/** Bills: an adopted resident pays one of the city's utilities (power, water, gas, telecoms). */
import { TransferKind } from '../ledger/transferKind.js'
import type { BehaviourContext } from './behaviourContext.js'
import { Channel } from '../ledger/channel.js'
import { ownChannel, paysInEcny, wholeFen } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'

const billSpread = 0.5

export function bill(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, agents, random } = context
  const { utilityFirst, utilityCount, residentFirst } = plan.accounts
  for (let made = 0; made < count; made++) {
    const resident = agents.adopted[random.below(agents.adopted.length)] as number
    if (!paysInEcny(context, resident)) continue
    const utility = utilityFirst + random.below(utilityCount)
    out.push(
      residentFirst + resident,
      utility,
      wholeFen(random.logNormal(plan.payments.bill.amountFen, billSpread)),
      TransferKind.bill,
      ownChannel(context, resident, Channel.autoDebit),
    )
  }
}
