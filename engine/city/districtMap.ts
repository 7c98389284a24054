/**
 * A district map read from GeoJSON: one feature per district, Polygon or MultiPolygon, in
 * longitude/latitude. The file is untrusted input, so every shape is checked before use.
 */
import {
  districtIdCharsMax,
  mapFeaturesMax,
  mapRingVerticesMax,
  mapVerticesMax,
  nameCharsMax,
} from '../limits.js'
import { hasUnprintable } from '../printable.js'
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
export function parseDistrictMap(
  json: unknown,
): { map: DistrictMap; issues: [] } | { map: null; issues: string[] } {
  const issues: string[] = []
  if (!isObject(json) || json.type !== 'FeatureCollection' || !Array.isArray(json.features)) {
    return { map: null, issues: ['must be a GeoJSON FeatureCollection with a "features" list'] }
  }
  if (json.features.length === 0)
    return { map: null, issues: ['features: must hold at least one district'] }
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
    const identity = featureIdentity(feature, at, ids)
    if (typeof identity === 'string') {
      issues.push(identity)
      return
    }
    const { id, name } = identity
    const geometry = feature.geometry
    if (!isObject(geometry) || !Array.isArray(geometry.coordinates)) {
      issues.push(`${at}.geometry: must be a Polygon or MultiPolygon`)
      return
    }
    const rawPolygons: unknown[] =
      geometry.type === 'Polygon'
        ? [geometry.coordinates]
        : geometry.type === 'MultiPolygon'
          ? geometry.coordinates
          : []
    if (rawPolygons.length === 0) {
      issues.push(`${at}.geometry: must be a Polygon or MultiPolygon with coordinates`)
      return
    }
    const polygons: Polygon[] = []
    for (const [polygonIndex, rawPolygon] of rawPolygons.entries()) {
      // What is left of the map's bound caps each polygon, so no more than the bound is ever
      // copied.
      const polygon = parsePolygon(rawPolygon, mapVerticesMax - vertices)
      if (typeof polygon === 'string') {
        issues.push(`${at}.geometry.coordinates[${polygonIndex}]: ${polygon}`)
        return
      }
      for (const ring of polygon) vertices += ring.length / 2
      polygons.push(polygon)
    }
    features.push({ id, name, polygons })
  })
  if (issues.length > 0) return { map: null, issues }
  return { map: { features }, issues: [] }
}

/**
 * A feature's id and name, checked, or what is wrong with them. The id joins `ids` once it is
 * known to be new, so a later feature that repeats it is refused.
 */
function featureIdentity(
  feature: Record<string, unknown>,
  at: string,
  ids: Set<string>,
): { id: string; name: string } | string {
  const properties = isObject(feature.properties) ? feature.properties : {}
  const rawId = feature.id ?? properties.id
  if (typeof rawId !== 'string' && typeof rawId !== 'number') {
    return `${at}.id: every district needs an id`
  }
  // Ids are quoted in messages and matched against the scenario's, which are as short.
  const id = String(rawId)
  if (id.length === 0 || id.length > districtIdCharsMax || hasUnprintable(id)) {
    return `${at}.id: must be 1 to ${districtIdCharsMax} characters, none of them a control character`
  }
  if (ids.has(id)) {
    return `${at}.id: "${id}" is the id of another feature too`
  }
  ids.add(id)
  const name = typeof properties.name === 'string' ? properties.name : id
  if (name.length > nameCharsMax || hasUnprintable(name)) {
    return `${at}.properties.name: must be at most ${nameCharsMax} characters, none of them a control character`
  }
  return { id, name }
}

/** A polygon of at most `verticesLeft` positions, or what is wrong with it. */
function parsePolygon(raw: unknown, verticesLeft: number): Polygon | string {
  if (!Array.isArray(raw) || raw.length === 0) return 'must be a list of rings'
  const polygon: Polygon = []
  let left = verticesLeft
  for (const rawRing of raw) {
    if (!Array.isArray(rawRing) || rawRing.length < 4) return 'each ring needs at least 4 positions'
    if (rawRing.length > mapRingVerticesMax)
      return `a ring has more than ${mapRingVerticesMax} positions`
    if (rawRing.length > left) return `the map has more than ${mapVerticesMax} positions in all`
    left -= rawRing.length
    const ring = new Float64Array(rawRing.length * 2)
    for (let index = 0; index < rawRing.length; index++) {
      const position: unknown = rawRing[index]
      if (!Array.isArray(position) || position.length < 2)
        return 'each position must be [longitude, latitude]'
      const [lon, lat] = position as unknown[]
      // Written as `!(x <= bound)` so that NaN, which compares false, is refused with the rest.
      if (
        typeof lon !== 'number' ||
        typeof lat !== 'number' ||
        !(Math.abs(lon) <= 180) ||
        !(Math.abs(lat) <= 90)
      ) {
        return 'each position must be [longitude, latitude] in degrees'
      }
      ring[index * 2] = lon
      ring[index * 2 + 1] = lat
    }
    polygon.push(ring)
  }
  return polygon
}
