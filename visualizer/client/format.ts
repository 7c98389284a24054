/**
 * How numbers read on the page: the report's own rules (engine/report/format.ts, bundled in as
 * it is), so a figure reads the same here, in report.html and in the terminal. Money travels as
 * integer fen and is turned into yuan only there, for display. Only what reads a date or a time
 * from the server's text is the page's own.
 */
export {
  formatCount,
  formatFen,
  formatInteger,
  formatMsNumber,
  formatNumber,
  formatRate,
  formatRunTime,
  formatShare,
  tickFormat,
} from '../../engine/report/format.js'

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const
const months = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const

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
