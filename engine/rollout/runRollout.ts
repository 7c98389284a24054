/**
 * A rollout, end to end: its months and sampled days from the scenario, each sampled day run as
 * a day of its own (a fresh city on that date with that day's adoption, flat out on the ledger),
 * its money audited, then the capacity plan from all of them.
 *
 * Each day starts from its opening balances: what a wallet held at the end of the day before is
 * not carried over. The days are independent samples of the city on their dates, which is what
 * the capacity plan asks of them; balances over months are not what it measures.
 */
import { RunFailed, UserError } from '../errors.js'
import { reportMapOf, type ReportMap } from '../report/reportMap.js'
import type { MinuteFigures } from '../counting/minuteBreakdown.js'
import { runScenario, type RunOptions } from '../run/index.js'
import type { RunSummary } from '../run/summary.js'
import type { LoadedScenario } from '../../scenarios/loader.js'
import {
  capacityPlan,
  peakHourOf,
  type CapacityPlan,
  type RolloutDay,
  type WeightedMinutes,
} from './capacityPlan.js'
import { dayAdoption, dayScenario } from './dayScenario.js'
import { rolloutMonths, type RolloutMonth, type SampledDay } from './days.js'

export interface RolloutOutcome {
  readonly scenario: string
  readonly seed: number
  readonly scale: number
  readonly ledger: string
  readonly months: readonly RolloutMonth[]
  readonly days: readonly RolloutDay[]
  readonly plan: CapacityPlan
  /** District names, in the scenario's order (each day's adoptionByDistrict follows it). */
  readonly districts: readonly string[]
  /** The districts' outlines, for the report's maps. */
  readonly map: ReportMap
  readonly wallSeconds: number
}

export interface RolloutOptions extends Omit<RunOptions, 'onMinutes' | 'load'> {
  /** The knee of a capacity search, transfers a second, to set each month against. */
  readonly kneeTps?: number | undefined
  /** The knee is a floor: the search ran out of payments before the ledger failed. */
  readonly kneeAtLeast?: boolean | undefined
  /** Told of each day as it is done. */
  readonly onDay?: ((day: RolloutDay, done: number, total: number) => void) | undefined
}

export async function runRollout(
  loaded: LoadedScenario,
  options: RolloutOptions,
): Promise<RolloutOutcome> {
  const { scenario } = loaded
  const rollout = scenario.rollout
  if (rollout === undefined) {
    throw new UserError(
      `${loaded.file}: has no rollout section (see docs/scenarios.md); citytwin run runs it as it is`,
    )
  }
  const started = options.now()
  const months = rolloutMonths(rollout, scenario.calendar)
  const sampled = months.flatMap((month) =>
    month.sampled.map((day) => ({ month: month.index, day })),
  )
  const days: RolloutDay[] = []
  const minutes: WeightedMinutes[] = []
  let scale = scenario.scale
  let ledger = options.ledger ?? 'memory'
  for (const { month, day } of sampled) {
    if (options.stop?.aborted === true) break
    const adoption = dayAdoption(scenario, rollout, day.day)
    let counted: MinuteFigures | undefined
    const summary = await runScenario(dayScenario(loaded, day, adoption), {
      ...options,
      onMinutes: (minutes) => (counted = minutes),
    })
    checkMoney(summary, day)
    // A day cut short (Ctrl-C) is not a sample of its date: the plan covers the days before it.
    if (summary.stoppedEarly !== undefined) break
    scale = summary.scale
    ledger = summary.ledger
    const perMinute = counted ?? emptyMinutes
    const figures = { ...dayFigures(summary, day, month, adoption), peakMinute: peaksOf(perMinute) }
    days.push(figures)
    minutes.push({ minutes: perMinute.payments, weight: day.weight })
    options.onDay?.(figures, days.length, sampled.length)
  }
  return {
    scenario: scenario.name,
    seed: options.seed ?? scenario.seed,
    scale,
    ledger,
    months,
    days,
    plan: capacityPlan(months, days, minutes, {
      scale,
      headroom: rollout.headroom,
      ...(options.kneeTps === undefined
        ? {}
        : { kneeTps: options.kneeTps, kneeAtLeast: options.kneeAtLeast === true }),
    }),
    districts: scenario.city.districts.map((district) => district.name),
    map: reportMapOf(loaded.map, scenario.city.districts),
    wallSeconds: (options.now() - started) / 1000,
  }
}

const paymentKinds = ['retail', 'transit', 'bill', 'payroll', 'p2p', 'topup'] as const

const emptyMinutes: MinuteFigures = {
  payments: new Float64Array(0),
  byDistrict: new Float64Array(0),
  byKind: new Float64Array(0),
  districts: [],
  kinds: [],
}

/** Each district's and each payment kind's busiest minute of the day, in payments. */
function peaksOf(minutes: MinuteFigures): RolloutDay['peakMinute'] {
  const peaks = (values: Float64Array, names: readonly string[]) => {
    const out: Record<string, number> = {}
    names.forEach((name, column) => {
      let most = 0
      for (let at = column; at < values.length; at += names.length) {
        most = Math.max(most, values[at] as number)
      }
      if (most > 0) out[name] = most
    })
    return out
  }
  return {
    byDistrict: peaks(minutes.byDistrict, minutes.districts),
    byKind: peaks(minutes.byKind, minutes.kinds),
  }
}

/** A day whose money does not add up ends the rollout: nothing after it could be trusted. */
function checkMoney(summary: RunSummary, day: SampledDay): void {
  if (!summary.conservation.ok || !summary.doubleEntry.ok) {
    throw new RunFailed(
      `the day ${day.date} broke ${summary.conservation.ok ? 'double entry' : 'conservation of money'}`,
    )
  }
}

function dayFigures(
  summary: RunSummary,
  day: SampledDay,
  month: number,
  adoption: ReturnType<typeof dayAdoption>,
): Omit<RolloutDay, 'peakMinute'> {
  const payments = summary.demand.perHour.reduce((sum, hour) => sum + hour, 0)
  const hourly = summary.demand.hourly
  // Rejections of the payment kinds (the opening's top-ups among them, which the ledger takes).
  const byKind = summary.transfers.byKind
  const rejected = paymentKinds.reduce((sum, kind) => sum + byKind[kind].rejected, 0)
  return {
    date: day.date,
    kind: day.kind,
    ...(day.named === undefined ? {} : { named: day.named }),
    weight: day.weight,
    month,
    adoption: adoption.city,
    habit: adoption.habit,
    adopted: summary.agents.adopted,
    payments,
    accepted: payments - rejected,
    rejected,
    byReason: summary.transfers.byReason,
    peakPerMinute: summary.demand.peakPerMinute,
    peakAt: summary.demand.peakAt,
    peakHour: peakHourOf(hourly),
    adoptionByDistrict: adoption.byDistrict,
    ...(summary.people === undefined
      ? {}
      : {
          adoptionByAge: Object.fromEntries(
            Object.entries(summary.people.byAge).map(([band, figures]) => [
              band,
              figures.residents > 0 ? figures.adopted / figures.residents : 0,
            ]),
          ),
        }),
    residents: summary.agents.residents,
    merchantsAccepting: adoption.merchantsAccepting,
    ...(summary.banks === undefined ? {} : { banks: summary.banks }),
    conservationOk: summary.conservation.ok,
    doubleEntryOk: summary.doubleEntry.ok,
  }
}
