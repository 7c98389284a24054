/**
 * The city's services, planned: what the workers need to draw the government's grants and levies,
 * the households' bills by payee, healthcare visits, parking sessions and online purchases. Plain
 * data, copied to every worker with the plan.
 *
 * A monthly flow (a grant, a levy, a bill) is drawn like any payment: on each day of its window,
 * `monthlyPerDay` per adopted resident, a resident drawn at random and kept when they belong to its
 * group (age and income bands). So a group's members get, in expectation, their one payment a month
 * (share × one over the window's days, each day of it) without the plan knowing the group's size.
 */
import { ageBandNames, incomeBandNames } from '../../scenarios/peopleSchema.js'
import type { Scenario } from '../../scenarios/schema.js'

export type MonthlyKind = 'welfare' | 'tax' | 'bill'

export interface MonthlyFlow {
  readonly kind: MonthlyKind
  readonly name: string
  /** The month's payments per member, spread over the window's days (monthlyPerDay). */
  readonly perMonth: number
  readonly amountFen: number
  readonly firstDay: number
  readonly lastDay: number
  /** Bit b set: age band b (0 children, 1 working, 2 elderly) may receive it. */
  readonly ageMask: number
  readonly incomeMask: number
  /** For a bill: the utility (index into the scenario's utilities) paid. */
  readonly payee: number
  /** For a bill: its amount by income band against the median (low, middle, high). */
  readonly incomeFactor: readonly number[]
}

export interface PlannedHealthcare {
  /** Index of the merchant category of hospitals and clinics. */
  readonly category: number
  /** Visits a day by age band, and the largest (the rate draws are made at). */
  readonly visitsPerDay: readonly number[]
  readonly visitsPerDayMax: number
  readonly billFen: readonly number[]
  /** The insurance fund's share of a bill, in parts of 10,000 (exact integer split). */
  readonly insurerParts: number
}

export interface PlannedParking {
  readonly perDay: number
  readonly holdFen: number
  readonly hourlyFen: number
  readonly freeMinutes: number
  readonly meanMinutes: number
}

export interface PlannedOnline {
  readonly perDay: number
  readonly ticketFen: number
  readonly shops: number
  /** The first `inCity` shops are the city's own; the rest are outside it. */
  readonly inCity: number
  readonly deliveryDays: readonly [number, number]
  readonly returnShare: number
}

export interface PlannedServices {
  readonly monthly: readonly MonthlyFlow[]
  readonly healthcare?: PlannedHealthcare
  readonly parking?: PlannedParking
  readonly online?: PlannedOnline
}

const allBands = 0b111
const daysPerYear = 365

function maskOf(bands: readonly string[] | undefined, names: readonly string[]): number {
  if (bands === undefined) return allBands
  return bands.reduce((mask, band) => mask | (1 << names.indexOf(band)), 0)
}

function windowDays(first: number, last: number): number {
  return last - first + 1
}

/** The scenario's services, planned (none without a services section). */
export function planServices(scenario: Scenario): PlannedServices {
  const services = scenario.services
  if (services === undefined) return { monthly: [] }
  const monthly: MonthlyFlow[] = []
  const none = [1, 1, 1]
  for (const grant of services.government?.pays ?? []) {
    const [first, last] = grant.days
    monthly.push({
      kind: 'welfare',
      name: grant.name,
      perMonth: grant.share,
      amountFen: grant.amountFen,
      firstDay: first,
      lastDay: last,
      ageMask: maskOf(grant.ageBands, ageBandNames),
      incomeMask: maskOf(grant.incomeBands, incomeBandNames),
      payee: 0,
      incomeFactor: none,
    })
  }
  for (const levy of services.government?.collects ?? []) {
    const [first, last] = levy.days
    monthly.push({
      kind: 'tax',
      name: levy.name,
      perMonth: levy.perMonth,
      amountFen: levy.amountFen,
      firstDay: first,
      lastDay: last,
      ageMask: allBands,
      incomeMask: allBands,
      payee: 0,
      incomeFactor: none,
    })
  }
  const bills = services.bills
  for (const [payee, bill] of Object.entries(bills?.payees ?? {})) {
    const [first, last] = bill.days
    const household = bills?.householdSize ?? 1
    monthly.push({
      kind: 'bill',
      name: payee,
      perMonth: 1 / household,
      amountFen: bill.monthlyFen,
      firstDay: first,
      lastDay: last,
      ageMask: allBands,
      incomeMask: allBands,
      payee: scenario.utilities.indexOf(payee),
      incomeFactor: incomeBandNames.map((band) => bills?.incomeFactor[band] ?? 1),
    })
  }
  return {
    monthly,
    ...planHealthcare(scenario),
    ...(services.parking === undefined ? {} : { parking: { ...services.parking } }),
    ...planOnline(scenario),
  }
}

function planHealthcare(scenario: Scenario): { healthcare?: PlannedHealthcare } {
  const health = scenario.services?.healthcare
  if (health === undefined) return {}
  const visitsPerDay = ageBandNames.map((band) => health.visitsPerYear[band] / daysPerYear)
  return {
    healthcare: {
      category: Object.keys(scenario.merchants.categories).indexOf(health.category),
      visitsPerDay,
      visitsPerDayMax: Math.max(...visitsPerDay),
      billFen: ageBandNames.map((band) => health.billFen[band]),
      insurerParts: Math.round(health.insurerShare * 10_000),
    },
  }
}

