/**
 * The city's services beyond shops and fares: the government (G2P pensions, allowances and
 * subsidies from the treasury; P2G taxes, fees and fines to it), healthcare (a bill split between
 * the patient and the medical-insurance fund), the households' monthly bills by payee, parking
 * and tolls debited without interaction (reserved at entry, settled at exit), and online shopping
 * held in escrow until delivery. Each part is optional: a scenario without it makes none of those
 * payments, as before.
 */
import { z } from 'zod'
import { isObject } from '../engine/untrusted.js'
import { governmentFlowsMax, nameCharsMax, onlineShopsMax } from '../engine/limits.js'
import { ageBandNames, incomeBandNames } from './peopleSchema.js'

const share = () =>
  z
    .number({ error: 'must be a share between 0 and 1' })
    .min(0, { error: 'must be a share between 0 and 1' })
    .max(1, { error: 'must be a share between 0 and 1' })

const fen = () =>
  z
    .number({ error: 'must be an integer amount of fen' })
    .int({ error: 'must be an integer amount of fen (1 yuan = 100 fen)' })
    .positive({ error: 'must be a positive amount of fen' })
    .max(0xffff_ffff, { error: 'must be at most 4294967295 fen' })

const rate = (per: string, max: number) =>
  z
    .number({ error: `must be a rate per ${per} (a number >= 0)` })
    .nonnegative({ error: `must be a rate per ${per} (a number >= 0)` })
    .max(max, { error: `must be at most ${max} per ${per}` })

const label = () =>
  z
    .string({ error: 'must be a name' })
    .regex(/^[A-Za-z][A-Za-z0-9 _-]*$/, { error: 'must be a name of letters, digits, - and _' })
    .max(nameCharsMax, { error: `must be at most ${nameCharsMax} characters` })

/** A day of the month, 1 to 31: the same words for a fraction, a 0 or a 32. */
const dayOfMonth = () => {
  const error = 'must be a day of the month, 1 to 31'
  return z.number({ error }).int({ error }).min(1, { error }).max(31, { error })
}

/** Days of the month, both included: [10, 15]. */
const days = () =>
  z
    .tuple([dayOfMonth(), dayOfMonth()], {
      error: 'must be [first, last], days of the month, like [10, 15]',
    })
    .refine(([first, last]) => first <= last, { error: 'the first day must not be after the last' })

const byAgeBand = (value: () => z.ZodType<number>) =>
  z.object({ children: value(), working: value(), elderly: value() }).strict()

const ageBands = z.array(z.enum(ageBandNames, { error: 'must be children, working or elderly' }))
const incomeBands = z.array(z.enum(incomeBandNames, { error: 'must be low, middle or high' }))

/** A payment from the treasury to a group of residents, once a month within its days. */
const grant = z
  .object({
    name: label(),
    /** Who may receive it; without a list, every band. */
    ageBands: ageBands.optional(),
    incomeBands: incomeBands.optional(),
    /** Share of the group receiving it. */
    share: share(),
    amountFen: fen(),
    /** The days of the month it is paid over, spread evenly. */
    days: days(),
  })
  .strict()

/** A payment from residents to the treasury: `perMonth` per resident, within its days. */
const levy = z
  .object({
    name: label(),
    perMonth: rate('month', 100),
    amountFen: fen(),
    days: days().default([1, 31]),
  })
  .strict()

const flows = <T extends z.ZodType>(item: T, what: string) =>
  z
    .array(item, { error: `must be a list of ${what}` })
    .max(governmentFlowsMax, { error: `must list at most ${governmentFlowsMax}` })
    .default([])

/** A utility's monthly bill, paid by each household once a month within its days. */
const billing = z
  .object({
    /** A household's median bill, fen; scaled by the household's income band. */
    monthlyFen: fen(),
    days: days(),
  })
  .strict()

