/**
 * A district map read from GeoJSON: one feature per district, Polygon or MultiPolygon, in
 * longitude/latitude. The file is untrusted input, so every shape is checked before use.
 */
import { mapFeaturesMax, mapRingVerticesMax } from '../limits.js'
import { isObject } from '../untrusted.js'

/** A ring is a flat list of coordinates: [lon0, lat0, lon1, lat1, ...]. */
export type Ring = Float64Array
/** The first ring is the outline, the others are holes. */
export type Polygon = Ring[]

export interface MapFeature {
  readonly id: string
  readonly name: string
  readonly polygons: Polygon[]
}

export interface DistrictMap {
  readonly features: readonly MapFeature[]
}

/** Parses and checks a GeoJSON FeatureCollection. Returns the map, or a list of issues. */
export function parseDistrictMap(json: unknown): { map: DistrictMap; issues: [] } | { map: null; issues: string[] } {
  const issues: string[] = []
  if (!isObject(json) || json.type !== 'FeatureCollection' || !Array.isArray(json.features)) {
    return { map: null, issues: ['must be a GeoJSON FeatureCollection with a "features" list'] }
  }
  if (json.features.length === 0) return { map: null, issues: ['features: must hold at least one district'] }
  if (json.features.length > mapFeaturesMax) {
    return { map: null, issues: [`features: must hold at most ${mapFeaturesMax} districts`] }
  }
  const features: MapFeature[] = []
  const ids = new Set<string>()
  let vertices = 0
  json.features.forEach((feature: unknown, index: number) => {
    const at = `features[${index}]`
    if (!isObject(feature)) {
      issues.push(`${at}: must be a GeoJSON Feature`)
      return
    }
    const properties = isObject(feature.properties) ? feature.properties : {}
    const rawId = feature.id ?? properties.id
    if (typeof rawId !== 'string' && typeof rawId !== 'number') {
      issues.push(`${at}.id: every district needs an id`)
      return
    }
    if (ids.has(String(rawId))) {
      issues.push(`${at}.id: "${String(rawId)}" is the id of another feature too`)
      return
    }
    ids.add(String(rawId))
    const name = typeof properties.name === 'string' ? properties.name : String(rawId)
    const geometry = feature.geometry
    if (!isObject(geometry) || !Array.isArray(geometry.coordinates)) {
      issues.push(`${at}.geometry: must be a Polygon or MultiPolygon`)
      return
    }
    const rawPolygons: unknown[] =
      geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : []
    if (rawPolygons.length === 0) {
      issues.push(`${at}.geometry: must be a Polygon or MultiPolygon with coordinates`)
      return
    }
    const polygons: Polygon[] = []
    for (const [polygonIndex, rawPolygon] of rawPolygons.entries()) {
      const polygon = parsePolygon(rawPolygon)
      if (typeof polygon === 'string') {
        issues.push(`${at}.geometry.coordinates[${polygonIndex}]: ${polygon}`)
        return
      }
      for (const ring of polygon) vertices += ring.length / 2
      polygons.push(polygon)
    }
    features.push({ id: String(rawId), name, polygons })
  })
  if (vertices > mapRingVerticesMax) issues.push(`features: the map has ${vertices} vertices, more than ${mapRingVerticesMax}`)
  if (issues.length > 0) return { map: null, issues }
  return { map: { features }, issues: [] }
}

function parsePolygon(raw: unknown): Polygon | string {
  if (!Array.isArray(raw) || raw.length === 0) return 'must be a list of rings'
  const polygon: Polygon = []
  for (const rawRing of raw) {
    if (!Array.isArray(rawRing) || rawRing.length < 4) return 'each ring needs at least 4 positions'
    if (rawRing.length > mapRingVerticesMax) return `a ring has more than ${mapRingVerticesMax} positions`
    const ring = new Float64Array(rawRing.length * 2)
    for (let index = 0; index < rawRing.length; index++) {
      const position: unknown = rawRing[index]
      if (!Array.isArray(position) || position.length < 2) return 'each position must be [longitude, latitude]'
      const [lon, lat] = position as unknown[]
      if (typeof lon !== 'number' || typeof lat !== 'number' || Math.abs(lon) > 180 || Math.abs(lat) > 90) {
        return 'each position must be [longitude, latitude] in degrees'
      }
      ring[index * 2] = lon
      ring[index * 2 + 1] = lat
    }
    polygon.push(ring)
  }
  return polygon
}
