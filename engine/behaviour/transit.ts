/**
 * Transit fares: an adopted rider pays the transit operator for a trip. Weekday commute hours run
 * between home and work (to work in the morning, home in the evening); other trips go from where
 * the rider is to where the jobs and shops are.
 *
 * With the city's real metro (plan.metro) a trip is a bus ride at the flat bus fare (busShare of
 * them), or a metro ride from the rider's station to a station of the destination district: a
 * tap-in that reserves, and a tap-out that posts the fare the table gives for that pair. Without
 * it, the fare is the district network's, from the home district to the destination district.
 */
import { TransferKind } from '../ledger/transferKind.js'
import { usualStation, UsualPlace, type PlannedMetro } from '../plan/metroPlan.js'
import { ResidentFlag } from '../population/index.js'
import { noLine } from '../city/stationNetwork.js'
import { Channel } from '../ledger/channel.js'
import { TransferFlag } from '../ledger/ledgerCore.js'
import { minutesPerDay } from '../limits.js'
import {
  isAtWork,
  nextPendingId,
  ownChannel,
  paysInEcny,
  type BehaviourContext,
} from './behaviourContext.js'
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
 * The real metro: a bus at its flat fare, or a ride between two stations in two events. At the
 * entry gate (tap-in) the operator reserves the dearest fare from that station; at the exit gate
 * (tap-out), the ride's minutes later, it posts the fare the table gives for the pair and the rest
 * of the reservation returns. Each event's detail is its station and the line boarded first
 * (rideDetail); a tap-out after the period's end is not made and the reservation is still held.
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
    const holdFen = metro.maxFareFen[from] as number
    const minutes = metro.rideMinutes[pair] as number
    const line = metro.firstLine[pair] as number
    const id = nextPendingId(context)
    out.pushSpecial(
      payer,
      operator,
      holdFen,
      TransferKind.transit,
      channel,
      { ...tapIn, id, timeoutMinutes: minutes + minutesPerDay },
      rideDetail(from, line),
    )
    const exit = context.tick + minutes
    if (exit >= plan.clock.ticks) continue
    const fareFen = metro.fareFen[pair] as number
    out.defer(
      exit,
      {
        debit: payer,
        credit: operator,
        amountFen: fareFen,
        kind: TransferKind.transit,
        channel,
        detail: rideDetail(to, line),
      },
      { ...tapOut, pendingId: id, heldFen: holdFen },
    )
  }
}

const tapIn = { flags: TransferFlag.pending, id: -1, pendingId: 0, timeoutMinutes: 0, heldFen: 0 }
const tapOut = {
  flags: TransferFlag.postPending,
  id: -1,
  pendingId: 0,
  timeoutMinutes: 0,
  heldFen: 0,
}

/** A ride event's detail: its station (low 10 bits) and first line boarded + 1 (0: none). */
export function rideDetail(station: number, line: number): number {
  return station | ((line === noLine ? 0 : line + 1) << 10)
}

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