export const servicesSchema = z
  .object({
    government: z
      .object({
        /** G2P: pensions, allowances, subsidies. */
        pays: flows(grant, '{ name, share, amountFen, days }'),
        /** P2G: taxes, administrative fees, traffic fines. */
        collects: flows(levy, '{ name, perMonth, amountFen }'),
      })
      .strict()
      .optional(),
    healthcare: z
      .object({
        /** The merchant category whose merchants are the hospitals and clinics. */
        category: z.string({ error: 'must name a merchant category' }),
        /** Outpatient visits a resident of each age band makes in a year. */
        visitsPerYear: byAgeBand(() => rate('year', 365)),
        /** A visit's median bill, fen, by age band. */
        billFen: byAgeBand(fen),
        /** The medical-insurance fund's share of a bill; the patient pays the rest. */
        insurerShare: share(),
      })
      .strict()
      .optional(),
    bills: z
      .object({
        /** Residents per household: one of them pays each of its bills. */
        householdSize: z
          .number({ error: 'must be the residents in a household, like 2.5' })
          .min(1, { error: 'must be at least 1' })
          .max(20, { error: 'must be at most 20' }),
        /** Each payee named in `utilities`, with its bill. */
        payees: z.record(z.string(), billing, { error: 'must map utility names to bills' }),
        /** A household's bill by income band, against the median. */
        incomeFactor: incomeFactors(),
      })
      .strict()
      .optional(),
    parking: z
      .object({
        /** Sessions per adopted resident a day (drivers and tolls together). */
        perDay: rate('day', 10),
        /** Reserved at entry, fen: the most a session may cost. */
        holdFen: fen(),
        /** A session's cost per started hour of the whole stay, fen, once past the free minutes. */
        hourlyFen: fen(),
        /** Sessions this short leave free: the reservation is voided. */
        freeMinutes: z.number().int().min(0).max(240),
        /** A session's mean length, minutes (exponential). */
        meanMinutes: z.number().int().min(1).max(1440),
      })
      .strict()
      .optional(),
    online: z
      .object({
        /** Purchases per adopted resident a day. */
        perDay: rate('day', 10),
        /** A purchase's median, fen. */
        ticketFen: fen(),
        /** Online shops: the first `inCity` of the city's own, the rest outside it. */
        shops: z.number().int().min(1).max(onlineShopsMax),
        inCityShare: share(),
        /** Days from purchase to delivery, both included: [1, 3]. */
        deliveryDays: z
          .tuple([z.number().int().min(0).max(30), z.number().int().min(0).max(30)])
          .refine(([first, last]) => first <= last, { error: 'the first must not pass the last' }),
        /** Share of purchases returned: the escrow is voided. */
        returnShare: share(),
      })
      .strict()
      .optional(),
  })
  .strict()

/** Income bands' factors (low, middle, high), defaulting to 1 each. */
function incomeFactors() {
  const factor = () => z.number().min(0).max(100)
  return z
    .object({ low: factor(), middle: factor(), high: factor() })
    .strict()
    .default({ low: 1, middle: 1, high: 1 })
}

export type Services = z.output<typeof servicesSchema>

/**
 * The services against the rest of the scenario: healthcare's category is one the merchants have,
 * billed payees are utilities, and flows by age or income band have the people section.
 */
export function servicesIssues(scenario: Record<string, unknown>): string[] {
  const services = isObject(scenario.services) ? scenario.services : undefined
  if (services === undefined) return []
  const issues: string[] = []
  const merchants = isObject(scenario.merchants) ? scenario.merchants : {}
  const categories = isObject(merchants.categories) ? merchants.categories : {}
  const health = isObject(services.healthcare) ? services.healthcare : undefined
  if (typeof health?.category === 'string' && !(health.category in categories)) {
    issues.push(
      `services.healthcare.category: "${health.category}" is not one of merchants.categories`,
    )
  }
  if (health !== undefined && scenario.people === undefined) {
    issues.push('services.healthcare: needs the people section (visits are by age band)')
  }
  const utilities = Array.isArray(scenario.utilities) ? (scenario.utilities as unknown[]) : []
  const bills = isObject(services.bills) ? services.bills : undefined
  const payees = isObject(bills?.payees) ? Object.keys(bills.payees) : []
  for (const payee of payees) {
    if (!utilities.includes(payee)) {
      issues.push(`services.bills.payees.${payee}: is not one of utilities`)
    }
  }
  const government = isObject(services.government) ? services.government : {}
  const pays = Array.isArray(government.pays) ? (government.pays as unknown[]) : []
  pays.forEach((grant, index) => {
    if (!isObject(grant) || scenario.people !== undefined) return
    if (grant.ageBands !== undefined || grant.incomeBands !== undefined) {
      issues.push(`services.government.pays[${index}]: bands need the people section`)
    }
  })
  return issues
}

const channelNames = ['qr', 'nfc', 'face'] as const

/**
 * How residents pay: the wallet providers of phone wallets (hard wallets are cards), what each
 * merchant category accepts, and how often a phone pays by tap or by face where it may.
 */
export const channelsSchema = z
  .object({
    providers: z
      .object({ ecnyApp: share(), bankApp: share(), thirdParty: share() })
      .strict()
      .default({ ecnyApp: 0.5, bankApp: 0.3, thirdParty: 0.2 }),
    /** By merchant category: the channels its merchants take (qr, nfc, face); default qr, nfc. */
    accept: z
      .record(
        z.string(),
        z
          .array(z.enum(channelNames, { error: 'must be qr, nfc or face' }))
          .min(1, { error: 'must accept at least one channel' }),
      )
      .default({}),
    /** Of a phone's payments where the merchant takes them: by tap, and by face. */
    nfcShare: share().default(0.1),
    faceShare: share().default(0.05),
  })
  .strict()

export type Channels = z.output<typeof channelsSchema>

