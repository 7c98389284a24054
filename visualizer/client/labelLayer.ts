/**
 * District names, at the centroid of each sizeable piece of a district, above everything else so
 * they stay legible over the flows. A halo (CSS paint-order stroke) keeps them readable on any
 * fill. Pieces are known only once the map is fitted, so the labels are made on resize.
 */
import type { CityView } from '../protocol.js'
import type { CityGeometry } from './projection.js'
import { svgElement } from './svg.js'

/** When the centroid sits on the station, the name moves up by this much to clear its circle. */
const clearStationPx = 14

export interface LabelLayer {
  readonly element: SVGGElement
  readonly resize: (geometry: CityGeometry) => void
}

export function createLabelLayer(city: CityView): LabelLayer {
  const element = svgElement('g', { class: 'labels' })

  function resize(geometry: CityGeometry): void {
    const labels = geometry.labelAt.flatMap((points, i) =>
      points.map(([x, y]) => {
        const centre = geometry.centres[i]
        const nearStation =
          centre !== undefined && Math.hypot(centre[0] - x, centre[1] - y) < clearStationPx
        const text = svgElement('text', {
          class: 'district-label',
          'text-anchor': 'middle',
          x: x.toFixed(1),
          y: (nearStation ? y - clearStationPx : y).toFixed(1),
        })
        text.textContent = city.districts[i]?.name ?? ''
        return text
      }),
    )
    element.replaceChildren(...labels)
  }

  return { element, resize }
}
