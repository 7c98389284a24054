/**
 * The figures of the district under the pointer, in #tooltip. The rows are made once; a new
 * snapshot while hovering rewrites their text, so the numbers keep moving under a still mouse.
 */
import type { CityView, Snapshot } from '../protocol.js'
import { setText } from './dom.js'
import { formatCount, formatFen, formatInteger, formatRate, formatShare } from './format.js'
import { ratio } from './measures.js'

/** Distance from the pointer, px, so the tooltip never sits under it and flickers. */
const pointerOffsetPx = 16

type Row = (city: CityView, snapshot: Snapshot | null, i: number) => string

const rows: readonly (readonly [string, Row])[] = [
  ['Payments / s', (_c, s, i) => (s === null ? '–' : formatRate(s.districts.tps[i] ?? Number.NaN))],
  [
    'Payments',
    (_c, s, i) => (s === null ? '–' : formatCount(s.districts.payments[i] ?? Number.NaN)),
  ],
  [
    'Rejected',
    (_c, s, i) =>
      s === null ? '–' : formatShare(ratio(s.districts.rejected[i], s.districts.payments[i])),
  ],
  [
    'Average ticket',
    (_c, s, i) =>
      s === null
        ? '–'
        : formatFen(Math.round(ratio(s.districts.amountFen[i], s.districts.accepted[i]))),
  ],
  ['Adoption', (c, _s, i) => formatShare(c.districts[i]?.adoption ?? Number.NaN)],
  ['Residents', (c, _s, i) => formatInteger(c.districts[i]?.residents ?? Number.NaN)],
]

export interface Tooltip {
  /** Shows district `i` near the pointer (client coordinates), or hides when null. */
  readonly hover: (district: number | null, clientX: number, clientY: number) => void
  readonly update: (snapshot: Snapshot) => void
}

export function createTooltip(element: HTMLElement, city: CityView): Tooltip {
  const heading = document.createElement('div')
  heading.className = 'tooltip-name'
  const list = document.createElement('dl')
  const values = rows.map(([label]) => {
    const term = document.createElement('dt')
    term.textContent = label
    const value = document.createElement('dd')
    list.append(term, value)
    return value
  })
  element.replaceChildren(heading, list)
  element.hidden = true

  let district: number | null = null
  let snapshot: Snapshot | null = null

  function fillIn(): void {
    if (district === null) return
    const i = district
    setText(heading, city.districts[i]?.name ?? '')
    rows.forEach(([, row], r) => {
      const value = values[r]
      if (value !== undefined) setText(value, row(city, snapshot, i))
    })
  }

  function hover(next: number | null, clientX: number, clientY: number): void {
    district = next
    element.hidden = next === null
    if (next === null) return
    fillIn()
    // Positioned in the map panel's box; flipped to the left near the right edge.
    const box = element.offsetParent?.getBoundingClientRect() ?? new DOMRect()
    const x = clientX - box.left
    const flip = x + pointerOffsetPx + element.offsetWidth > box.width
    element.style.left = `${flip ? x - pointerOffsetPx - element.offsetWidth : x + pointerOffsetPx}px`
    element.style.top = `${Math.max(0, clientY - box.top + pointerOffsetPx)}px`
  }

  function update(next: Snapshot): void {
    snapshot = next
    fillIn()
  }

  return { hover, update }
}
