/**
 * What the page is sent about places: merchants only as counts on a grid, each cell holding at
 * least the floor and none at a merchant's own position; districts below the residents' floor
 * only as one "other districts" shape, in city.json and in every snapshot alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { merchantCellMerchantsMin } from '../../engine/limits.js'
import { otherDistrictsName } from '../../engine/counting/districtRows.js'
import { networkStationsMax, type CityView, type Snapshot } from '../../visualizer/protocol.js'
import { openLiveMap, type LiveMap } from '../helpers/liveMap.js'
import { defaultScenario, smokeScenario } from '../helpers/runs.js'

describe('the city as sent to the page', () => {
  let small: LiveMap
  let shenzhen: LiveMap

  beforeAll(async () => {
    // 300 residents: districts of a handful of residents, and merchants few enough that each dot
    // would be one.
    small = await openLiveMap({ scenario: smokeScenario, residents: 300, start: false })
    shenzhen = await openLiveMap({ scenario: defaultScenario, residents: 20_000, start: false })
  }, 120_000)
  afterAll(async () => {
    await small.close()
    await shenzhen.close()
  })

  const cityOf = (map: LiveMap): CityView => {
    if (map.session === undefined) throw new Error('a live map')
    return map.session.city
  }

  it('sends merchants as grid counts of at least the floor, never one merchant at its own position', () => {
    // Proves the finding's leak is closed: no entry of city.json is a single merchant, however
    // small the sample.
    for (const city of [cityOf(small), cityOf(shenzhen)]) {
      expect(city.merchants.length).toBeGreaterThan(0)
      for (const cell of city.merchants)
        expect(cell[3]).toBeGreaterThanOrEqual(merchantCellMerchantsMin)
    }
    const shown = cityOf(shenzhen).merchants.reduce((sum, cell) => sum + (cell[3] ?? 0), 0)
    expect(shown).toBeLessThanOrEqual(cityOf(shenzhen).agents.merchants)
    // Half the merchants at least are on the map (the grid is made coarser until they are).
    expect(shown * 2).toBeGreaterThanOrEqual(cityOf(shenzhen).agents.merchants)
  })

  it('folds districts below the floor into one shape, and the snapshots follow the same rows', () => {
    // Proves a district of a few residents has no shape, figures or flows of its own on the page;
    // Shenzhen at 20,000 keeps its eight.
    const city = cityOf(small)
    const names = city.districts.map((district) => district.name)
    expect(names).toContain(otherDistrictsName)
    expect(names).not.toContain('Yantian')
    expect(city.districts.reduce((sum, district) => sum + district.residents, 0)).toBe(
      city.agents.residents,
    )
    const snapshot: Snapshot = (small.session as NonNullable<LiveMap['session']>).latest
    expect(snapshot.districts.tps).toHaveLength(city.districts.length)
    expect(snapshot.districts.payments).toHaveLength(city.districts.length)
    expect(snapshot.flows).toHaveLength(city.districts.length ** 2)
    for (const link of city.metro) expect(link.from).not.toBe(link.to)

    expect(cityOf(shenzhen).districts.map((district) => district.name)).toEqual([
      'Luohu',
      'Futian',
      'Nanshan',
      "Bao'an",
      'Longgang',
      'Yantian',
      'Pingshan',
      'Longhua',
    ])
  })

  it("sends Shenzhen's real metro in place of the district links, rounded, within the page's bounds", () => {
    // Proves the network goes out as the page draws it: stations at 4 decimals, lines listing
    // stations of the network, colours as #rrggbb, no district links beside it; the smoke city,
    // without city.metro, keeps its links and sends no network.
    const view = cityOf(shenzhen)
    const network = view.network
    expect(network?.stations).toHaveLength(324)
    expect(network?.lines).toHaveLength(16)
    expect(network?.stations.length ?? 0).toBeLessThanOrEqual(networkStationsMax)
    expect(view.metro).toEqual([])
    for (const station of network?.stations ?? []) {
      for (const degree of station.at) expect(Math.round(degree * 1e4) / 1e4).toBe(degree)
    }
    for (const line of network?.lines ?? []) {
      expect(line.colour).toMatch(/^#[0-9a-f]{6}$/)
      for (const station of line.stations) expect(station).toBeLessThan(324)
    }
    // About 30 kB of the city.json: small beside the district outlines.
    expect(JSON.stringify(network).length).toBeLessThan(40_000)
    expect(cityOf(small).network).toBeUndefined()
    expect(cityOf(small).metro.length).toBeGreaterThan(0)
  })
})
