/**
 * The sampled merchants (at most protocol's merchantSampleMax) as small translucent dots, one
 * colour per category. They do not move, so the canvas is painted only when the map is resized.
 */
import type { CityView } from '../protocol.js'
import { merchantSampleMax } from '../protocol.js'
import { assert } from './assert.js'
import { createCanvasLayer } from './canvasLayer.js'
import { categoryColour } from './categoryColours.js'
import type { CityGeometry } from './projection.js'

const dotRadiusPx = 1.7
/** Translucent so dense streets read as darker, not as a solid blot. */
const dotAlpha = 0.55

export interface MerchantLayer {
  readonly canvas: HTMLCanvasElement
  readonly resize: (geometry: CityGeometry) => void
}

export function createMerchantLayer(city: CityView): MerchantLayer {
  assert(city.merchants.length <= merchantSampleMax, `at most ${merchantSampleMax} merchants are sent`)
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
      for (const [lon, lat, merchantCategory] of city.merchants) {
        if (merchantCategory !== category) continue
        const point = geometry.projection([lon, lat])
        if (point === null) continue
        context.moveTo(point[0] + dotRadiusPx, point[1])
        context.arc(point[0], point[1], dotRadiusPx, 0, 2 * Math.PI)
      }
      context.fillStyle = categoryColour(category)
      context.fill()
    }
    context.globalAlpha = 1
  }

  return { canvas: layer.canvas, resize }
}
