/**
 * Config, then plan, then run. The plan turns a valid scenario into sizes: how many residents
 * and merchants per district, where each kind of account starts, which agents each segment
 * holds, how many ticks and chunks. Nothing is allocated here. The plan is plain data: it is
 * copied to every worker thread.
 */
import { assert } from '../assert.js'
import { buildCity, type City } from '../city/index.js'
import { UserError } from '../errors.js'
import type { WalletTierLimits } from '../ledger/index.js'
import {
  adoptionLevels,
  expectedTransfersMax,
  merchantsMax,
  minutesPerDay,
  moneyFenMax,
  residentsMax,
  segmentCount,
  ticksPerChunk,
} from '../limits.js'
import { employerFloatFen } from './employerFloat.js'
import { planMetro, type PlannedMetro } from './metroPlan.js'
import { planPeople, type PlannedPeople } from './people.js'
import {
  planChannels,
  planServices,
  planVisitors,
  type MonthlyKind,
  type PlannedChannels,
  type PlannedServices,
  type PlannedVisitors,
} from './services.js'
import type { SimClock } from '../time/index.js'
import type { LoadedScenario } from '../../scenarios/loader.js'
import { offsetMinutes, type Scenario } from '../../scenarios/schema.js'
import { tierLimit, tierLimitFields } from '../../scenarios/walletTiers.js'
import { dayNumber } from '../../scenarios/rolloutSchema.js'

export interface PlanOptions {
  readonly seed?: number | undefined
  /** Overrides the scenario's scale with an exact resident count. */
  readonly residents?: number | undefined
}

export interface PlannedDistrict {
  readonly id: string
  readonly name: string
  readonly residents: number
  readonly adoption: number
  readonly jobs: number
}

export interface PlannedTier extends WalletTierLimits {
  /** The tier number in the scenario (1 = fully verified ... 4 = anonymous). */
  readonly tier: number
  readonly share: number
  readonly initialBalanceFen: number
}

export interface PlannedCategory {
  readonly name: string
  readonly share: number
  readonly ticketFen: number
  /** The share of its merchants accepting e-CNY, the largest first. */
  readonly accepting: number
}

/**
 * Within each cell (district, category) merchants are numbered by size, the largest first, and
 * accept e-CNY in that order: the first `merchantAccepting[cell]` of a cell accept.
 */
export interface PlannedMerchants {
  /** Size classes, largest first: their names and weights (payments one draws). */
  readonly sizes: readonly { readonly name: string; readonly weight: number }[]
  /** Per cell, per size: where the size's merchants start within the cell (cell * S + size). */
  readonly sizeStart: readonly number[]
  /** Per cell: how many of its merchants accept e-CNY. */
  readonly accepting: readonly number[]
  /** Per cell, per size: where the size's accepting merchants end within the cell. */
  readonly acceptingEnd: readonly number[]
  /** Per cell, per size: the cumulative weight of the cell's accepting merchants up to the size. */
  readonly acceptingWeight: readonly number[]
}

export interface PaymentRate {
  readonly enabled: boolean
  /** Per eligible agent per day. */
  readonly perDay: number
  /** Median amount, fen, for kinds whose amount is not set by a merchant or a fare. */
  readonly amountFen: number
}

export type PaymentKindName =
  | 'retail'
  | 'transit'
  | 'bill'
  | 'payroll'
  | 'p2p'
  | 'topup'
  | 'welfare'
  | 'tax'
  | 'health'
  | 'parking'
  | 'online'

/**
 * Account ids, in this order: 0 central bank | banks | transit operator | utilities | the deposit
 * book | funded institutions (an employer per district, then the treasury and the medical-insurance
 * fund) | the parking and toll operator | online shops | merchants | residents
 */
export interface AccountLayout {
  readonly issuer: number
  readonly bankFirst: number
  readonly bankCount: number
  readonly transit: number
  readonly utilityFirst: number
  readonly utilityCount: number
  /**
   * The deposit book, one pair per operating bank (bankCount each): its customers' deposits at
   * depositFirst + bank, and its deposit liabilities (negative: what it owes them) at
   * liabilityFirst + bank. Apart from the e-CNY: only `deposit` transfers touch them.
   */
  readonly depositFirst: number
  readonly liabilityFirst: number
  /**
   * Institutions whose funds are refilled from their bank each evening: employers (one per
   * district, employerFirst + district), then the treasury and the medical-insurance fund.
   */
  readonly employerFirst: number
  readonly employerCount: number
  /** The city's treasury: pays G2P, receives P2G. */
  readonly treasury: number
  /** The medical-insurance fund: pays its share of each healthcare bill. */
  readonly insuranceFund: number
  /** The parking and toll operator. */
  readonly parking: number
  readonly onlineFirst: number
  readonly onlineCount: number
  /** Cross-border visitors' wallets: a block per segment and chunk (PlannedVisitors). */
  readonly visitorFirst: number
  readonly visitorCount: number
  readonly merchantFirst: number
  readonly residentFirst: number
  readonly count: number
}

