/**
 * The real metro's network, built from stations and lines: link lengths, shortest paths through
 * interchanges and round loops, the first line boarded, the districts each station serves, and
 * the fare rule's bands at their edges, for the three cities' published rules.
 */
import { describe, expect, it } from 'vitest'
import {
  buildStationNetwork,
  fareOfKm,
  greatCircleKm,
  noDistrict,
  noLine,
  parseMetroMap,
  unreachableStations,
  withoutLines,
  type FareRule,
  type MetroMap,
  type ServedDistrict,
} from '../../../engine/city/index.js'
import { UserError } from '../../../engine/errors.js'
import { metroNearestStations } from '../../../engine/limits.js'

/** Kilometres along the equator (and any meridian) in a degree, on the sphere the code uses. */
const kmPerDegree = (2 * Math.PI * 6371.0088) / 360

/** A point `east` and `north` km from (0°, 0°). */
const at = (east: number, north: number) => ({ lon: east / kmPerDegree, lat: north / kmPerDegree })

const shenzhen: FareRule = {
  baseFen: 200,
  baseKm: 4,
  bands: [
    { upToKm: 12, everyKm: 4, addFen: 100 },
    { upToKm: 24, everyKm: 6, addFen: 100 },
    { everyKm: 8, addFen: 100 },
  ],
}

/**
 *   S4 ·                      line A (0): S0 ─ S1 ─ S2 ───── S3       (along the equator)
 *      │  ╲  C                line B (1): S4 ─ S1 ─ S5                (north to south at 2 km)
 *   S0 ─ S1 ─ S2 ───── S3     line C (2): S4 ─ S3                     (a shortcut)
 *        │
 *   S5 · ┘
 */
const cross: MetroMap = {
  stations: [
    { name: 'S0', ...at(0, 0) },
    { name: 'S1', ...at(2, 0) },
    { name: 'S2', ...at(4, 0) },
    { name: 'S3', ...at(10, 0) },
    { name: 'S4', ...at(2, 3) },
    { name: 'S5', ...at(2, -3) },
  ],
  lines: [
    { name: 'A', colour: '#ff0000', stations: [0, 1, 2, 3] },
    { name: 'B', colour: '#0000ff', stations: [4, 1, 5] },
    { name: 'C', colour: '#00ff00', stations: [4, 3] },
  ],
}

/** A rectangle from (west, south) to (east, north), in km from (0°, 0°). */
function rectangle(west: number, south: number, east: number, north: number): ServedDistrict {
  const corners = [at(west, south), at(east, south), at(east, north), at(west, north)]
  const ring = Float64Array.from(corners.flatMap((corner) => [corner.lon, corner.lat]))
  const centre = at((west + east) / 2, (south + north) / 2)
  return { polygons: [[ring]], ...centre }
}

const districts = [rectangle(-1, -4, 5, 4), rectangle(5, -4, 12, 4), rectangle(20, -4, 30, 4)]

function build(map: MetroMap = cross, fare: FareRule = shenzhen, served = districts) {
  return buildStationNetwork({ file: 'hand-made.geojson', map, fare }, served)
}

