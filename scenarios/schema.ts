/**
 * Scenario v1: the schema of a scenario file, and the checks that need more than one field.
 * Every error is collected and reported at once, each with its field path.
 */
import { z } from 'zod'
import { hasUnprintable } from '../engine/printable.js'
import { isObject } from '../engine/untrusted.js'
import { tierLimit, tierLimitFields } from './walletTiers.js'
import {
  banksMax,
  districtIdCharsMax,
  districtsMax,
  placesPerDistrictMax,
  merchantCategoriesMax,
  merchantSizesMax,
  merchantsMax,
  nameCharsMax,
  residentsMax,
  simulatedDaysMax,
  utilitiesMax,
  walletTiersMax,
  loadInFlightMax,
  loadTpsMax,
  profileTextMax,
  thresholdsMax,
  thresholdTextMax,
} from '../engine/limits.js'
import { loadSettingIssues } from '../engine/load/settings.js'
import { calendarRolloutIssues, calendarSchema, rolloutSchema } from './rolloutSchema.js'
import { ageBandsSchema, peopleIssues, peopleSchema } from './peopleSchema.js'
import { metroIssues, metroSchema } from './metroSchema.js'
import {
  channelsIssues,
  channelsSchema,
  servicesIssues,
  servicesSchema,
  visitorsIssues,
  visitorsSchema,
} from './servicesSchema.js'

const positiveInt = (what = 'a positive integer') =>
  z
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .positive({ error: `must be ${what}` })

const nonNegativeInt = (what = 'a non-negative integer') =>
  z
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .nonnegative({ error: `must be ${what}` })

/** Money: integer fen, at most what a Uint32 amount column holds. */
const fen = () =>
  z
    .number({ error: 'must be an integer amount of fen' })
    .int({ error: 'must be an integer amount of fen (1 yuan = 100 fen)' })
    .positive({ error: 'must be a positive amount of fen' })
    .max(0xffff_ffff, { error: 'must be at most 4294967295 fen' })

const share = () =>
  z
    .number({ error: 'must be a share between 0 and 1' })
    .min(0, { error: 'must be a share between 0 and 1' })
    .max(1, { error: 'must be a share between 0 and 1' })

const rate = () =>
  z
    .number({ error: 'must be a rate per day (a number >= 0)' })
    .nonnegative({ error: 'must be a rate per day (a number >= 0)' })
    .max(10_000, { error: 'must be at most 10000 per day' })

/**
 * No controls (escape codes, line breaks) nor bidi overrides: names are printed on terminals and in
 * reports.
 */
const name = () =>
  z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .max(nameCharsMax, { error: `must be at most ${nameCharsMax} characters` })
    .refine((text) => !hasUnprintable(text), {
      error: 'must not hold control characters (escape codes, line breaks, bidi overrides)',
    })

const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)$/

/** ISO 8601 with an explicit offset, so the simulated clock knows the city's local time. */
const instant = () =>
  z
    .string({
      error: 'must be a date-time with an offset, like "2026-11-23T00:00:00+08:00" (quote it)',
    })
    .regex(instantPattern, {
      error: 'must be a date-time with an offset, like "2026-11-23T00:00:00+08:00"',
    })

/**
 * A place the map draws inside a district (a newer district the map predates), named on the map
 * where it lies: its name and a point [lon, lat].
 */
const place = z
  .object({
    name: name(),
    at: z
      .tuple([
        z.number({ error: 'must be a longitude' }).min(-180).max(180),
        z.number({ error: 'must be a latitude' }).min(-90).max(90),
      ])
      .describe('[lon, lat]'),
  })
  .strict()

const district = z
  .object({
    id: z
      .string({ error: 'must be the feature id in the map, as a string' })
      .min(1, { error: 'must not be empty' })
      .max(districtIdCharsMax, { error: `must be at most ${districtIdCharsMax} characters` })
      .refine((text) => !hasUnprintable(text), { error: 'must not hold control characters' }),
    name: name(),
    population: positiveInt().max(residentsMax, { error: `must be at most ${residentsMax}` }),
    jobs: positiveInt().optional(),
    adoption: share().optional(),
    places: z.array(place).max(placesPerDistrictMax).optional(),
    /** The district's own age structure (the people section's otherwise). */
    ageBands: ageBandsSchema.optional(),
  })
  .strict()

