/**
 * The map panel, layer by layer, bottom to top:
 *
 *   svg.map-base        districts (choropleth) + outage hatching      ← pointer events
 *   canvas.map-merchants  merchant dots                                 (static)
 *   canvas.map-flows      flow arcs                                     (every frame)
 *   svg.map-top         metro links, stations, district names          (static)
 *
 * A snapshot updates fills, outages, flow weights, legend and tooltip; requestAnimationFrame
 * only redraws the flow canvas; a resize refits the projection and redraws the static layers.
 */
import type { CityView, MeasureName, Snapshot } from '../protocol.js'
import { createFlowLayer } from './flowLayer.js'
import { createLabelLayer } from './labelLayer.js'
import { createLegend } from './legend.js'
import { createMapLayer } from './mapLayer.js'
import {
  measureReference,
  measures,
  measureScale,
  measureValues,
  noDataColour,
} from './measures.js'
import { createMerchantLayer } from './merchantLayer.js'
import { createMetroLayer } from './metroLayer.js'
import { cutOffFlags } from './outages.js'
import { districtFeatures, fitCity } from './projection.js'
import { svgElement } from './svg.js'
import { createTooltip } from './tooltip.js'

export interface CityMapElements {
  readonly map: HTMLElement
  readonly legend: HTMLElement
  readonly categories: HTMLElement
  readonly tooltip: HTMLElement
}

export interface CityMap {
  readonly render: (snapshot: Snapshot) => void
  readonly setMeasure: (measure: MeasureName) => void
}

/** Builds the map panel in `elements` and returns how to feed it snapshots and switch measures. */
export function createCityMap(
  city: CityView,
  elements: CityMapElements,
  initialMeasure: MeasureName,
): CityMap {
  const features = districtFeatures(city)
  const base = createMapLayer(city)
  const merchants = createMerchantLayer(city)
  const flows = createFlowLayer(city.districts.length)
  const top = svgElement('svg', { class: 'map-top', 'aria-hidden': 'true' })
  const metro = createMetroLayer(city)
  const labels = createLabelLayer(city)
  top.append(metro.element, labels.element)
  elements.map.replaceChildren(base.element, merchants.canvas, flows.canvas, top)

  const legend = createLegend(elements.legend, elements.categories, city)
  const tooltip = createTooltip(elements.tooltip, city)
  base.onHover((district, event) => tooltip.hover(district, event.clientX, event.clientY))

  let measure = measures[initialMeasure]
  let latest: Snapshot | null = null
  /** The measure's scale reference (measures.ts), carried from snapshot to snapshot. */
  let reference = 0
  // style.css picks a flow colour that stands out from each measure's ramp.
  elements.map.dataset.measure = initialMeasure

  function paint(): void {
    if (latest === null) {
      base.fill(city.districts.map(() => noDataColour))
      return
    }
    const values = measureValues(measure, city, latest)
    reference = measureReference(values, reference)
    const scale = measureScale(measure, reference)
    base.fill(values.map((value) => (Number.isFinite(value) ? scale(value) : noDataColour)))
    legend.update(measure, scale)
  }

  function fit(): void {
    const width = elements.map.clientWidth
    const height = elements.map.clientHeight
    if (width === 0 || height === 0) return
    const geometry = fitCity(city, features, width, height)
    base.resize(geometry)
    merchants.resize(geometry)
    flows.resize(geometry)
    top.setAttribute('width', String(width))
    top.setAttribute('height', String(height))
    top.setAttribute('viewBox', `0 0 ${width} ${height}`)
    metro.resize(geometry)
    labels.resize(geometry)
  }

  onResize(elements.map, fit)
  fit()
  paint()
  drawEveryFrame(flows)

  function render(snapshot: Snapshot): void {
    const continuous = follows(latest, snapshot)
    if (!continuous) reference = 0
    latest = snapshot
    paint()
    base.markOutages(cutOffFlags(city, snapshot.faults.outages))
    flows.setFlows(snapshot.flows, continuous)
    metro.render(snapshot)
    tooltip.update(snapshot)
  }

  function setMeasure(next: MeasureName): void {
    measure = measures[next]
    reference = 0
    elements.map.dataset.measure = next
    flows.readColour()
    paint()
  }

  return { render, setMeasure }
}

/** Calls `refit` when the element's size changes, once per frame at most. */
function onResize(element: HTMLElement, refit: () => void): void {
  // Resizes come in bursts while a window is dragged.
  let fitPending = false
  new ResizeObserver(() => {
    if (fitPending) return
    fitPending = true
    requestAnimationFrame(() => {
      fitPending = false
      refit()
    })
  }).observe(element)
}

/** Redraws the flow arcs on every animation frame, for as long as the page lives. */
function drawEveryFrame(flows: { readonly draw: (nowMs: number) => void }): void {
  const frame = (nowMs: number): void => {
    flows.draw(nowMs)
    requestAnimationFrame(frame)
  }
  requestAnimationFrame(frame)
}

/**
 * Snapshots further apart than this (wall seconds) are a jump, not the next one: replay's are 1 s
 * apart.
 */
const followsWithinS = 2

/**
 * `next` comes straight after `previous` in the same run, so what was smoothed or remembered over
 * earlier snapshots still holds.
 */
function follows(previous: Snapshot | null, next: Snapshot): boolean {
  return (
    previous !== null &&
    previous.run === next.run &&
    next.t > previous.t &&
    next.t - previous.t <= followsWithinS
  )
}
