/**
 * The city as the page draws it, built once per served city: district outlines (coordinates
 * rounded to about 10 m, outer rings wound the way d3-geo expects), the metro (the real lines and
 * stations when the scenario has them, else the links between district centres), merchants counted
 * on a grid, and aggregates. No resident appears in it, and no single merchant: positions go out
 * only as counts per cell of `merchantCellMetres`, cells of fewer than `merchantCellMerchantsMin`
 * left out; districts below `districtResidentsMin` residents are drawn as one "other districts"
 * shape with the figures of them all (engine/metrics/districtRows.ts).
 */
import type { DistrictMap, Polygon, Ring } from '../../engine/city/index.js'
import { channels } from '../../engine/ledger/channel.js'
import { transferKinds } from '../../engine/ledger/index.js'
import {
  merchantCellMerchantsMin,
  merchantCellMetres,
  metroLineStationsMax,
  metroLinesMax,
  metroStationsMax,
} from '../../engine/limits.js'
import type { DistrictRows } from '../../engine/counting/districtRows.js'
import type { Population } from '../../engine/population/index.js'
import type { PlannedDistrict } from '../../engine/plan/index.js'
import type { OpenedCity } from '../../engine/run/index.js'
import { isoMinute } from '../../engine/time/index.js'
import type { City, StationNetwork } from '../../engine/city/index.js'
import { assert } from '../../engine/assert.js'
import {
  merchantCellsMax,
  networkLineStationsMax,
  networkLinesMax,
  networkStationsMax,
  type CityView,
} from '../protocol.js'

/** Decimal places kept of a coordinate: 1e-4 degree is about 10 m, finer than the map is drawn. */
const coordinateDecimals = 4
/** Metres in a degree of latitude. */
const metresPerDegree = 111_320
/** The grid is made coarser at most this many times (×2 each): 500 m up to 8 km. */
const merchantCellDoublingsMax = 4

/** The city as the page draws it: its rows of districts, the metro, the merchants and the clock. */
export function cityView(
  opened: OpenedCity,
  city: City,
  map: DistrictMap,
  rows: DistrictRows,
  placesById: ReadonlyMap<string, Places> = new Map(),
): CityView {
  const { plan, population } = opened
  const byId = new Map(map.features.map((feature) => [feature.id, feature]))
  const drawn = plan.districts.map((district, index): DrawnDistrict => {
    const feature = byId.get(district.id)
    const centre = city.districts[index]
    if (feature === undefined || centre === undefined)
      throw new Error(`district ${district.id} is in the plan but not on the map`)
    return {
      district,
      polygons: feature.polygons.map(polygonCoordinates),
      centre: [round(centre.lon), round(centre.lat)] as const,
    }
  })
  const districts = rows.members.map((members, row) => {
    const parts = members.map((index) => drawn[index] as DrawnDistrict)
    const first = parts[0] as DrawnDistrict
    const places = parts.flatMap((part) => placesById.get(part.district.id) ?? [])
    const named = places.length === 0 ? {} : { places }
    if (parts.length === 1) {
      const { district } = first
      return {
        id: district.id,
        name: district.name,
        residents: district.residents,
        adoption: district.adoption,
        geometry: { type: 'MultiPolygon' as const, coordinates: first.polygons },
        centre: first.centre,
        ...named,
      }
    }
    return { ...otherRow(parts, rows.names[row] as string), ...named }
  })
  const network = city.network === undefined ? undefined : networkView(city.network)
  return {
    scenario: plan.scenarioName,
    districts,
    metro: network === undefined ? metroLinks(city, rows) : [],
    ...(network === undefined ? {} : { network }),
    merchants: merchantCells(population, plan.merchants, plan.categories.length, districts),
    categories: plan.categories.map((category) => category.name),
    kinds: [...transferKinds],
    channels: [...channels],
    clock: {
      from: isoMinute(plan.clock, 0),
      to: isoMinute(plan.clock, plan.clock.ticks),
      ticks: plan.clock.ticks,
      utcOffsetMinutes: plan.clock.utcOffsetMinutes,
    },
    agents: opened.agents,
  }
}

/** The places a scenario names inside one district. */
type Places = NonNullable<CityView['districts'][number]['places']>

/** What the page needs of one planned district: its polygons and centre, as rounded lon/lat. */
interface DrawnDistrict {
  readonly district: PlannedDistrict
  readonly polygons: number[][][][]
  readonly centre: readonly [number, number]
}

/**
 * The "other" row: one shape of all its districts, their residents summed and their adoption
 * weighted by residents, its station that of the largest.
 */
function otherRow(parts: readonly DrawnDistrict[], name: string): CityView['districts'][number] {
  const first = parts[0] as DrawnDistrict
  const residents = parts.reduce((sum, part) => sum + part.district.residents, 0)
  const largest = parts.reduce(
    (best, part) => (part.district.residents > best.district.residents ? part : best),
    first,
  )
  return {
    id: 'other',
    name,
    residents,
    adoption:
      residents === 0
        ? 0
        : parts.reduce((sum, part) => sum + part.district.adoption * part.district.residents, 0) /
          residents,
    geometry: {
      type: 'MultiPolygon' as const,
      coordinates: parts.flatMap((part) => part.polygons),
    },
    centre: largest.centre,
  }
}