/** Limits left out take the published ones (walletTiers.ts) for tiers 1 to 4. */
const tier = z
  .object({
    tier: positiveInt().max(walletTiersMax, { error: `must be between 1 and ${walletTiersMax}` }),
    share: share(),
    balanceCapFen: fen().optional(),
    perPaymentFen: fen().optional(),
    perDayFen: fen().optional(),
    perYearFen: fen().optional(),
    initialBalanceFen: nonNegativeInt('a non-negative integer amount of fen').max(0xffff_ffff, {
      error: 'must be at most 4294967295 fen',
    }),
  })
  .strict()

const category = z
  .object({
    share: share(),
    ticketFen: fen(),
    /**
     * The share of the category's merchants accepting e-CNY, the largest first (a rollout sets it
     * day by day from its acceptance curves).
     */
    accepting: share().default(1),
  })
  .strict()

/**
 * A size class of merchants: its share of each category's merchants in each district, and how
 * many payments one of them draws against the others' (a weight).
 */
const merchantSize = z
  .object({
    name: z
      .string({ error: 'must be a name like "large"' })
      .regex(/^[a-z][a-z0-9_-]{0,31}$/, { error: 'size names are lower-case words' }),
    share: share(),
    weight: z
      .number({
        error:
          'must be a weight, like 20 (a merchant of weight 20 draws 20 times the payments of one of weight 1)',
      })
      .positive({ error: 'must be a positive weight' })
      .max(10_000, { error: 'must be at most 10000' }),
  })
  .strict()

/**
 * Merchant sizes, largest first (a modelling assumption: no census counts merchants by the
 * payments they take): large chains and supermarkets, medium shops, small stalls and family
 * businesses.
 */
export const defaultMerchantSizes = [
  { name: 'large', share: 0.02, weight: 20 },
  { name: 'medium', share: 0.18, weight: 3 },
  { name: 'small', share: 0.8, weight: 1 },
]

const payment = (amount: boolean) =>
  z
    .object({
      enabled: z.boolean({ error: 'must be true or false' }).default(true),
      perDay: rate(),
      ...(amount ? { amountFen: fen() } : {}),
    })
    .strict()

