/**
 * A metro network read from GeoJSON: stations (Point features, `kind: 'station'`, numbered
 * by `station`) and lines (`kind: 'line'`, their `stations` in order, a `name` and a `color`).
 * The file is untrusted input: every shape and count is checked before anything is built from
 * it, and each problem names its feature and field. A line's own geometry and a station's
 * `lines` list are not read: where a station stands is its Point, and which lines serve it is
 * what the lines list.
 */
import { metroLineStationsMax, metroLinesMax, metroStationsMax, nameCharsMax } from '../limits.js'
import { hasUnprintable } from '../printable.js'
import { isObject } from '../untrusted.js'

export interface MetroStation {
  readonly name: string
  readonly lon: number
  readonly lat: number
}

export interface MetroLine {
  readonly name: string
  /** `#rrggbb`: drawn on the map in it. */
  readonly colour: string
  /** Indices into the map's stations, in the order the line runs; a loop ends where it began. */
  readonly stations: readonly number[]
}

export interface MetroMap {
  readonly stations: readonly MetroStation[]
  readonly lines: readonly MetroLine[]
}

const colourPattern = /^#[0-9a-fA-F]{6}$/

/** Parses and checks a network file's JSON. Returns the network, or a list of issues. */
export function parseMetroMap(
  json: unknown,
): { map: MetroMap; issues: [] } | { map: null; issues: string[] } {
  if (!isObject(json) || json.type !== 'FeatureCollection' || !Array.isArray(json.features)) {
    return { map: null, issues: ['must be a GeoJSON FeatureCollection with a "features" list'] }
  }
  const features: unknown[] = json.features
  if (features.length > metroStationsMax + metroLinesMax) {
    return {
      map: null,
      issues: [`features: must hold at most ${metroStationsMax + metroLinesMax} features`],
    }
  }
  const issues: string[] = []
  const stations: MetroStation[] = []
  /** A station's number in the file → its index in `stations`. */
  const numbered = new Map<number, number>()
  const rawLines: { at: string; properties: Record<string, unknown> }[] = []
  features.forEach((feature, index) => {
    const at = `features[${index}]`
    const properties = isObject(feature) && isObject(feature.properties) ? feature.properties : {}
    if (!isObject(feature)) issues.push(`${at}: must be a GeoJSON Feature`)
    else if (properties.kind === 'line') rawLines.push({ at, properties })
    else if (properties.kind !== 'station')
      issues.push(`${at}.properties.kind: must be "station" or "line"`)
    else {
      const station = parseStation(feature, properties, at, numbered, stations.length)
      if (typeof station === 'string') issues.push(station)
      else stations.push(station)
    }
  })
  if (stations.length === 0) issues.push('features: must hold at least one station')
  if (stations.length > metroStationsMax)
    issues.push(`features: must hold at most ${metroStationsMax} stations`)
  if (rawLines.length === 0) issues.push('features: must hold at least one line')
  if (rawLines.length > metroLinesMax)
    issues.push(`features: must hold at most ${metroLinesMax} lines`)
  const lines: MetroLine[] = []
  const lineNames = new Set<string>()
  for (const { at, properties } of rawLines.slice(0, metroLinesMax)) {
    const line = parseLine(properties, at, numbered, lineNames)
    if (typeof line === 'string') issues.push(line)
    else lines.push(line)
  }
  if (issues.length > 0) return { map: null, issues }
  return { map: { stations, lines }, issues: [] }
}

/** A station feature, checked, or what is wrong with it. Its number joins `numbered` if new. */
function parseStation(
  feature: Record<string, unknown>,
  properties: Record<string, unknown>,
  at: string,
  numbered: Map<number, number>,
  index: number,
): MetroStation | string {
  const number = properties.station
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) {
    return `${at}.properties.station: must be the station's number, a whole number from 0`
  }
  if (numbered.has(number)) return `${at}.properties.station: ${number} numbers another station too`
  const name = nameOf(properties.name)
  if (name === null) return `${at}.properties.name: ${nameRule}`
  const geometry = feature.geometry
  const position: unknown =
    isObject(geometry) && geometry.type === 'Point' ? geometry.coordinates : undefined
  const [lon, lat] = Array.isArray(position) ? (position as unknown[]) : []
  // Written as `!(x <= bound)` so that NaN, which compares false, is refused with the rest.
  if (
    typeof lon !== 'number' ||
    typeof lat !== 'number' ||
    !(Math.abs(lon) <= 180) ||
    !(Math.abs(lat) <= 90)
  ) {
    return `${at}.geometry: must be a Point at [longitude, latitude] in degrees`
  }
  numbered.set(number, index)
  return { name, lon, lat }
}

