/**
 * The scenario's calendar (rest days, make-up working days, shopping peaks) and its rollout (a
 * diffusion of adoption over months, sampled days, the capacity plan's headroom). Both optional:
 * a scenario without them is one stretch of days with a fixed adoption share, as before.
 */
import { z } from 'zod'
import { hasUnprintable } from '../engine/printable.js'
import { isObject } from '../engine/untrusted.js'
import { chinaCalendar } from './calendars/china.js'
import {
  calendarEntriesMax,
  holidayDaysMax,
  nameCharsMax,
  promotionsMax,
  rolloutMonthsMax,
  shareTableMax,
} from '../engine/limits.js'

const datePattern = /^\d{4}-\d{2}-\d{2}$/

/** A calendar date in the city's local time, like "2021-02-11". */
const date = () =>
  z
    .string({ error: 'must be a date like "2021-02-11" (quote it)' })
    .regex(datePattern, { error: 'must be a date like "2021-02-11"' })
    .refine(isRealDate, { error: 'is not a real date from 1970 to 9999' })

const label = () =>
  z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .max(nameCharsMax, { error: `must be at most ${nameCharsMax} characters` })
    .refine((text) => !hasUnprintable(text), {
      error: 'must not hold control characters (escape codes, line breaks, bidi overrides)',
    })

/** A day's demand relative to an ordinary day of its kind. */
const factor = () =>
  z
    .number({ error: 'must be a factor, like 1.8 (1 is an ordinary day)' })
    .nonnegative({ error: 'must be a factor of 0 or more' })
    .max(20, { error: 'must be at most 20' })

const holiday = z
  .object({ name: label(), from: date(), to: date() })
  .strict()
  .describe('a public holiday: days of rest from `from` to `to`, both included')

const peak = z
  .object({
    name: label(),
    date: date(),
    /** Retail, P2P and online shopping on the day, relative to an ordinary day of its kind. */
    retail: factor(),
    p2p: factor().default(1),
    /** Online shopping's factor; without it, retail's. */
    online: factor().optional(),
  })
  .strict()

const calendarObject = z
  .object({
    /**
     * The calendar the lists add to: `china`, the built-in public holidays, make-up working days
     * and shopping festivals (scenarios/calendars/china.ts), or `none` for weekends only.
     */
    base: z
      .enum(['china', 'none'], { error: 'must be china (the built-in calendar) or none' })
      .default('china'),
    holidays: z
      .array(holiday, { error: 'must be a list of { name, from, to }' })
      .max(calendarEntriesMax, { error: `must list at most ${calendarEntriesMax} holidays` })
      .default([]),
    /** Saturdays and Sundays worked in exchange for a longer holiday (调休). */
    workdays: z
      .array(date(), { error: 'must be a list of dates' })
      .max(calendarEntriesMax, { error: `must list at most ${calendarEntriesMax} days` })
      .default([]),
    peaks: z
      .array(peak, { error: 'must be a list of { name, date, retail }' })
      .max(calendarEntriesMax, { error: `must list at most ${calendarEntriesMax} peaks` })
      .default([]),
  })
  .strict()

export const calendarSchema = calendarObject.transform(onBase)

/**
 * The calendar a run follows: the base's days and the scenario's together; a peak the scenario
 * lists on a date replaces the base's peak on it.
 */
function onBase(calendar: Calendar): Calendar {
  if (calendar.base === 'none') return calendar
  const ownPeaks = new Set(calendar.peaks.map((peak) => peak.date))
  return {
    ...calendar,
    holidays: [...chinaCalendar.holidays, ...calendar.holidays],
    workdays: [...chinaCalendar.workdays, ...calendar.workdays],
    peaks: [...chinaCalendar.peaks.filter((peak) => !ownPeaks.has(peak.date)), ...calendar.peaks],
  }
}

/** The Bass diffusion model's parameters, per year: innovation p, imitation q, potential m. */
function bassField(name: 'p' | 'q' | 'm') {
  if (name === 'p') {
    return z
      .number({ error: 'must be the innovation coefficient per year, like 0.05' })
      .positive({ error: 'must be greater than 0' })
      .max(10, { error: 'must be at most 10' })
  }
  if (name === 'q') {
    return z
      .number({ error: 'must be the imitation coefficient per year, like 1.5' })
      .nonnegative({ error: 'must be 0 or more' })
      .max(50, { error: 'must be at most 50' })
  }
  return z
    .number({ error: 'must be the market potential, a share between 0 and 1' })
    .min(0, { error: 'must be a share between 0 and 1' })
    .max(1, { error: 'must be a share between 0 and 1' })
}

