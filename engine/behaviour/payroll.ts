/** Payroll (B2P): the employers of a resident's work district pay a salary into their wallet. */
import { institutionChannel } from '../ledger/channel.js'
import { TransferKind } from '../ledger/transferKind.js'
import type { BehaviourContext } from './behaviourContext.js'
import { wholeFen } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'

const salarySpread = 0.35

export function payroll(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, agents, random, population } = context
  const { employerFirst, residentFirst } = plan.accounts
  for (let made = 0; made < count; made++) {
    const resident = agents.payees[random.below(agents.payees.length)] as number
    const employer = employerFirst + (population.work[resident] as number)
    const salaryFen = wholeFen(random.logNormal(plan.payments.payroll.amountFen, salarySpread))
    out.push(
      employer,
      residentFirst + resident,
      salaryFen,
      TransferKind.payroll,
      institutionChannel,
    )
  }
}
