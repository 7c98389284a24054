/**
 * The capacity plan of a rollout: for every simulated day its busiest minute; for every month the
 * busiest minute of its simulated days, the 99.9th-percentile minute of the month (each simulated
 * minute weighted by the days its day stands for), and the ledger rate needed with the scenario's
 * headroom, set against a measured knee when one is given.
 *
 * Rates are payments a second. A run at a scale below 1 simulates a share of the city: its rates
 * are scaled up to the whole city by 1 / scale, a modelling assumption (demand grows with the
 * population; a city's real peaks are somewhat smoother than a sample's).
 */
import type { BankFlowFigures } from '../counting/bankFlows.js'
import type { HourlyFigures } from '../counting/districtCounters.js'
import type { DayKind, RolloutMonth, SampledDay } from './days.js'

/** What one simulated day of a rollout found. */
export interface RolloutDay {
  readonly date: string
  readonly kind: DayKind
  readonly named?: string
  readonly weight: number
  readonly month: number
  /** Share of the city's residents holding a wallet, planned, and the adopters' habit. */
  readonly adoption: number
  readonly habit: number
  /** Residents with a wallet in the simulated city. */
  readonly adopted: number
  readonly payments: number
  readonly accepted: number
  readonly rejected: number
  /** Rejections by reason, of all the day's transfers. */
  readonly byReason: Readonly<Record<string, number>>
  /** Payments in the busiest minute, and its local time. */
  readonly peakPerMinute: number
  readonly peakAt: string
  /** Each district's and each kind's busiest minute of the day, payments in the minute. */
  readonly peakMinute: {
    readonly byDistrict: Readonly<Record<string, number>>
    readonly byKind: Readonly<Record<string, number>>
  }
  /** Payments by district and by kind in the day's busiest hour, a second on average. */
  readonly peakHour: {
    readonly hour: number
    readonly byDistrict: Readonly<Record<string, number>>
    readonly byKind: Readonly<Record<string, number>>
  }
  /** Adoption by district, in the scenario's order of districts. */
  readonly adoptionByDistrict: readonly number[]
  /**
   * Share of each age band holding a wallet, counted in the simulated city (when the scenario says
   * who its people are).
   */
  readonly adoptionByAge?: Readonly<Record<string, number>>
  readonly conservationOk: boolean
  readonly doubleEntryOk: boolean
  /** Share of merchants accepting e-CNY, weighted by category. */
  readonly merchantsAccepting: number
  /** Residents of the simulated city. */
  readonly residents: number
  /** Deposits to e-CNY and back by operating bank, in the simulated city (summary.banks). */
  readonly banks?: readonly BankFlowFigures[]
}

/** A month's deposits leaving one operating bank for e-CNY, for the whole city. */
export interface MonthDeposits {
  readonly month: number
  readonly bank: string
  /** Into the wallets opened in the month: each new wallet's first balance, fen. */
  readonly walletsOpenedFen: number
  /** Top-ups less redemptions on the month's days, fen. */
  readonly netTopupsFen: number
  readonly outflowFen: number
}

export interface MonthPlan {
  readonly index: number
  readonly from: string
  readonly to: string
  readonly days: number
  readonly simulatedDays: number
  /** City adoption at the month's last simulated day. */
  readonly adoption: number
  /** Payments in the month, estimated from the simulated days by their weights. */
  readonly payments: number
  /** The same for the whole city (divided by the scale). */
  readonly cityPayments: number
  readonly peakPerSecond: number
  readonly peakAt: string
  readonly p999PerSecond: number
  /** The same two for the whole city (divided by the scale). */
  readonly cityPeakPerSecond: number
  readonly cityP999PerSecond: number
  /**
   * Each district's and each kind's busiest minute of the month's simulated days, a second, for
   * the whole city.
   */
  readonly cityPeakByDistrict: Readonly<Record<string, number>>
  readonly cityPeakByKind: Readonly<Record<string, number>>
  /** The ledger rate the month needs: the city's peak rate times the headroom. */
  readonly neededTps: number
  /** Whether the needed rate is above the measured knee (when one was given). */
  readonly exceedsKnee?: boolean
}

export interface CapacityPlan {
  readonly scale: number
  readonly headroom: number
  readonly kneeTps?: number
  /** The search found no failing rate (it ran out of payments first): the knee is at least this. */
  readonly kneeAtLeast?: boolean
  readonly months: readonly MonthPlan[]
  /** The first month whose needed rate is above the knee, if any. */
  readonly firstExceeding?: { readonly index: number; readonly from: string }
  /** Deposits leaving each operating bank, month by month (the disintermediation question). */
  readonly deposits: readonly MonthDeposits[]
}

/** Minutes of a simulated day with the days they stand for: the month's percentiles read them. */
export interface WeightedMinutes {
  readonly minutes: Float64Array
  readonly weight: number
}

