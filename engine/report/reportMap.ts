/**
 * The report's district maps: the city's outlines, kept in the run folder as map.json (rounded to
 * about 100 m, outer rings only) so `citytwin report` draws them again, and three small maps
 * drawn from them as SVG text: payments, the rejected share, and the planned wallet share, each
 * district shaded by its figure. A district below the residents' floor is drawn in its row,
 * "other districts", as the summary counts it. Names are escaped by the `html` tag.
 */
import { z } from 'zod'
import type { DistrictMap } from '../city/districtMap.js'
import { otherDistrictsName } from '../counting/districtRows.js'
import { districtsMax, mapVerticesMax } from '../limits.js'
import type { RunSummary } from '../run/summary.js'
import { formatInteger, formatPercentOf, formatShare } from './format.js'
import { html, type Html } from './markup.js'

export const mapFile = 'map.json'

/** Each scenario district's outline rings, flat [lon, lat, lon, lat, …]. */
export interface ReportMap {
  readonly districts: readonly {
    readonly name: string
    readonly rings: readonly (readonly number[])[]
  }[]
}

export const reportMapSchema: z.ZodType<ReportMap> = z.object({
  districts: z
    .array(
      z.object({
        name: z.string().max(200),
        rings: z.array(z.array(z.number().min(-180).max(180)).max(2 * mapVerticesMax)).max(1000),
      }),
    )
    .max(districtsMax),
})

const coordinateDecimals = 3
const mapWidthPx = 340
const mapMarginPx = 6

/** The outlines of the scenario's districts (by their feature ids), rounded, outer rings only. */
export function reportMapOf(
  map: DistrictMap,
  districts: readonly { readonly id: string; readonly name: string }[],
): ReportMap {
  const byId = new Map(map.features.map((feature) => [feature.id, feature]))
  return {
    districts: districts.flatMap((district) => {
      const feature = byId.get(district.id)
      if (feature === undefined) return []
      const rings = feature.polygons.flatMap((polygon) => {
        const outline = polygon[0]
        return outline === undefined ? [] : [roundRing(outline)]
      })
      return [{ name: district.name, rings }]
    }),
  }
}

function roundRing(ring: ArrayLike<number>): number[] {
  const factor = 10 ** coordinateDecimals
  const out: number[] = []
  for (let i = 0; i + 1 < ring.length; i += 2) {
    const lon = Math.round((ring[i] as number) * factor) / factor
    const lat = Math.round((ring[i + 1] as number) * factor) / factor
    if (out.length >= 2 && out[out.length - 2] === lon && out[out.length - 1] === lat) continue
    out.push(lon, lat)
  }
  return out
}

interface Measure {
  readonly title: string
  readonly value: (row: RunSummary['districts'][number]) => number | undefined
  readonly label: (row: RunSummary['districts'][number]) => string
  readonly hottest: readonly [number, number, number]
  /** The top of the ramp: the largest district's figure, or a share's whole (1). */
  readonly top?: number
  readonly format: (value: number) => string
}

const measures: readonly Measure[] = [
  {
    title: 'Payments',
    value: (row) => row.payments,
    label: (row) => `${formatInteger(row.payments)} payments`,
    hottest: [30, 58, 138],
    format: formatInteger,
  },
  {
    title: 'Rejected share',
    value: (row) => (row.payments === 0 ? 0 : row.rejected / row.payments),
    label: (row) => `${formatPercentOf(row.rejected, row.payments)} of payments rejected`,
    hottest: [185, 28, 28],
    format: formatShare,
  },
  {
    title: 'Wallet share (planned)',
    value: (row) => row.adoption,
    label: (row) =>
      row.adoption === undefined ? '–' : `${formatShare(row.adoption)} of residents`,
    hottest: [21, 128, 61],
    top: 1,
    format: formatShare,
  },
]

