/**
 * A <canvas> laid over the map, sized in CSS pixels and scaled for the screen's density. The
 * canvases carry what would be too many SVG nodes (merchants) or changes every frame (flows).
 */
import { assert } from './assert.js'

/** Sharper than this costs four times the pixels per step for little a viewer sees. */
const devicePixelRatioMax = 2

export interface CanvasLayer {
  readonly canvas: HTMLCanvasElement
  readonly context: CanvasRenderingContext2D
  readonly resize: (width: number, height: number) => void
}

export function createCanvasLayer(className: string): CanvasLayer {
  const canvas = document.createElement('canvas')
  canvas.className = className
  const context = canvas.getContext('2d')
  assert(context !== null, 'the browser draws 2D canvases')

  function resize(width: number, height: number): void {
    const ratio = Math.min(devicePixelRatioMax, window.devicePixelRatio || 1)
    canvas.width = Math.round(width * ratio)
    canvas.height = Math.round(height * ratio)
    canvas.style.width = `${width}px`
    canvas.style.height = `${height}px`
    // Setting the size resets the context, so the scale goes back on every time.
    context?.setTransform(ratio, 0, 0, ratio, 0, 0)
  }

  return { canvas, context, resize }
}
