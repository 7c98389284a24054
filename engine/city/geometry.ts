/**
 * Plane geometry on a small patch of the Earth: longitude and latitude are turned into
 * kilometres around a reference point (equirectangular), exact enough at city scale.
 */
import type { Polygon, Ring } from './districtMap.js'

const kmPerDegreeLat = 110.574
const kmPerDegreeLonAtEquator = 111.32

export interface Projection {
  readonly lon0: number
  readonly lat0: number
  readonly kmPerDegreeLon: number
}

export function projectionAt(lon0: number, lat0: number): Projection {
  return { lon0, lat0, kmPerDegreeLon: kmPerDegreeLonAtEquator * Math.cos((lat0 * Math.PI) / 180) }
}

export function distanceKm(
  projection: Projection,
  lonA: number,
  latA: number,
  lonB: number,
  latB: number,
): number {
  const dx = (lonA - lonB) * projection.kmPerDegreeLon
  const dy = (latA - latB) * kmPerDegreeLat
  return Math.hypot(dx, dy)
}

/** Mean radius of the Earth, km (IUGG). */
const earthRadiusKm = 6371.0088

/** Great-circle distance between two points in degrees, km (haversine). */
export function greatCircleKm(lonA: number, latA: number, lonB: number, latB: number): number {
  const radians = Math.PI / 180
  const dLat = (latB - latA) * radians
  const dLon = (lonB - lonA) * radians
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(latA * radians) * Math.cos(latB * radians) * Math.sin(dLon / 2) ** 2
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Signed area (km²) and area-weighted centroid of a ring, by the shoelace formula. */
function ringMoments(projection: Projection, ring: Ring): { area: number; cx: number; cy: number } {
  let twiceArea = 0
  let cx = 0
  let cy = 0
  const vertices = ring.length / 2
  for (let index = 0; index < vertices; index++) {
    const next = (index + 1) % vertices
    const x0 = ((ring[index * 2] as number) - projection.lon0) * projection.kmPerDegreeLon
    const y0 = ((ring[index * 2 + 1] as number) - projection.lat0) * kmPerDegreeLat
    const x1 = ((ring[next * 2] as number) - projection.lon0) * projection.kmPerDegreeLon
    const y1 = ((ring[next * 2 + 1] as number) - projection.lat0) * kmPerDegreeLat
    const cross = x0 * y1 - x1 * y0
    twiceArea += cross
    cx += (x0 + x1) * cross
    cy += (y0 + y1) * cross
  }
  const area = twiceArea / 2
  if (area === 0) return { area: 0, cx: 0, cy: 0 }
  return { area, cx: cx / (6 * area), cy: cy / (6 * area) }
}

/** Area in km² and centroid in degrees of a set of polygons with holes. */
export function areaAndCentroid(
  projection: Projection,
  polygons: readonly Polygon[],
): { areaKm2: number; lon: number; lat: number } {
  let area = 0
  let x = 0
  let y = 0
  for (const polygon of polygons) {
    polygon.forEach((ring, index) => {
      const moments = ringMoments(projection, ring)
      // Outlines add, holes subtract, whatever the winding order of the file.
      const signed = index === 0 ? Math.abs(moments.area) : -Math.abs(moments.area)
      area += signed
      x += moments.cx * signed
      y += moments.cy * signed
    })
  }
  if (area <= 0) return { areaKm2: 0, lon: projection.lon0, lat: projection.lat0 }
  return {
    areaKm2: area,
    lon: projection.lon0 + x / area / projection.kmPerDegreeLon,
    lat: projection.lat0 + y / area / kmPerDegreeLat,
  }
}

/**
 * Calls `visit` with the longitude where each edge of every ring crosses the parallel `lat`.
 * Both tests below count these crossings, so they agree by construction.
 */
function eachCrossing(
  polygons: readonly Polygon[],
  lat: number,
  visit: (lon: number) => void,
): void {
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const vertices = ring.length / 2
      for (let index = 0, previous = vertices - 1; index < vertices; previous = index++) {
        const xi = ring[index * 2] as number
        const yi = ring[index * 2 + 1] as number
        const xj = ring[previous * 2] as number
        const yj = ring[previous * 2 + 1] as number
        if (yi > lat !== yj > lat) visit(((xj - xi) * (lat - yi)) / (yj - yi) + xi)
      }
    }
  }
}

/**
 * Even–odd ray casting over every ring: inside an outline and outside its holes (an odd number of
 * crossings to the east).
 */
export function containsPoint(polygons: readonly Polygon[], lon: number, lat: number): boolean {
  let inside = false
  eachCrossing(polygons, lat, (crossing) => {
    if (lon < crossing) inside = !inside
  })
  return inside
}

/**
 * `containsPoint` for a row of evenly spaced points at one latitude, in one pass over the edges:
 * the row's crossings are sorted once, and each point is inside when an odd number lie to its east.
 */
export function insideAlongRow(
  polygons: readonly Polygon[],
  lat: number,
  lonFirst: number,
  lonStep: number,
  out: Uint8Array,
): void {
  const crossings: number[] = []
  eachCrossing(polygons, lat, (crossing) => crossings.push(crossing))
  crossings.sort((a, b) => a - b)
  let west = 0
  for (let column = 0; column < out.length; column++) {
    const lon = lonFirst + column * lonStep
    while (west < crossings.length && (crossings[west] as number) <= lon) west += 1
    out[column] = (crossings.length - west) % 2
  }
}

export interface Bounds {
  readonly west: number
  readonly south: number
  readonly east: number
  readonly north: number
}

export function boundsOf(polygons: readonly Polygon[]): Bounds {
  let west = Infinity
  let south = Infinity
  let east = -Infinity
  let north = -Infinity
  for (const polygon of polygons) {
    const outline = polygon[0]
    if (outline === undefined) continue
    for (let index = 0; index < outline.length; index += 2) {
      west = Math.min(west, outline[index] as number)
      east = Math.max(east, outline[index] as number)
      south = Math.min(south, outline[index + 1] as number)
      north = Math.max(north, outline[index + 1] as number)
    }
  }
  return { west, south, east, north }
}
