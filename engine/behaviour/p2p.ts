/**
 * P2P: an adopted resident sends money to another adopted resident anywhere in the city.
 * Amounts spread widely, so some run into the sender's wallet limits.
 */
import { drawAttemptsMax } from '../limits.js'
import { TransferKind } from '../ledger/transferKind.js'
import { ResidentFlag } from '../population/index.js'
import type { BehaviourContext } from './behaviourContext.js'
import { Channel } from '../ledger/channel.js'
import { ownChannel, paysInEcny, wholeFen } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'

const p2pSpread = 1.0

export function p2p(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, agents, random, population } = context
  const { residentFirst } = plan.accounts
  for (let made = 0; made < count; made++) {
    const payer = agents.adopted[random.below(agents.adopted.length)] as number
    if (!paysInEcny(context, payer)) continue
    let payee = -1
    for (let attempt = 0; attempt < drawAttemptsMax && payee < 0; attempt++) {
      const candidate = random.below(population.residents)
      if (
        candidate !== payer &&
        ((population.flags[candidate] as number) & ResidentFlag.adopted) !== 0
      )
        payee = candidate
    }
    // Adoption so low that no payee turned up: send to a neighbour in the same segment instead.
    if (payee < 0) payee = agents.adopted[random.below(agents.adopted.length)] as number
    if (payee === payer) continue
    out.push(
      residentFirst + payer,
      residentFirst + payee,
      wholeFen(random.logNormal(plan.payments.p2p.amountFen, p2pSpread)),
      TransferKind.p2p,
      ownChannel(context, payer, Channel.credit),
    )
  }
}
