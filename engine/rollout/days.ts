/**
 * The days of a rollout: its months, the kind of each day (a working day, a day of rest, a
 * shopping peak) from the scenario's calendar, and which days are simulated, each standing for
 * the days of its kind in its month that are not.
 */
import type { Calendar, Rollout } from '../../scenarios/rolloutSchema.js'
import { dateOfDay, dayNumber } from '../../scenarios/rolloutSchema.js'

export type DayKind = 'work' | 'rest' | 'peak'

export interface SampledDay {
  /** Local day number, days since 1970-01-01. */
  readonly day: number
  readonly date: string
  readonly kind: DayKind
  /** The peak's or the holiday's name, if the day has one. */
  readonly named?: string
  /** How many days of the month this day stands for, itself included. */
  readonly weight: number
}

export interface RolloutMonth {
  /** 0 for the first month of the rollout. */
  readonly index: number
  /** Its first day, "YYYY-MM-DD". */
  readonly from: string
  /** The day after its last. */
  readonly to: string
  readonly days: number
  readonly sampled: readonly SampledDay[]
}

const emptyCalendar: Calendar = { base: 'none', holidays: [], workdays: [], peaks: [] }

/** A day's kind and name under the calendar. */
export function dayKind(
  day: number,
  calendar: Calendar = emptyCalendar,
): { kind: DayKind; named?: string } {
  const date = dateOfDay(day)
  const peak = calendar.peaks.find((one) => one.date === date)
  if (peak !== undefined) return { kind: 'peak', named: peak.name }
  if (calendar.workdays.includes(date)) return { kind: 'work' }
  const holiday = calendar.holidays.find((one) => one.from <= date && date <= one.to)
  if (holiday !== undefined) return { kind: 'rest', named: holiday.name }
  // The Unix epoch was a Thursday: day 2 is a Saturday, day 3 a Sunday.
  const weekday = (((day + 4) % 7) + 7) % 7
  return { kind: weekday === 0 || weekday === 6 ? 'rest' : 'work' }
}

/**
 * The rollout's months (each from the start's day of the month to the same day of the next, or
 * the month's last day where it has fewer), and the days simulated in each.
 */
export function rolloutMonths(
  rollout: Rollout,
  calendar: Calendar = emptyCalendar,
): RolloutMonth[] {
  const start = new Date(`${rollout.start}T00:00:00Z`)
  const months: RolloutMonth[] = []
  for (let index = 0; index < rollout.months; index++) {
    const from = monthDay(start, index)
    const to = monthDay(start, index + 1)
    months.push({
      index,
      from: dateOfDay(from),
      to: dateOfDay(to),
      days: to - from,
      sampled: sampleMonth(rollout, calendar, from, to),
    })
  }
  return months
}

/** The day `months` months after `start`, on its day of the month or the month's last day. */
function monthDay(start: Date, months: number): number {
  const year = start.getUTCFullYear()
  const month = start.getUTCMonth() + months
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
  const date = Date.UTC(year, month, Math.min(start.getUTCDate(), lastDay))
  return dayNumber(new Date(date).toISOString().slice(0, 10))
}

/**
 * The days simulated from `from` to `to` (excluded): every peak when the sample asks for them,
 * then the asked number of working days and of rest days, spread evenly through the month.
 */
function sampleMonth(rollout: Rollout, calendar: Calendar, from: number, to: number): SampledDay[] {
  const byKind: Record<DayKind, { day: number; named?: string }[]> = {
    work: [],
    rest: [],
    peak: [],
  }
  for (let day = from; day < to; day++) {
    const { kind, named } = dayKind(day, calendar)
    // Peaks not simulated count as days of the kind they fall on.
    const counted =
      kind === 'peak' && !rollout.sample.peaks
        ? dayKind(day, { ...calendar, peaks: [] }).kind
        : kind
    byKind[counted].push(named === undefined ? { day } : { day, named })
  }
  const wanted: Record<DayKind, number> = {
    work: rollout.sample.workdays,
    rest: rollout.sample.restDays,
    peak: byKind.peak.length,
  }
  const sampled: SampledDay[] = []
  for (const kind of ['work', 'rest', 'peak'] as const) {
    const days = byKind[kind]
    const count = Math.min(wanted[kind], days.length)
    for (let pick = 0; pick < count; pick++) {
      const chosen = days[Math.floor(((pick + 0.5) * days.length) / count)]
      if (chosen === undefined) continue
      sampled.push({
        day: chosen.day,
        date: dateOfDay(chosen.day),
        kind,
        ...(chosen.named === undefined ? {} : { named: chosen.named }),
        weight: days.length / count,
      })
    }
  }
  return sampled.sort((a, b) => a.day - b.day)
}