/** The providers' shares add up to 1; accepted categories are the merchants'. */
export function channelsIssues(scenario: Record<string, unknown>): string[] {
  const channels = isObject(scenario.channels) ? scenario.channels : undefined
  if (channels === undefined) return []
  const issues: string[] = []
  const providers = isObject(channels.providers) ? Object.values(channels.providers) : []
  if (providers.length === 3 && providers.every((one) => typeof one === 'number')) {
    const total = providers.reduce((sum, one) => sum + one, 0)
    if (Math.abs(total - 1) > 1e-6) {
      issues.push(`channels.providers: shares must add up to 1 (they add up to ${total})`)
    }
  }
  const merchants = isObject(scenario.merchants) ? scenario.merchants : {}
  const categories = isObject(merchants.categories) ? merchants.categories : {}
  for (const category of Object.keys(isObject(channels.accept) ? channels.accept : {})) {
    if (!(category in categories)) {
      issues.push(`channels.accept.${category}: is not one of merchants.categories`)
    }
  }
  return issues
}

/**
 * Cross-border visitors: they arrive through the city's ports, open an anonymous-tier wallet,
 * top it up from a foreign card at the scenario's exchange rate, spend near their port and in the
 * centre, and leave.
 */
export const visitorsSchema = z
  .object({
    /** Visitors arriving a day, the whole city's (scaled with the population). */
    perDay: rate('day', 10_000_000),
    ports: z
      .array(z.object({ name: label(), district: z.string().max(64), share: share() }).strict(), {
        error: 'must be a list of { name, district, share }',
      })
      .min(1, { error: 'must list at least one port' })
      .max(32, { error: 'must list at most 32 ports' }),
    /** Districts (ids) they spend in beside their port's: the centre. */
    centre: z.array(z.string().max(64)).max(32).default([]),
    /** Share of their payments made in the centre rather than near their port. */
    centreShare: share().default(0.5),
    /** The wallet tier they open (the anonymous one). */
    tier: z.number().int().min(1).max(255),
    topup: z
      .object({
        /** The card's currency, as its code: HKD. */
        currency: z.string().regex(/^[A-Z]{3}$/, { error: 'must be a currency code, like HKD' }),
        /** What a visitor tops up, in units of that currency. */
        amount: z.number().positive().max(1_000_000),
        /** Fen a unit buys: the exchange rate (92: 1 HKD = 0.92 yuan). */
        fenPerUnit: z.number().positive().max(100_000),
        /** The operating bank that takes the foreign cards. */
        bank: z.string().max(nameCharsMax),
      })
      .strict(),
    /** Payments a visitor makes over their stay. */
    paymentsPerVisit: z.number().int().min(0).max(50),
    /** How long they stay, hours. */
    stayHours: z.number().positive().max(72),
  })
  .strict()

export type Visitors = z.output<typeof visitorsSchema>

/** Ports and the centre are districts of the city; the tier and the bank exist; shares add to 1. */
export function visitorsIssues(scenario: Record<string, unknown>): string[] {
  const visitors = isObject(scenario.visitors) ? scenario.visitors : undefined
  if (visitors === undefined) return []
  const issues: string[] = []
  const city = isObject(scenario.city) ? scenario.city : {}
  const districts = Array.isArray(city.districts) ? (city.districts as unknown[]) : []
  const ids = new Set(districts.map((district) => (isObject(district) ? district.id : undefined)))
  const ports = Array.isArray(visitors.ports) ? (visitors.ports as unknown[]) : []
  let shares = 0
  ports.forEach((port, index) => {
    if (!isObject(port)) return
    if (typeof port.share === 'number') shares += port.share
    if (typeof port.district === 'string' && !ids.has(port.district)) {
      issues.push(`visitors.ports[${index}].district: "${port.district}" is not a district id`)
    }
  })
  if (ports.length > 0 && Math.abs(shares - 1) > 1e-6) {
    issues.push(`visitors.ports: shares must add up to 1 (they add up to ${shares})`)
  }
  const centre = Array.isArray(visitors.centre) ? (visitors.centre as unknown[]) : []
  centre.forEach((id, index) => {
    if (typeof id === 'string' && !ids.has(id)) {
      issues.push(`visitors.centre[${index}]: "${id}" is not a district id`)
    }
  })
  const wallets = isObject(scenario.wallets) ? scenario.wallets : {}
  const tiers = Array.isArray(wallets.tiers) ? (wallets.tiers as unknown[]) : []
  if (
    typeof visitors.tier === 'number' &&
    !tiers.some((tier) => isObject(tier) && tier.tier === visitors.tier)
  ) {
    issues.push(`visitors.tier: ${visitors.tier} is not one of wallets.tiers`)
  }
  const banks =
    isObject(scenario.banks) && Array.isArray(scenario.banks.names) ? scenario.banks.names : []
  const topup = isObject(visitors.topup) ? visitors.topup : {}
  if (typeof topup.bank === 'string' && !(banks as unknown[]).includes(topup.bank)) {
    issues.push(`visitors.topup.bank: "${topup.bank}" is not one of banks.names`)
  }
  return issues
}
