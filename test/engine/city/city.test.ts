import { describe, expect, it } from 'vitest'
import { buildCity, containsPoint, metroFareFen } from '../../../engine/city/index.js'
import { insideAlongRow } from '../../../engine/city/geometry.js'
import {
  allocatePopulation,
  synthesizeMerchants,
  viewPopulation,
} from '../../../engine/population/index.js'
import { planRun, scenarioCity } from '../../../engine/run/index.js'
import { loadScenario } from '../../../scenarios/index.js'
import { defaultScenario } from '../../helpers/runs.js'

const loaded = await loadScenario(defaultScenario)
// The district network: the city's map and districts without the scenario's own metro.
const city = buildCity(loaded.map, loaded.scenario.city.districts)

describe('the city from its map', () => {
  it("measures Shenzhen's land area close to the official 1,997 km²", () => {
    // Proves areas are computed in km² from longitude/latitude (a wrong projection is far off).
    const total = city.districts.reduce((sum, district) => sum + district.areaKm2, 0)
    expect(total).toBeGreaterThan(1997 * 0.9)
    expect(total).toBeLessThan(1997 * 1.1)
    for (const district of city.districts)
      expect(district.areaKm2, district.name).toBeGreaterThan(50)
  })

  it('puts each district centre inside its own district, even a C-shaped one', () => {
    // Proves centres come from the polygons and stay inside (the metro stations stand on them).
    for (const district of city.districts) {
      expect(containsPoint(district.polygons, district.lon, district.lat), district.name).toBe(true)
    }
  })

  it('joins every district to every other by metro', () => {
    // Proves the network is connected and distances along it are finite and symmetric.
    const count = city.districts.length
    expect(city.metro.links.length).toBeGreaterThanOrEqual(count - 1)
    for (let from = 0; from < count; from++) {
      for (let to = 0; to < count; to++) {
        const km = city.metro.distanceKm[from * count + to] as number
        expect(Number.isFinite(km)).toBe(true)
        expect(km).toBeCloseTo(city.metro.distanceKm[to * count + from] as number, 9)
      }
    }
  })

  it('charges metro fares by distance band, in whole fen', () => {
    // Proves the Shenzhen Metro fare bands at their edges.
    expect([0, 4, 4.01, 8, 12, 12.01, 18, 24, 24.01, 32].map(metroFareFen)).toEqual([
      200, 200, 300, 300, 400, 500, 500, 600, 700, 700,
    ])
    const longest = Math.max(...city.fareFen)
    expect(longest).toBeGreaterThan(200)
    expect(longest).toBeLessThanOrEqual(1500)
  })

  it('tests a row of points the same way as one point at a time', () => {
    // Proves the scanline used to grid districts agrees with the ray cast, on every district.
    for (const district of city.districts) {
      const row = new Uint8Array(200)
      for (let step = 0; step < 40; step++) {
        const lat = district.lat - 0.2 + step * 0.01
        insideAlongRow(district.polygons, lat, district.lon - 0.3, 0.003, row)
        row.forEach((inside, column) => {
          const expected = containsPoint(
            district.polygons,
            district.lon - 0.3 + column * 0.003,
            lat,
          )
            ? 1
            : 0
          if (inside !== expected)
            expect.fail(
              `${district.name}: row and point disagree at column ${column}, step ${step}`,
            )
        })
      }
    }
  })

  it('places every merchant inside its district', () => {
    // Proves merchant placement by polygon, for a real sample of the city.
    const withMetro = scenarioCity(loaded)
    const plan = planRun(loaded.scenario, withMetro, { residents: 50_000 })
    const population = viewPopulation(allocatePopulation(plan.residents, plan.merchants))
    for (const segment of plan.segments) synthesizeMerchants(plan, withMetro, population, segment)
    expect(plan.merchants).toBeGreaterThan(1000)
    for (let merchant = 0; merchant < plan.merchants; merchant++) {
      const district = city.districts[population.merchantDistrict[merchant] as number]
      expect(district).toBeDefined()
      // Coordinates are stored as float32: test the stored point, as the map will draw it.
      const inside = containsPoint(
        district?.polygons ?? [],
        population.merchantLon[merchant] as number,
        population.merchantLat[merchant] as number,
      )
      if (!inside) expect.fail(`merchant ${merchant} lies outside ${district?.name}`)
    }
  })
})