function planOnline(scenario: Scenario): { online?: PlannedOnline } {
  const online = scenario.services?.online
  if (online === undefined) return {}
  return {
    online: {
      perDay: online.perDay,
      ticketFen: online.ticketFen,
      shops: online.shops,
      inCity: Math.round(online.shops * online.inCityShare),
      deliveryDays: online.deliveryDays,
      returnShare: online.returnShare,
    },
  }
}

/** Whether a monthly flow is paid on a day of the month (in a month of `days` days). */
export function inWindow(flow: MonthlyFlow, day: number, days: number): boolean {
  return day >= flow.firstDay && day <= Math.min(flow.lastDay, days)
}

/** A monthly flow's draws per adopted resident on a day of its window, in a month of `days`. */
export function monthlyPerDay(flow: MonthlyFlow, days: number): number {
  const last = Math.min(flow.lastDay, days)
  return last < flow.firstDay ? 0 : flow.perMonth / windowDays(flow.firstDay, last)
}

/** How residents pay: see channelsSchema. */
export interface PlannedChannels {
  /** Cumulative shares of phone wallets' providers: e-CNY app, bank app, third-party app. */
  readonly providerCumulative: readonly number[]
  /** Per merchant category: bit 0 QR, bit 1 tap (NFC), bit 2 face. */
  readonly accept: readonly number[]
  readonly nfcShare: number
  readonly faceShare: number
}

export const AcceptBit = { qr: 1, nfc: 2, face: 4 } as const

export function planChannels(scenario: Scenario): PlannedChannels {
  const { providers, accept, nfcShare, faceShare } = scenario.channels
  let sum = 0
  return {
    providerCumulative: [providers.ecnyApp, providers.bankApp, providers.thirdParty].map(
      (share) => (sum += share),
    ),
    accept: Object.keys(scenario.merchants.categories).map((category) =>
      // A category the scenario does not list takes a QR code and a tap (so cards pay there too).
      (accept[category] ?? ['qr', 'nfc']).reduce((mask, channel) => mask | AcceptBit[channel], 0),
    ),
    nfcShare,
    faceShare,
  }
}

/** Cross-border visitors, planned: see visitorsSchema. */
export interface PlannedVisitors {
  /** Arrivals a day in each segment (the city's, scaled, over the segments). */
  readonly perSegmentDay: number
  /**
   * Each segment and chunk has a block of this many visitor accounts: the k-th visitor it sees
   * arrive takes its block's k-th (more than a block holds do not come, a chance the size makes
   * negligible: five standard deviations past the mean and ten more).
   */
  readonly blockSize: number
  /** Cumulative shares of the ports, and each port's district. */
  readonly portCumulative: readonly number[]
  readonly portDistrict: readonly number[]
  readonly portNames: readonly string[]
  readonly centre: readonly number[]
  readonly centreShare: number
  /** The tier index their wallets open in. */
  readonly tier: number
  /** What a top-up turns into, fen (the foreign amount at the rate, within the tier's cap). */
  readonly topupFen: number
  readonly bank: number
  readonly paymentsPerVisit: number
  readonly stayMinutes: number
}

export function planVisitors(
  scenario: Scenario,
  scale: number,
  chunkTicks: number,
  segments: number,
  tiers: readonly { readonly tier: number; readonly balanceCapFen: number }[],
): PlannedVisitors | undefined {
  const visitors = scenario.visitors
  if (visitors === undefined) return undefined
  const ids = scenario.city.districts.map((district) => district.id)
  const perSegmentDay = (visitors.perDay * scale) / segments
  // An hour's arrivals are at most 11% of a day's (their rhythm's busiest hour, 7.2% of a
  // weekday's, on a day of rest at 1.4 times a weekday).
  const perBlock = perSegmentDay * 0.11 * (chunkTicks / 60)
  let sum = 0
  const tier = tiers.findIndex((planned) => planned.tier === visitors.tier)
  const cap = tiers[tier]?.balanceCapFen ?? 0
  const topupFen = Math.round(visitors.topup.amount * visitors.topup.fenPerUnit)
  return {
    perSegmentDay,
    blockSize: Math.ceil(perBlock + 5 * Math.sqrt(perBlock) + 10),
    portCumulative: visitors.ports.map((port) => (sum += port.share)),
    portDistrict: visitors.ports.map((port) => ids.indexOf(port.district)),
    portNames: visitors.ports.map((port) => port.name),
    centre: visitors.centre.map((id) => ids.indexOf(id)),
    centreShare: visitors.centreShare,
    tier,
    topupFen: cap > 0 ? Math.min(cap, topupFen) : topupFen,
    bank: scenario.banks.names.indexOf(visitors.topup.bank),
    paymentsPerVisit: visitors.paymentsPerVisit,
    stayMinutes: Math.round(visitors.stayHours * 60),
  }
}
