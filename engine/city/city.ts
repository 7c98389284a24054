/**
 * The city: districts from the map joined with the scenario's figures, their centroids and
 * areas, samplers that place merchants inside them, and the metro: the district network between
 * their centres, and the real network of stations and lines when the scenario has city.metro.
 */
import { assert } from '../assert.js'
import type { DistrictMap, Polygon } from './districtMap.js'
import { areaAndCentroid, distanceKm, projectionAt, type Projection } from './geometry.js'
import { buildMetro, metroFareFen, type MetroNetwork } from './metro.js'
import { DistrictSampler } from './placement.js'
import {
  buildStationNetwork,
  type StationNetwork,
  type StationNetworkInput,
} from './stationNetwork.js'

export interface CityDistrictInput {
  readonly id: string
  readonly name: string
  readonly population: number
  readonly jobs?: number | undefined
}

export interface District {
  readonly index: number
  readonly id: string
  readonly name: string
  readonly population: number
  /** Relative weight as a place of work. */
  readonly jobs: number
  readonly areaKm2: number
  /**
   * The district's centre, where its metro station stands: the centroid, moved inside if it falls
   * outside.
   */
  readonly lon: number
  readonly lat: number
  readonly polygons: readonly Polygon[]
}

export interface City {
  readonly districts: readonly District[]
  readonly projection: Projection
  /**
   * The district network: one station per district centre. Built for every city (it is small);
   * fares and the live map use it only when the city has no `network`.
   */
  readonly metro: MetroNetwork
  /** The district network's fare in fen from district i to district j, row-major. */
  readonly fareFen: Uint32Array
  readonly samplers: readonly DistrictSampler[]
  /** The real metro (city.metro): its stations, lines and tables by station pair. */
  readonly network?: StationNetwork
}

export function buildCity(
  map: DistrictMap,
  inputs: readonly CityDistrictInput[],
  metroInput?: StationNetworkInput,
): City {
  const byId = new Map(map.features.map((feature) => [feature.id, feature]))
  // Reference point for the local projection: the mean of the map's feature bounds is enough.
  const first = map.features[0]
  assert(first !== undefined && first.polygons[0]?.[0] !== undefined, 'the map has a feature')
  const projection = projectionAt(
    first.polygons[0][0][0] as number,
    first.polygons[0][0][1] as number,
  )

  const samplers: DistrictSampler[] = []
  const districts = inputs.map((input, index): District => {
    const feature = byId.get(input.id)
    assert(feature !== undefined, `district ${input.id} was checked against the map`)
    const centroid = areaAndCentroid(projection, feature.polygons)
    const sampler = new DistrictSampler(feature.polygons, centroid.lon, centroid.lat)
    samplers.push(sampler)
    const [lon, lat] = sampler.insideNear(centroid.lon, centroid.lat)
    const areaKm2 = centroid.areaKm2
    return {
      index,
      id: input.id,
      name: input.name,
      population: input.population,
      jobs: input.jobs ?? input.population,
      areaKm2,
      lon,
      lat,
      polygons: feature.polygons,
    }
  })
  const count = districts.length
  const straightKm = (from: number, to: number) => {
    const a = districts[from] as District
    const b = districts[to] as District
    return distanceKm(projection, a.lon, a.lat, b.lon, b.lat)
  }
  const metro = buildMetro(count, straightKm)
  const fareFen = new Uint32Array(count * count)
  for (let from = 0; from < count; from++) {
    for (let to = 0; to < count; to++) {
      // A trip inside one district is about half the district's width.
      const km =
        from === to
          ? 0.5 * Math.sqrt((districts[from] as District).areaKm2)
          : (metro.distanceKm[from * count + to] as number)
      fareFen[from * count + to] = metroFareFen(km)
    }
  }
  if (metroInput === undefined) return { districts, projection, metro, fareFen, samplers }
  const network = buildStationNetwork(metroInput, districts)
  return { districts, projection, metro, fareFen, samplers, network }
}
