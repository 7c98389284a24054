/**
 * Simulated time. One tick is one simulated minute; tick 0 starts at the scenario's `from`.
 * The city's local time (for daily rhythms, days and years of wallet limits) comes from the UTC
 * offset the scenario gives, never from the machine's time zone.
 */
import { minutesPerDay } from '../limits.js'

export interface SimClock {
  /** Minutes since 1970-01-01T00:00Z of tick 0. */
  readonly startMinute: number
  readonly ticks: number
  /** The city's offset from UTC, in minutes east. */
  readonly utcOffsetMinutes: number
  /**
   * The calendar: local day numbers (days since 1970-01-01 local) of public holidays, and of
   * Saturdays and Sundays worked in exchange for them. None when the scenario has no calendar.
   */
  readonly restDays?: readonly number[]
  readonly workDays?: readonly number[]
  /** Shopping festivals, each on its local day number. */
  readonly peakDays?: readonly PeakDay[]
}

/** A shopping festival: retail and P2P on the day against an ordinary day of its kind. */
export interface PeakDay {
  readonly day: number
  readonly retail: number
  readonly p2p: number
  readonly online: number
}

/** Minutes since the Unix epoch, in the city's local time, of a simulated minute. */
export function localMinute(clock: SimClock, tick: number): number {
  return clock.startMinute + tick + clock.utcOffsetMinutes
}

export function minuteOfDay(clock: SimClock, tick: number): number {
  return mod(localMinute(clock, tick), minutesPerDay)
}

/** 0 = Sunday ... 6 = Saturday, in local time. The Unix epoch was a Thursday. */
export function dayOfWeek(clock: SimClock, tick: number): number {
  return mod(Math.floor(localMinute(clock, tick) / minutesPerDay) + 4, 7)
}

export function isWeekend(clock: SimClock, tick: number): boolean {
  const day = dayOfWeek(clock, tick)
  return day === 0 || day === 6
}

/**
 * A day of rest: a weekend day not worked in exchange for a holiday, or a public holiday. The
 * city's rhythm on it is its weekend rhythm.
 */
export function isRestDay(clock: SimClock, tick: number): boolean {
  const day = Math.floor(localMinute(clock, tick) / minutesPerDay)
  if (clock.workDays?.includes(day) === true) return false
  if (clock.restDays?.includes(day) === true) return true
  return isWeekend(clock, tick)
}

/** The shopping festival on a tick's local day, if there is one. */
export function peakOf(clock: SimClock, tick: number): PeakDay | undefined {
  const day = Math.floor(localMinute(clock, tick) / minutesPerDay)
  return clock.peakDays?.find((peak) => peak.day === day)
}

/** The local day of the month (1..31) of a tick, and how many days its month has. */
export function dayOfMonth(clock: SimClock, tick: number): { day: number; days: number } {
  const day = Math.floor(localMinute(clock, tick) / minutesPerDay)
  const date = new Date(day * 86_400_000)
  const days = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate()
  return { day: date.getUTCDate(), days }
}

/** True on the last tick of a local day. */
export function isLastTickOfDay(clock: SimClock, tick: number): boolean {
  return minuteOfDay(clock, tick) === minutesPerDay - 1
}

/** Local day number (days since 1970-01-01 local) of a UTC epoch minute. */
export function localDay(epochMinute: number, utcOffsetMinutes: number): number {
  return Math.floor((epochMinute + utcOffsetMinutes) / minutesPerDay)
}

/** Calendar year of a local day number. Calendar arithmetic only: no clock is read. */
export function yearOfDay(day: number): number {
  return new Date(day * 86_400_000).getUTCFullYear()
}

export function isoMinute(clock: SimClock, tick: number): string {
  const local = new Date((clock.startMinute + tick + clock.utcOffsetMinutes) * 60_000)
  const offset = clock.utcOffsetMinutes
  const sign = offset < 0 ? '-' : '+'
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0')
  return `${local.toISOString().slice(0, 19)}${sign}${hours}:${minutes}`
}

function mod(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus
}
