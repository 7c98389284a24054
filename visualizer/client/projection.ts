/**
 * The city fitted to the map's box: a Mercator projection (fine at a city's scale) and the screen
 * positions the layers share. Recomputed only when the box changes size, never per frame.
 */
import { geoArea, geoContains, geoMercator, geoPath, type GeoPath, type GeoProjection } from 'd3'
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson'
import type { CityView } from '../protocol.js'
import { assert } from './assert.js'

/** Space kept free round the city, px: room for labels and the arcs' bulge at the edges. */
const mapMarginPx = 24
/** A ring enclosing more than half the sphere was wound the other way (RFC 7946 vs d3-geo). */
const hemisphereSr = 2 * Math.PI
/** A piece of a district smaller than this share of its largest (an islet) carries no name. */
const labelPartAreaMin = 0.2

export type DistrictFeature = Feature<Polygon | MultiPolygon, { readonly index: number }>

export interface CityGeometry {
  readonly width: number
  readonly height: number
  readonly projection: GeoProjection
  readonly path: GeoPath
  /** SVG path data per district, in CityView order. */
  readonly districtPaths: readonly string[]
  /** Screen positions of each district's station (its centre), in CityView order. */
  readonly centres: readonly (readonly [number, number])[]
  /** Where each district's name is written: one point, on its largest piece. */
  readonly labelAt: readonly (readonly (readonly [number, number])[])[]
}

/** The districts as GeoJSON, made once per city: their rings wound the way d3-geo expects. */
export function districtFeatures(city: CityView): DistrictFeature[] {
  return city.districts.map((district, index) => {
    const geometry = windForD3(asGeometry(district.geometry, district.id))
    return { type: 'Feature', properties: { index }, geometry }
  })
}

export function fitCity(
  city: CityView,
  features: readonly DistrictFeature[],
  width: number,
  height: number,
): CityGeometry {
  assert(width > 0 && height > 0, 'the map has a size')
  const collection: FeatureCollection<Polygon | MultiPolygon> = {
    type: 'FeatureCollection',
    features: [...features],
  }
  const projection = geoMercator().fitExtent(
    [
      [mapMarginPx, mapMarginPx],
      [
        Math.max(mapMarginPx + 1, width - mapMarginPx),
        Math.max(mapMarginPx + 1, height - mapMarginPx),
      ],
    ],
    collection,
  )
  const path = geoPath(projection)
  const districtPaths = features.map((feature) => path(feature) ?? '')
  const centres = city.districts.map((district) => project(projection, district.centre))
  const labelAt = features.map((feature, index) =>
    labelPoints(feature.geometry, path, city.districts[index]?.places ?? []),
  )
  return { width, height, projection, path, districtPaths, centres, labelAt }
}

function project(projection: GeoProjection, lonLat: readonly [number, number]): [number, number] {
  const point = projection([lonLat[0], lonLat[1]])
  assert(point !== null, 'a city point projects')
  return point
}

/**
 * Where a district's name goes: the centroid of its largest piece that holds none of the places
 * named in it (of its largest piece, if all do). One name per district: a piece apart (Dapeng,
 * drawn inside Longgang) carries the place's name, not its district's again.
 */
function labelPoints(
  geometry: Polygon | MultiPolygon,
  path: GeoPath,
  places: readonly { readonly at: readonly [number, number] }[],
): [number, number][] {
  if (geometry.type === 'Polygon') return [path.centroid(geometry)]
  const parts = geometry.coordinates.map((coordinates): Polygon => ({
    type: 'Polygon',
    coordinates,
  }))
  const areas = parts.map((part) => path.area(part))
  const largest = Math.max(...areas)
  // A piece is free for the name if no place lies in it; pieces too small to hold a name (an
  // islet) are never chosen over the largest.
  const free = parts.map(
    (part, i) =>
      (areas[i] ?? 0) >= largest * labelPartAreaMin &&
      !places.some((place) => geoContains(part, [place.at[0], place.at[1]])),
  )
  // A free piece before any other, then the larger.
  const better = (i: number, than: number) =>
    free[i] !== free[than] ? free[i] === true : (areas[i] ?? 0) > (areas[than] ?? 0)
  let best = 0
  for (let i = 1; i < parts.length; i++) if (better(i, best)) best = i
  const chosen = parts[best]
  assert(chosen !== undefined, 'a district has a piece')
  return [path.centroid(chosen)]
}

function asGeometry(
  geometry: CityView['districts'][number]['geometry'],
  id: string,
): Polygon | MultiPolygon {
  assert(Array.isArray(geometry.coordinates), `district ${id} has coordinates`)
  switch (geometry.type) {
    case 'Polygon':
      return { type: 'Polygon', coordinates: geometry.coordinates as Position[][] }
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: geometry.coordinates as Position[][][] }
  }
}

/**
 * GeoJSON (RFC 7946) winds outer rings anticlockwise; d3-geo, working on the sphere, reads that
 * as "everything but the district". Each polygon that comes out larger than a hemisphere is turned.
 */
function windForD3(geometry: Polygon | MultiPolygon): Polygon | MultiPolygon {
  const turn = (rings: Position[][]): Position[][] =>
    geoArea({ type: 'Polygon', coordinates: rings }) > hemisphereSr
      ? rings.map((ring) => [...ring].reverse())
      : rings
  return geometry.type === 'Polygon'
    ? { type: 'Polygon', coordinates: turn(geometry.coordinates) }
    : { type: 'MultiPolygon', coordinates: geometry.coordinates.map(turn) }
}
