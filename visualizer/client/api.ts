/**
 * The HTTP half of the protocol (see ../protocol.ts). A 404 is an answer, not a failure: the
 * live city is missing when the server only serves replays, and the page then lists the runs.
 */
import {
  networkLineStationsMax,
  networkLinesMax,
  networkStationsMax,
  type CityView,
  type RunListing,
  type Timeline,
} from '../protocol.js'
import { assert } from './assert.js'

export type Fetched<T> =
  { readonly kind: 'found'; readonly value: T } | { readonly kind: 'missing' }

/** An operating failure: the server answered, but not with what the page asked for. */
export class HttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`GET ${url} answered ${status}`)
  }
}

const httpNotFound = 404

async function getJson<T>(url: string, check: (value: T) => void): Promise<Fetched<T>> {
  const response = await fetch(url, { headers: { accept: 'application/json' } })
  if (response.status === httpNotFound) return { kind: 'missing' }
  if (!response.ok) throw new HttpError(url, response.status)
  const value = (await response.json()) as T
  check(value)
  return { kind: 'found', value }
}

export function getLiveCity(): Promise<Fetched<CityView>> {
  return getJson('/api/city', checkCity)
}

export function getRuns(): Promise<Fetched<readonly RunListing[]>> {
  return getJson('/api/runs', (runs: readonly RunListing[]) => {
    const list: unknown = runs
    assert(Array.isArray(list), '/api/runs is a list')
  })
}

export function getRunCity(id: string): Promise<Fetched<CityView>> {
  return getJson(`/api/runs/${encodeURIComponent(id)}/city`, checkCity)
}

export function getTimeline(id: string): Promise<Fetched<Timeline>> {
  return getJson(`/api/runs/${encodeURIComponent(id)}/timeline`, (timeline: Timeline) => {
    const snapshots: unknown = timeline.snapshots
    assert(Array.isArray(snapshots), 'a timeline has snapshots')
  })
}

/** What the drawing relies on: every index the city hands out points at a district. */
function checkCity(city: CityView): void {
  // Checked as unknown: Array.isArray would otherwise narrow the typed list to any[].
  const districts: unknown = city.districts
  assert(Array.isArray(districts) && districts.length > 0, 'a city has districts')
  for (const district of city.districts) {
    assert(district.centre.length === 2, `district ${district.id} has a [lon, lat] centre`)
  }
  const count = city.districts.length
  for (const link of city.metro) {
    assert(
      link.from >= 0 && link.from < count && link.to >= 0 && link.to < count,
      'metro links join districts',
    )
    assert(link.from !== link.to, 'a metro link joins two districts')
  }
  if (city.network !== undefined) checkNetwork(city.network)
}

const colourPattern = /^#[0-9a-f]{6}$/

/** The real metro's counts within the protocol's bounds, its lines' stations among its own. */
function checkNetwork(network: NonNullable<CityView['network']>): void {
  const { stations, lines } = network
  assert(stations.length > 0 && stations.length <= networkStationsMax, 'a network has stations')
  assert(lines.length > 0 && lines.length <= networkLinesMax, 'a network has lines')
  for (const station of stations) assert(station.at.length === 2, 'a station is at [lon, lat]')
  for (const line of lines) {
    // The colour goes into an attribute: only the shape the server sends is taken.
    assert(colourPattern.test(line.colour), `line ${line.name} has a #rrggbb colour`)
    assert(
      line.stations.length >= 2 && line.stations.length <= networkLineStationsMax,
      `line ${line.name} lists its stations`,
    )
    for (const station of line.stations) {
      assert(
        Number.isInteger(station) && station >= 0 && station < stations.length,
        `line ${line.name} runs between stations of the network`,
      )
    }
  }
}