export interface Segment {
  readonly index: number
  readonly residentStart: number
  readonly residentEnd: number
  readonly merchantStart: number
  readonly merchantEnd: number
}

export interface Plan {
  readonly scenarioName: string
  readonly seed: number
  readonly scale: number
  readonly clock: SimClock
  readonly chunks: number
  /**
   * About how many payments the period makes (from the rates; the city's Poisson draws vary around
   * it).
   */
  readonly paymentsExpected: number
  readonly districts: readonly PlannedDistrict[]
  readonly residents: number
  readonly merchants: number
  /**
   * Merchants sorted by district, then category: the first merchant of cell (d, c) is at d * C + c.
   */
  readonly merchantCellStart: readonly number[]
  readonly merchantCells: PlannedMerchants
  readonly categories: readonly PlannedCategory[]
  /** Index 0 is the unlimited tier of institutions; residents hold 1..n. */
  readonly tiers: readonly PlannedTier[]
  readonly banks: readonly string[]
  readonly utilities: readonly string[]
  readonly issuancePerResidentFen: number
  /** What each resident holds at their bank when the run opens, fen (the deposit book). */
  readonly depositsPerResidentFen: number
  /**
   * Wallets below this share of their tier's opening balance are topped back up to it each night
   * (0: never).
   */
  readonly nightlyTopupBelow: number
  readonly sameDistrictWorkShare: number
  readonly riderShare: number
  readonly employedShare: number
  readonly payments: Readonly<Record<PaymentKindName, PaymentRate>>
  /** Government, healthcare, bills by payee, parking, online shopping (services.ts). */
  readonly services: PlannedServices
  /** Wallet providers and the channels merchants accept. */
  readonly channels: PlannedChannels
  /** Cross-border visitors, when the scenario has them. */
  readonly visitors?: PlannedVisitors
  /**
   * The district network's fare by district pair (from * districts + to), fen: what transit charges
   * when the scenario has no city.metro.
   */
  readonly fareFen: readonly number[]
  /** The real metro's tables by station pair, and the bus (city.metro). */
  readonly metro?: PlannedMetro
  readonly accounts: AccountLayout
  readonly segments: readonly Segment[]
  /** Who the residents are, when the scenario says (its people section). */
  readonly people?: PlannedPeople
  /**
   * A rollout's day: each adopter's share of their own payments made in e-CNY, by home district
   * and adoption level (district * adoptionLevels + level); without it every adopter pays all.
   */
  readonly habitByLevel?: readonly number[]
}

const unlimitedTier: PlannedTier = {
  tier: 0,
  share: 0,
  balanceCapFen: 0,
  perPaymentFen: 0,
  perDayFen: 0,
  perYearFen: 0,
  initialBalanceFen: 0,
}

