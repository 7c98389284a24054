import { describe, expect, it } from 'vitest'
import { minutesPerDay } from '../../../engine/limits.js'
import {
  dayOfWeek,
  isLastTickOfDay,
  isoMinute,
  isWeekend,
  localDay,
  localMinute,
  minuteOfDay,
  yearOfDay,
  type SimClock,
} from '../../../engine/time/index.js'
import { offsetMinutes } from '../../../scenarios/schema.js'

/** A clock as the plan builds one: tick 0 at `from`, the city's offset read from `from`. */
function clockFrom(from: string, ticks = 400 * minutesPerDay): SimClock {
  return { startMinute: Date.parse(from) / 60_000, ticks, utcOffsetMinutes: offsetMinutes(from) }
}

/** The tick at which a local date-time in the clock's offset falls. */
function tickAt(clock: SimClock, local: string): number {
  return Date.parse(local) / 60_000 - clock.startMinute
}

const [sunday, monday, tuesday, wednesday, thursday, friday, saturday] = [0, 1, 2, 3, 4, 5, 6]

describe('a clock at +08:00 (Shenzhen) from local midnight', () => {
  const clock = clockFrom('2026-11-23T00:00:00+08:00')

  it('starts at local midnight of Monday 2026-11-23, which is 16:00 UTC on the Sunday', () => {
    // Proves the local minute adds the offset to UTC: the UTC date is a Sunday, the local one a
    // Monday.
    expect(clock.utcOffsetMinutes).toBe(480)
    expect(localMinute(clock, 0)).toBe(Date.UTC(2026, 10, 23) / 60_000)
    expect(minuteOfDay(clock, 0)).toBe(0)
    expect(dayOfWeek(clock, 0)).toBe(monday)
    expect(isWeekend(clock, 0)).toBe(false)
    expect(isoMinute(clock, 0)).toBe('2026-11-23T00:00:00+08:00')
    expect(new Date(clock.startMinute * 60_000).toISOString()).toBe('2026-11-22T16:00:00.000Z')
  })

  it('ends each local day on its 1440th tick, and the next day begins at minute 0', () => {
    // Proves isLastTickOfDay marks exactly one tick per local day, the one before local midnight.
    const last: number[] = []
    for (let tick = 0; tick < 3 * minutesPerDay; tick++)
      if (isLastTickOfDay(clock, tick)) last.push(tick)
    expect(last).toEqual([1439, 2879, 4319])
    expect(minuteOfDay(clock, 1439)).toBe(1439)
    expect(minuteOfDay(clock, 1440)).toBe(0)
    expect(dayOfWeek(clock, 1439)).toBe(monday)
    expect(dayOfWeek(clock, 1440)).toBe(tuesday)
    expect(isoMinute(clock, 1439)).toBe('2026-11-23T23:59:00+08:00')
    expect(isoMinute(clock, 1440)).toBe('2026-11-24T00:00:00+08:00')
  })

  it('has its weekend on Saturday 28 and Sunday 29 November, local time', () => {
    // Proves the weekday runs Monday..Sunday across a week and the weekend is the local Saturday
    // and Sunday.
    const days = Array.from({ length: 8 }, (_, day) => dayOfWeek(clock, day * minutesPerDay))
    expect(days).toEqual([monday, tuesday, wednesday, thursday, friday, saturday, sunday, monday])
    const saturdayStart = tickAt(clock, '2026-11-28T00:00:00+08:00')
    expect(saturdayStart).toBe(5 * minutesPerDay)
    expect(isWeekend(clock, saturdayStart - 1)).toBe(false)
    expect(isWeekend(clock, saturdayStart)).toBe(true)
    expect(isWeekend(clock, saturdayStart + 2 * minutesPerDay - 1)).toBe(true)
    expect(isWeekend(clock, saturdayStart + 2 * minutesPerDay)).toBe(false)
    expect(isoMinute(clock, saturdayStart)).toBe('2026-11-28T00:00:00+08:00')
  })

  it('counts local days for the ledger: the local day changes at local midnight, not UTC midnight', () => {
    // Proves localDay uses the offset: 23:59 and 00:00 local are different days though both are the
    // same UTC day.
    const monday2026 = Date.UTC(2026, 10, 23) / 86_400_000
    expect(localDay(clock.startMinute, clock.utcOffsetMinutes)).toBe(monday2026)
    expect(localDay(clock.startMinute + 1439, clock.utcOffsetMinutes)).toBe(monday2026)
    expect(localDay(clock.startMinute + 1440, clock.utcOffsetMinutes)).toBe(monday2026 + 1)
    // In UTC, tick 0 is still Sunday 22 November.
    expect(localDay(clock.startMinute, 0)).toBe(monday2026 - 1)
  })
})

