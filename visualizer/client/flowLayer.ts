/**
 * Where residents spend: an arc from each home district's station to the merchant district's,
 * as wide and opaque as that flow in the last snapshot, with particles moving home → shop. Spending
 * within one's own district is a ring pulsing out of the station.
 *
 * Data arrives at snapshot rate (setFlows); the canvas is redrawn every animation frame from
 * arrays kept between snapshots. A snapshot holds a quarter second of payments, a handful in a
 * small city at night, so each pair's flow is smoothed over a few snapshots, and the drawn
 * weights ease towards the latest: a flow swells and fades instead of flickering.
 *
 *        control point (bulge to the left of travel)
 *            ·
 *    home  ╭───╮  shop          weight = (smoothed flow / reference)^0.7, where the reference
 *     ●───╯     ╰───▶●          is the largest smoothed flow lately (it follows a rise at once
 *                               and lets go slowly, so a quiet hour draws thin).
 *                               Arcs and pulses have references of their own: spending at
 *                               home dwarfs any one commute and would flatten every arc.
 */
import { assert } from './assert.js'
import { createCanvasLayer } from './canvasLayer.js'
import type { CityGeometry } from './projection.js'

/** Bulge of an arc as a share of its length: enough that a→b and b→a do not overlap. */
const arcCurvature = 0.22
const arcWidthMinPx = 1
const arcWidthMaxPx = 5
/** The moving marks: short dashes with round caps, so they read as particles. */
const particlePx = 2
const particleGapPx = 20
const particleSpeedPxPerS = 45
/** Below 1 lifts the small flows a little, so the second-busiest route still shows. */
const weightExponent = 0.7
/** Share of a new snapshot in a pair's smoothed flow: about three snapshots of memory. */
const flowSmoothing = 0.35
/**
 * What the reference keeps of itself per snapshot when flows fall: half left after ~20 snapshots (5
 * s live).
 */
const referenceDecay = 0.966
/** Time for a drawn weight to move most of the way to a new snapshot's: about one snapshot. */
const easeTimeConstantMs = 250
/** Below this weight an arc is left out: fifty faint arcs hide the few that matter. */
const weightDrawnMin = 0.12
const pulsePeriodMs = 1_600
const pulseRadiusMaxPx = 26
const stationRadiusPx = 5
const fallbackColour = '#e8590c'
/** A frame longer than this (a background tab) is not eased over: the weights just arrive. */
const frameGapMaxMs = 1_000

export interface FlowLayer {
  readonly canvas: HTMLCanvasElement
  readonly resize: (geometry: CityGeometry) => void
  /**
   * Row-major n×n payments since the last snapshot, home district i → merchant district j.
   * `follows` is false after a jump (a scrubbed replay, a new run): nothing is smoothed across it.
   */
  readonly setFlows: (flows: readonly number[], follows: boolean) => void
  /** Reads --flow-colour again: it changes with the theme and with the measure under the arcs. */
  readonly readColour: () => void
  /** Draws one frame at `nowMs` (requestAnimationFrame's clock). */
  readonly draw: (nowMs: number) => void
}

/** The flow canvas for a city of `districtCount` districts, drawn by the frame. */
export function createFlowLayer(districtCount: number): FlowLayer {
  const flows = new FlowArcs(districtCount)
  return {
    canvas: flows.canvas,
    resize: (geometry) => flows.resize(geometry),
    setFlows: (next, follows) => flows.setFlows(next, follows),
    readColour: () => flows.readColour(),
    draw: (nowMs) => flows.draw(nowMs),
  }
}

/** The arcs and what they keep between frames: smoothed flows, drawn weights, geometry, colour. */
class FlowArcs {
  private readonly layer = createCanvasLayer('map-flows')
  readonly canvas = this.layer.canvas
  private readonly pairs: number
  private readonly smoothed: Float32Array
  private readonly target: Float32Array
  private readonly shown: Float32Array
  private referenceAcross = 0
  private referenceWithin = 0
  /** Arc geometry per pair, screen px: start, control, end. */
  private readonly arcs: Float32Array
  private geometry: CityGeometry | null = null
  private colour = ''
  private lastFrameMs: number | null = null
  private drewLastFrame = false

  constructor(private readonly districtCount: number) {
    this.pairs = districtCount * districtCount
    this.smoothed = new Float32Array(this.pairs)
    this.target = new Float32Array(this.pairs)
    this.shown = new Float32Array(this.pairs)
    this.arcs = new Float32Array(this.pairs * 6)
  }

  resize(next: CityGeometry): void {
    const { districtCount, arcs } = this
    assert(next.centres.length === districtCount, 'a centre per district')
    this.geometry = next
    this.layer.resize(next.width, next.height)
    this.readColour()
    for (let i = 0; i < districtCount; i++) {
      for (let j = 0; j < districtCount; j++) {
        const [from, to] = [next.centres[i], next.centres[j]]
        if (from === undefined || to === undefined) continue
        const [dx, dy] = [to[0] - from[0], to[1] - from[1]]
        // The normal (dy, -dx) turns with the direction, so the return trip bulges the other way.
        const base = (i * districtCount + j) * 6
        arcs.set(
          [
            from[0],
            from[1],
            from[0] + dx / 2 + dy * arcCurvature,
            from[1] + dy / 2 - dx * arcCurvature,
            to[0],
            to[1],
          ],
          base,
        )
      }
    }
  }

