/**
 * parseDistrictMap on small hand-made GeoJSON: what parses, and the issue (with its path) for
 * every kind of broken map.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseDistrictMap } from '../../../engine/city/districtMap.js'
import {
  districtIdCharsMax,
  mapFeaturesMax,
  mapRingVerticesMax,
  mapVerticesMax,
  nameCharsMax,
} from '../../../engine/limits.js'

type Position = [number, number]

/** A closed square ring of side `size` with its south-west corner at (lon, lat). */
function square(lon: number, lat: number, size = 0.01): Position[] {
  return [
    [lon, lat],
    [lon + size, lat],
    [lon + size, lat + size],
    [lon, lat + size],
    [lon, lat],
  ]
}

function polygonFeature(
  id: unknown,
  rings: unknown = [square(114, 22.5)],
  properties: unknown = { name: `District ${String(id)}` },
) {
  return { type: 'Feature', id, properties, geometry: { type: 'Polygon', coordinates: rings } }
}

function collection(...features: unknown[]) {
  return { type: 'FeatureCollection', features }
}

/** A ring of `count` positions along a small circle (closed). */
function ringOf(count: number): Position[] {
  const ring = Array.from({ length: count - 1 }, (_, index): Position => {
    const angle = (2 * Math.PI * index) / (count - 1)
    return [114 + 0.01 * Math.cos(angle), 22.5 + 0.01 * Math.sin(angle)]
  })
  return [...ring, ring[0] ?? [114, 22.5]]
}

/** Parses and expects failure; returns the issues. */
function issuesOf(json: unknown): string[] {
  const result = parseDistrictMap(json)
  expect(result.map, 'the map must be refused').toBeNull()
  return result.issues
}

describe('parseDistrictMap: maps that parse', () => {
  it('parses a Polygon feature into a flat Float64Array ring, with id and name', () => {
    // Proves: positions become [lon0, lat0, lon1, lat1, ...] in order; id and name come from the
    // feature.
    const result = parseDistrictMap(
      collection(polygonFeature('440303', [square(114, 22.5, 0.5)], { name: 'Luohu' })),
    )
    expect(result.issues).toEqual([])
    const feature = result.map?.features[0]
    expect(feature?.id).toBe('440303')
    expect(feature?.name).toBe('Luohu')
    expect(feature?.polygons).toHaveLength(1)
    expect(feature?.polygons[0]).toHaveLength(1)
    const ring = feature?.polygons[0]?.[0]
    expect(ring).toBeInstanceOf(Float64Array)
    expect(Array.from(ring ?? [])).toEqual([114, 22.5, 114.5, 22.5, 114.5, 23, 114, 23, 114, 22.5])
  })

  it('parses a MultiPolygon feature with a hole into its polygons and rings', () => {
    // Proves: each polygon of a MultiPolygon is kept, and a polygon's later rings (holes) are kept
    // after its outline.
    const outline = square(114, 22.5, 0.1)
    const hole = square(114.02, 22.52, 0.01)
    const island = square(114.3, 22.3, 0.02)
    const feature = {
      type: 'Feature',
      id: 'a',
      properties: { name: 'A' },
      geometry: { type: 'MultiPolygon', coordinates: [[outline, hole], [island]] },
    }
    const result = parseDistrictMap(collection(feature))
    expect(result.issues).toEqual([])
    const polygons = result.map?.features[0]?.polygons ?? []
    expect(polygons.map((polygon) => polygon.length)).toEqual([2, 1])
    expect(Array.from(polygons[0]?.[1] ?? [])).toEqual(hole.flat())
    expect(Array.from(polygons[1]?.[0] ?? [])).toEqual(island.flat())
  })

  it('takes a numeric id as a string, an id from properties, and the id as the name when there is none', () => {
    // Proves: the id rules: feature.id (number or string) first, else properties.id; the name falls
    // back to the id.
    const result = parseDistrictMap(
      collection(
        polygonFeature(440303, undefined, {}),
        polygonFeature(undefined, undefined, { id: 'from-properties', name: 'P' }),
        polygonFeature('top', undefined, { id: 'ignored' }),
        {
          type: 'Feature',
          id: 'bare',
          geometry: { type: 'Polygon', coordinates: [square(114, 22.5)] },
        },
      ),
    )
    expect(result.issues).toEqual([])
    expect(result.map?.features.map((feature) => [feature.id, feature.name])).toEqual([
      ['440303', '440303'],
      ['from-properties', 'P'],
      ['top', 'top'],
      ['bare', 'bare'],
    ])
  })

  it('accepts positions exactly on the bounds (longitude ±180, latitude ±90) and extra coordinates', () => {
    // Proves: the range check is inclusive, and a third value (altitude) is allowed and dropped.
    const ring: number[][] = [
      [-180, -90, 12],
      [180, -90],
      [180, 90],
      [-180, 90],
      [-180, -90],
    ]
    const result = parseDistrictMap(collection(polygonFeature('world', [ring])))
    expect(result.issues).toEqual([])
    expect(Array.from(result.map?.features[0]?.polygons[0]?.[0] ?? [])).toEqual([
      -180, -90, 180, -90, 180, 90, -180, 90, -180, -90,
    ])
  })

  it('accepts mapFeaturesMax features', () => {
    // Proves: the feature bound is inclusive.
    const features = Array.from({ length: mapFeaturesMax }, (_, index) =>
      polygonFeature(`d${index}`),
    )
    expect(parseDistrictMap(collection(...features)).map?.features).toHaveLength(mapFeaturesMax)
  })

  it('parses the shipped Shenzhen map: 8 districts inside Shenzhen', () => {
    // Proves: the real map parses, with its 8 district ids, Polygon and MultiPolygon features, all
    // positions near Shenzhen.
    const json: unknown = JSON.parse(
      readFileSync(new URL('../../../scenarios/maps/shenzhen.geojson', import.meta.url), 'utf8'),
    )
    const result = parseDistrictMap(json)
    expect(result.issues).toEqual([])
    const features = result.map?.features ?? []
    expect(features.map((feature) => feature.id).sort()).toEqual([
      '440303',
      '440304',
      '440305',
      '440306',
      '440307',
      '440308',
      '440309',
      '440310',
    ])
    expect(features.find((feature) => feature.id === '440304')?.name).toBe('福田区')
    expect(features.some((feature) => feature.polygons.length > 1)).toBe(true)
    for (const feature of features) {
      for (const ring of feature.polygons.flat()) {
        for (let index = 0; index < ring.length; index += 2) {
          expect(ring[index]).toBeGreaterThan(113.5)
          expect(ring[index]).toBeLessThan(115)
          expect(ring[index + 1]).toBeGreaterThan(22)
          expect(ring[index + 1]).toBeLessThan(23)
        }
      }
    }
  })
})

