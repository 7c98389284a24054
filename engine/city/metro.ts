/**
 * The district network, for a scenario without city.metro: one station at each district's centre,
 * joined by the links of a minimum spanning tree plus each station's nearest neighbours, so the
 * network is connected and short. Fares follow Shenzhen Metro's distance bands.
 */
import { assert } from '../assert.js'
import { metroLinksPerStationMax } from '../limits.js'
import { fareOfKm, type FareRule } from './fareRule.js'

export interface MetroLink {
  readonly from: number
  readonly to: number
  readonly km: number
}

export interface MetroNetwork {
  /** One station per district, at the district's centroid; station i serves district i. */
  readonly links: readonly MetroLink[]
  /** Shortest distance along the network, km, row-major by district. */
  readonly distanceKm: Float64Array
}

/** Rail is longer than the straight line between centres. */
const trackDetourFactor = 1.25

export function buildMetro(
  stationCount: number,
  straightKm: (from: number, to: number) => number,
): MetroNetwork {
  assert(stationCount >= 1, 'a network needs a station')
  const linked = new Set<string>()
  const links: MetroLink[] = []
  const degree = new Uint8Array(stationCount)
  const link = (from: number, to: number) => {
    const key = from < to ? `${from}-${to}` : `${to}-${from}`
    if (from === to || linked.has(key)) return
    linked.add(key)
    degree[from] = (degree[from] as number) + 1
    degree[to] = (degree[to] as number) + 1
    links.push({ from, to, km: straightKm(from, to) * trackDetourFactor })
  }

  // Prim's minimum spanning tree: connected with the least track.
  const inTree = new Uint8Array(stationCount)
  inTree[0] = 1
  for (let added = 1; added < stationCount; added++) {
    let best = { from: -1, to: -1, km: Infinity }
    for (let from = 0; from < stationCount; from++) {
      if (inTree[from] === 0) continue
      for (let to = 0; to < stationCount; to++) {
        if (inTree[to] === 1) continue
        const km = straightKm(from, to)
        if (km < best.km) best = { from, to, km }
      }
    }
    assert(best.to >= 0, 'every station joins the tree')
    inTree[best.to] = 1
    link(best.from, best.to)
  }

  // Loops: each station also links to its nearest stations while it has room.
  for (let from = 0; from < stationCount; from++) {
    const nearest = [...Array(stationCount).keys()]
      .filter((to) => to !== from)
      .sort((a, b) => straightKm(from, a) - straightKm(from, b))
    for (const to of nearest.slice(0, 2)) {
      if (
        (degree[from] as number) < metroLinksPerStationMax &&
        (degree[to] as number) < metroLinksPerStationMax
      )
        link(from, to)
    }
  }

  // Floyd–Warshall on a handful of stations.
  const distanceKm = new Float64Array(stationCount * stationCount).fill(Infinity)
  for (let station = 0; station < stationCount; station++)
    distanceKm[station * stationCount + station] = 0
  for (const { from, to, km } of links) {
    distanceKm[from * stationCount + to] = km
    distanceKm[to * stationCount + from] = km
  }
  for (let via = 0; via < stationCount; via++) {
    for (let from = 0; from < stationCount; from++) {
      for (let to = 0; to < stationCount; to++) {
        const through =
          (distanceKm[from * stationCount + via] as number) +
          (distanceKm[via * stationCount + to] as number)
        if (through < (distanceKm[from * stationCount + to] as number))
          distanceKm[from * stationCount + to] = through
      }
    }
  }
  return { links, distanceKm }
}

/**
 * Shenzhen Metro's fare rule (docs/scenarios.md, Fare rules): 2 yuan up to 4 km, then 1 yuan for
 * each further 4 km up to 12 km, each 6 km up to 24 km, and each 8 km beyond. The district
 * network charges it whatever the city; a scenario's city.metro gives its own city's.
 */
export const districtNetworkFareRule: FareRule = {
  baseFen: 200,
  baseKm: 4,
  bands: [
    { upToKm: 12, everyKm: 4, addFen: 100 },
    { upToKm: 24, everyKm: 6, addFen: 100 },
    { everyKm: 8, addFen: 100 },
  ],
}

/** The district network's fare for a trip of `km`. */
export function metroFareFen(km: number): number {
  return fareOfKm(districtNetworkFareRule, km)
}