export const scenarioSchema = z
  .object({
    version: z.literal(1, { error: 'must be 1 (the scenario format version)' }),
    name: name(),
    description: z
      .string({ error: 'must be a string' })
      .max(2000, { error: 'must be at most 2000 characters' })
      .refine((text) => !hasUnprintable(text.replace(/[\n\t]/g, '')), {
        error:
          'must not hold control characters other than line breaks and tabs (escape codes, bidi overrides)',
      })
      .optional(),
    seed: nonNegativeInt().max(0xffff_ffff, { error: 'must be at most 4294967295' }),
    scale: z
      .number({ error: 'must be a share of the real population, between 0 and 1' })
      .positive({ error: 'must be a share of the real population, greater than 0' })
      .max(1, { error: 'must be at most 1 (the whole population)' }),
    period: z.object({ from: instant(), to: instant() }).strict(),
    city: z
      .object({
        map: z
          .string({ error: 'must be a path to a GeoJSON file, relative to the scenario' })
          .min(1, { error: 'must not be empty' })
          .max(255, { error: 'must be at most 255 characters' }),
        districts: z
          .array(district, { error: 'must be a list of districts' })
          .min(1, { error: 'must list at least one district' })
          .max(districtsMax, { error: `must list at most ${districtsMax} districts` }),
        sameDistrictWorkShare: share(),
        employedShare: share(),
        riderShare: share(),
        /** The real metro: its network file, fare rule and bus share (metroSchema.ts). */
        metro: metroSchema.optional(),
      })
      .strict(),
    adoption: z.object({ share: share() }).strict(),
    /** Who the residents are (peopleSchema.ts): age, income, bank account, device. */
    people: peopleSchema.optional(),
    wallets: z
      .object({
        nightlyTopupBelow: share().default(0),
        tiers: z
          .array(tier, { error: 'must be a list of wallet tiers' })
          .min(1, { error: 'must list at least one tier' })
          .max(walletTiersMax, { error: `must list at most ${walletTiersMax} tiers` }),
      })
      .strict(),
    banks: z
      .object({
        names: z
          .array(name(), { error: 'must be a list of bank names' })
          .min(1, { error: 'must name at least one operating bank' })
          .max(banksMax, { error: `must name at most ${banksMax} banks` }),
        issuancePerResidentFen: fen(),
        /**
         * What each resident holds in deposits at their bank when the run opens: the deposit book
         * top-ups draw on. About 66,000 yuan, the national household deposits per head at the end
         * of 2020 (a modelling assumption for the city: docs/scenarios.md).
         */
        depositsPerResidentFen: fen().default(6_600_000),
      })
      .strict(),
    utilities: z
      .array(name(), { error: 'must be a list of utility names' })
      .min(1, { error: 'must name at least one utility' })
      .max(utilitiesMax, { error: `must name at most ${utilitiesMax} utilities` }),
    merchants: z
      .object({
        count: positiveInt().max(merchantsMax, { error: `must be at most ${merchantsMax}` }),
        categories: z
          .record(
            z
              .string()
              .regex(/^[a-z][a-z0-9_-]{0,31}$/, { error: 'category names are lower-case words' }),
            category,
            {
              error: 'must map category names to { share, ticketFen }',
            },
          )
          .refine((categories) => Object.keys(categories).length >= 1, {
            error: 'must list at least one category',
          })
          .refine((categories) => Object.keys(categories).length <= merchantCategoriesMax, {
            error: `must list at most ${merchantCategoriesMax} categories`,
          }),
        sizes: z
          .array(merchantSize, {
            error: 'must be a list of { name, share, weight }, largest first',
          })
          .min(1, { error: 'must list at least one size' })
          .max(merchantSizesMax, { error: `must list at most ${merchantSizesMax} sizes` })
          .default(defaultMerchantSizes),
      })
      .strict(),
    payments: z
      .object({
        retail: payment(false),
        transit: payment(false),
        bill: payment(true),
        payroll: payment(true),
        p2p: payment(true),
        topup: payment(true),
      })
      .strict(),
    /** Load mode: the open model's profile and gates (see docs/load.md). Flags override them. */
    load: z
      .object({
        profile: z
          .string({ error: 'must be a profile, like "ramp:10k..500k/120s" or "realistic:1d/10m"' })
          .max(profileTextMax)
          .optional(),
        tps: z
          .union([nonNegativeInt().max(loadTpsMax), z.string().max(32)], {
            error: 'must be a rate, like 200000 or "200k"',
          })
          .optional(),
        duration: z.string({ error: 'must be a duration, like "60s"' }).max(32).optional(),
        thresholds: z
          .array(z.string({ error: 'must be a threshold, like "p99<50ms"' }).max(thresholdTextMax))
          .max(thresholdsMax, { error: `must list at most ${thresholdsMax} thresholds` })
          .optional(),
        abortOnFail: z.boolean({ error: 'must be true or false' }).optional(),
        inFlight: positiveInt()
          .max(loadInFlightMax, { error: `must be at most ${loadInFlightMax}` })
          .optional(),
        lateTolerance: z.string({ error: 'must be a duration, like "10ms"' }).max(32).optional(),
      })
      .strict()
      .optional(),
    /** Government, healthcare, bills by payee, parking, online shopping (servicesSchema.ts). */
    services: servicesSchema.optional(),
    /** Wallet providers and the channels merchants accept (servicesSchema.ts). */
    channels: channelsSchema.prefault({}),
    /** Cross-border visitors (servicesSchema.ts). */
    visitors: visitorsSchema.optional(),
    /** Rest days, make-up working days and shopping peaks (rolloutSchema.ts). */
    calendar: calendarSchema.prefault({}),
    /** Adoption over months, sampled days and the capacity plan (`citytwin rollout`). */
    rollout: rolloutSchema.optional(),
  })
  .strict()

