/**
 * demand.csv, for planners' own tools: the city's payments by simulated hour, payer's district
 * and kind, one row per cell with a payment, in the tidy long form a spreadsheet pivots or a
 * script groups (districts below the residents' floor are one row, "other districts"):
 *
 *     hour,simulated_from,district,kind,payments,accepted,rejected,accepted_fen
 *     8,2026-11-23T08:00+08:00,Futian,retail,41230,40911,319,2210450
 *
 * Money stays integer fen. A district name is quoted when it needs to be (RFC 4180), and one that
 * begins like a formula is written with a leading apostrophe, so no spreadsheet runs it.
 */
import type { RunSummary } from '../run/summary.js'

const header = 'hour,simulated_from,district,kind,payments,accepted,rejected,accepted_fen'
const msPerHour = 3_600_000

/** The file's text; just the header when the summary has no hourly figures. */
export function demandCsv(summary: RunSummary): string {
  const hourly = summary.demand.hourly
  const hourStart = hourClock(summary.simulated.from)
  const lines = [header]
  for (const [hour, district, kind, payments, accepted, amountFen] of hourly?.cells ?? []) {
    lines.push(
      [
        String(hour),
        hourStart(hour),
        csvText(hourly?.districts[district] ?? ''),
        hourly?.kinds[kind] ?? '',
        String(payments),
        String(accepted),
        String(payments - accepted),
        String(amountFen),
      ].join(','),
    )
  }
  return `${lines.join('\n')}\n`
}

/** "2026-11-23T00:00:00+08:00" → hour h of the period as "2026-11-23T08:00+08:00". */
function hourClock(fromIso: string): (hour: number) => string {
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(fromIso)
  const offsetMinutes =
    offset === null
      ? 0
      : (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]))
  const suffix = offset === null ? 'Z' : `${offset[1]}${offset[2]}:${offset[3]}`
  const startMs = Date.parse(fromIso)
  return (hour) => {
    if (!Number.isFinite(startMs)) return ''
    const local = new Date(startMs + hour * msPerHour + offsetMinutes * 60_000)
    return `${local.toISOString().slice(0, 16)}${suffix}`
  }
}

/** A field as CSV text: quoted when it holds a comma, quote or line break; never a formula. */
function csvText(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}
