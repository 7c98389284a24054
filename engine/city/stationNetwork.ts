/**
 * The real metro of a scenario's city.metro: stations where they stand, lines in their order,
 * and per station pair the distance along the network, the fare under the city's rule and the line
 * a trip boards first. Stations serve the district whose polygon holds them; a district without a
 * station of its own is served by the stations nearest its centre.
 *
 *   station pair (from, to) → index from * stations + to, in every table:
 *     distanceKm  Float32   shortest distance along the lines (0 on the diagonal)
 *     fareFen     Uint16    the rule's fare for that distance (the base fare on the diagonal)
 *     firstLine   Uint8     the line of the path's first link (255 on the diagonal: no ride)
 *
 * Shortest paths are by distance, as the cities' fares are (the shortest path between two stations
 * sets the fare, whatever the rider's route); an interchange is a station several lines serve, and
 * costs nothing to pass. Dijkstra from each station: a thousand stations at most.
 */
import { assert } from '../assert.js'
import { UserError } from '../errors.js'
import { metroLinesMax, metroNearestStations, metroStationsMax } from '../limits.js'
import type { Polygon } from './districtMap.js'
import { assertFareRule, fareOfKm, type FareRule } from './fareRule.js'
import { containsPoint, greatCircleKm } from './geometry.js'
import type { MetroMap } from './metroMap.js'

/** `firstLine` of a pair that needs no ride (a station to itself). */
export const noLine = 0xff
/** `stationDistrict` of a station outside every district of the scenario. */
export const noDistrict = 0xff

export interface StationLink {
  readonly from: number
  readonly to: number
  readonly km: number
  /** The first line (in the file's order) that runs between the two stations. */
  readonly line: number
}

export interface StationNetwork {
  readonly stations: readonly {
    readonly name: string
    readonly lon: number
    readonly lat: number
    /** The lines that serve it, by index: more than one at an interchange. */
    readonly lines: readonly number[]
  }[]
  readonly lines: readonly {
    readonly name: string
    readonly colour: string
    readonly stations: readonly number[]
  }[]
  readonly links: readonly StationLink[]
  readonly distanceKm: Float32Array
  readonly fareFen: Uint16Array
  readonly firstLine: Uint8Array
  /** The district each station stands in, `noDistrict` outside them all. */
  readonly stationDistrict: Uint8Array
  /**
   * The stations serving each district: districtStations[districtStationStart[d] ..
   * districtStationStart[d + 1]), those inside it, else the nearest to its centre.
   */
  readonly districtStationStart: Uint16Array
  readonly districtStations: Uint16Array
}

/** What the network needs of each district: its shape and centre. */
export interface ServedDistrict {
  readonly polygons: readonly Polygon[]
  readonly lon: number
  readonly lat: number
}

export interface StationNetworkInput {
  /** The network file, as the scenario names it: fare errors name it. */
  readonly file: string
  /** Its stations and lines, connected (the loader checked), lines left out already taken away. */
  readonly map: MetroMap
  readonly fare: FareRule
}

export function buildStationNetwork(
  input: StationNetworkInput,
  districts: readonly ServedDistrict[],
): StationNetwork {
  const { map, fare } = input
  const count = map.stations.length
  assert(count >= 1 && count <= metroStationsMax, 'the loader bounded the stations')
  assert(map.lines.length >= 1 && map.lines.length <= metroLinesMax, 'the loader bounded the lines')
  assertFareRule(fare)
  const links = linksOf(map)
  const paths = allPairs(count, links)
  const fareFen = new Uint16Array(count * count)
  let dearest = { fen: 0, pair: 0 }
  for (let pair = 0; pair < fareFen.length; pair++) {
    const fen = fareOfKm(fare, paths.exactKm[pair] as number)
    if (fen > dearest.fen) dearest = { fen, pair }
    fareFen[pair] = Math.min(fen, 0xffff)
  }
  if (dearest.fen > 0xffff) {
    const from = map.stations[Math.floor(dearest.pair / count)]?.name ?? ''
    const to = map.stations[dearest.pair % count]?.name ?? ''
    throw new UserError(
      `city.metro.fare: the rule charges ${dearest.fen} fen from ${from} to ${to} (${input.file}), more than the ${0xffff} fen a fare may be`,
    )
  }
  const served = serveDistricts(map, districts)
  const lineSets = map.stations.map(() => new Set<number>())
  map.lines.forEach((line, index) => {
    for (const station of line.stations) lineSets[station]?.add(index)
  })
  return {
    stations: map.stations.map((station, index) => ({
      ...station,
      lines: [...(lineSets[index] as Set<number>)].sort((a, b) => a - b),
    })),
    lines: map.lines,
    links,
    distanceKm: paths.distanceKm,
    fareFen,
    firstLine: paths.firstLine,
    ...served,
  }
}