/** The three maps, or false without outlines or districts. */
export function districtMaps(summary: RunSummary, map: ReportMap | undefined): Html | false {
  if (map === undefined || map.districts.length === 0 || summary.districts.length === 0)
    return false
  const rowNames = new Set(summary.districts.map((row) => row.district))
  const ringsOf = (name: string) =>
    map.districts
      .filter((district) =>
        name === otherDistrictsName ? !rowNames.has(district.name) : district.name === name,
      )
      .flatMap((district) => district.rings)
  const project = projection(map)
  const shapes = summary.districts.map((row) => ({
    row,
    path: project.path(ringsOf(row.district)),
  }))
  const maps = measures.map((measure) => {
    const values = shapes.map(({ row }) => measure.value(row) ?? 0)
    const top = measure.top ?? Math.max(Number.MIN_VALUE, ...values)
    const paths = shapes.map(
      ({ row, path }, index) =>
        html`<path d="${path}" fill="${shade((values[index] ?? 0) / top, measure.hottest)}" stroke="#fff" stroke-width="0.8"><title>${row.district}: ${measure.label(row)}</title></path>`,
    )
    const ramp = html`<p class="chart-note">from <span class="swatch-inline" style="background:${shade(0, measure.hottest)}"></span> 0 to <span class="swatch-inline" style="background:${shade(1, measure.hottest)}"></span> ${measure.format(top)}</p>`
    return html`<figure class="map-figure"><h3>${measure.title}</h3>${ramp}<svg class="chart chart-map" viewBox="0 0 ${mapWidthPx} ${project.height}" width="100%" role="img" aria-label="${measure.title} by district">${paths}</svg></figure>`
  })
  return html`<section class="card"><h2>The city by district</h2><p class="explain">Each district shaded from none to the largest of its measure (hover for the figure): payments by the payer's district, the share of them rejected, and the share of residents the scenario gives a wallet.</p><div class="maps">${maps}</div></section>`
}

/**
 * Small maps of wallet holders by district, one a moment (a quarter of a rollout, say), all on one
 * scale so that they compare: `shares` of each moment follow `names`.
 */
export function adoptionMaps(
  map: ReportMap,
  names: readonly string[],
  moments: readonly { readonly label: string; readonly shares: readonly number[] }[],
): Html | false {
  if (map.districts.length === 0 || moments.length === 0) return false
  const project = projection(map)
  const hottest: [number, number, number] = [21, 128, 61]
  const top = Math.max(Number.MIN_VALUE, ...moments.flatMap((moment) => moment.shares))
  const figures = moments.map((moment) => {
    const paths = names.map((name, index) => {
      const rings = map.districts
        .filter((district) => district.name === name)
        .flatMap((district) => district.rings)
      const share = moment.shares[index] ?? 0
      return html`<path d="${project.path(rings)}" fill="${shade(share / top, hottest)}" stroke="#fff" stroke-width="0.8"><title>${name}: ${formatShare(share)} of residents</title></path>`
    })
    return html`<figure class="map-figure"><h3>${moment.label}</h3><svg class="chart chart-map" viewBox="0 0 ${mapWidthPx} ${project.height}" width="100%" role="img" aria-label="wallet holders by district, ${moment.label}">${paths}</svg></figure>`
  })
  const ramp = html`<p class="chart-note">from <span class="swatch-inline" style="background:${shade(0, hottest)}"></span> none to <span class="swatch-inline" style="background:${shade(1, hottest)}"></span> ${formatShare(top)} of residents</p>`
  return html`${ramp}<div class="maps">${figures}</div>`
}

/** An equirectangular projection fitted to the outlines (a city is too small to show curvature). */
function projection(map: ReportMap): {
  path: (rings: readonly (readonly number[])[]) => string
  height: number
} {
  let [west, east, south, north] = [Infinity, -Infinity, Infinity, -Infinity]
  for (const district of map.districts)
    for (const ring of district.rings)
      for (let i = 0; i + 1 < ring.length; i += 2) {
        west = Math.min(west, ring[i] as number)
        east = Math.max(east, ring[i] as number)
        south = Math.min(south, ring[i + 1] as number)
        north = Math.max(north, ring[i + 1] as number)
      }
  const squeeze = Math.cos((((south + north) / 2) * Math.PI) / 180)
  const spanX = Math.max(1e-9, (east - west) * squeeze)
  const spanY = Math.max(1e-9, north - south)
  const scale = (mapWidthPx - 2 * mapMarginPx) / spanX
  const height = Math.round(spanY * scale + 2 * mapMarginPx)
  const x = (lon: number) => (mapMarginPx + (lon - west) * squeeze * scale).toFixed(1)
  const y = (lat: number) => (mapMarginPx + (north - lat) * scale).toFixed(1)
  return {
    height,
    path: (rings) =>
      rings
        .map((ring) => {
          const points: string[] = []
          for (let i = 0; i + 1 < ring.length; i += 2)
            points.push(`${x(ring[i] as number)},${y(ring[i + 1] as number)}`)
          return points.length === 0 ? '' : `M${points.join('L')}Z`
        })
        .join(''),
  }
}

function shade(share: number, hottest: readonly [number, number, number]): string {
  const t = Math.sqrt(Math.min(1, Math.max(0, share)))
  const coolest = [241, 245, 249]
  const channel = (i: 0 | 1 | 2) =>
    Math.round((coolest[i] as number) + (hottest[i] - (coolest[i] as number)) * t)
  return `rgb(${channel(0)},${channel(1)},${channel(2)})`
}
