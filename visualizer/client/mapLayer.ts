/**
 * The choropleth: one <path class="district"> per district (a MultiPolygon is one path), filled
 * by the chosen measure. Paths are made once; a snapshot only changes fills and outage marks,
 * and a resize only rewrites their `d`.
 *
 *   <svg class="map-base">
 *     <defs><pattern id="outage-hatch"/></defs>
 *     <g class="districts">  path.district × n   ← hover, fill
 *     <g class="outages">    path.outage-hatch × n, hidden unless cut off
 */
import type { CityView } from '../protocol.js'
import { assert } from './assert.js'
import type { CityGeometry } from './projection.js'
import { svgElement } from './svg.js'

/** Spacing of the outage hatching, px. */
const hatchSpacingPx = 8

export interface MapLayer {
  readonly element: SVGSVGElement
  readonly resize: (geometry: CityGeometry) => void
  readonly fill: (colours: readonly string[]) => void
  readonly markOutages: (cutOff: readonly boolean[]) => void
  /** Called with the district under the pointer (null when it leaves the city). */
  readonly onHover: (handler: (district: number | null, event: PointerEvent) => void) => void
}

export function createMapLayer(city: CityView): MapLayer {
  const element = svgElement('svg', {
    class: 'map-base',
    role: 'img',
    'aria-label': `Map of ${city.scenario}`,
  })
  element.append(hatchPattern())
  const districtGroup = svgElement('g', { class: 'districts' })
  const outageGroup = svgElement('g', { class: 'outages' })
  element.append(districtGroup, outageGroup)

  const paths = city.districts.map((district, index) => {
    const path = svgElement('path', {
      class: 'district',
      'data-district': district.name,
      'data-index': index,
    })
    districtGroup.append(path)
    return path
  })
  const hatches = city.districts.map(() => {
    const hatch = svgElement('path', { class: 'outage-hatch', fill: 'url(#outage-hatch)' })
    hatch.style.display = 'none'
    outageGroup.append(hatch)
    return hatch
  })
  const fills: string[] = city.districts.map(() => '')
  const cutOffNow: boolean[] = city.districts.map(() => false)

  function resize(geometry: CityGeometry): void {
    element.setAttribute('width', String(geometry.width))
    element.setAttribute('height', String(geometry.height))
    element.setAttribute('viewBox', `0 0 ${geometry.width} ${geometry.height}`)
    geometry.districtPaths.forEach((d, i) => {
      paths[i]?.setAttribute('d', d)
      hatches[i]?.setAttribute('d', d)
    })
  }

  function fill(colours: readonly string[]): void {
    assert(colours.length === paths.length, 'one colour per district')
    colours.forEach((colour, i) => {
      // Repainting a large path costs; skip the ones whose colour held.
      if (fills[i] === colour) return
      fills[i] = colour
      paths[i]?.setAttribute('fill', colour)
    })
  }

  function markOutages(cutOff: readonly boolean[]): void {
    assert(cutOff.length === paths.length, 'one outage flag per district')
    cutOff.forEach((on, i) => {
      if (cutOffNow[i] === on) return
      cutOffNow[i] = on
      paths[i]?.classList.toggle('outage', on)
      const hatch = hatches[i]
      if (hatch !== undefined) hatch.style.display = on ? '' : 'none'
    })
  }

  function onHover(handler: (district: number | null, event: PointerEvent) => void): void {
    let raised: SVGPathElement | null = null
    districtGroup.addEventListener('pointermove', (event) => {
      const target = event.target instanceof SVGPathElement ? event.target : null
      const index = target === null ? Number.NaN : Number(target.dataset.index)
      // Last drawn is on top: move the hovered district there so its whole outline shows.
      if (target !== null && target !== raised) {
        raised = target
        districtGroup.append(target)
      }
      handler(Number.isInteger(index) ? index : null, event)
    })
    districtGroup.addEventListener('pointerleave', (event) => handler(null, event))
  }

  return { element, resize, fill, markOutages, onHover }
}

/** Red diagonal lines: an outage reads through whatever colour the district has. */
function hatchPattern(): SVGDefsElement {
  const defs = svgElement('defs')
  const pattern = svgElement('pattern', {
    id: 'outage-hatch',
    width: hatchSpacingPx,
    height: hatchSpacingPx,
    patternUnits: 'userSpaceOnUse',
    patternTransform: 'rotate(45)',
  })
  pattern.append(
    svgElement('line', { class: 'hatch-line', x1: 0, y1: 0, x2: 0, y2: hatchSpacingPx }),
  )
  defs.append(pattern)
  return defs
}