export type Scenario = z.output<typeof scenarioSchema>
export type ScenarioDistrict = Scenario['city']['districts'][number]
export type WalletTier = Scenario['wallets']['tiers'][number]

const shareTolerance = 1e-6

/**
 * Checks across fields. They run even when the schema found problems, so a user sees every error
 * at once: each check looks only at fields whose own shape is right, and leaves the rest to the
 * schema's messages. Returns `path: message` lines.
 */
export function crossFieldIssues(input: unknown): string[] {
  const scenario = record(input)
  return [
    ...periodIssues(record(scenario.period)),
    ...(scenario.load === undefined ? [] : loadSettingIssues(record(scenario.load))),
    ...districtIssues(list(record(scenario.city).districts)),
    ...metroIssues(record(scenario.city)),
    ...tierIssues(list(record(scenario.wallets).tiers)),
    ...categoryIssues(record(record(scenario.merchants).categories)),
    ...sizeIssues(list(record(scenario.merchants).sizes)),
    ...calendarRolloutIssues(scenario),
    ...peopleIssues(scenario),
    ...servicesIssues(scenario),
    ...channelsIssues(scenario),
    ...visitorsIssues(scenario),
  ]
}

/** The period: real instants, a whole number of minutes apart, within the bound, one UTC offset. */
function periodIssues(period: Record<string, unknown>): string[] {
  const issues: string[] = []
  if (!isInstant(period.from) || !isInstant(period.to)) return issues
  const from = isRealInstant(period.from) ? Date.parse(period.from) : Number.NaN
  const to = isRealInstant(period.to) ? Date.parse(period.to) : Number.NaN
  if (Number.isNaN(from)) issues.push('period.from: is not a real date and time from 1970 on')
  if (Number.isNaN(to)) issues.push('period.to: is not a real date and time from 1970 on')
  if (!Number.isNaN(from) && !Number.isNaN(to)) {
    const minutes = (to - from) / 60_000
    if (minutes <= 0) issues.push('period.to: must be after period.from')
    else if (!Number.isInteger(minutes)) {
      issues.push('period.to: must be a whole number of minutes after period.from')
    } else if (minutes > simulatedDaysMax * 24 * 60) {
      issues.push(`period.to: the period must be at most ${simulatedDaysMax} days`)
    }
    if (offsetMinutes(period.from) !== offsetMinutes(period.to)) {
      issues.push('period.to: must use the same UTC offset as period.from')
    }
  }
  return issues
}

/** The districts: each id listed once, the populations within the resident bound. */
function districtIssues(districts: readonly unknown[]): string[] {
  const issues: string[] = []
  const ids = new Set<string>()
  let population = 0
  districts.forEach((raw, index) => {
    const district = record(raw)
    if (typeof district.id === 'string') {
      if (ids.has(district.id))
        issues.push(`city.districts[${index}].id: "${district.id}" is listed twice`)
      ids.add(district.id)
    }
    if (typeof district.population === 'number') population += district.population
  })
  if (population > residentsMax)
    issues.push(
      `city.districts: the populations add up to ${population}, more than ${residentsMax}`,
    )
  return issues
}

/** The wallet tiers: each number listed once, each tier's limits, the shares adding up to 1. */
function tierIssues(tiers: readonly unknown[]): string[] {
  const issues: string[] = []
  const tierNumbers = new Set<number>()
  let tierShare = 0
  let tierSharesKnown = tiers.length > 0
  tiers.forEach((raw, index) => {
    const tier = record(raw)
    const at = `wallets.tiers[${index}]`
    if (typeof tier.tier === 'number') {
      if (tierNumbers.has(tier.tier)) issues.push(`${at}.tier: tier ${tier.tier} is listed twice`)
      tierNumbers.add(tier.tier)
    }
    if (typeof tier.share === 'number') tierShare += tier.share
    else tierSharesKnown = false
    issues.push(...tierLimitIssues(tier, at))
  })
  if (tierSharesKnown && Math.abs(tierShare - 1) > shareTolerance) {
    issues.push(`wallets.tiers: shares must add up to 1 (they add up to ${round(tierShare)})`)
  }
  return issues
}

