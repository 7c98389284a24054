/**
 * The metro on top of the districts. With the city's real network (CityView.network): each line
 * a path through its stations in its own colour, each station a small dot, an interchange a
 * larger one. Without it: a line per link between district stations (their centres) and a circle
 * per station. Drawn once per size; nothing here changes with a snapshot.
 */
import type { CityView, Snapshot } from '../protocol.js'
import type { CityGeometry } from './projection.js'
import { svgElement } from './svg.js'

const stationRadiusPx = 5
/** A stop of the real network: small, so three hundred of them leave the districts readable. */
const stopRadiusPx = 1.8
const interchangeRadiusPx = 2.8

export interface MetroLayer {
  readonly element: SVGGElement
  readonly resize: (geometry: CityGeometry) => void
  /** Station activity: a station's dot grows with its taps since the last snapshot. */
  readonly render: (snapshot: Snapshot) => void
}

export function createMetroLayer(city: CityView): MetroLayer {
  return city.network === undefined ? districtNetworkLayer(city) : realNetworkLayer(city.network)
}

function realNetworkLayer(network: NonNullable<CityView['network']>): MetroLayer {
  const element = svgElement('g', { class: 'metro metro-network' })
  const paths = network.lines.map((line) => {
    const path = svgElement('path', { class: 'metro-line', stroke: line.colour })
    path.dataset.line = line.name
    const title = svgElement('title')
    title.textContent = line.name
    path.append(title)
    return path
  })
  const linesAt = new Uint8Array(network.stations.length)
  for (const line of network.lines) {
    for (const station of new Set(line.stations)) linesAt[station] = (linesAt[station] ?? 0) + 1
  }
  const stops = network.stations.map((station, i) => {
    const interchange = (linesAt[i] ?? 0) > 1
    const stop = svgElement('circle', {
      class: interchange ? 'metro-stop metro-interchange' : 'metro-stop',
      r: interchange ? interchangeRadiusPx : stopRadiusPx,
    })
    const title = svgElement('title')
    title.textContent = station.name
    stop.append(title)
    return stop
  })
  element.append(...paths, ...stops)

  function resize(geometry: CityGeometry): void {
    const points = network.stations.map((station) =>
      geometry.projection([station.at[0], station.at[1]]),
    )
    network.lines.forEach((line, i) => {
      const d = line.stations
        .flatMap((station, at) => {
          const point = points[station]
          return point === null || point === undefined
            ? []
            : [`${at === 0 ? 'M' : 'L'}${point[0].toFixed(1)},${point[1].toFixed(1)}`]
        })
        .join('')
      paths[i]?.setAttribute('d', d)
    })
    points.forEach((point, i) => {
      if (point === null || point === undefined) return
      stops[i]?.setAttribute('cx', point[0].toFixed(1))
      stops[i]?.setAttribute('cy', point[1].toFixed(1))
    })
  }

  let lastTaps: readonly number[] | undefined
  let busiest = 1
  function render(snapshot: Snapshot): void {
    const taps = snapshot.stations
    if (taps === undefined || taps.length !== stops.length) return
    const before = lastTaps !== undefined && lastTaps.length === taps.length ? lastTaps : taps
    const recent = taps.map((count, i) => Math.max(0, count - (before[i] ?? 0)))
    // The scale follows the busiest station, letting go slowly, so dots hold still.
    busiest = Math.max(1, Math.max(...recent), busiest * activityDecay)
    recent.forEach((count, i) => {
      const base = (linesAt[i] ?? 0) > 1 ? interchangeRadiusPx : stopRadiusPx
      const grown = base + activityRadiusPx * Math.sqrt(count / busiest)
      stops[i]?.setAttribute('r', grown.toFixed(1))
    })
    lastTaps = taps
  }

  return { element, resize, render }
}

/** How much a station's dot may grow at the busiest station, px, and how slowly the top fades. */
const activityRadiusPx = 4
const activityDecay = 0.97

function districtNetworkLayer(city: CityView): MetroLayer {
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

  // The district network has no stations of its own to show activity at.
  return { element, resize, render: () => undefined }
}
