/**
 * Transit fares: an adopted rider pays the transit operator for a trip. Weekday commute hours run
 * between home and work (to work in the morning, home in the evening); other trips go from where
 * the rider is to where the jobs and shops are.
 *
 * With the city's real metro (plan.metro) a trip is a bus ride at the flat bus fare (busShare of
 * them), or a metro ride from the rider's station to a station of the destination district, at
 * the fare the table gives for that pair. Without it, the fare is the district network's, from
 * the home district to the destination district.
 */
import { TransferKind } from '../ledger/transferKind.js'
import { usualStation, UsualPlace, type PlannedMetro } from '../plan/metroPlan.js'
import { ResidentFlag } from '../population/index.js'
import { Channel } from '../ledger/channel.js'
import { isAtWork, ownChannel, paysInEcny, type BehaviourContext } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'

export function transit(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const metro = context.plan.metro
  if (metro === undefined) transitByDistrict(context, count, out)
  else transitByStation(context, metro, count, out)
}

/** Weekday commute hours, morning and evening. */
function commuteHour(context: BehaviourContext): 'morning' | 'evening' | null {
  if (context.weekend) return null
  if (context.hour >= 6 && context.hour < 10) return 'morning'
  return context.hour >= 16 && context.hour < 20 ? 'evening' : null
}

/** The district network: a fare by district pair, from home. */
function transitByDistrict(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, agents, random, population } = context
  const districtCount = plan.districts.length
  const commuting = commuteHour(context) !== null
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

/** The real metro: a bus at its flat fare, or a ride between two stations at the table's fare. */
function transitByStation(
  context: BehaviourContext,
  metro: PlannedMetro,
  count: number,
  out: IntentBuffer,
): void {
  const { plan, agents, random } = context
  const commute = commuteHour(context)
  for (let made = 0; made < count; made++) {
    const resident = agents.riders[random.below(agents.riders.length)] as number
    if (!paysInEcny(context, resident)) continue
    const byBus = metro.busShare > 0 && random.float() < metro.busShare
    out.push(
      plan.accounts.residentFirst + resident,
      plan.accounts.transit,
      byBus ? metro.busFareFen : metroFareFen(context, metro, commute, resident),
      TransferKind.transit,
      ownChannel(context, resident, Channel.gate),
    )
  }
}

/**
 * A metro ride's fare: a commuter between their home and work stations, anyone else from the
 * station where they are (at home or at work) to one in a district drawn by job weight.
 */
function metroFareFen(
  context: BehaviourContext,
  metro: PlannedMetro,
  commute: 'morning' | 'evening' | null,
  resident: number,
): number {
  const { population, plan } = context
  const home = population.home[resident] as number
  const work = population.work[resident] as number
  const employed = ((population.flags[resident] as number) & ResidentFlag.employed) !== 0
  let from: number
  let to: number
  if (commute !== null && employed) {
    const homeStation = usualStation(metro, plan.seed, resident, home, UsualPlace.home)
    const workStation = usualStation(metro, plan.seed, resident, work, UsualPlace.work)
    from = commute === 'morning' ? homeStation : workStation
    to = commute === 'morning' ? workStation : homeStation
  } else {
    from = isAtWork(context, resident)
      ? usualStation(metro, plan.seed, resident, work, UsualPlace.work)
      : usualStation(metro, plan.seed, resident, home, UsualPlace.home)
    to = stationIn(context, metro, context.random.pick(context.jobs))
  }
  return metro.fareFen[from * metro.stations + to] as number
}

/** One of the district's stations, drawn evenly: where a trip into the district ends. */
function stationIn(context: BehaviourContext, metro: PlannedMetro, district: number): number {
  const start = metro.districtStationStart[district] as number
  const count = (metro.districtStationStart[district + 1] as number) - start
  return metro.districtStations[start + context.random.below(count)] as number
}
