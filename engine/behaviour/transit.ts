/**
 * Transit fares: an adopted rider pays the transit operator for a trip. Weekday commute hours run
 * between home and work (to work in the morning, home in the evening); other trips go from where
 * the rider is to where the jobs and shops are.
 *
 * With the city's real metro (plan.metro) a trip is a bus ride at the flat bus fare (busShare of
 * them), or a metro ride from the rider's station to a station of the destination district: it
 * taps in now and out the ride's minutes later, and the fare the table gives for that pair is
 * charged at the tap-out, as the cities' e-CNY gates do (ride first, pay at the exit). Without it,
 * the fare is the district network's, from the home district to the destination district.
 */
import { TransferKind } from '../ledger/transferKind.js'
import { usualStation, UsualPlace, type PlannedMetro } from '../plan/metroPlan.js'
import { ResidentFlag } from '../population/index.js'
import { noLine } from '../city/stationNetwork.js'
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

/**
 * The real metro: a bus at its flat fare, or a ride between two stations in two events. The entry
 * gate takes the tap-in (no money moves); the exit gate, the ride's minutes later, charges the fare
 * the table gives for the pair: one transfer, made now for the tap-out's tick, whose detail names
 * both stations and the line boarded first (rideDetail). A ride whose tap-out falls after the
 * period's end is not made.
 */
function transitByStation(
  context: BehaviourContext,
  metro: PlannedMetro,
  count: number,
  out: IntentBuffer,
): void {
  const { plan, agents, random } = context
  const { residentFirst, transit: operator } = plan.accounts
  const commute = commuteHour(context)
  for (let made = 0; made < count; made++) {
    const resident = agents.riders[random.below(agents.riders.length)] as number
    if (!paysInEcny(context, resident)) continue
    const payer = residentFirst + resident
    const channel = ownChannel(context, resident, Channel.gate)
    if (metro.busShare > 0 && random.float() < metro.busShare) {
      out.push(payer, operator, metro.busFareFen, TransferKind.transit, channel)
      continue
    }
    const { from, to } = rideStations(context, metro, commute, resident)
    const pair = from * metro.stations + to
    const exit = context.tick + (metro.rideMinutes[pair] as number)
    if (exit >= plan.clock.ticks) continue
    out.defer(
      exit,
      {
        debit: payer,
        credit: operator,
        amountFen: metro.fareFen[pair] as number,
        kind: TransferKind.transit,
        channel,
        detail: rideDetail(from, to, metro.firstLine[pair] as number),
      },
      plain,
    )
  }
}

const plain = { flags: 0, id: -1, pendingId: 0, timeoutMinutes: 0, heldFen: 0 }

/**
 * A metro ride's detail: its entry station (bits 0-9), its exit station (bits 10-19) and the
 * line it boards first + 1 (bits 20-25; 0 for none). A bus ride's detail is 0: no station.
 */
export function rideDetail(from: number, to: number, line: number): number {
  return (rideMark | from | (to << 10) | ((line === noLine ? 0 : line + 1) << 20)) >>> 0
}

/** Set on every metro ride's detail, so that station 0 to station 0 is not a bus. */
export const rideMark = (1 << 31) >>> 0

/**
 * A metro ride's stations: a commuter between their home and work stations, anyone else from the
 * station where they are (at home or at work) to one in a district drawn by job weight.
 */
function rideStations(
  context: BehaviourContext,
  metro: PlannedMetro,
  commute: 'morning' | 'evening' | null,
  resident: number,
): { from: number; to: number } {
  const { population, plan } = context
  const home = population.home[resident] as number
  const work = population.work[resident] as number
  const employed = ((population.flags[resident] as number) & ResidentFlag.employed) !== 0
  if (commute !== null && employed) {
    const homeStation = usualStation(metro, plan.seed, resident, home, UsualPlace.home)
    const workStation = usualStation(metro, plan.seed, resident, work, UsualPlace.work)
    return commute === 'morning'
      ? { from: homeStation, to: workStation }
      : { from: workStation, to: homeStation }
  }
  const from = isAtWork(context, resident)
    ? usualStation(metro, plan.seed, resident, work, UsualPlace.work)
    : usualStation(metro, plan.seed, resident, home, UsualPlace.home)
  return { from, to: stationIn(context, metro, context.random.pick(context.jobs)) }
}

/** One of the district's stations, drawn evenly: where a trip into the district ends. */
function stationIn(context: BehaviourContext, metro: PlannedMetro, district: number): number {
  const start = metro.districtStationStart[district] as number
  const count = (metro.districtStationStart[district + 1] as number) - start
  return metro.districtStations[start + context.random.below(count)] as number
}