describe('the network of stations and lines', () => {
  const network = build()
  const count = cross.stations.length
  const pair = (from: number, to: number) => from * count + to

  it('measures each link as the great-circle distance between its stations', () => {
    // Proves links join consecutive stations of each line, once each, at their straight length.
    expect(network.links).toHaveLength(3 + 2 + 1)
    expect(greatCircleKm(0, 0, 1, 0)).toBeCloseTo(kmPerDegree, 6)
    const s2s3 = network.links.find((link) => link.from === 2 && link.to === 3)
    expect(s2s3?.km).toBeCloseTo(6, 6)
    expect(s2s3?.line).toBe(0)
    expect(network.distanceKm[pair(0, 3)]).toBeCloseTo(10, 4)
  })

  it('goes through an interchange, and takes the shorter way when a line offers one', () => {
    // Proves shortest paths cross lines at shared stations: S0 to S5 changes at S1 (2 + 3 km); S4
    // to S3 takes line C's 8.54 km rather than 3 + 8 through S1.
    expect(network.distanceKm[pair(0, 5)]).toBeCloseTo(5, 4)
    expect(network.firstLine[pair(0, 5)]).toBe(0)
    expect(network.firstLine[pair(5, 0)]).toBe(1)
    expect(network.distanceKm[pair(4, 3)]).toBeCloseTo(Math.hypot(8, 3), 3)
    expect(network.firstLine[pair(4, 3)]).toBe(2)
    // S4 to S2: by C to S3 then back (8.54 + 6) is longer than B then A (3 + 2).
    expect(network.distanceKm[pair(4, 2)]).toBeCloseTo(5, 4)
    expect(network.firstLine[pair(4, 2)]).toBe(1)
    expect(network.stations[1]?.lines).toEqual([0, 1])
    expect(network.stations[4]?.lines).toEqual([1, 2])
  })

  it('is symmetric, zero on the diagonal, with the base fare and no line there', () => {
    // Proves the tables' conventions for a station to itself, and that direction does not change
    // distance or fare.
    for (let from = 0; from < count; from++) {
      expect(network.distanceKm[pair(from, from)]).toBe(0)
      expect(network.fareFen[pair(from, from)]).toBe(200)
      expect(network.firstLine[pair(from, from)]).toBe(noLine)
      for (let to = 0; to < count; to++) {
        expect(network.distanceKm[pair(from, to)]).toBeCloseTo(
          network.distanceKm[pair(to, from)] as number,
          4,
        )
        expect(network.fareFen[pair(from, to)]).toBe(network.fareFen[pair(to, from)])
      }
    }
  })

  it('charges each pair the rule’s fare for its distance along the network', () => {
    // Proves the fare table follows the path's length: 2 km 2 yuan, 5 km 3, 8.54 km and 10 km 4.
    expect(network.fareFen[pair(0, 1)]).toBe(200)
    expect(network.fareFen[pair(0, 5)]).toBe(300)
    expect(network.fareFen[pair(4, 3)]).toBe(400)
    expect(network.fareFen[pair(0, 3)]).toBe(400)
  })

  it('goes round a loop the short way', () => {
    // Proves a loop's last link back to its first station is a link (Chengdu's line 7 is a loop).
    const loop: MetroMap = {
      stations: [at(0, 0), at(1, 0), at(1, 1), at(0, 1)].map((point, index) => ({
        name: `T${index}`,
        ...point,
      })),
      lines: [{ name: 'Loop', colour: '#123456', stations: [0, 1, 2, 3, 0] }],
    }
    const round = build(loop, shenzhen, [rectangle(-1, -1, 2, 2)])
    expect(round.links).toHaveLength(4)
    expect(round.distanceKm[0 * 4 + 3]).toBeCloseTo(1, 4)
    expect(round.distanceKm[1 * 4 + 3]).toBeCloseTo(2, 4)
  })

  it('gives each station the district it stands in, and a district without one its nearest', () => {
    // Proves the stations inside a district serve it, and one with none is served by the
    // metroNearestStations nearest its centre (25 km east), nearest first; a station outside every
    // district serves none.
    expect([...network.stationDistrict]).toEqual([0, 0, 0, 1, 0, 0])
    const served = (district: number) => [
      ...network.districtStations.subarray(
        network.districtStationStart[district],
        network.districtStationStart[district + 1],
      ),
    ]
    expect(served(0)).toEqual([0, 1, 2, 4, 5])
    expect(served(1)).toEqual([3])
    expect(metroNearestStations).toBe(3)
    expect(served(2)).toEqual([3, 2, 1])
    const outside = build(cross, shenzhen, [rectangle(-1, -4, 5, 4)])
    expect(outside.stationDistrict[3]).toBe(noDistrict)
  })

  it('refuses a rule whose fares do not fit the table, naming city.metro.fare and the stations', () => {
    // Proves fares beyond 65,535 fen are a user's error, not a wrapped Uint16: the dearest pair,
    // S3 to S5 (11 km), is named.
    const dear: FareRule = { baseFen: 60_000, baseKm: 1, bands: [{ everyKm: 1, addFen: 1_000 }] }
    expect(() => build(cross, dear)).toThrow(UserError)
    expect(() => build(cross, dear)).toThrow(
      /^city\.metro\.fare: the rule charges 70000 fen from S3 to S5 \(hand-made\.geojson\)/,
    )
  })
})

