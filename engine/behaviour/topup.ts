/**
 * Top-ups: an adopted resident turns bank deposits into e-CNY; their operating bank pays the
 * wallet.
 */
import { TransferKind } from '../ledger/transferKind.js'
import type { BehaviourContext } from './behaviourContext.js'
import { Channel } from '../ledger/channel.js'
import { ownChannel, wholeFen } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'

const topupSpread = 0.5

export function topup(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, agents, random, population } = context
  const { bankFirst, residentFirst } = plan.accounts
  for (let made = 0; made < count; made++) {
    const resident = agents.adopted[random.below(agents.adopted.length)] as number
    const bank = bankFirst + (population.bank[resident] as number)
    out.push(
      bank,
      residentFirst + resident,
      wholeFen(random.logNormal(plan.payments.topup.amountFen, topupSpread)),
      TransferKind.topup,
      ownChannel(context, resident, Channel.credit),
    )
  }
}

/** The opening top-up of every adopted wallet, before the first tick. Draws nothing at random. */
export function openingTopups(context: BehaviourContext, out: IntentBuffer): void {
  const { plan, agents, population } = context
  const { bankFirst, residentFirst } = plan.accounts
  for (const resident of agents.adopted) {
    const tier = plan.tiers[population.tier[resident] as number]
    if (tier === undefined || tier.initialBalanceFen === 0) continue
    out.push(
      bankFirst + (population.bank[resident] as number),
      residentFirst + resident,
      tier.initialBalanceFen,
      TransferKind.topup,
      ownChannel(context, resident, Channel.credit),
    )
  }
}