const bass = z.object({ p: bassField('p'), q: bassField('q'), m: bassField('m') }).strict()

const districtId = z.string().min(1).max(32)

/** Shares of residents holding a wallet on dates, in date order: read between them in a line. */
const shareTable = z
  .array(
    z
      .object({
        date: date(),
        share: z
          .number({ error: 'must be a share between 0 and 1' })
          .min(0, { error: 'must be a share between 0 and 1' })
          .max(1, { error: 'must be a share between 0 and 1' }),
      })
      .strict(),
    { error: 'must be a list of { date, share }' },
  )
  .min(1, { error: 'must list at least one { date, share }' })
  .max(shareTableMax, { error: `must list at most ${shareTableMax} dates` })

/** A district's own curve: Bass fields replacing the city's, or a table of its own. */
const districtCurve = z
  .object({
    p: bassField('p'),
    q: bassField('q'),
    m: bassField('m'),
    table: shareTable,
  })
  .partial()
  .strict()

const promotion = z
  .object({
    name: label(),
    date: date(),
    /** Share of the district's residents who adopt on the day, beyond the curve. */
    lift: z
      .number({ error: 'must be a share between 0 and 1' })
      .min(0, { error: 'must be a share between 0 and 1' })
      .max(1, { error: 'must be a share between 0 and 1' }),
    /** District ids; all districts when left out. */
    districts: z.array(districtId, { error: 'must be a list of district ids' }).max(255).optional(),
  })
  .strict()

export const rolloutSchema = z
  .object({
    /** The first day of the rollout: adoption is 0 before it. */
    start: date(),
    months: z
      .number({ error: `must be a whole number of months from 1 to ${rolloutMonthsMax}` })
      .int({ error: `must be a whole number of months from 1 to ${rolloutMonthsMax}` })
      .min(1, { error: `must be a whole number of months from 1 to ${rolloutMonthsMax}` })
      .max(rolloutMonthsMax, {
        error: `must be a whole number of months from 1 to ${rolloutMonthsMax}`,
      }),
    /** Days simulated in each month; each stands for the other days of its kind in the month. */
    sample: z
      .object({
        workdays: z
          .number({ error: 'must be a whole number of working days from 1 to 23' })
          .int({ error: 'must be a whole number of working days from 1 to 23' })
          .min(1, { error: 'must be a whole number of working days from 1 to 23' })
          .max(23, { error: 'must be a whole number of working days from 1 to 23' })
          .default(1),
        restDays: z
          .number({ error: 'must be a whole number of rest days from 1 to 10' })
          .int({ error: 'must be a whole number of rest days from 1 to 10' })
          .min(1, { error: 'must be a whole number of rest days from 1 to 10' })
          .max(10, { error: 'must be a whole number of rest days from 1 to 10' })
          .default(1),
        /** Simulate every peak day of the calendar too (each stands for itself). */
        peaks: z.boolean({ error: 'must be true or false' }).default(true),
      })
      .strict()
      .default({ workdays: 1, restDays: 1, peaks: true }),
    adoption: z
      .object({
        /** The city's curve: Bass parameters, or a table of shares by date (one of the two). */
        bass: bass.optional(),
        table: shareTable.optional(),
        /** Districts whose curve differs, by id: the fields given replace the city's. */
        districts: z
          .record(districtId, districtCurve, {
            error: 'must map district ids to { p, q, m } or { table }',
          })
          .optional(),
        /**
         * An adopter's share of their own payments made in e-CNY: `habitStart` on the day they
         * adopt, growing towards 1 with a time constant of `habitDays` days.
         */
        habitStart: z
          .number({ error: 'must be a share between 0 and 1' })
          .min(0, { error: 'must be a share between 0 and 1' })
          .max(1, { error: 'must be a share between 0 and 1' })
          .default(1),
        habitDays: z
          .number({ error: 'must be a number of days, greater than 0' })
          .positive({ error: 'must be a number of days, greater than 0' })
          .max(3650, { error: 'must be at most 3650 days' })
          .default(30),
        promotions: z
          .array(promotion, { error: 'must be a list of { name, date, lift }' })
          .max(promotionsMax, { error: `must list at most ${promotionsMax} promotions` })
          .default([]),
      })
      .strict(),
    /**
     * Merchants accepting e-CNY over the rollout, by category (a Bass curve or a table of shares
     * by date each); categories left out accept from the start.
     */
    merchants: z
      .object({
        acceptance: z.record(z.string().max(32), districtCurve, {
          error: 'must map category names to { p, q, m } or { table }',
        }),
      })
      .strict()
      .optional(),
    /**
     * Anonymous wallets upgraded after identity checks: each month this share of the wallets
     * still in tier `from` moves to tier `to`.
     */
    tierUpgrades: z
      .object({
        from: z.number({ error: 'must be a tier number' }).int().min(1).max(255),
        to: z.number({ error: 'must be a tier number' }).int().min(1).max(255),
        perMonth: z
          .number({ error: 'must be a share between 0 and 1' })
          .min(0, { error: 'must be a share between 0 and 1' })
          .max(1, { error: 'must be a share between 0 and 1' }),
      })
      .strict()
      .optional(),
    /** The ledger rate planned for each month: its busiest minute's rate times this. */
    headroom: z
      .number({ error: 'must be a factor of 1 or more, like 1.5' })
      .min(1, { error: 'must be a factor of 1 or more, like 1.5' })
      .max(100, { error: 'must be at most 100' })
      .default(1.5),
  })
  .strict()

