/**
 * How numbers read, everywhere they are shown: report.html, capacity.html, the terminal's
 * progress and summary lines, and the live page (visualizer/client/format.ts re-exports this
 * file, so it stays free of Node and of the DOM). One rule per kind of figure:
 *
 *   counts        950 · 1.23k · 12.3k · 123k · 3.4M · 1.5G     whole below 1,000, then three
 *                 significant figures and an SI prefix (k M G T), zeros dropped; G, never B
 *   in full       1,234,567                                   tables, where digits line up
 *   numbers       0.00114 · 2.5 · 950 · 1.5k                  three significant figures (ticks)
 *   rates         0.4 · 12.5 · 950 · 1.23k                    a count, one decimal below 100
 *   latency       0.53 ms · 14.7 ms · 133 ms · 1,250 ms        two decimals below 10, one below 100
 *   durations     350 ms · 12.3 s · 12m · 12m 05s · 1h 05m · 2d 04h   never 720000ms
 *   run time      0:05 · 3:05 · 1:02:03                       clock reading, for time axes
 *   percentages   0% · 0.083% · 6.2% · 68.5%                  one decimal, two significant
 *                                                              figures below 0.1% so a rare
 *                                                              failure does not read as none
 *   bytes         512 B · 1.5 KiB · 64 MiB · 1.21 GiB          IEC, powers of 1,024, as the
 *                                                              limits in engine/limits.ts are
 *   money         ¥1,234.50                                   from integer fen, no float
 *
 * Anything not finite reads as an en dash, so a missing figure never prints NaN.
 */
import { formatLocale, precisionFixed, precisionPrefix } from 'd3-format'
import { assert } from '../assert.js'

/** What a figure that is not a finite number reads as. */
export const missingFigure = '–'

// en-US digits with an ASCII minus: d3's default "−" (U+2212) does not survive every terminal and
// grep.
const locale = formatLocale({
  decimal: '.',
  thousands: ',',
  grouping: [3],
  currency: ['¥', ''],
  minus: '-',
})
const inFull = locale.format(',.0f')
const siPrefixed = locale.format('.3~s')
const significant = locale.format('.3~r')
const thousand = 1_000
const kibi = 1_024
const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const
const fenPerYuan = 100
const msPerSecond = 1_000
const secondsPerMinute = 60
const minutesPerHour = 60
const hoursPerDay = 24
/** Below this a rate keeps one decimal, so a trickle does not read as zero. */
const rateDecimalsBelow = 100
/** Below this share a percentage keeps two significant figures instead of one decimal. */
const percentDecimalsBelow = 0.1
/** Decimals a tick label has at most, whatever its step. */
const tickDecimalsMax = 12
/** Below this a share reads as "<0.0001%": smaller differences are noise on any page. */
const percentFloor = 0.0001

/** 1234567 → "1,234,567". */
export function formatInteger(value: number): string {
  return Number.isFinite(value) ? inFull(value) : missingFigure
}

/** 950, 1.23k, 12.3k, 123k, 3.4M, 1.5G: a count that keeps its width as a run grows. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return missingFigure
  // 999.6 rounds to 1,000: from there the prefix, so it reads 1k and not 1000.
  return Math.abs(Math.round(value)) < thousand ? inFull(value) : siPrefixed(value)
}

/** Three significant figures, an SI prefix from 1,000: 0.00114, 0.25, 12.5, 950, 1.5k, 2M. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return missingFigure
  return Math.abs(Number(value.toPrecision(3))) < thousand ? significant(value) : siPrefixed(value)
}

/**
 * A rate a second, unit apart: one decimal below 100 (0.4, 12.5), a count from there (950, 1.23k).
 */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return missingFigure
  return Math.abs(perSecond) < rateDecimalsBelow - 0.05
    ? perSecond.toFixed(1)
    : formatCount(perSecond)
}

/** Milliseconds of latency without the unit, for columns headed "ms": 0.53, 14.7, 133, 1,250. */
export function formatMsNumber(ms: number): string {
  if (!Number.isFinite(ms)) return missingFigure
  const size = Math.abs(ms)
  // Rounded before the digits are chosen, so 9.996 reads 10.0, not 10.00.
  if (size < 9.995) return ms.toFixed(2)
  if (size < 99.95) return ms.toFixed(1)
  return inFull(ms)
}

/** Milliseconds of latency with the unit: 0.53 ms, 14.7 ms, 133 ms, 1,250 ms. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? `${formatMsNumber(ms)} ms` : missingFigure
}

/**
 * A length of time given in milliseconds, in the largest units that say it: 350 ms, 12.3 s,
 * 12m, 12m 05s, 1h 05m, 2d 04h. Under a second it is a latency (formatMs); under a minute,
 * seconds to a tenth; above, two units at most, the second one rounded.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return missingFigure
  if (ms < 0) return `-${formatDuration(-ms)}`
  if (ms < msPerSecond - 0.5) return formatMs(ms)
  const tenths = Math.round(ms / 100)
  if (tenths < secondsPerMinute * 10) return `${trimZero((tenths / 10).toFixed(1))} s`
  const seconds = Math.round(ms / msPerSecond)
  if (seconds < secondsPerMinute * minutesPerHour)
    return pair(Math.floor(seconds / secondsPerMinute), 'm', seconds % secondsPerMinute, 's')
  const minutes = Math.round(ms / (msPerSecond * secondsPerMinute))
  if (minutes < minutesPerHour * hoursPerDay)
    return pair(Math.floor(minutes / minutesPerHour), 'h', minutes % minutesPerHour, 'm')
  const hours = Math.round(ms / (msPerSecond * secondsPerMinute * minutesPerHour))
  return pair(Math.floor(hours / hoursPerDay), 'd', hours % hoursPerDay, 'h')
}

/** "12m 05s", or "12m" when the smaller unit is nothing. */
function pair(large: number, largeUnit: string, small: number, smallUnit: string): string {
  return small === 0
    ? `${large}${largeUnit}`
    : `${large}${largeUnit} ${String(small).padStart(2, '0')}${smallUnit}`
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text
}