/**
 * One link between each pair of consecutive stations of a line, shared by the lines that run
 * there. Its length is the great-circle distance between the two stations: a straight-segment
 * approximation of the track, which curves, so a little shorter than the operator's figures.
 */
function linksOf(map: MetroMap): StationLink[] {
  const byPair = new Map<number, StationLink>()
  map.lines.forEach((line, index) => {
    for (let at = 1; at < line.stations.length; at++) {
      const a = line.stations[at - 1] as number
      const b = line.stations[at] as number
      assert(a !== b, 'the loader refused a station next to itself')
      const key = Math.min(a, b) * metroStationsMax + Math.max(a, b)
      if (byPair.has(key)) continue
      const [from, to] = [map.stations[a], map.stations[b]]
      assert(from !== undefined && to !== undefined, 'the loader checked every station number')
      byPair.set(key, {
        from: a,
        to: b,
        line: index,
        km: greatCircleKm(from.lon, from.lat, to.lon, to.lat),
      })
    }
  })
  return [...byPair.values()]
}

/** Shortest paths from every station: distances (exact and as stored) and the first line. */
function allPairs(
  count: number,
  links: readonly StationLink[],
): { exactKm: Float64Array; distanceKm: Float32Array; firstLine: Uint8Array } {
  // Neighbours as compressed rows: edges of station s at edgeStart[s] .. edgeStart[s + 1].
  const edgeStart = new Uint32Array(count + 1)
  for (const link of links) {
    edgeStart[link.from + 1] = (edgeStart[link.from + 1] as number) + 1
    edgeStart[link.to + 1] = (edgeStart[link.to + 1] as number) + 1
  }
  for (let station = 0; station < count; station++)
    edgeStart[station + 1] = (edgeStart[station + 1] as number) + (edgeStart[station] as number)
  const edgeTo = new Uint16Array(links.length * 2)
  const edgeKm = new Float64Array(links.length * 2)
  const edgeLine = new Uint8Array(links.length * 2)
  const filled = edgeStart.slice(0, count)
  const add = (from: number, to: number, link: StationLink) => {
    const slot = filled[from] as number
    filled[from] = slot + 1
    edgeTo[slot] = to
    edgeKm[slot] = link.km
    edgeLine[slot] = link.line
  }
  for (const link of links) {
    add(link.from, link.to, link)
    add(link.to, link.from, link)
  }
  const exactKm = new Float64Array(count * count)
  const firstLine = new Uint8Array(count * count)
  const heap = new StationHeap(count)
  for (let source = 0; source < count; source++) {
    const km = exactKm.subarray(source * count, (source + 1) * count).fill(Infinity)
    const line = firstLine.subarray(source * count, (source + 1) * count).fill(noLine)
    km[source] = 0
    heap.push(source, 0)
    for (let station = heap.pop(); station >= 0; station = heap.pop()) {
      const here = km[station] as number
      for (
        let edge = edgeStart[station] as number;
        edge < (edgeStart[station + 1] as number);
        edge++
      ) {
        const next = edgeTo[edge] as number
        const through = here + (edgeKm[edge] as number)
        if (through >= (km[next] as number)) continue
        km[next] = through
        line[next] = station === source ? (edgeLine[edge] as number) : (line[station] as number)
        heap.push(next, through)
      }
    }
    for (let station = 0; station < count; station++)
      assert(Number.isFinite(km[station]), 'the loader checked the network is connected')
  }
  return { exactKm, distanceKm: Float32Array.from(exactKm), firstLine }
}

