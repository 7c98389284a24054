/**
 * The built-in calendar every scenario starts from unless it says `calendar: { base: none }`:
 * mainland China's public holidays and the weekend days worked in exchange for them (调休), as
 * the State Council's General Office published them year by year, and the e-commerce festivals
 * that lift retail.
 *
 * Sources (each year's notice, 国务院办公厅关于 YYYY 年部分节假日安排的通知, www.gov.cn):
 *   2020  published 2019-11-21; the Spring Festival extended to 2 February by the notice on
 *         extending the 2020 Spring Festival holiday (国务院办公厅关于延长2020年春节假期的通知,
 *         2020-01-27), which also cancelled the make-up working day of 1 February
 *   2021  published 2020-11-25        2022  published 2021-10-25
 *   2023  published 2022-12-08        2024  published 2023-10-25
 *   2025  published 2024-11-12 (the first year with the longer Spring Festival and Labour Day of
 *         the revised 全国年节及纪念日放假办法)
 *   2026  published 2025-11-04
 * Years after the last notice have weekends only, until their notice is added here; a run that
 * reaches past it says so.
 *
 * The festivals' factors (retail, P2P and online shopping on the day against an ordinary day of
 * its kind) are a modelling assumption, not a published figure: Double 11 (11 November) is the
 * year's largest online shopping day, Double 12 and 618 (18 June) smaller ones.
 */
/** A public holiday, as the scenario's calendar.holidays lists one. */
interface Holiday {
  readonly name: string
  readonly from: string
  readonly to: string
}

/** A shopping festival, as the scenario's calendar.peaks lists one. */
interface Peak {
  readonly name: string
  readonly date: string
  readonly retail: number
  readonly p2p: number
  readonly online?: number | undefined
}

/** The days a calendar lists, and the base they add to. */
interface CalendarDays {
  readonly base: 'china' | 'none'
  readonly holidays: readonly Holiday[]
  readonly workdays: readonly string[]
  readonly peaks: readonly Peak[]
}

/** The last year whose holidays the built-in calendar holds. */
export const chinaCalendarLastYear = 2026
export const chinaCalendarFirstYear = 2020

const holidays = (year: number, list: readonly [string, string, string][]): Holiday[] =>
  list.map(([name, from, to]) => ({ name, from: `${year}-${from}`, to: `${year}-${to}` }))

const chinaHolidays: Holiday[] = [
  ...holidays(2020, [
    ["New Year's Day", '01-01', '01-01'],
    ['Spring Festival', '01-24', '02-02'],
    ['Qingming', '04-04', '04-06'],
    ['Labour Day', '05-01', '05-05'],
    ['Dragon Boat Festival', '06-25', '06-27'],
    ['National Day and Mid-Autumn', '10-01', '10-08'],
  ]),
  ...holidays(2021, [
    ["New Year's Day", '01-01', '01-03'],
    ['Spring Festival', '02-11', '02-17'],
    ['Qingming', '04-03', '04-05'],
    ['Labour Day', '05-01', '05-05'],
    ['Dragon Boat Festival', '06-12', '06-14'],
    ['Mid-Autumn', '09-19', '09-21'],
    ['National Day', '10-01', '10-07'],
  ]),
  ...holidays(2022, [
    ["New Year's Day", '01-01', '01-03'],
    ['Spring Festival', '01-31', '02-06'],
    ['Qingming', '04-03', '04-05'],
    ['Labour Day', '04-30', '05-04'],
    ['Dragon Boat Festival', '06-03', '06-05'],
    ['Mid-Autumn', '09-10', '09-12'],
    ['National Day', '10-01', '10-07'],
  ]),
  { name: "New Year's Day", from: '2022-12-31', to: '2023-01-02' },
  ...holidays(2023, [
    ['Spring Festival', '01-21', '01-27'],
    ['Qingming', '04-05', '04-05'],
    ['Labour Day', '04-29', '05-03'],
    ['Dragon Boat Festival', '06-22', '06-24'],
    ['Mid-Autumn and National Day', '09-29', '10-06'],
  ]),
  ...holidays(2024, [
    ["New Year's Day", '01-01', '01-01'],
    ['Spring Festival', '02-10', '02-17'],
    ['Qingming', '04-04', '04-06'],
    ['Labour Day', '05-01', '05-05'],
    ['Dragon Boat Festival', '06-08', '06-10'],
    ['Mid-Autumn', '09-15', '09-17'],
    ['National Day', '10-01', '10-07'],
  ]),
  ...holidays(2025, [
    ["New Year's Day", '01-01', '01-01'],
    ['Spring Festival', '01-28', '02-04'],
    ['Qingming', '04-04', '04-06'],
    ['Labour Day', '05-01', '05-05'],
    ['Dragon Boat Festival', '05-31', '06-02'],
    ['National Day and Mid-Autumn', '10-01', '10-08'],
  ]),
  ...holidays(2026, [
    ["New Year's Day", '01-01', '01-03'],
    ['Spring Festival', '02-15', '02-23'],
    ['Qingming', '04-04', '04-06'],
    ['Labour Day', '05-01', '05-05'],
    ['Dragon Boat Festival', '06-19', '06-21'],
    ['Mid-Autumn', '09-25', '09-27'],
    ['National Day', '10-01', '10-07'],
  ]),
]