/** The month plans from the days simulated and the minutes of each. */
export function capacityPlan(
  months: readonly RolloutMonth[],
  days: readonly RolloutDay[],
  minutes: readonly WeightedMinutes[],
  settings: {
    readonly scale: number
    readonly headroom: number
    readonly kneeTps?: number
    readonly kneeAtLeast?: boolean
  },
): CapacityPlan {
  const { scale, headroom, kneeTps } = settings
  const plans = months.map((month): MonthPlan => {
    const own = days.filter((day) => day.month === month.index)
    const ownMinutes = minutes.filter((_, index) => days[index]?.month === month.index)
    const busiest = own.reduce<RolloutDay | undefined>(
      (best, day) => (best === undefined || day.peakPerMinute > best.peakPerMinute ? day : best),
      undefined,
    )
    const peakPerSecond = (busiest?.peakPerMinute ?? 0) / 60
    const p999PerSecond = weightedQuantile(ownMinutes, 0.999) / 60
    const cityPeakPerSecond = peakPerSecond / scale
    const neededTps = cityPeakPerSecond * headroom
    const payments = own.reduce((sum, day) => sum + day.payments * day.weight, 0)
    return {
      index: month.index,
      from: month.from,
      to: month.to,
      days: month.days,
      simulatedDays: own.length,
      adoption: own.at(-1)?.adoption ?? 0,
      payments: Math.round(payments),
      cityPayments: Math.round(payments / scale),
      peakPerSecond,
      peakAt: busiest?.peakAt ?? '',
      p999PerSecond,
      cityPeakPerSecond,
      cityP999PerSecond: p999PerSecond / scale,
      cityPeakByDistrict: peakBy(own, (day) => day.peakMinute.byDistrict, scale),
      cityPeakByKind: peakBy(own, (day) => day.peakMinute.byKind, scale),
      neededTps,
      ...(kneeTps === undefined ? {} : { exceedsKnee: neededTps > kneeTps }),
    }
  })
  const first = plans.find((plan) => plan.exceedsKnee === true)
  return {
    deposits: depositsByMonth(months, days, scale),
    scale,
    headroom,
    ...(kneeTps === undefined ? {} : { kneeTps, kneeAtLeast: settings.kneeAtLeast === true }),
    months: plans,
    ...(first === undefined ? {} : { firstExceeding: { index: first.index, from: first.from } }),
  }
}

/** The busiest minute of each name over `days`, a second, for the whole city. */
function peakBy(
  days: readonly RolloutDay[],
  pick: (day: RolloutDay) => Readonly<Record<string, number>>,
  scale: number,
): Record<string, number> {
  const out: Record<string, number> = {}
  for (const day of days) {
    for (const [name, payments] of Object.entries(pick(day))) {
      out[name] = Math.max(out[name] ?? 0, payments / 60 / scale)
    }
  }
  return out
}

/**
 * Each month's deposit outflow by bank, for the whole city. The wallets opened in a month are the
 * rise in wallet holders since the month before (from the last simulated day of each), each given
 * the opening balance the bank's customers got on the month's last simulated day; the top-ups
 * (residents' and employers' evening refills, not the float each simulated day opens its employers
 * with) and redemptions of the month are its simulated days' by their weights. Scaled by 1 / scale.
 */
function depositsByMonth(
  months: readonly RolloutMonth[],
  days: readonly RolloutDay[],
  scale: number,
): MonthDeposits[] {
  const out: MonthDeposits[] = []
  let holdersBefore = 0
  for (const month of months) {
    const own = days.filter((day) => day.month === month.index)
    const last = own.at(-1)
    if (last?.banks === undefined) continue
    const holders = last.adoption * (last.residents / scale)
    const opened = Math.max(0, holders - holdersBefore)
    holdersBefore = Math.max(holdersBefore, holders)
    last.banks.forEach((bank, index) => {
      const perHolder = last.adopted > 0 ? bank.openingToWalletsFen / last.adopted : 0
      let net = 0
      for (const day of own) {
        const flows = day.banks?.[index]
        if (flows === undefined) continue
        const outFen = flows.toWalletsFen + (flows.toEmployersFen ?? 0)
        net += (outFen - flows.toDepositsFen) * day.weight
      }
      const walletsOpenedFen = Math.round(opened * perHolder)
      const netTopupsFen = Math.round(net / scale)
      out.push({
        month: month.index,
        bank: bank.bank,
        walletsOpenedFen,
        netTopupsFen,
        outflowFen: walletsOpenedFen + netTopupsFen,
      })
    })
  }
  return out
}

/**
 * The value below which `quantile` of all minutes fall, each minute counted `weight` times: the
 * smallest minute count whose weighted share of minutes at or below it reaches the quantile.
 */
export function weightedQuantile(sets: readonly WeightedMinutes[], quantile: number): number {
  const all: { value: number; weight: number }[] = []
  for (const set of sets) {
    for (const value of set.minutes) all.push({ value, weight: set.weight })
  }
  if (all.length === 0) return 0
  all.sort((a, b) => a.value - b.value)
  const total = all.reduce((sum, one) => sum + one.weight, 0)
  let below = 0
  for (const one of all) {
    below += one.weight
    if (below >= quantile * total) return one.value
  }
  return all.at(-1)?.value ?? 0
}

/** The busiest hour of a day's hourly figures, with its payments a second by district and kind. */
export function peakHourOf(hourly: HourlyFigures | undefined): RolloutDay['peakHour'] {
  if (hourly === undefined) return { hour: 0, byDistrict: {}, byKind: {} }
  const perHour = new Map<number, number>()
  for (const [hour, , , payments] of hourly.cells) {
    perHour.set(hour, (perHour.get(hour) ?? 0) + payments)
  }
  let hour = 0
  let most = -1
  for (const [at, payments] of perHour) {
    if (payments > most || (payments === most && at < hour)) [hour, most] = [at, payments]
  }
  const byDistrict: Record<string, number> = {}
  const byKind: Record<string, number> = {}
  for (const [at, district, kind, payments] of hourly.cells) {
    if (at !== hour) continue
    const districtName = hourly.districts[district] ?? '?'
    const kindName = hourly.kinds[kind] ?? '?'
    byDistrict[districtName] = (byDistrict[districtName] ?? 0) + payments / 3600
    byKind[kindName] = (byKind[kindName] ?? 0) + payments / 3600
  }
  return { hour, byDistrict, byKind }
}

export type { SampledDay }