/** A line feature, checked, or what is wrong with it. Its name joins `names` if new. */
function parseLine(
  properties: Record<string, unknown>,
  at: string,
  numbered: ReadonlyMap<number, number>,
  names: Set<string>,
): MetroLine | string {
  const name = nameOf(properties.name)
  if (name === null) return `${at}.properties.name: ${nameRule}`
  if (names.has(name)) return `${at}.properties.name: "${name}" names another line too`
  const colour = properties.color
  if (typeof colour !== 'string' || !colourPattern.test(colour)) {
    return `${at}.properties.color: must be a colour like "#00b248"`
  }
  const listed = properties.stations
  if (!Array.isArray(listed) || listed.length < 2 || listed.length > metroLineStationsMax) {
    return `${at}.properties.stations: must list 2 to ${metroLineStationsMax} station numbers, in the order the line runs`
  }
  const stations: number[] = []
  const seen = new Set<number>()
  for (const [position, number] of (listed as unknown[]).entries()) {
    const here = `${at}.properties.stations[${position}]`
    const index = typeof number === 'number' ? numbered.get(number) : undefined
    if (index === undefined) return `${here}: ${String(number)} is not the number of a station`
    // Only a loop comes back to a station: to its first, at its end.
    const closesLoop = position === listed.length - 1 && index === stations[0]
    if (seen.has(index) && !closesLoop)
      return `${here}: station ${String(number)} is listed twice (only a loop may end where it began)`
    seen.add(index)
    stations.push(index)
  }
  if (stations.length < 3 && stations[0] === stations[1])
    return `${at}.properties.stations: must list at least two stations`
  names.add(name)
  return { name, colour: colour.toLowerCase(), stations }
}

const nameRule = `must be a name of 1 to ${nameCharsMax} characters, none of them a control character`

function nameOf(value: unknown): string | null {
  if (typeof value !== 'string') return null
  if (value.length === 0 || value.length > nameCharsMax || hasUnprintable(value)) return null
  return value
}

/**
 * The network without the lines named (a separate system in the same file): the other lines, and
 * the stations they serve, renumbered in the file's order.
 */
export function withoutLines(map: MetroMap, leftOut: ReadonlySet<string>): MetroMap {
  if (leftOut.size === 0) return map
  const lines = map.lines.filter((line) => !leftOut.has(line.name))
  const served = new Uint8Array(map.stations.length)
  for (const line of lines) for (const station of line.stations) served[station] = 1
  const renumbered = new Int32Array(map.stations.length).fill(-1)
  const stations: MetroStation[] = []
  map.stations.forEach((station, index) => {
    if (served[index] !== 1) return
    renumbered[index] = stations.length
    stations.push(station)
  })
  return {
    stations,
    lines: lines.map((line) => ({
      ...line,
      stations: line.stations.map((station) => renumbered[station] as number),
    })),
  }
}

/**
 * The stations no path reaches from the first station along the lines (empty when the network is
 * connected), in the file's order.
 */
export function unreachableStations(map: MetroMap): number[] {
  const count = map.stations.length
  const neighbours: number[][] = Array.from({ length: count }, () => [])
  for (const line of map.lines) {
    for (let at = 1; at < line.stations.length; at++) {
      const a = line.stations[at - 1] as number
      const b = line.stations[at] as number
      neighbours[a]?.push(b)
      neighbours[b]?.push(a)
    }
  }
  const reached = new Uint8Array(count)
  const stack = count > 0 ? [0] : []
  if (count > 0) reached[0] = 1
  for (let station = stack.pop(); station !== undefined; station = stack.pop()) {
    for (const next of neighbours[station] ?? []) {
      if (reached[next] === 1) continue
      reached[next] = 1
      stack.push(next)
    }
  }
  const unreached: number[] = []
  reached.forEach((flag, station) => {
    if (flag === 0) unreached.push(station)
  })
  return unreached
}