/** Saturdays and Sundays worked in exchange for the holidays, as each notice lists them. */
const chinaWorkdays: string[] = [
  '2020-01-19',
  '2020-04-26',
  '2020-05-09',
  '2020-06-28',
  '2020-09-27',
  '2020-10-10',
  '2021-02-07',
  '2021-02-20',
  '2021-04-25',
  '2021-05-08',
  '2021-09-18',
  '2021-09-26',
  '2021-10-09',
  '2022-01-29',
  '2022-01-30',
  '2022-04-02',
  '2022-04-24',
  '2022-05-07',
  '2022-10-08',
  '2022-10-09',
  '2023-01-28',
  '2023-01-29',
  '2023-04-23',
  '2023-05-06',
  '2023-06-25',
  '2023-10-07',
  '2023-10-08',
  '2024-02-04',
  '2024-02-18',
  '2024-04-07',
  '2024-04-28',
  '2024-05-11',
  '2024-09-14',
  '2024-09-29',
  '2024-10-12',
  '2025-01-26',
  '2025-02-08',
  '2025-04-27',
  '2025-09-28',
  '2025-10-11',
  '2026-01-04',
  '2026-02-14',
  '2026-02-28',
  '2026-05-09',
  '2026-09-20',
  '2026-10-10',
]

/** The e-commerce festivals of every year the calendar holds; their factors are assumed. */
const chinaPeaks: Peak[] = Array.from(
  { length: chinaCalendarLastYear - chinaCalendarFirstYear + 1 },
  (_, index) => chinaCalendarFirstYear + index,
).flatMap((year) => [
  { name: '618', date: `${year}-06-18`, retail: 1.3, p2p: 1, online: 2.5 },
  { name: 'Double 11', date: `${year}-11-11`, retail: 1.6, p2p: 1.1, online: 4 },
  { name: 'Double 12', date: `${year}-12-12`, retail: 1.25, p2p: 1, online: 1.8 },
])

export const chinaCalendar: Omit<CalendarDays, 'base'> = {
  holidays: chinaHolidays,
  workdays: chinaWorkdays,
  peaks: chinaPeaks,
}

/**
 * A line to print when a run on the built-in calendar reaches a year it has no holidays for
 * (those days follow weekends only), or undefined.
 */
export function calendarGap(calendar: CalendarDays, lastDate: string): string | undefined {
  const lastYear = Number(lastDate.slice(0, 4))
  if (calendar.base !== 'china' || lastYear <= chinaCalendarLastYear) return undefined
  const own = calendar.holidays.some(
    (holiday) => holiday.to.slice(0, 4) > String(chinaCalendarLastYear),
  )
  if (own) return undefined
  return `note: the built-in calendar holds public holidays up to ${chinaCalendarLastYear}; days after it follow weekends only (list later holidays under calendar.holidays)`
}