describe('parseDistrictMap: maps that are refused', () => {
  it.each([
    ['null', null],
    ['a list', [polygonFeature('a')]],
    ['a string', 'FeatureCollection'],
    ['a single Feature', polygonFeature('a')],
    ['a collection without features', { type: 'FeatureCollection' }],
    [
      'a collection whose features are an object',
      { type: 'FeatureCollection', features: { 0: polygonFeature('a') } },
    ],
    ['a lower-case type', { type: 'featurecollection', features: [polygonFeature('a')] }],
  ])('refuses %s: not a FeatureCollection', (_what, json) => {
    // Proves: only a GeoJSON FeatureCollection with a features list is accepted.
    expect(issuesOf(json)).toEqual(['must be a GeoJSON FeatureCollection with a "features" list'])
  })

  it('refuses an empty map and one with more than mapFeaturesMax features', () => {
    // Proves: a map holds between 1 and mapFeaturesMax districts.
    expect(issuesOf(collection())).toEqual(['features: must hold at least one district'])
    const features = Array.from({ length: mapFeaturesMax + 1 }, (_, index) =>
      polygonFeature(`d${index}`),
    )
    expect(issuesOf(collection(...features))).toEqual([
      `features: must hold at most ${mapFeaturesMax} districts`,
    ])
  })

  it.each([
    ['no id anywhere', polygonFeature(undefined, undefined, { name: 'Nameless' })],
    [
      'no properties and no id',
      { type: 'Feature', geometry: { type: 'Polygon', coordinates: [square(114, 22.5)] } },
    ],
    ['a null id', polygonFeature(null)],
    ['an object as id', polygonFeature({ code: 1 })],
    ['a boolean id', polygonFeature(true)],
  ])('refuses a feature with %s', (_what, feature) => {
    // Proves: every district needs a string or number id; the issue names the feature's index.
    expect(issuesOf(collection(polygonFeature('ok'), feature))).toEqual([
      'features[1].id: every district needs an id',
    ])
  })

  it.each([null, 'Feature', [1, 2], 7])(
    'refuses a feature that is not an object (%j)',
    (feature) => {
      // Proves: a feature that is not an object is reported with its index, not a TypeError.
      expect(issuesOf(collection(feature))).toEqual(['features[0]: must be a GeoJSON Feature'])
    },
  )

  it.each([
    ['no geometry', undefined],
    ['a null geometry', null],
    ['coordinates that are not a list', { type: 'Polygon', coordinates: 'none' }],
  ])('refuses a feature with %s', (_what, geometry) => {
    // Proves: a geometry without a coordinate list is refused on the feature's geometry path.
    expect(issuesOf(collection({ type: 'Feature', id: 'a', geometry }))).toEqual([
      'features[0].geometry: must be a Polygon or MultiPolygon',
    ])
  })

  it.each([
    ['a Point', { type: 'Point', coordinates: [114, 22.5] }],
    ['a LineString', { type: 'LineString', coordinates: square(114, 22.5) }],
    ['a lower-case polygon type', { type: 'polygon', coordinates: [square(114, 22.5)] }],
    ['a MultiPolygon without polygons', { type: 'MultiPolygon', coordinates: [] }],
  ])('refuses a feature whose geometry is %s', (_what, geometry) => {
    // Proves: only Polygon and MultiPolygon geometries with coordinates are districts.
    expect(issuesOf(collection({ type: 'Feature', id: 'a', geometry }))).toEqual([
      'features[0].geometry: must be a Polygon or MultiPolygon with coordinates',
    ])
  })

  it.each([
    ['no rings', [], 'must be a list of rings'],
    [
      'a ring of 3 positions',
      [square(114, 22.5).slice(0, 3)],
      'each ring needs at least 4 positions',
    ],
    ['a ring that is not a list', ['ring'], 'each ring needs at least 4 positions'],
    [
      'a position with one number',
      [[[114], [114.1, 22.5], [114.1, 22.6], [114, 22.5]]],
      'each position must be [longitude, latitude]',
    ],
    [
      'a position that is text',
      [
        [
          ['114', '22.5'],
          [114.1, 22.5],
          [114.1, 22.6],
          [114, 22.5],
        ],
      ],
      'each position must be [longitude, latitude] in degrees',
    ],
    [
      'a longitude over 180',
      [
        [
          [180.0001, 22.5],
          [114.1, 22.5],
          [114.1, 22.6],
          [114, 22.5],
        ],
      ],
      'each position must be [longitude, latitude] in degrees',
    ],
    [
      'a latitude under -90',
      [
        [
          [114, -90.0001],
          [114.1, 22.5],
          [114.1, 22.6],
          [114, 22.5],
        ],
      ],
      'each position must be [longitude, latitude] in degrees',
    ],
    [
      'an infinite longitude',
      [
        [
          [Infinity, 22.5],
          [114.1, 22.5],
          [114.1, 22.6],
          [114, 22.5],
        ],
      ],
      'each position must be [longitude, latitude] in degrees',
    ],
    [
      'a bad hole after a good outline',
      [
        square(114, 22.5),
        [
          [114, 95],
          [114.1, 22.5],
          [114.1, 22.6],
          [114, 22.5],
        ],
      ],
      'each position must be [longitude, latitude] in degrees',
    ],
  ])('refuses a Polygon with %s, naming the polygon', (_what, rings, message) => {
    // Proves: rings and positions are checked one by one; the issue names the feature and the
    // polygon.
    expect(issuesOf(collection(polygonFeature('a', rings)))).toEqual([
      `features[0].geometry.coordinates[0]: ${message}`,
    ])
  })

  it('names the bad polygon of a MultiPolygon by its index', () => {
    // Proves: in a MultiPolygon the issue points at the polygon at fault (coordinates[1]), not the
    // first one.
    const geometry = {
      type: 'MultiPolygon',
      coordinates: [
        [square(114, 22.5)],
        [
          [
            [200, 22.5],
            [114.1, 22.5],
            [114.1, 22.6],
            [200, 22.5],
          ],
        ],
      ],
    }
    expect(issuesOf(collection({ type: 'Feature', id: 'a', geometry }))).toEqual([
      'features[0].geometry.coordinates[1]: each position must be [longitude, latitude] in degrees',
    ])
  })

  it('reports every broken feature at once', () => {
    // Proves: the parser goes on after a bad feature, so one pass lists all of them.
    const issues = issuesOf(
      collection(
        polygonFeature(undefined, undefined, {}),
        polygonFeature('good'),
        { type: 'Feature', id: 'point', geometry: { type: 'Point', coordinates: [114, 22.5] } },
        polygonFeature('far', [
          [
            [114, 91],
            [114.1, 22.5],
            [114.1, 22.6],
            [114, 91],
          ],
        ]),
      ),
    )
    expect(issues).toEqual([
      'features[0].id: every district needs an id',
      'features[2].geometry: must be a Polygon or MultiPolygon with coordinates',
      'features[3].geometry.coordinates[0]: each position must be [longitude, latitude] in degrees',
    ])
  })

  it('refuses a ring of more than mapRingVerticesMax positions', () => {
    // Proves: a single ring is bounded before its Float64Array is allocated.
    expect(issuesOf(collection(polygonFeature('a', [ringOf(mapRingVerticesMax + 1)])))).toEqual([
      `features[0].geometry.coordinates[0]: a ring has more than ${mapRingVerticesMax} positions`,
    ])
  })

  it('refuses a map whose rings together have more than mapVerticesMax positions, at the polygon that passes it', () => {
    // Proves: the vertex bound holds for the whole map, not only per ring, and nothing past it is
    // copied.
    const half = Math.floor(mapVerticesMax / 2) + 1
    expect(
      issuesOf(
        collection(polygonFeature('a', [ringOf(half)]), polygonFeature('b', [ringOf(half)])),
      ),
    ).toEqual([
      `features[1].geometry.coordinates[0]: the map has more than ${mapVerticesMax} positions in all`,
    ])
    expect(
      parseDistrictMap(
        collection(
          polygonFeature('a', [ringOf(half - 1)]),
          polygonFeature('b', [ringOf(half - 1)]),
        ),
      ).issues,
    ).toEqual([])
  })

  it('refuses a NaN coordinate', () => {
    // Proves: a position that is not a number of degrees is refused even when it compares false
    // with every bound.
    expect(
      issuesOf(
        collection(
          polygonFeature('a', [
            [
              [Number.NaN, 22.5],
              [114.1, 22.5],
              [114.1, 22.6],
              [114, 22.5],
            ],
          ]),
        ),
      ),
    ).toEqual([
      'features[0].geometry.coordinates[0]: each position must be [longitude, latitude] in degrees',
    ])
  })

  it('accepts an id of districtIdCharsMax characters and refuses a longer one, or one with control characters, without quoting it', () => {
    // Proves: feature ids are bounded (they are quoted in messages, once per district a scenario
    // names wrongly).
    expect(
      parseDistrictMap(collection(polygonFeature('x'.repeat(districtIdCharsMax)))).issues,
    ).toEqual([])
    for (const id of [
      'x'.repeat(districtIdCharsMax + 1),
      'x'.repeat(100_000),
      '',
      'a\x1b[2Jb',
      'a\u202eb',
    ]) {
      const issues = issuesOf(collection(polygonFeature('ok'), polygonFeature(id)))
      expect(issues).toEqual([
        `features[1].id: must be 1 to ${districtIdCharsMax} characters, none of them a control character`,
      ])
    }
  })

  it('refuses a name longer than nameCharsMax or with control characters', () => {
    // Proves: a feature's name, shown on the page and in reports, is bounded like a scenario's
    // names.
    expect(
      parseDistrictMap(
        collection(polygonFeature('a', undefined, { name: 'n'.repeat(nameCharsMax) })),
      ).issues,
    ).toEqual([])
    for (const name of ['n'.repeat(nameCharsMax + 1), 'Luohu\x07']) {
      expect(issuesOf(collection(polygonFeature('a', undefined, { name })))).toEqual([
        `features[0].properties.name: must be at most ${nameCharsMax} characters, none of them a control character`,
      ])
    }
  })

  it('refuses two features with the same id, naming the second', () => {
    // Proves: ids are unique, so a scenario's district can never silently match the wrong polygon.
    const result = parseDistrictMap(
      collection(
        polygonFeature('440303', [square(114, 22.5)]),
        polygonFeature('440303', [square(120, 30)]),
      ),
    )
    expect(result.map).toBeNull()
    expect(result.issues).toEqual(['features[1].id: "440303" is the id of another feature too'])
  })
})