/**
 * Seconds since a run began as a clock reads them: 0:05, 3:05, 1:02:03. For time axes and the
 * replay bar.
 */
export function formatRunTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return missingFigure
  const whole = Math.max(0, Math.round(seconds))
  const hours = Math.floor(whole / (secondsPerMinute * minutesPerHour))
  const minutes = Math.floor(whole / secondsPerMinute) % minutesPerHour
  const rest = String(whole % secondsPerMinute).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`
}

/** A percentage (0..100, not a share): 0%, 0.083%, 6.2%, 68.5%, 100.0%. */
export function formatPercent(percent: number): string {
  if (!Number.isFinite(percent)) return missingFigure
  if (percent === 0) return '0%'
  const size = Math.abs(percent)
  if (size >= percentDecimalsBelow - 0.005) return `${percent.toFixed(1)}%`
  if (size < percentFloor) return percent < 0 ? `>-${percentFloor}%` : `<${percentFloor}%`
  return `${significantTwo(percent)}%`
}

/** Two significant figures in plain decimals: 0.083, 0.0012 (never 1.2e-3). */
function significantTwo(value: number): string {
  return locale.format('.2~r')(value)
}

/** A share 0..1 as a percentage: 0.0621 → "6.2%". */
export function formatShare(share: number): string {
  return formatPercent(share * 100)
}

/** `part` of `whole` as a percentage; an en dash when there is no whole. */
export function formatPercentOf(part: number, whole: number): string {
  return whole === 0 ? missingFigure : formatPercent((part / whole) * 100)
}

/**
 * Bytes in IEC units: 512 B, 1.5 KiB, 64 MiB, 1.21 GiB; three significant figures, so 1,000 KiB
 * reads 0.977 MiB.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return missingFigure
  if (Math.round(bytes) < kibi) return `${inFull(bytes)} B`
  let unit = 1
  let size = bytes / kibi
  while (unit < byteUnits.length - 1 && size >= thousand - 0.5) {
    size /= kibi
    unit++
  }
  return `${significant(size)} ${byteUnits[unit]}`
}

/**
 * Integer fen as yuan with two decimals, by integer arithmetic: no float ever holds the money.
 * ¥-12.30 below zero.
 */
export function formatFen(fen: number): string {
  if (!Number.isFinite(fen)) return missingFigure
  assert(Number.isSafeInteger(fen), 'money is a whole number of fen')
  const sign = fen < 0 ? '-' : ''
  const absolute = Math.abs(fen)
  const whole = Math.floor(absolute / fenPerYuan)
  const cents = String(absolute % fenPerYuan).padStart(2, '0')
  return `¥${sign}${inFull(whole)}.${cents}`
}

/**
 * Labels for one axis's ticks, as d3's scale.tickFormat chooses them: the step between ticks
 * sets the digits, so 1.5k sits beside 2k and 0.25 beside 0.5, and no two ticks read the same.
 * Below 1,000 plain decimals, from 1,000 an SI prefix (never 500m for a half).
 */
export function tickFormat(ticks: readonly number[]): (value: number) => string {
  let step = Infinity
  for (let index = 1; index < ticks.length; index++) {
    const gap = Math.abs((ticks[index] as number) - (ticks[index - 1] as number))
    if (gap > 0) step = Math.min(step, gap)
  }
  // One tick, or none: the tick's own three significant figures are its step.
  if (!Number.isFinite(step)) return formatNumber
  const fixed = locale.format(`.${exactDecimals(step, precisionFixed(step))}~f`)
  return (value) => {
    if (!Number.isFinite(value)) return missingFigure
    if (Math.abs(value) < thousand) return fixed(value)
    // The prefix is the value's own, its decimals what the step needs in that unit: 1.5k, 15k,
    // 2.5M.
    const prefixPower = Math.floor(Math.log10(Math.abs(value)) / 3) * 3
    const decimals = exactDecimals(step / 10 ** prefixPower, precisionPrefix(step, value))
    return locale.formatPrefix(`.${decimals}~f`, value)(value)
  }
}

/**
 * Decimals that write `step` exactly, from d3's `least` on: 0.25 needs two, where d3 (made for 1,
 * 2, 5 steps) gives one.
 */
function exactDecimals(step: number, least: number): number {
  let decimals = least
  while (
    decimals < tickDecimalsMax &&
    Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6
  )
    decimals++
  return decimals
}