/**
 * One tier's limits, each as given or else as published: every limit known for a tier above 0, and
 * none larger than the one that bounds it.
 */
function tierLimitIssues(tier: Record<string, unknown>, at: string): string[] {
  const issues: string[] = []
  const tierNumber = typeof tier.tier === 'number' ? tier.tier : 0
  const resolved = (field: string) => {
    const given = typeof tier[field] === 'number' ? tier[field] : undefined
    return (tierLimitFields as readonly string[]).includes(field)
      ? tierLimit(tierNumber, field as (typeof tierLimitFields)[number], given)
      : given
  }
  if (tierNumber > 0) {
    for (const field of tierLimitFields) {
      if (tier[field] === undefined && resolved(field) === undefined) {
        issues.push(
          `${at}.${field}: required for tier ${tierNumber} (published limits cover tiers 1 to 4)`,
        )
      }
    }
  }
  const exceeds = (small: string, large: string) => {
    const a = resolved(small)
    const b = resolved(large)
    if (a !== undefined && b !== undefined && a > b) {
      const published = tier[large] === undefined ? ` (${b}, the published limit)` : ''
      issues.push(`${at}.${small}: must not exceed ${large}${published}`)
    }
  }
  exceeds('perPaymentFen', 'perDayFen')
  exceeds('perDayFen', 'perYearFen')
  exceeds('initialBalanceFen', 'balanceCapFen')
  return issues
}

/** The merchant categories: when every share is given, they add up to 1. */
/** Merchant sizes: their shares add up to 1, each name once. */
function sizeIssues(sizes: unknown[]): string[] {
  const issues: string[] = []
  const shares = sizes.map((size) => record(size).share)
  if (shares.length > 0 && shares.every((one) => typeof one === 'number')) {
    const total = shares.reduce((sum, one) => sum + one, 0)
    if (Math.abs(total - 1) > shareTolerance) {
      issues.push(`merchants.sizes: shares must add up to 1 (they add up to ${round(total)})`)
    }
  }
  const seen = new Set<unknown>()
  sizes.forEach((size, index) => {
    const name = record(size).name
    if (seen.has(name)) issues.push(`merchants.sizes[${index}].name: named twice`)
    seen.add(name)
  })
  return issues
}

function categoryIssues(categories: Record<string, unknown>): string[] {
  const shares = Object.values(categories).map((category) => record(category).share)
  if (shares.length === 0 || !shares.every((share) => typeof share === 'number')) return []
  const categoryShare = shares.reduce((sum, share) => sum + share, 0)
  return Math.abs(categoryShare - 1) > shareTolerance
    ? [`merchants.categories: shares must add up to 1 (they add up to ${round(categoryShare)})`]
    : []
}

/**
 * The object, or an empty one when the value is not an object: checks then find nothing to check.
 */
function record(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {}
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

function isInstant(value: unknown): value is string {
  return typeof value === 'string' && instantPattern.test(value)
}

/**
 * True when every field of an ISO date-time is in range: Date.parse alone would take February 30
 * for March 2 and start the run on another day.
 */
function isRealInstant(isoInstant: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(isoInstant)
  if (match === null) return false
  const [year, month, day, hour, minute, second] = match
    .slice(1)
    .map((part) => Number(part ?? 0)) as [number, number, number, number, number, number]
  // Simulated minutes travel as Uint32 minutes since 1970: earlier dates would wrap.
  if (year < 1970 || year > 9999) return false
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second))
  const offset = Math.abs(offsetMinutes(isoInstant))
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second &&
    offset <= 14 * 60 &&
    offset % 15 === 0
  )
}

/** The UTC offset of an ISO date-time string, in minutes east of UTC. */
export function offsetMinutes(isoInstant: string): number {
  const match = /([+-])(\d{2}):(\d{2})$/.exec(isoInstant)
  if (match === null) return 0
  const sign = match[1] === '-' ? -1 : 1
  return sign * (Number(match[2]) * 60 + Number(match[3]))
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6
}