  readColour(): void {
    this.colour =
      getComputedStyle(this.canvas).getPropertyValue('--flow-colour').trim() || fallbackColour
  }

  setFlows(flows: readonly number[], follows: boolean): void {
    const { pairs, smoothed, target } = this
    if (!follows) {
      smoothed.fill(0)
      this.referenceAcross = 0
      this.referenceWithin = 0
    }
    const share = follows ? flowSmoothing : 1
    assert(
      flows.length === pairs,
      `flows has ${pairs} entries (districts squared), not ${flows.length}`,
    )
    let largestAcross = 0
    let largestWithin = 0
    for (let k = 0; k < pairs; k++) {
      const flow = flows[k] ?? 0
      assert(flow >= 0, 'a flow is a count')
      const value = (smoothed[k] ?? 0) * (1 - share) + flow * share
      smoothed[k] = value
      if (this.isWithin(k)) largestWithin = Math.max(largestWithin, value)
      else largestAcross = Math.max(largestAcross, value)
    }
    this.referenceAcross = Math.max(largestAcross, this.referenceAcross * referenceDecay)
    this.referenceWithin = Math.max(largestWithin, this.referenceWithin * referenceDecay)
    for (let k = 0; k < pairs; k++) {
      const reference = this.isWithin(k) ? this.referenceWithin : this.referenceAcross
      target[k] = reference > 0 ? Math.min(1, (smoothed[k] ?? 0) / reference) ** weightExponent : 0
    }
  }

  draw(nowMs: number): void {
    const { pairs, shown, target, geometry } = this
    const lastFrameMs = this.lastFrameMs
    const elapsedMs =
      lastFrameMs === null ? frameGapMaxMs : Math.min(frameGapMaxMs, nowMs - lastFrameMs)
    this.lastFrameMs = nowMs
    const ease = elapsedMs >= frameGapMaxMs ? 1 : 1 - Math.exp(-elapsedMs / easeTimeConstantMs)
    let anything = false
    for (let k = 0; k < pairs; k++) {
      const weight = (shown[k] ?? 0) + ((target[k] ?? 0) - (shown[k] ?? 0)) * ease
      shown[k] = weight
      if (weight >= weightDrawnMin) anything = true
    }
    if (geometry === null) return
    // A city with nothing flowing clears once, then leaves the canvas alone.
    if (!anything && !this.drewLastFrame) return
    const { context } = this.layer
    context.clearRect(0, 0, geometry.width, geometry.height)
    this.drewLastFrame = anything
    if (!anything) return
    context.strokeStyle = this.colour
    context.lineCap = 'round'
    this.drawArcs(context, nowMs)
    this.drawPulses(context, nowMs, geometry)
    context.setLineDash([])
    context.globalAlpha = 1
  }

  /** Pair k is spending in one's own district (i === j). */
  private isWithin(k: number): boolean {
    return k % (this.districtCount + 1) === 0
  }

  private drawArcs(context: CanvasRenderingContext2D, nowMs: number): void {
    const { districtCount, shown, arcs } = this
    const dashOffset = -((nowMs / 1000) * particleSpeedPxPerS) % (particlePx + particleGapPx)
    for (let i = 0; i < districtCount; i++) {
      for (let j = 0; j < districtCount; j++) {
        const k = i * districtCount + j
        const weight = shown[k] ?? 0
        if (i === j || weight < weightDrawnMin) continue
        const base = k * 6
        context.beginPath()
        context.moveTo(arcs[base] ?? 0, arcs[base + 1] ?? 0)
        context.quadraticCurveTo(
          arcs[base + 2] ?? 0,
          arcs[base + 3] ?? 0,
          arcs[base + 4] ?? 0,
          arcs[base + 5] ?? 0,
        )
        const width = arcWidthMinPx + (arcWidthMaxPx - arcWidthMinPx) * weight
        // A faint full arc shows the route; the particles moving along it show the direction.
        context.setLineDash([])
        context.globalAlpha = 0.12 + 0.3 * weight
        context.lineWidth = width
        context.stroke()
        context.setLineDash([particlePx, particleGapPx])
        context.lineDashOffset = dashOffset
        context.globalAlpha = 0.5 + 0.5 * weight
        context.lineWidth = width + 1.5
        context.stroke()
      }
    }
  }

  private drawPulses(context: CanvasRenderingContext2D, nowMs: number, at: CityGeometry): void {
    const { districtCount, shown } = this
    context.setLineDash([])
    const phase = (nowMs % pulsePeriodMs) / pulsePeriodMs
    for (let i = 0; i < districtCount; i++) {
      const weight = shown[i * districtCount + i] ?? 0
      const centre = at.centres[i]
      if (weight < weightDrawnMin || centre === undefined) continue
      context.beginPath()
      context.arc(
        centre[0],
        centre[1],
        stationRadiusPx + phase * pulseRadiusMaxPx * weight,
        0,
        2 * Math.PI,
      )
      context.globalAlpha = (1 - phase) * (0.3 + 0.6 * weight)
      context.lineWidth = 1 + 2.5 * weight
      context.stroke()
    }
  }
}
