/**
 * The city as the page draws it, built once per served city: district outlines (coordinates
 * rounded to about 10 m, outer rings wound the way d3-geo expects), the metro, a sample of
 * merchant positions, and aggregates. No resident appears in it.
 */
import type { DistrictMap, Polygon, Ring } from '../../engine/city/index.js'
import { transferKinds } from '../../engine/ledger/index.js'
import type { OpenedCity } from '../../engine/run/index.js'
import { isoMinute } from '../../engine/time/index.js'
import type { City } from '../../engine/city/index.js'
import { merchantSampleMax, type CityView } from '../protocol.js'

/** Decimal places kept of a coordinate: 1e-4 degree is about 10 m, finer than the map is drawn. */
const coordinateDecimals = 4

export function cityView(opened: OpenedCity, city: City, map: DistrictMap): CityView {
  const { plan, population } = opened
  const byId = new Map(map.features.map((feature) => [feature.id, feature]))
  const districts = plan.districts.map((district, index) => {
    const feature = byId.get(district.id)
    const centre = city.districts[index]
    if (feature === undefined || centre === undefined) throw new Error(`district ${district.id} is in the plan but not on the map`)
    return {
      id: district.id,
      name: district.name,
      residents: district.residents,
      adoption: district.adoption,
      geometry: { type: 'MultiPolygon' as const, coordinates: feature.polygons.map(polygonCoordinates) },
      centre: [round(centre.lon), round(centre.lat)] as const,
    }
  })
  // Every k-th merchant: an even spread over the city, the same every time.
  const step = Math.max(1, Math.ceil(plan.merchants / merchantSampleMax))
  const merchants: [number, number, number][] = []
  for (let merchant = 0; merchant < plan.merchants && merchants.length < merchantSampleMax; merchant += step) {
    merchants.push([round(population.merchantLon[merchant] as number), round(population.merchantLat[merchant] as number), population.merchantCategory[merchant] as number])
  }
  return {
    scenario: plan.scenarioName,
    districts,
    metro: city.metro.links.map((link) => ({ from: link.from, to: link.to, km: Math.round(link.km * 10) / 10 })),
    merchants,
    categories: plan.categories.map((category) => category.name),
    kinds: [...transferKinds],
    clock: {
      from: isoMinute(plan.clock, 0),
      to: isoMinute(plan.clock, plan.clock.ticks),
      ticks: plan.clock.ticks,
      utcOffsetMinutes: plan.clock.utcOffsetMinutes,
    },
    agents: opened.agents,
  }
}

/** A polygon as GeoJSON rings: the outline clockwise, holes anticlockwise (d3-geo's spherical convention). */
function polygonCoordinates(polygon: Polygon): number[][][] {
  return polygon.map((ring, index) => ringCoordinates(ring, index === 0))
}

function ringCoordinates(ring: Ring, outline: boolean): number[][] {
  const points: number[][] = []
  for (let at = 0; at + 1 < ring.length; at += 2) {
    const point = [round(ring[at] as number), round(ring[at + 1] as number)]
    const previous = points[points.length - 1]
    if (previous === undefined || previous[0] !== point[0] || previous[1] !== point[1]) points.push(point)
  }
  // Shoelace on lon/lat: negative is clockwise with north up.
  let twiceArea = 0
  for (let at = 0; at < points.length; at++) {
    const [x0, y0] = points[at] as [number, number]
    const [x1, y1] = points[(at + 1) % points.length] as [number, number]
    twiceArea += x0 * y1 - x1 * y0
  }
  const clockwise = twiceArea < 0
  return clockwise === outline ? points : points.reverse()
}

function round(value: number): number {
  const scale = 10 ** coordinateDecimals
  return Math.round(value * scale) / scale
}
