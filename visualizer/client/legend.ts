/**
 * The key to the map, in the map's header: the measure's name (#measure-name, kept up by
 * measureSelector.ts), its unit and colour ramp with a few values; and apart, in a corner of the
 * map, a swatch per merchant category. Redrawn only when the measure or its scale's top changes.
 */
import { axisBottom, scaleLinear, select, type ScaleSequential } from 'd3'
import type { CityView } from '../protocol.js'
import { categoryColour } from './categoryColours.js'
import { setText } from './dom.js'
import type { Measure } from './measures.js'
import { svgElement } from './svg.js'

const rampWidthPx = 240
const rampHeightPx = 12
const axisHeightPx = 20
/** Sides left free so the end tick labels are not cut. */
const rampInsetPx = 22
const rampStops = 12
const rampTicks = 4

export interface Legend {
  readonly update: (measure: Measure, scale: ScaleSequential<string>) => void
}

export function createLegend(
  container: HTMLElement,
  categories: HTMLElement,
  city: CityView,
): Legend {
  const unit = document.createElement('span')
  unit.className = 'legend-unit'
  const svg = svgElement('svg', {
    class: 'legend-ramp',
    width: rampWidthPx + 2 * rampInsetPx,
    height: rampHeightPx + axisHeightPx,
  })
  const gradient = svgElement('linearGradient', {
    id: 'legend-gradient',
    x1: 0,
    x2: 1,
    y1: 0,
    y2: 0,
  })
  const defs = svgElement('defs')
  defs.append(gradient)
  const bar = svgElement('rect', {
    x: rampInsetPx,
    y: 0,
    width: rampWidthPx,
    height: rampHeightPx,
    rx: 2,
    fill: 'url(#legend-gradient)',
  })
  const axisGroup = svgElement('g', {
    class: 'legend-axis',
    transform: `translate(${rampInsetPx},${rampHeightPx})`,
  })
  svg.append(defs, bar, axisGroup)
  container.append(svg, unit)
  categories.replaceChildren(...categoryKey(city))

  let shownMeasure: Measure | null = null
  let shownTop = Number.NaN

  function update(measure: Measure, scale: ScaleSequential<string>): void {
    const top = scale.domain()[1] ?? 0
    if (measure === shownMeasure && top === shownTop) return
    if (measure !== shownMeasure) {
      setText(unit, measure.unit)
      gradient.replaceChildren(
        ...Array.from({ length: rampStops }, (_unused, i) => {
          const t = i / (rampStops - 1)
          return svgElement('stop', {
            offset: `${(t * 100).toFixed(1)}%`,
            'stop-color': measure.ramp(t),
          })
        }),
      )
    }
    shownMeasure = measure
    shownTop = top
    const axisScale = scaleLinear().domain([0, top]).range([0, rampWidthPx])
    select(axisGroup).call(
      axisBottom(axisScale)
        .ticks(rampTicks)
        .tickSize(4)
        .tickFormat((value) => measure.tick(Number(value))),
    )
  }

  return { update }
}

function categoryKey(city: CityView): HTMLElement[] {
  // What the lines on the map are: the arcs of spending, the metro and its stations.
  const key = (className: string, label: string) => {
    const item = document.createElement('span')
    item.className = `legend-mark ${className}`
    item.append(document.createElement('i'), label)
    return item
  }
  const marks = [
    key('mark-flow', 'spending, home → shop district'),
    key('mark-metro', 'metro'),
    key('mark-station', 'station'),
  ]
  const title = document.createElement('span')
  title.className = 'legend-categories-title'
  title.textContent = 'Merchants'
  const items = city.categories.map((category, index) => {
    const item = document.createElement('span')
    item.className = 'legend-category'
    const swatch = document.createElement('i')
    swatch.style.background = categoryColour(index)
    item.append(swatch, category)
    return item
  })
  return [...marks, title, ...items]
}