describe('a clock at -05:00 started at 08:30 local on a Saturday', () => {
  const clock = clockFrom('2026-11-28T08:30:00-05:00')

  it('starts at minute 510 of Saturday, local time', () => {
    // Proves a start that is not midnight: minute of day, weekday and ISO time are local, with a
    // negative offset.
    expect(clock.utcOffsetMinutes).toBe(-300)
    expect(minuteOfDay(clock, 0)).toBe(510)
    expect(dayOfWeek(clock, 0)).toBe(saturday)
    expect(isWeekend(clock, 0)).toBe(true)
    expect(isoMinute(clock, 0)).toBe('2026-11-28T08:30:00-05:00')
    expect(localMinute(clock, 0)).toBe(Date.UTC(2026, 10, 28, 8, 30) / 60_000)
  })

  it('ends the first local day 930 ticks in, then runs Sunday and a working Monday', () => {
    // Proves the first day is cut short by a mid-day start, and days then follow local midnights.
    const last: number[] = []
    for (let tick = 0; tick < 3 * minutesPerDay; tick++)
      if (isLastTickOfDay(clock, tick)) last.push(tick)
    expect(last).toEqual([929, 929 + 1440, 929 + 2880])
    expect(isoMinute(clock, 929)).toBe('2026-11-28T23:59:00-05:00')
    expect(isoMinute(clock, 930)).toBe('2026-11-29T00:00:00-05:00')
    expect(dayOfWeek(clock, 930)).toBe(sunday)
    expect(isWeekend(clock, 930)).toBe(true)
    expect(dayOfWeek(clock, 930 + 1440)).toBe(monday)
    expect(isWeekend(clock, 930 + 1440)).toBe(false)
  })

  it('keeps Friday evening a Friday though it is already Saturday in UTC', () => {
    // Proves the weekday is local: 20:00 Friday at -05:00 is 01:00 Saturday UTC, and is not the
    // weekend.
    const friday8pm = clockFrom('2026-11-27T20:00:00-05:00')
    expect(new Date(friday8pm.startMinute * 60_000).getUTCDay()).toBe(saturday)
    expect(dayOfWeek(friday8pm, 0)).toBe(friday)
    expect(isWeekend(friday8pm, 0)).toBe(false)
    expect(minuteOfDay(friday8pm, 0)).toBe(20 * 60)
    expect(isWeekend(friday8pm, 4 * 60)).toBe(true)
  })
})

describe('a clock at +05:45 (Nepal), an offset that is not a whole hour', () => {
  it('starts at local midnight and writes the offset as +05:45', () => {
    // Proves quarter-hour offsets: local midnight is minute 0 though UTC is at 18:15 the day
    // before.
    const clock = clockFrom('2026-11-23T00:00:00+05:45')
    expect(clock.utcOffsetMinutes).toBe(345)
    expect(new Date(clock.startMinute * 60_000).toISOString()).toBe('2026-11-22T18:15:00.000Z')
    expect(minuteOfDay(clock, 0)).toBe(0)
    expect(dayOfWeek(clock, 0)).toBe(monday)
    expect(isoMinute(clock, 0)).toBe('2026-11-23T00:00:00+05:45')
    expect(isoMinute(clock, 1439)).toBe('2026-11-23T23:59:00+05:45')
    expect(isLastTickOfDay(clock, 1439)).toBe(true)
    expect(isLastTickOfDay(clock, 1438)).toBe(false)
  })

  it('crosses local midnight 15 ticks after a 23:45 start', () => {
    // Proves a late start: the day ends at tick 14, and tick 15 is minute 0 of Tuesday.
    const clock = clockFrom('2026-11-23T23:45:00+05:45')
    expect(minuteOfDay(clock, 0)).toBe(1425)
    expect(isLastTickOfDay(clock, 14)).toBe(true)
    expect(isoMinute(clock, 15)).toBe('2026-11-24T00:00:00+05:45')
    expect(minuteOfDay(clock, 15)).toBe(0)
    expect(dayOfWeek(clock, 15)).toBe(tuesday)
    expect(localDay(clock.startMinute + 15, clock.utcOffsetMinutes)).toBe(
      Date.UTC(2026, 10, 24) / 86_400_000,
    )
  })
})