export type Calendar = z.output<typeof calendarObject>
export type Rollout = z.output<typeof rolloutSchema>
export type BassParameters = z.output<typeof bass>

/**
 * Checks across fields of the calendar and the rollout: holidays that end after they start and
 * last at most a few weeks, districts named that the city has. Returns `path: message` lines.
 */
export function calendarRolloutIssues(scenario: Record<string, unknown>): string[] {
  const issues: string[] = []
  const calendar = isObject(scenario.calendar) ? scenario.calendar : {}
  const holidays = Array.isArray(calendar.holidays) ? (calendar.holidays as unknown[]) : []
  holidays.forEach((raw, index) => {
    if (!isObject(raw) || !isDate(raw.from) || !isDate(raw.to)) return
    const days = dayNumber(raw.to) - dayNumber(raw.from) + 1
    if (days < 1) issues.push(`calendar.holidays[${index}].to: must not be before its from`)
    else if (days > holidayDaysMax) {
      issues.push(`calendar.holidays[${index}].to: a holiday lasts at most ${holidayDaysMax} days`)
    }
  })
  const city = isObject(scenario.city) ? scenario.city : {}
  const ids = new Set(
    (Array.isArray(city.districts) ? (city.districts as unknown[]) : []).flatMap((district) =>
      isObject(district) && typeof district.id === 'string' ? [district.id] : [],
    ),
  )
  const rollout = isObject(scenario.rollout) ? scenario.rollout : {}
  const adoption = isObject(rollout.adoption) ? rollout.adoption : {}
  if (ids.size > 0 && isObject(adoption.districts)) {
    for (const id of Object.keys(adoption.districts)) {
      if (!ids.has(id)) {
        issues.push(`rollout.adoption.districts.${id}: no district of the city has this id`)
      }
    }
  }
  if (isObject(scenario.rollout) && isObject(rollout.adoption)) {
    if (adoption.bass === undefined && adoption.table === undefined) {
      issues.push('rollout.adoption: give the city a curve: bass { p, q, m } or a table of shares')
    } else if (adoption.bass !== undefined && adoption.table !== undefined) {
      issues.push('rollout.adoption.table: give bass or a table, not both')
    }
    issues.push(...tableIssues(adoption.table, 'rollout.adoption.table'))
    if (isObject(adoption.districts)) {
      for (const [id, curve] of Object.entries(adoption.districts)) {
        if (!isObject(curve)) continue
        const at = `rollout.adoption.districts.${id}`
        issues.push(...tableIssues(curve.table, `${at}.table`))
        const hasBass = ['p', 'q', 'm'].some((field) => curve[field] !== undefined)
        if (curve.table !== undefined && hasBass) {
          issues.push(`${at}.table: give Bass fields or a table, not both`)
        } else if (curve.table === undefined && hasBass && adoption.bass === undefined) {
          issues.push(
            `${at}: Bass fields replace the city's, and the city has a table: give a table`,
          )
        }
      }
    }
  }
  issues.push(...merchantTierIssues(scenario, rollout))
  const promotions = Array.isArray(adoption.promotions) ? (adoption.promotions as unknown[]) : []
  promotions.forEach((raw, index) => {
    if (!isObject(raw) || !Array.isArray(raw.districts) || ids.size === 0) return
    ;(raw.districts as unknown[]).forEach((id, at) => {
      if (typeof id === 'string' && !ids.has(id)) {
        issues.push(
          `rollout.adoption.promotions[${index}].districts[${at}]: no district of the city has this id`,
        )
      }
    })
  })
  return issues
}