/** Metro links between rows: a link inside the "other" row is not drawn, a link into it once. */
function metroLinks(city: City, rows: DistrictRows): { from: number; to: number; km: number }[] {
  const linked = new Set<string>()
  const metro: { from: number; to: number; km: number }[] = []
  for (const link of city.metro.links) {
    const from = rows.rowOf[link.from] as number
    const to = rows.rowOf[link.to] as number
    const key = `${Math.min(from, to)}-${Math.max(from, to)}`
    if (from === to || linked.has(key)) continue
    linked.add(key)
    metro.push({ from, to, km: Math.round(link.km * 10) / 10 })
  }
  return metro
}

/** The real metro as the page draws it: stations rounded like the outlines, lines as they run. */
function networkView(network: StationNetwork): NonNullable<CityView['network']> {
  // The loader's bounds are the page's: it checks them again.
  assert(
    metroStationsMax <= networkStationsMax &&
      metroLinesMax <= networkLinesMax &&
      metroLineStationsMax <= networkLineStationsMax,
    "the engine's network bounds fit the page's",
  )
  return {
    stations: network.stations.map((station) => ({
      name: station.name,
      at: [round(station.lon), round(station.lat)] as const,
    })),
    lines: network.lines.map((line) => ({
      name: line.name,
      colour: line.colour,
      stations: [...line.stations],
    })),
  }
}

/**
 * Merchants counted on a grid (east-west cells scaled to the city's latitude): each cell's centre,
 * its most common category and its count, for the cells of at least `merchantCellMerchantsMin`
 * merchants; at most `merchantCellsMax` of them, the fullest. The cells are `merchantCellMetres`
 * wide, or twice, four times… that (up to `merchantCellDoublingsMax` times) when a small sample of
 * the city would otherwise leave most merchants in cells below the floor and the map bare.
 */
function merchantCells(
  population: Population,
  merchants: number,
  categories: number,
  districts: readonly { readonly centre: readonly [number, number] }[],
): [number, number, number, number][] {
  let cells: [number, number, number, number][] = []
  for (let doublings = 0; doublings <= merchantCellDoublingsMax; doublings++) {
    cells = merchantGrid(
      population,
      merchants,
      categories,
      districts,
      merchantCellMetres * 2 ** doublings,
    )
    if (cells.reduce((sum, cell) => sum + cell[3], 0) * 2 >= merchants) break
  }
  return cells
}

function merchantGrid(
  population: Population,
  merchants: number,
  categories: number,
  districts: readonly { readonly centre: readonly [number, number] }[],
  cellMetres: number,
): [number, number, number, number][] {
  const latitude =
    districts.reduce((sum, district) => sum + district.centre[1], 0) / Math.max(1, districts.length)
  const latStep = cellMetres / metresPerDegree
  const lonStep =
    cellMetres / (metresPerDegree * Math.max(0.1, Math.cos((latitude * Math.PI) / 180)))
  // A cell is named by its column and row on the grid, packed in one number.
  const rowsMax = Math.ceil(180 / latStep) + 1
  const counts = new Map<number, Float64Array>()
  for (let merchant = 0; merchant < merchants; merchant++) {
    const column = Math.floor(((population.merchantLon[merchant] as number) + 180) / lonStep)
    const row = Math.floor(((population.merchantLat[merchant] as number) + 90) / latStep)
    const key = column * rowsMax + row
    let cell = counts.get(key)
    if (cell === undefined) {
      cell = new Float64Array(categories)
      counts.set(key, cell)
    }
    const category = population.merchantCategory[merchant] as number
    cell[category] = (cell[category] as number) + 1
  }
  const cells: { key: number; total: number; category: number }[] = []
  for (const [key, cell] of counts) {
    let total = 0
    let category = 0
    cell.forEach((count, index) => {
      total += count
      if (count > (cell[category] as number)) category = index
    })
    if (total >= merchantCellMerchantsMin) cells.push({ key, total, category })
  }
  cells.sort((a, b) => b.total - a.total || a.key - b.key)
  return cells.slice(0, merchantCellsMax).map(({ key, total, category }) => {
    const column = Math.floor(key / rowsMax)
    const row = key % rowsMax
    return [
      round((column + 0.5) * lonStep - 180),
      round((row + 0.5) * latStep - 90),
      category,
      total,
    ]
  })
}

/**
 * A polygon as GeoJSON rings: the outline clockwise, holes anticlockwise (d3-geo's spherical
 * convention).
 */
function polygonCoordinates(polygon: Polygon): number[][][] {
  return polygon.map((ring, index) => ringCoordinates(ring, index === 0))
}

function ringCoordinates(ring: Ring, outline: boolean): number[][] {
  const points: number[][] = []
  for (let at = 0; at + 1 < ring.length; at += 2) {
    const point = [round(ring[at] as number), round(ring[at + 1] as number)]
    const previous = points[points.length - 1]
    if (previous === undefined || previous[0] !== point[0] || previous[1] !== point[1])
      points.push(point)
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
