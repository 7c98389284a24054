/**
 * The merchants, counted on a grid (at most protocol's merchantCellsMax cells), as translucent
 * dots at the cells' centres, coloured by the cell's most common category, larger for fuller
 * cells. They do not move, so the canvas is painted only when the map is resized.
 */
import type { CityView } from '../protocol.js'
import { merchantCellsMax } from '../protocol.js'
import { assert } from './assert.js'
import { createCanvasLayer } from './canvasLayer.js'
import { categoryColour } from './categoryColours.js'
import type { CityGeometry } from './projection.js'

const dotRadiusPx = 1.7
/** A cell ten times fuller is this many pixels wider. */
const dotRadiusPxPerDecade = 1.5
/** Translucent so dense streets read as darker, not as a solid blot. */
const dotAlpha = 0.55

export interface MerchantLayer {
  readonly canvas: HTMLCanvasElement
  readonly resize: (geometry: CityGeometry) => void
}

export function createMerchantLayer(city: CityView): MerchantLayer {
  assert(
    city.merchants.length <= merchantCellsMax,
    `at most ${merchantCellsMax} merchant cells are sent`,
  )
  const layer = createCanvasLayer('map-merchants')
  const categoryCount = Math.max(1, city.categories.length)

  function resize(geometry: CityGeometry): void {
    layer.resize(geometry.width, geometry.height)
    const { context } = layer
    context.clearRect(0, 0, geometry.width, geometry.height)
    context.globalAlpha = dotAlpha
    // One path per category: a fill call per colour rather than per dot.
    for (let category = 0; category < categoryCount; category++) {
      context.beginPath()
      for (const [lon, lat, merchantCategory, count] of city.merchants) {
        if (merchantCategory !== category) continue
        const point = geometry.projection([lon, lat])
        if (point === null) continue
        const radius = dotRadiusPx + dotRadiusPxPerDecade * Math.log10(Math.max(1, count ?? 1))
        context.moveTo(point[0] + radius, point[1])
        context.arc(point[0], point[1], radius, 0, 2 * Math.PI)
      }
      context.fillStyle = categoryColour(category)
      context.fill()
    }
    context.globalAlpha = 1
  }

  return { canvas: layer.canvas, resize }
}