describe('calendar edges', () => {
  it('places 1970-01-01 on a Thursday, and the evening before it in -05:00 on a Wednesday', () => {
    // Proves the weekday anchor, and that local minutes before the epoch (negative) still give the
    // right day.
    expect(dayOfWeek({ startMinute: 0, ticks: 1, utcOffsetMinutes: 0 }, 0)).toBe(thursday)
    expect(dayOfWeek({ startMinute: 0, ticks: 1, utcOffsetMinutes: 480 }, 0)).toBe(thursday)
    const newYearsEve = { startMinute: 0, ticks: 1, utcOffsetMinutes: -300 }
    expect(localMinute(newYearsEve, 0)).toBe(-300)
    expect(minuteOfDay(newYearsEve, 0)).toBe(19 * 60)
    expect(dayOfWeek(newYearsEve, 0)).toBe(wednesday)
    expect(isoMinute(newYearsEve, 0)).toBe('1969-12-31T19:00:00-05:00')
    expect(localDay(0, -300)).toBe(-1)
    expect(yearOfDay(-1)).toBe(1969)
    expect(yearOfDay(0)).toBe(1970)
  })

  it('turns the year at local midnight: in +08:00 before UTC, in -05:00 after it', () => {
    // Proves yearly wallet limits roll over on the city's New Year, not on UTC's.
    const east = clockFrom('2026-12-31T23:58:00+08:00')
    const eastYear = (tick: number) =>
      yearOfDay(localDay(east.startMinute + tick, east.utcOffsetMinutes))
    expect(eastYear(1)).toBe(2026)
    expect(eastYear(2)).toBe(2027)
    expect(new Date((east.startMinute + 2) * 60_000).getUTCFullYear()).toBe(2026)
    expect(isLastTickOfDay(east, 1)).toBe(true)
    expect(isoMinute(east, 2)).toBe('2027-01-01T00:00:00+08:00')
    expect(dayOfWeek(east, 2)).toBe(friday)

    const west = clockFrom('2026-12-31T20:00:00-05:00')
    const westYear = (tick: number) =>
      yearOfDay(localDay(west.startMinute + tick, west.utcOffsetMinutes))
    expect(new Date(west.startMinute * 60_000).getUTCFullYear()).toBe(2027)
    expect(westYear(0)).toBe(2026)
    expect(westYear(239)).toBe(2026)
    expect(westYear(240)).toBe(2027)
    expect(isoMinute(west, 240)).toBe('2027-01-01T00:00:00-05:00')
  })

  it('has a 29 February in 2028 (a Tuesday) and none in 2027', () => {
    // Proves leap days: the day after 28 February is the 29th in a leap year and 1 March otherwise.
    const leap = clockFrom('2028-02-28T23:00:00+08:00')
    expect(isoMinute(leap, 60)).toBe('2028-02-29T00:00:00+08:00')
    expect(dayOfWeek(leap, 60)).toBe(tuesday)
    expect(isLastTickOfDay(leap, 59 + 1440)).toBe(true)
    expect(isoMinute(leap, 60 + 1440)).toBe('2028-03-01T00:00:00+08:00')
    expect(dayOfWeek(leap, 60 + 1440)).toBe(wednesday)
    const leapDay = localDay(leap.startMinute + 60, leap.utcOffsetMinutes)
    expect(leapDay).toBe(Date.UTC(2028, 1, 29) / 86_400_000)
    expect(yearOfDay(leapDay)).toBe(2028)
    // 31 December 2028 is day 366 of the year, still 2028.
    expect(yearOfDay(leapDay + 306)).toBe(2028)
    expect(yearOfDay(leapDay + 307)).toBe(2029)

    const common = clockFrom('2027-02-28T23:00:00+05:45')
    expect(isoMinute(common, 60)).toBe('2027-03-01T00:00:00+05:45')
  })

  it.each(['+08:00', '-05:00', '+05:45'])(
    'agrees with the calendar of Date for every 31st minute of 2026–2028 at %s',
    (offset) => {
      // Proves the arithmetic against an independent calendar over three years, a leap year and two
      // New Years included (31 is prime to 1440, so the sampled ticks fall on every minute of the
      // day in turn).
      const clock = clockFrom(`2026-01-01T00:00:00${offset}`)
      const end = tickAt(clock, `2029-01-01T00:00:00${offset}`)
      expect(end).toBe((365 + 365 + 366) * minutesPerDay)
      let checked = 0
      for (let tick = 0; tick < end; tick += 31) {
        const wall = new Date((clock.startMinute + tick + clock.utcOffsetMinutes) * 60_000)
        const day = localDay(clock.startMinute + tick, clock.utcOffsetMinutes)
        if (
          minuteOfDay(clock, tick) !== wall.getUTCHours() * 60 + wall.getUTCMinutes() ||
          dayOfWeek(clock, tick) !== wall.getUTCDay() ||
          isWeekend(clock, tick) !== (wall.getUTCDay() === 0 || wall.getUTCDay() === 6) ||
          day !== Math.floor(wall.getTime() / 86_400_000) ||
          yearOfDay(day) !== wall.getUTCFullYear() ||
          isoMinute(clock, tick) !== `${wall.toISOString().slice(0, 19)}${offset}`
        ) {
          expect.fail(`tick ${tick} (${wall.toISOString()} local) disagrees with the calendar`)
        }
        checked += 1
      }
      expect(checked).toBe(Math.ceil(end / 31))
    },
  )
})