/** The plan of a checked scenario over its built city: every size a run allocates by. */
export function planRun(
  scenario: Scenario,
  city: City,
  options: PlanOptions = {},
  habitByLevel?: readonly number[],
): Plan {
  const seed = options.seed ?? scenario.seed
  const population = scenario.city.districts.reduce((sum, district) => sum + district.population, 0)
  const residents = residentCount(scenario, options, population)
  const scale = residents / population
  const districts = planDistricts(scenario, residents)
  const categories = planCategories(scenario)
  const { merchants, merchantCellStart } = planMerchants(scenario, city, scale, categories)
  const merchantCells = planMerchantCells(scenario, categories, merchantCellStart)
  const tiers = planTiers(scenario)
  const clock = planClock(scenario)
  const visitors = planVisitors(scenario, scale, ticksPerChunk, segmentCount, tiers)
  // A block of visitors' wallets for each chunk of each segment.
  const visitorCount =
    (visitors?.blockSize ?? 0) * Math.ceil(clock.ticks / ticksPerChunk) * segmentCount
  const accounts = accountLayout(scenario, districts.length, merchants, residents, visitorCount)
  const segments = planSegments(residents, merchants)
  const services = planServices(scenario)
  const payments = planPayments(scenario, services)
  const people = planPeople(scenario)
  const metro = planMetro(scenario, city)
  const ticks = clock.ticks
  const expectedTransfers = transfersExpected(payments, residents, ticks)
  assert(
    habitByLevel === undefined || habitByLevel.length === districts.length * adoptionLevels,
    'a habit for every district and adoption level',
  )
  checkMoneyBound(scenario, { tiers, payments, residents, districts: districts.length, ticks })

  return {
    scenarioName: scenario.name,
    seed,
    scale,
    clock,
    chunks: Math.ceil(ticks / ticksPerChunk),
    paymentsExpected: Math.round(expectedTransfers),
    districts,
    residents,
    merchants,
    merchantCellStart,
    merchantCells,
    categories,
    tiers,
    banks: scenario.banks.names,
    utilities: scenario.utilities,
    issuancePerResidentFen: scenario.banks.issuancePerResidentFen,
    depositsPerResidentFen: scenario.banks.depositsPerResidentFen,
    nightlyTopupBelow: scenario.wallets.nightlyTopupBelow,
    sameDistrictWorkShare: scenario.city.sameDistrictWorkShare,
    riderShare: scenario.city.riderShare,
    employedShare: scenario.city.employedShare,
    payments,
    services,
    channels: planChannels(scenario),
    ...(visitors === undefined ? {} : { visitors }),
    fareFen: [...city.fareFen],
    ...(metro === undefined ? {} : { metro }),
    accounts,
    segments,
    ...(people === undefined ? {} : { people }),
    ...(habitByLevel === undefined ? {} : { habitByLevel }),
  }
}

/** How many residents the run simulates: `--residents` exactly, or the population at the scale. */
function residentCount(scenario: Scenario, options: PlanOptions, population: number): number {
  if (options.residents === undefined) return Math.max(1, Math.round(population * scenario.scale))
  if (options.residents > residentsMax) {
    throw new UserError(`--residents: must be at most ${residentsMax}`)
  }
  return options.residents
}

/** The districts, with the residents apportioned by population. */
function planDistricts(scenario: Scenario, residents: number): PlannedDistrict[] {
  const residentsByDistrict = apportion(
    residents,
    scenario.city.districts.map((district) => district.population),
  )
  return scenario.city.districts.map((district, index) => ({
    id: district.id,
    name: district.name,
    residents: residentsByDistrict[index] as number,
    adoption: district.adoption ?? scenario.adoption.share,
    jobs: district.jobs ?? district.population,
  }))
}

/** The merchant categories, in the scenario's order. */
function planCategories(scenario: Scenario): PlannedCategory[] {
  return Object.entries(scenario.merchants.categories).map(([name, category]) => ({
    name,
    share: category.share,
    ticketFen: category.ticketFen,
    accepting: category.accepting,
  }))
}

/** The merchants of each cell by size, and those accepting e-CNY. */
function planMerchantCells(
  scenario: Scenario,
  categories: readonly PlannedCategory[],
  merchantCellStart: readonly number[],
): PlannedMerchants {
  const { sizes } = scenario.merchants
  const sizeStart: number[] = []
  const accepting: number[] = []
  const acceptingEnd: number[] = []
  const acceptingWeight: number[] = []
  for (let cell = 0; cell + 1 < merchantCellStart.length; cell++) {
    const count = (merchantCellStart[cell + 1] as number) - (merchantCellStart[cell] as number)
    const share = (categories[cell % categories.length] as PlannedCategory).accepting
    // A category accepting at all has at least one merchant a district doing so.
    const open = share > 0 ? Math.max(1, Math.round(count * share)) : 0
    accepting.push(open)
    let start = 0
    let weight = 0
    apportion(
      count,
      sizes.map((size) => size.share),
    ).forEach((inSize, size) => {
      const end = Math.min(start + inSize, open)
      weight += Math.max(0, end - start) * (sizes[size] as (typeof sizes)[number]).weight
      sizeStart.push(start)
      acceptingEnd.push(Math.max(start, end))
      acceptingWeight.push(weight)
      start += inSize
    })
  }
  return {
    sizes: sizes.map((size) => ({ name: size.name, weight: size.weight })),
    sizeStart,
    accepting,
    acceptingEnd,
    acceptingWeight,
  }
}

