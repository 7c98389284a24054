/**
 * What a district can be coloured by (protocol measureNames): how each is read from the city and
 * a snapshot, its unit, and its colour ramp. Scales start at zero so a pale district really is
 * low. Their top follows a reference that rises at once and lets go slowly, so colours and legend
 * hold still from one snapshot to the next instead of rescaling four times a second.
 */
import {
  interpolateBlues,
  interpolateGreens,
  interpolateOrRd,
  interpolatePurples,
  nice,
  scaleSequential,
  type ScaleSequential,
} from 'd3'
import type { CityView, MeasureName, Snapshot } from '../protocol.js'
import { formatFen, formatNumber, formatRate, formatShare } from './format.js'

export interface Measure {
  readonly name: MeasureName
  /** As the legend and #measure-name say it. */
  readonly label: string
  readonly unit: string
  /** NaN when the district has nothing to show yet (no payments, no ticket). */
  readonly value: (city: CityView, snapshot: Snapshot, district: number) => number
  readonly format: (value: number) => string
  /** For the legend's ticks: shorter than `format`. */
  readonly tick: (value: number) => string
  readonly ramp: (t: number) => string
  /** The scale's top never goes below this, so a quiet city is not painted at full strength. */
  readonly topMin: number
  /** …nor above this (a share tops out at 1). */
  readonly topMax: number
}

const fenPerYuan = 100

/**
 * The palest end of each ramp is near white; start a little in so a low district stays visible on
 * the page.
 */
const rampStart = 0.12
const ramped = (interpolate: (t: number) => string) => (t: number) =>
  interpolate(rampStart + (1 - rampStart) * t)

export const measures: Readonly<Record<MeasureName, Measure>> = {
  tps: {
    name: 'tps',
    label: 'Payments a second',
    unit: 'payments/s',
    value: (_city, snapshot, i) => snapshot.districts.tps[i] ?? Number.NaN,
    format: formatRate,
    tick: formatNumber,
    ramp: ramped(interpolateBlues),
    // A handful of payments a second is a quiet district, not a busy one.
    topMin: 10,
    topMax: Number.POSITIVE_INFINITY,
  },
  adoption: {
    name: 'adoption',
    label: 'Wallet adoption',
    unit: '% of residents',
    value: (city, _snapshot, i) => city.districts[i]?.adoption ?? Number.NaN,
    format: formatShare,
    tick: formatShare,
    ramp: ramped(interpolateGreens),
    topMin: 1,
    topMax: 1,
  },
  rejections: {
    name: 'rejections',
    label: 'Rejected payments',
    unit: '% of payments',
    value: (_city, snapshot, i) =>
      ratio(snapshot.districts.rejected[i], snapshot.districts.payments[i]),
    format: formatShare,
    tick: formatShare,
    ramp: ramped(interpolateOrRd),
    topMin: 0.01,
    topMax: 1,
  },
  qr: {
    name: 'qr',
    label: 'Paid by QR code',
    unit: '% of payments',
    // The rest: tap, gate, auto-debit, online, face, money paid in (the report's channel table).
    value: (_city, snapshot, i) =>
      ratio(snapshot.districts.qr?.[i], snapshot.districts.payments[i]),
    format: formatShare,
    tick: formatShare,
    ramp: ramped(interpolateGreens),
    topMin: 0.1,
    topMax: 1,
  },
  ticket: {
    name: 'ticket',
    label: 'Average ticket',
    unit: '¥ per payment',
    // In fen, as money travels; an average is rounded to a whole fen only to be shown.
    value: (_city, snapshot, i) =>
      ratio(snapshot.districts.amountFen[i], snapshot.districts.accepted[i]),
    format: (fen) => formatFen(Math.round(fen)),
    tick: (fen) => `¥${formatNumber(fen / fenPerYuan)}`,
    ramp: ramped(interpolatePurples),
    topMin: 10 * fenPerYuan,
    topMax: Number.POSITIVE_INFINITY,
  },
}

/**
 * What the reference keeps of itself per snapshot when values fall: half after ~35 snapshots (about
 * 9 s live).
 */
const referenceDecay = 0.98
/** Colour used where a measure has no value yet. */
export const noDataColour = '#c8cdd3'
/** Ticks d3.nice rounds the top of the scale to. */
const scaleTicks = 5

export function ratio(part: number | undefined, whole: number | undefined): number {
  return part !== undefined && whole !== undefined && whole > 0 ? part / whole : Number.NaN
}

export function measureValues(measure: Measure, city: CityView, snapshot: Snapshot): number[] {
  return city.districts.map((_district, i) => measure.value(city, snapshot, i))
}

/**
 * The scale's reference after this snapshot: the largest value now, or the last reference a
 * little faded if that is larger (0 to start afresh, for a new measure or after a jump).
 */
export function measureReference(values: readonly number[], previous: number): number {
  const largest = values.reduce(
    (top, value) => (Number.isFinite(value) && value > top ? value : top),
    0,
  )
  return Math.max(largest, previous * referenceDecay)
}

/** A zero-based scale whose top is the reference rounded up to a readable number. */
export function measureScale(measure: Measure, reference: number): ScaleSequential<string> {
  const top = Math.min(measure.topMax, Math.max(measure.topMin, nice(0, reference, scaleTicks)[1]))
  return scaleSequential(measure.ramp).domain([0, top]).clamp(true)
}