/**
 * A binary min-heap of stations by distance, with stale entries skipped on pop (lazy deletion):
 * a station pushed again with a shorter distance leaves its older entry behind, at most once per
 * edge, so the heap holds at most `edges + 1` entries; it grows if a network has more.
 */
class StationHeap {
  private stations: Uint16Array
  private keys: Float64Array
  private size = 0
  private readonly best: Float64Array

  constructor(count: number) {
    this.stations = new Uint16Array(count * 4)
    this.keys = new Float64Array(count * 4)
    this.best = new Float64Array(count).fill(Infinity)
  }

  push(station: number, key: number): void {
    if (this.size === this.stations.length) this.grow()
    this.best[station] = key
    let at = this.size++
    while (at > 0) {
      const parent = (at - 1) >> 1
      if ((this.keys[parent] as number) <= key) break
      this.stations[at] = this.stations[parent] as number
      this.keys[at] = this.keys[parent] as number
      at = parent
    }
    this.stations[at] = station
    this.keys[at] = key
  }

  /** The nearest station not yet taken, or -1 when none is left (the heap is then ready again). */
  pop(): number {
    while (this.size > 0) {
      const station = this.stations[0] as number
      const key = this.keys[0] as number
      this.removeTop()
      if (key === this.best[station]) {
        this.best[station] = -1
        return station
      }
    }
    this.best.fill(Infinity)
    return -1
  }

  private removeTop(): void {
    this.size -= 1
    const station = this.stations[this.size] as number
    const key = this.keys[this.size] as number
    let at = 0
    for (;;) {
      let child = at * 2 + 1
      if (child >= this.size) break
      if (child + 1 < this.size && (this.keys[child + 1] as number) < (this.keys[child] as number))
        child += 1
      if ((this.keys[child] as number) >= key) break
      this.stations[at] = this.stations[child] as number
      this.keys[at] = this.keys[child] as number
      at = child
    }
    this.stations[at] = station
    this.keys[at] = key
  }

  private grow(): void {
    const stations = new Uint16Array(this.stations.length * 2)
    const keys = new Float64Array(this.keys.length * 2)
    stations.set(this.stations)
    keys.set(this.keys)
    this.stations = stations
    this.keys = keys
  }
}

/** Which district each station stands in, and which stations serve each district. */
function serveDistricts(
  map: MetroMap,
  districts: readonly ServedDistrict[],
): Pick<StationNetwork, 'stationDistrict' | 'districtStationStart' | 'districtStations'> {
  assert(districts.length < noDistrict, 'a district index fits a Uint8 below noDistrict')
  const stationDistrict = new Uint8Array(map.stations.length).fill(noDistrict)
  const inside: number[][] = districts.map(() => [])
  map.stations.forEach((station, index) => {
    const district = districts.findIndex((one) =>
      containsPoint(one.polygons, station.lon, station.lat),
    )
    if (district < 0) return
    stationDistrict[index] = district
    inside[district]?.push(index)
  })
  const districtStationStart = new Uint16Array(districts.length + 1)
  const listed: number[] = []
  districts.forEach((district, index) => {
    const own = inside[index] as number[]
    listed.push(...(own.length > 0 ? own : nearestStations(map, district.lon, district.lat)))
    districtStationStart[index + 1] = listed.length
  })
  return { stationDistrict, districtStationStart, districtStations: Uint16Array.from(listed) }
}

/** The `metroNearestStations` stations nearest (lon, lat), nearest first. */
function nearestStations(map: MetroMap, lon: number, lat: number): number[] {
  return map.stations
    .map((station, index) => ({ index, km: greatCircleKm(lon, lat, station.lon, station.lat) }))
    .sort((a, b) => a.km - b.km || a.index - b.index)
    .slice(0, metroNearestStations)
    .map((station) => station.index)
}