describe('fare rules at the edges of their bands', () => {
  const fares = (rule: FareRule, kms: readonly number[]) => kms.map((km) => fareOfKm(rule, km))

  it("charges Shenzhen Metro's rule: 2 yuan to 4 km, +1 each 4 km to 12, each 6 to 24, each 8 beyond", () => {
    // Proves each band's edge belongs to the band below it and the next metre costs a yuan more.
    const kms = [0, 4, 4.001, 8, 8.001, 12, 12.001, 18, 18.001, 24, 24.001, 32, 32.001, 40, 40.001]
    expect(fares(shenzhen, kms)).toEqual([
      200, 200, 300, 300, 400, 400, 500, 500, 600, 600, 700, 700, 800, 800, 900,
    ])
  })

  it("charges Suzhou Rail Transit's rule: 2 yuan to 6 km, +1 each 5 km to 16, each 7 to 30, each 9 beyond", () => {
    // Proves the rule docs/scenarios.md gives for Suzhou, written as data, at its edges.
    const suzhou: FareRule = {
      baseFen: 200,
      baseKm: 6,
      bands: [
        { upToKm: 16, everyKm: 5, addFen: 100 },
        { upToKm: 30, everyKm: 7, addFen: 100 },
        { everyKm: 9, addFen: 100 },
      ],
    }
    const kms = [6, 6.001, 11, 11.001, 16, 16.001, 23, 23.001, 30, 30.001, 39, 39.001]
    expect(fares(suzhou, kms)).toEqual([200, 300, 300, 400, 400, 500, 500, 600, 600, 700, 700, 800])
  })

  it("charges Chengdu Metro's rule: to 4 km 2 yuan, then 4, 6, 8, 10 and 20 km a yuan", () => {
    // Proves the six-band rule docs/scenarios.md gives for Chengdu, at every edge.
    const chengdu: FareRule = {
      baseFen: 200,
      baseKm: 4,
      bands: [
        { upToKm: 12, everyKm: 4, addFen: 100 },
        { upToKm: 24, everyKm: 6, addFen: 100 },
        { upToKm: 40, everyKm: 8, addFen: 100 },
        { upToKm: 50, everyKm: 10, addFen: 100 },
        { everyKm: 20, addFen: 100 },
      ],
    }
    const kms = [4, 8, 12, 18, 24, 32, 40, 40.001, 50, 50.001, 70, 70.001]
    expect(fares(chengdu, kms)).toEqual([
      200, 300, 400, 500, 600, 700, 800, 900, 900, 1000, 1000, 1100,
    ])
  })
})

describe('reading a network file', () => {
  const feature = (properties: Record<string, unknown>, coordinates?: [number, number]) => ({
    type: 'Feature',
    properties,
    geometry: coordinates === undefined ? null : { type: 'Point', coordinates },
  })
  const file = (features: unknown[]) => ({ type: 'FeatureCollection', features })
  const station = (number: number, name = `S${number}`) =>
    feature({ kind: 'station', station: number, name }, [114 + number / 100, 22.5])
  const line = (name: string, stations: unknown[], color = '#00B248') =>
    feature({ kind: 'line', name, color, stations })

  it('reads stations and lines, numbered as the file numbers them', () => {
    // Proves station numbers are the lines' references, whatever the features' order.
    const parsed = parseMetroMap(file([station(7), line('1号线', [7, 3]), station(3)]))
    expect(parsed.issues).toEqual([])
    expect(parsed.map?.stations.map((one) => one.name)).toEqual(['S7', 'S3'])
    expect(parsed.map?.lines).toEqual([{ name: '1号线', colour: '#00b248', stations: [0, 1] }])
  })

  it('names the feature and field of every problem at once', () => {
    // Proves each defect is reported with its feature index and field, all in one answer.
    const parsed = parseMetroMap(
      file([
        station(0),
        station(0, 'again'),
        feature({ kind: 'station', station: 2, name: 'nowhere' }),
        feature({ kind: 'depot' }),
        line('A', [0, 9]),
        line('B', [0, 0]),
        line('C', [0, 1], 'red'),
        line('A', [0, 1]),
      ]),
    )
    expect(parsed.map).toBeNull()
    expect(parsed.issues).toEqual([
      'features[1].properties.station: 0 numbers another station too',
      'features[2].geometry: must be a Point at [longitude, latitude] in degrees',
      'features[3].properties.kind: must be "station" or "line"',
      'features[4].properties.stations[1]: 9 is not the number of a station',
      'features[5].properties.stations: must list at least two stations',
      'features[6].properties.color: must be a colour like "#00b248"',
      'features[7].properties.stations[1]: 1 is not the number of a station',
    ])
  })

  it('finds the stations no line joins to the rest, and leaves lines out on request', () => {
    // Proves the connectivity check the loader makes, and that leaving a line out takes its own
    // stations with it and renumbers the rest.
    const parsed = parseMetroMap(
      file([station(0), station(1), station(2), station(3), line('A', [0, 1]), line('B', [2, 3])]),
    )
    const map = parsed.map as MetroMap
    expect(unreachableStations(map)).toEqual([2, 3])
    const alone = withoutLines(map, new Set(['B']))
    expect(alone.stations.map((one) => one.name)).toEqual(['S0', 'S1'])
    expect(unreachableStations(alone)).toEqual([])
    const other = withoutLines(map, new Set(['A']))
    expect(other.lines).toEqual([{ name: 'B', colour: '#00b248', stations: [0, 1] }])
  })
})
