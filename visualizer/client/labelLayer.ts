/**
 * District names, one per district at the centroid of its largest piece, above everything else so
 * they stay legible over the flows; and the places a scenario names inside a district (a newer
 * district the map predates: Dapeng in Longgang, Guangming in Bao'an), written where they lie
 * with the district they are counted in under them. A halo (CSS paint-order stroke) keeps them
 * readable on any fill. Positions are known only once the map is fitted, so the labels are made on
 * resize.
 */
import type { CityView } from '../protocol.js'
import type { CityGeometry } from './projection.js'
import { svgElement } from './svg.js'

/** When the centroid sits on the station, the name moves up by this much to clear its circle. */
const clearStationPx = 14
/** The second line of a place's label, below its name. */
const placeLinePx = 13

export interface LabelLayer {
  readonly element: SVGGElement
  readonly resize: (geometry: CityGeometry) => void
}

export function createLabelLayer(city: CityView): LabelLayer {
  const element = svgElement('g', { class: 'labels' })

  function resize(geometry: CityGeometry): void {
    const names = geometry.labelAt.flatMap((points, i) =>
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
    const places = city.districts.flatMap((district) =>
      (district.places ?? []).flatMap((place) => {
        const point = geometry.projection([place.at[0], place.at[1]])
        if (point === null) return []
        const [x, y] = point
        const text = svgElement('text', { class: 'place-label', 'text-anchor': 'middle' })
        const name = svgElement('tspan', { x: x.toFixed(1), y: y.toFixed(1) })
        name.textContent = place.name
        const within = svgElement('tspan', {
          class: 'place-within',
          x: x.toFixed(1),
          y: (y + placeLinePx).toFixed(1),
        })
        within.textContent = `in ${district.name}`
        text.append(name, within)
        return [text]
      }),
    )
    element.replaceChildren(...names, ...places)
  }

  return { element, resize }
}