/**
 * How many merchants there are, and where each cell (district, category) of them starts. Every
 * district gets at least one merchant of each category, so a resident always has somewhere to
 * pay, even in a tiny sample of the city.
 */
function planMerchants(
  scenario: Scenario,
  city: City,
  scale: number,
  categories: readonly PlannedCategory[],
): { merchants: number; merchantCellStart: number[] } {
  const districtCount = scenario.city.districts.length
  const merchantsWanted = Math.max(
    Math.round(scenario.merchants.count * scale),
    districtCount * categories.length,
  )
  // Merchants follow where people live and work.
  const merchantsByDistrict = apportion(
    merchantsWanted,
    city.districts.map((district) => district.population + district.jobs),
  )
  const merchantCellStart: number[] = [0]
  let merchants = 0
  merchantsByDistrict.forEach((count) => {
    const byCategory = apportion(
      Math.max(count, categories.length),
      categories.map((category) => category.share),
    )
    for (const cell of byCategory) {
      merchants += Math.max(cell, 1)
      merchantCellStart.push(merchants)
    }
  })
  // Checked on the final count: every cell holds at least one merchant, so it can exceed what
  // was wanted.
  if (merchants > merchantsMax) {
    throw new UserError(
      `the run would have ${merchants} merchants, more than the limit of ${merchantsMax}; lower --residents or merchants.count`,
    )
  }
  return { merchants, merchantCellStart }
}

/** The wallet tiers by number, each limit as given or as published, after the unlimited tier 0. */
function planTiers(scenario: Scenario): PlannedTier[] {
  return [
    unlimitedTier,
    ...[...scenario.wallets.tiers]
      .sort((a, b) => a.tier - b.tier)
      .map((tier) => {
        const limit = (field: (typeof tierLimitFields)[number]) => {
          const value = tierLimit(tier.tier, field, tier[field])
          assert(value !== undefined, 'the schema required the limits that have no published value')
          return value
        }
        return {
          tier: tier.tier,
          share: tier.share,
          initialBalanceFen: tier.initialBalanceFen,
          balanceCapFen: limit('balanceCapFen'),
          perPaymentFen: limit('perPaymentFen'),
          perDayFen: limit('perDayFen'),
          perYearFen: limit('perYearFen'),
        }
      }),
  ]
}

/** The simulated clock of the period: its first minute, its ticks, its UTC offset. */
function planClock(scenario: Scenario): SimClock {
  const from = Date.parse(scenario.period.from)
  const to = Date.parse(scenario.period.to)
  const ticks = (to - from) / 60_000
  assert(Number.isInteger(ticks) && ticks > 0, 'the period was checked')
  const utcOffsetMinutes = offsetMinutes(scenario.period.from)
  const calendar = scenario.calendar
  const restDays = calendar.holidays.flatMap((holiday) => {
    const first = dayNumber(holiday.from)
    return Array.from({ length: dayNumber(holiday.to) - first + 1 }, (_, day) => first + day)
  })
  const workDays = calendar.workdays.map(dayNumber)
  const peakDays = calendar.peaks.map((peak) => ({
    day: dayNumber(peak.date),
    retail: peak.retail,
    p2p: peak.p2p,
    online: peak.online ?? peak.retail,
  }))
  return { startMinute: from / 60_000, ticks, utcOffsetMinutes, restDays, workDays, peakDays }
}

/** Where each kind of account starts, in the order AccountLayout gives. */
function accountLayout(
  scenario: Scenario,
  districtCount: number,
  merchants: number,
  residents: number,
  visitorCount: number,
): AccountLayout {
  const bankCount = scenario.banks.names.length
  const utilityCount = scenario.utilities.length
  const bankFirst = 1
  const transit = bankFirst + bankCount
  const utilityFirst = transit + 1
  const depositFirst = utilityFirst + utilityCount
  const liabilityFirst = depositFirst + bankCount
  const employerFirst = liabilityFirst + bankCount
  // The districts' employers, then the treasury and the insurance fund.
  const treasury = employerFirst + districtCount
  const insuranceFund = treasury + 1
  const parking = insuranceFund + 1
  const onlineFirst = parking + 1
  const onlineCount = scenario.services?.online?.shops ?? 0
  const visitorFirst = onlineFirst + onlineCount
  const merchantFirst = visitorFirst + visitorCount
  const residentFirst = merchantFirst + merchants
  return {
    issuer: 0,
    bankFirst,
    bankCount,
    transit,
    utilityFirst,
    utilityCount,
    depositFirst,
    liabilityFirst,
    employerFirst,
    employerCount: districtCount + 2,
    treasury,
    insuranceFund,
    parking,
    onlineFirst,
    onlineCount,
    visitorFirst,
    visitorCount,
    merchantFirst,
    residentFirst,
    count: residentFirst + residents,
  }
}

