/**
 * What the workers need of the real metro (city.metro): the fare and first-line tables by station
 * pair, which stations serve each district, and the bus. Typed arrays, shared with the city on the
 * main thread and copied once to each worker with the plan.
 *
 * A resident's usual stations are kept nowhere: each is a pure function of the seed, the resident,
 * the district and whether it is their home or their workplace, so the same resident always uses
 * the same stations, in every thread, with no column per resident. The district's stations are
 * drawn evenly: the model knows where in a district nobody lives, only the district.
 */
import { assert } from '../assert.js'
import type { City } from '../city/index.js'
import { hashUnit } from '../random/index.js'
import type { Scenario } from '../../scenarios/schema.js'

export interface PlannedMetro {
  readonly stations: number
  /** The fare between two stations, fen: fareFen[from * stations + to]. */
  readonly fareFen: Uint16Array
  /** The line a trip between two stations boards first (noLine, 255, from a station to itself). */
  readonly firstLine: Uint8Array
  /** The stations serving district d: districtStations[districtStationStart[d] .. [d + 1]). */
  readonly districtStationStart: Uint16Array
  readonly districtStations: Uint16Array
  /** A ride's minutes between two stations, gate to gate (at most 255). */
  readonly rideMinutes: Uint8Array
  /** Share of transit trips made by bus, at `busFareFen` whatever their length. */
  readonly busShare: number
  readonly busFareFen: number
}

/**
 * A ride's speed, stops included (about 33 km/h, near the metros' published schedule speeds), and
 * the minutes from gate to platform and back: modelling assumptions.
 */
const trainKmPerMinute = 0.55
const gateMinutes = 5

/** Which of a resident's usual places a station is for. */
export const UsualPlace = { home: 0, work: 1 } as const
export type UsualPlace = (typeof UsualPlace)[keyof typeof UsualPlace]

/** The metro of the plan; none for a scenario without city.metro (the district network's fares). */
export function planMetro(scenario: Scenario, city: City): PlannedMetro | undefined {
  const metro = scenario.city.metro
  assert(
    (metro === undefined) === (city.network === undefined),
    "the city was built with the scenario's metro",
  )
  if (metro === undefined || city.network === undefined) return undefined
  const network = city.network
  assert(metro.busShare === 0 || metro.busFareFen !== undefined, 'the schema asked for a bus fare')
  const stations = network.stations.length
  const rideMinutes = new Uint8Array(stations * stations)
  for (let from = 0; from < stations; from++) {
    for (let to = 0; to < stations; to++) {
      const pair = from * stations + to
      const km = network.distanceKm[pair] as number
      rideMinutes[pair] = Math.min(255, Math.ceil(km / trainKmPerMinute) + gateMinutes)
    }
  }
  return {
    stations,
    rideMinutes,
    fareFen: network.fareFen,
    firstLine: network.firstLine,
    districtStationStart: network.districtStationStart,
    districtStations: network.districtStations,
    busShare: metro.busShare,
    busFareFen: metro.busFareFen ?? 0,
  }
}

/** The station a resident uses at home or at work in `district`: always the same one. */
export function usualStation(
  metro: PlannedMetro,
  seed: number,
  resident: number,
  district: number,
  place: UsualPlace,
): number {
  const start = metro.districtStationStart[district] as number
  const count = (metro.districtStationStart[district + 1] as number) - start
  // The place is hashed too, so that a resident working in their home district (most do) does
  // not commute from a station to itself.
  const pick = Math.floor(hashUnit(seed, resident, district * 2 + place) * count)
  return metro.districtStations[start + pick] as number
}
