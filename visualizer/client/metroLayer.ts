/**
 * The metro on top of the districts: a line per link between district stations (their centres)
 * and a circle per station. Drawn once per size; nothing here changes with a snapshot.
 */
import type { CityView } from '../protocol.js'
import type { CityGeometry } from './projection.js'
import { svgElement } from './svg.js'

const stationRadiusPx = 5

export interface MetroLayer {
  readonly element: SVGGElement
  readonly resize: (geometry: CityGeometry) => void
}

export function createMetroLayer(city: CityView): MetroLayer {
  const element = svgElement('g', { class: 'metro' })
  const links = city.metro.map((link) => {
    const line = svgElement('line', { class: 'metro-link' })
    const title = svgElement('title')
    title.textContent = `${city.districts[link.from]?.name ?? ''} – ${city.districts[link.to]?.name ?? ''}: ${link.km} km`
    line.append(title)
    return line
  })
  const stations = city.districts.map(() =>
    svgElement('circle', { class: 'metro-station', r: stationRadiusPx }),
  )
  element.append(...links, ...stations)

  function resize(geometry: CityGeometry): void {
    city.metro.forEach((link, i) => {
      const [from, to, line] = [geometry.centres[link.from], geometry.centres[link.to], links[i]]
      if (from === undefined || to === undefined || line === undefined) return
      line.setAttribute('x1', from[0].toFixed(1))
      line.setAttribute('y1', from[1].toFixed(1))
      line.setAttribute('x2', to[0].toFixed(1))
      line.setAttribute('y2', to[1].toFixed(1))
    })
    geometry.centres.forEach(([x, y], i) => {
      stations[i]?.setAttribute('cx', x.toFixed(1))
      stations[i]?.setAttribute('cy', y.toFixed(1))
    })
  }

  return { element, resize }
}