/** The residents and merchants split evenly over the segments. */
function planSegments(residents: number, merchants: number): Segment[] {
  const segments: Segment[] = []
  for (let index = 0; index < segmentCount; index++) {
    segments.push({
      index,
      residentStart: Math.floor((index * residents) / segmentCount),
      residentEnd: Math.floor(((index + 1) * residents) / segmentCount),
      merchantStart: Math.floor((index * merchants) / segmentCount),
      merchantEnd: Math.floor(((index + 1) * merchants) / segmentCount),
    })
  }
  return segments
}

/** The rate and amount of each kind of payment. */
function planPayments(
  scenario: Scenario,
  plannedServices: PlannedServices,
): Record<PaymentKindName, PaymentRate> {
  const payment = (kind: keyof Scenario['payments']): PaymentRate => {
    const settings = scenario.payments[kind]
    return {
      enabled: settings.enabled,
      perDay: settings.perDay,
      amountFen: 'amountFen' in settings ? (settings.amountFen as number) : 0,
    }
  }
  const { services } = scenario
  const monthly = (kind: MonthlyKind): PaymentRate => {
    const flows = plannedServices.monthly.filter((flow) => flow.kind === kind)
    // Drawn flow by flow (generateChunk); the rate here is their mean day, for the estimates.
    const perDay = flows.reduce((sum, flow) => sum + flow.perMonth, 0) / 30
    return { enabled: flows.length > 0, perDay, amountFen: 0 }
  }
  const service = (perDay: number | undefined): PaymentRate => ({
    enabled: perDay !== undefined,
    perDay: perDay ?? 0,
    amountFen: 0,
  })
  const bill = payment('bill')
  return {
    retail: payment('retail'),
    transit: payment('transit'),
    // Bills by payee replace the one median bill.
    bill: services?.bills === undefined ? bill : monthly('bill'),
    payroll: payment('payroll'),
    p2p: payment('p2p'),
    topup: payment('topup'),
    welfare: monthly('welfare'),
    tax: monthly('tax'),
    health: service(plannedServices.healthcare?.visitsPerDayMax),
    parking: service(services?.parking?.perDay),
    online: service(services?.online?.perDay),
  }
}

/**
 * About how many transfers the period makes. Transfer ids are exact integers below 2^53
 * (limits.ts), so no scenario the schema allows comes near the bound (the whole city makes about
 * 45 million a day); one that would is refused here, naming its period and rates, rather than
 * running until its ids run out.
 */
function transfersExpected(
  payments: Readonly<Record<PaymentKindName, PaymentRate>>,
  residents: number,
  ticks: number,
): number {
  const perResidentDay = Object.values(payments).reduce((sum, rate) => sum + rate.perDay, 0)
  const days = ticks / minutesPerDay
  const expectedTransfers = perResidentDay * residents * days
  assert(Number.isFinite(expectedTransfers) && expectedTransfers >= 0, 'a count of transfers')
  if (expectedTransfers > expectedTransfersMax) {
    throw new UserError(
      `the scenario would make about ${Math.round(expectedTransfers)} transfers (${days} days of ${residents} residents at ${perResidentDay} payments a resident a day), more than the ${expectedTransfersMax} transfer ids one run may plan; shorten the period, lower the rates or the scale`,
    )
  }
  return expectedTransfers
}

/** What the money bound is checked on: the plan's sizes so far. */
interface MoneySizes {
  readonly tiers: readonly PlannedTier[]
  readonly payments: Readonly<Record<PaymentKindName, PaymentRate>>
  readonly residents: number
  readonly districts: number
  readonly ticks: number
}

/**
 * Money is exact only below 2^53 fen: refuses a scenario whose institutions could ever put more
 * into circulation.
 */
