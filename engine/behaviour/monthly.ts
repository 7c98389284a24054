/**
 * Monthly flows: the treasury's grants (G2P: pensions, allowances, subsidies), the levies it
 * collects (P2G: taxes, fees, fines) and the households' bills by payee. On each day of a flow's
 * window, draws are made at its rate per adopted resident; a resident drawn is kept when they
 * belong to its group (services.ts says why this gives each member their month's payment).
 */
import { Channel, institutionChannel } from '../ledger/channel.js'
import { TransferKind } from '../ledger/transferKind.js'
import { ResidentTrait } from '../population/index.js'
import type { MonthlyFlow } from '../plan/services.js'
import type { BehaviourContext } from './behaviourContext.js'
import { ownChannel, paysInEcny, wholeFen } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'

const levySpread = 0.6
const billSpread = 0.4
/**
 * A grant goes only to a wallet whose cap holds twice it; others are paid at the bank, outside
 * e-CNY (as salaries are: segmentAgents.ts).
 */
const grantHeadroom = 2

export function monthly(
  context: BehaviourContext,
  flow: MonthlyFlow,
  count: number,
  out: IntentBuffer,
): void {
  const { plan, agents, random, population } = context
  const { residentFirst, treasury, utilityFirst } = plan.accounts
  for (let made = 0; made < count; made++) {
    const resident = agents.adopted[random.below(agents.adopted.length)] as number
    const traits = population.traits[resident] as number
    const age = traits & ResidentTrait.ageMask
    const income = (traits & ResidentTrait.incomeMask) >> ResidentTrait.incomeShift
    if ((flow.ageMask & (1 << age)) === 0 || (flow.incomeMask & (1 << income)) === 0) continue
    // Levies (taxes, fees, fines) are paid by adults; without the people section, by anyone.
    if (flow.kind === 'tax' && context.plan.people !== undefined && age === 0) continue
    if (!paysInEcny(context, resident)) continue
    const wallet = residentFirst + resident
    if (flow.kind === 'welfare') {
      const cap = plan.tiers[population.tier[resident] as number]?.balanceCapFen ?? 0
      if (cap > 0 && cap < grantHeadroom * flow.amountFen) continue
      out.push(treasury, wallet, flow.amountFen, TransferKind.welfare, institutionChannel)
    } else if (flow.kind === 'tax') {
      const amountFen = wholeFen(random.logNormal(flow.amountFen, levySpread))
      out.push(
        wallet,
        treasury,
        amountFen,
        TransferKind.tax,
        ownChannel(context, resident, Channel.online),
      )
    } else {
      const factor = plan.people === undefined ? 1 : (flow.incomeFactor[income] as number)
      const median = flow.amountFen * factor
      out.push(
        wallet,
        utilityFirst + flow.payee,
        wholeFen(random.logNormal(median, billSpread)),
        TransferKind.bill,
        ownChannel(context, resident, Channel.autoDebit),
      )
    }
  }
}
