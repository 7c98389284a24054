/**
 * Transit fares: an adopted rider taps out and pays the operator the fare for the trip's length.
 * Weekday commute hours run between home and work; other trips go where the jobs and shops are.
 */
import { TransferKind } from '../ledger/transferKind.js'
import { ResidentFlag } from '../population/index.js'
import { Channel } from '../ledger/channel.js'
import { ownChannel, paysInEcny, type BehaviourContext } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'

export function transit(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, agents, random, population } = context
  const districtCount = plan.districts.length
  const commuting =
    !context.weekend &&
    ((context.hour >= 6 && context.hour < 10) || (context.hour >= 16 && context.hour < 20))
  for (let made = 0; made < count; made++) {
    const resident = agents.riders[random.below(agents.riders.length)] as number
    if (!paysInEcny(context, resident)) continue
    const home = population.home[resident] as number
    const employed = ((population.flags[resident] as number) & ResidentFlag.employed) !== 0
    const destination =
      commuting && employed ? (population.work[resident] as number) : random.pick(context.jobs)
    const fareFen = plan.fareFen[home * districtCount + destination] as number
    out.push(
      plan.accounts.residentFirst + resident,
      plan.accounts.transit,
      fareFen,
      TransferKind.transit,
      ownChannel(context, resident, Channel.gate),
    )
  }
}
