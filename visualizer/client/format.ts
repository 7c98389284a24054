/**
 * How numbers read on the page. Money travels as integer fen and is turned into yuan only here,
 * for display. Large counts shorten to k / M so the big panels keep their width as a run grows.
 */

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const fenPerYuan = 100
/** Below this a count is written in full (with separators); above it, shortened. */
const compactFrom = 10_000
const thousand = 1_000
const million = 1_000_000
const billion = 1_000_000_000
const minutesPerHour = 60
const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const

/** 1234567 → "1,234,567". */
export function formatInteger(value: number): string {
  return Number.isFinite(value) ? integerFormat.format(Math.round(value)) : '–'
}

/** 8_765 → "8,765"; 123_456 → "123k"; 17_494_173 → "17.5M". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return '–'
  const size = Math.abs(value)
  if (size < compactFrom) return formatInteger(value)
  if (size < million) return shortened(value / thousand, 'k')
  if (size < billion) return shortened(value / million, 'M')
  return shortened(value / billion, 'B')
}

/** Three significant figures at most: 12.3k, 123k. */
function shortened(value: number, suffix: string): string {
  const digits = Math.abs(value) < 100 ? 1 : 0
  return `${value.toFixed(digits)}${suffix}`
}

/** An axis label: as few digits as say the value (0.5, 5, 2,000, 20k), no padding zeros. */
export function formatTick(value: number): string {
  if (!Number.isFinite(value)) return ''
  if (Math.abs(value) >= compactFrom) return formatCount(value).replace('.0', '')
  return Number(value.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 2 })
}

/** A rate a second: one decimal while it is small, so a trickle does not read as zero. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '–'
  return Math.abs(perSecond) < 100 ? perSecond.toFixed(1) : formatCount(perSecond)
}

/** Milliseconds: one decimal below 10 ms. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–'
  return ms < 10 ? ms.toFixed(1) : formatInteger(ms)
}

/** A share 0..1 as a percentage, with more decimals for the small shares rejections usually are. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '–'
  const percent = share * 100
  const digits = percent === 0 || percent >= 10 ? 0 : percent >= 1 ? 1 : 2
  return `${percent.toFixed(digits)}%`
}

/** An amount in yuan (already divided from fen), with two decimals: ¥45.20. */
export function formatYuan(yuan: number): string {
  if (!Number.isFinite(yuan)) return '–'
  return `¥${yuan.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
}

export function fenToYuan(fen: number): number {
  return fen / fenPerYuan
}

/**
 * "2026-11-23T08:05:00+08:00" → "08:05". The time is read from the text, not through Date: the
 * server already wrote it in the scenario's offset, and the viewer's time zone must not move it.
 */
export function formatClock(iso: string): string {
  const match = /T(\d{2}):(\d{2})/.exec(iso)
  return match === null ? '--:--' : `${match[1]}:${match[2]}`
}

/** "2026-11-23T08:05:00+08:00" → "Mon 23 Nov 2026", again read from the text. */
export function formatDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso)
  if (match === null) return ''
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const weekday = weekdays[new Date(Date.UTC(year, month - 1, day)).getUTCDay()] ?? ''
  return `${weekday} ${day} ${months[month - 1] ?? ''} ${year}`
}

/** Simulated minutes per wall second: 120 → "120×". */
export function formatSpeed(minutesPerSecond: number): string {
  if (!Number.isFinite(minutesPerSecond)) return '–'
  return minutesPerSecond < 10 ? minutesPerSecond.toFixed(1) : formatInteger(minutesPerSecond)
}

/** Wall seconds since the run started → "m:ss" (or "h:mm:ss"), for chart axes and the replay bar. */
export function formatRunTime(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds))
  const hours = Math.floor(whole / (minutesPerHour * 60))
  const minutes = Math.floor(whole / 60) % minutesPerHour
  const secs = String(whole % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`
}