/** Acceptance names the scenario's categories with whole curves; upgrades name its tiers. */
function merchantTierIssues(
  scenario: Record<string, unknown>,
  rollout: Record<string, unknown>,
): string[] {
  const issues: string[] = []
  const merchants = isObject(scenario.merchants) ? scenario.merchants : {}
  const categories = isObject(merchants.categories) ? Object.keys(merchants.categories) : []
  const acceptance =
    isObject(rollout.merchants) && isObject(rollout.merchants.acceptance)
      ? rollout.merchants.acceptance
      : {}
  for (const [name, curve] of Object.entries(acceptance)) {
    const at = `rollout.merchants.acceptance.${name}`
    if (categories.length > 0 && !categories.includes(name)) {
      issues.push(`${at}: no merchant category of the scenario has this name`)
    }
    if (!isObject(curve)) continue
    issues.push(...tableIssues(curve.table, `${at}.table`))
    const fields = ['p', 'q', 'm'].filter((field) => curve[field] !== undefined)
    if (curve.table === undefined && fields.length < 3) {
      issues.push(`${at}: give a whole Bass curve { p, q, m } or a table of shares`)
    } else if (curve.table !== undefined && fields.length > 0) {
      issues.push(`${at}.table: give a Bass curve or a table, not both`)
    }
  }
  const upgrades = isObject(rollout.tierUpgrades) ? rollout.tierUpgrades : undefined
  const wallets = isObject(scenario.wallets) ? scenario.wallets : {}
  const tiers = (Array.isArray(wallets.tiers) ? (wallets.tiers as unknown[]) : []).flatMap(
    (tier) => (isObject(tier) && typeof tier.tier === 'number' ? [tier.tier] : []),
  )
  if (upgrades !== undefined && tiers.length > 0) {
    for (const field of ['from', 'to'] as const) {
      const tier = upgrades[field]
      if (typeof tier === 'number' && !tiers.includes(tier)) {
        issues.push(`rollout.tierUpgrades.${field}: the scenario's wallets have no tier ${tier}`)
      }
    }
    if (upgrades.from === upgrades.to) {
      issues.push('rollout.tierUpgrades.to: must be another tier than from')
    }
  }
  return issues
}

/** A table's dates come in order, each once. */
function tableIssues(table: unknown, at: string): string[] {
  if (!Array.isArray(table)) return []
  const issues: string[] = []
  let before: string | undefined
  table.forEach((raw: unknown, index) => {
    if (!isObject(raw) || !isDate(raw.date)) return
    if (before !== undefined && raw.date <= before) {
      issues.push(`${at}[${index}].date: must come after ${before}, the date before it`)
    }
    before = raw.date
  })
  return issues
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && datePattern.test(value) && isRealDate(value)
}

/** True when year, month and day are in range (Date.parse alone takes February 30 for March 2). */
function isRealDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (match === null) return false
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number]
  if (year < 1970 || year > 9999) return false
  const date = new Date(Date.UTC(year, month - 1, day))
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  )
}

/** Days since 1970-01-01 of a checked date: calendar arithmetic, no clock is read. */
export function dayNumber(isoDate: string): number {
  return Math.round(Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000)
}

/** The date of a day number, as "YYYY-MM-DD". */
export function dateOfDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10)
}