function checkMoneyBound(scenario: Scenario, sizes: MoneySizes): void {
  const { tiers, payments, residents, districts, ticks } = sizes
  const days = Math.max(1, ticks / minutesPerDay)
  const openingMaxFen = Math.max(...tiers.map((tier) => tier.initialBalanceFen))
  const paydays = payments.payroll.enabled ? residents * payments.payroll.perDay : 0
  const payroll = payments.payroll
  const payrollFundsFen = districts * employerFloatFen(paydays / districts, payroll.amountFen)
  const issuedFen = residents * (scenario.banks.issuancePerResidentFen + openingMaxFen)
  const depositsFen = residents * scenario.banks.depositsPerResidentFen
  // The treasury's and the insurance fund's funds, refilled each day: a day of every resident's
  // grants (over the shortest month of each window), and of their bills at twice the largest
  // median.
  const services = scenario.services
  const grantsFen = (services?.government?.pays ?? []).reduce((sum, grant) => {
    const [first, last] = grant.days
    const perDay = grant.share / Math.max(1, Math.min(last, 28) - first + 1)
    return sum + perDay * groupShareMax(scenario, grant) * grant.amountFen
  }, 0)
  const care = services?.healthcare
  const careFen =
    care === undefined
      ? 0
      : (Math.max(...Object.values(care.visitsPerYear)) / 365) *
        Math.max(...Object.values(care.billFen)) *
        2
  const publicFundsFen = residents * (grantsFen + careFen) * 2
  const moneyFen = (issuedFen + payrollFundsFen + publicFundsFen) * days + depositsFen
  if (moneyFen > moneyFenMax) {
    throw new UserError(
      `the scenario could put about ${moneyFen.toExponential(2)} fen into circulation, more than the ${moneyFenMax.toExponential(2)} fen a run keeps exact; ` +
        'lower banks.issuancePerResidentFen, banks.depositsPerResidentFen, wallets.tiers[].initialBalanceFen, payments.payroll.amountFen, the period or the scale',
    )
  }
}

/**
 * The largest share of a district's residents a grant's age and income bands hold (1 without the
 * people section, which bands need).
 */
function groupShareMax(
  scenario: Scenario,
  grant: {
    readonly ageBands?: readonly string[] | undefined
    readonly incomeBands?: readonly string[] | undefined
  },
): number {
  const people = scenario.people
  if (people === undefined) return 1
  const income = (grant.incomeBands ?? Object.keys(people.incomeBands)).reduce(
    (sum, band) => sum + (people.incomeBands[band as keyof typeof people.incomeBands] ?? 0),
    0,
  )
  const ages = [people.ageBands, ...scenario.city.districts.map((district) => district.ageBands)]
  const age = Math.max(
    ...ages.map((bands) =>
      bands === undefined
        ? 0
        : (grant.ageBands ?? Object.keys(bands)).reduce(
            (sum, band) => sum + (bands[band as keyof typeof bands] ?? 0),
            0,
          ),
    ),
  )
  return age * income
}

/** The city of a loaded scenario: its districts, and its metro network if it has one. */
export function scenarioCity(loaded: LoadedScenario): City {
  const { districts, metro } = loaded.scenario.city
  if (metro === undefined) return buildCity(loaded.map, districts)
  assert(loaded.metro !== undefined, 'the loader read the network city.metro names')
  return buildCity(loaded.map, districts, { ...loaded.metro, fare: metro.fare })
}

/** The city and the plan of a loaded scenario: what `run` builds first and `validate` checks. */
export function planScenario(
  loaded: LoadedScenario,
  options: PlanOptions = {},
): { city: City; plan: Plan } {
  const city = scenarioCity(loaded)
  return { city, plan: planRun(loaded.scenario, city, options, loaded.habitByLevel) }
}

/** Splits `total` in proportion to `weights`, by largest remainder: the parts add up exactly. */
export function apportion(total: number, weights: readonly number[]): number[] {
  assert(Number.isInteger(total) && total >= 0, 'apportion a whole number')
  const sum = weights.reduce((a, b) => a + b, 0)
  assert(sum > 0, 'apportion needs a positive weight')
  const exact = weights.map((weight) => (total * weight) / sum)
  const parts = exact.map(Math.floor)
  let left = total - parts.reduce((a, b) => a + b, 0)
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index)
  for (const { index } of order) {
    if (left === 0) break
    parts[index] = (parts[index] as number) + 1
    left -= 1
  }
  assert(parts.reduce((a, b) => a + b, 0) === total, 'the parts add up to the total')
  return parts
}
