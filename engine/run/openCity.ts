/**
 * A city built once (plan, population, agent index, workers), on which runs are made, each on a
 * freshly opened ledger from the same opening: a run, or each trial of a capacity search.
 */
import { assert } from '../assert.js'
import { allocateAgentIndex, type AgentIndexBuffers } from '../behaviour/index.js'
import { institutionNeeds, type InstitutionNeeds } from '../behaviour/institutions.js'
import { BankFlows } from '../counting/bankFlows.js'
import { MerchantCounters } from '../counting/merchantCounters.js'
import { MixCounters } from '../counting/mixCounters.js'
import { RidershipCounters } from '../counting/ridership.js'
import { MinuteBreakdown } from '../counting/minuteBreakdown.js'
import { CountingLedger } from '../counting/countingLedger.js'
import { OutcomeDigest, SentPaymentsDigest } from '../counting/digests.js'
import { DistrictCounters } from '../counting/districtCounters.js'
import { accountBatch } from '../behaviour/institutions.js'
import { createLedger, type LedgerCore, type LedgerOptions } from '../ledger/index.js'
import { idTableIdsMax } from '../ledger/memory/idTable.js'
import { eveningSliceUnderLoad, lookupBatchMax, minutesPerDay, workersMax } from '../limits.js'
import { UserError } from '../errors.js'
import { TransferCounters } from '../metrics/transferCounters.js'
import { planScenario, type Plan } from '../plan/index.js'
import {
  peopleFigures,
  allocatePopulation,
  synthesizeMerchants,
  viewPopulation,
  type Population,
} from '../population/index.js'
import { CityStream, type CityStreamOptions } from '../stream/cityStream.js'
import type { StationNetwork } from '../city/index.js'
import { SimPool } from '../stream/simPool.js'
import { TransferIds } from '../stream/transferIds.js'
import { RunTelemetry, type RunLook, type SenderPosition } from '../telemetry/index.js'
import { isoMinute, wallScheduler } from '../time/index.js'
import type { LoadedScenario } from '../../scenarios/loader.js'
import { auditConservation, auditEntries } from './audit.js'
import { Evening } from './evening.js'
import { executorFor, type ExecutorOutcome, type LoadRunOptions } from './executors/index.js'
import { faultyLedger } from './faults.js'
import { sendOpening } from './opening.js'
import { runBound, RunWatch } from './runBound.js'
import type { CityOptions, RunOptions } from './runOptions.js'
import { summarize } from './summarize.js'
import type { RunProgress, RunSummary } from './summary.js'

export async function openCity(loaded: LoadedScenario, options: CityOptions): Promise<OpenedCity> {
  assert(
    Number.isInteger(options.workers) && options.workers >= 1 && options.workers <= workersMax,
    'workers was validated',
  )
  const startedMs = options.now()
  const { city, plan } = planScenario(loaded, { seed: options.seed, residents: options.residents })
  const buffers = allocatePopulation(plan.residents, plan.merchants)
  const population = viewPopulation(buffers)
  const pool = new SimPool(options.workers, { plan, buffers })
  const telemetry = options.telemetry ?? new RunTelemetry()
  try {
    telemetry.publishProgress(progressOf(plan, 'building', 0, undefined, 0))
    const synthesis = Promise.all(plan.segments.map((segment) => pool.synthesize(segment.index)))
    // Awaited below; this only keeps a failure meanwhile from going unhandled.
    synthesis.catch(() => undefined)
    for (const segment of plan.segments) synthesizeMerchants(plan, city, population, segment)
    const index = allocateAgentIndex(await synthesis)
    await Promise.all(plan.segments.map((segment) => pool.index(segment.index, index)))
    const built = {
      plan,
      population,
      index,
      needs: institutionNeeds(plan, population),
      pool,
      network: city.network,
    }
    return new OpenedCity(built, options, telemetry, {
      startedMs,
      synthesisSeconds: (options.now() - startedMs) / 1000,
    })
  } catch (error) {
    await pool.close()
    throw error
  }
}

/** The counting's live figures, for the telemetry's looks (the sender adds its position). */
function lookOf(counting: CountingLedger): Omit<RunLook, keyof SenderPosition> {
  return {
    counters: counting.counters,
    districts: counting.districts,
    paymentsAnswered: counting.paymentsAnswered,
    paymentCodes: counting.paymentCodes(),
    ...(counting.mix === undefined
      ? {}
      : {
          channelPayments: counting.mix.channelPayments(),
          qrByDistrict: counting.mix.qrByDistrict,
          visitorsArrived: counting.mix.visitorsArrived,
        }),
    ...(counting.ridership === undefined ? {} : { stationTaps: counting.ridership.taps() }),
  }
}

/** What a city is made of once built. */
interface BuiltCity {
  readonly plan: Plan
  readonly population: Population
  readonly index: AgentIndexBuffers
  readonly needs: InstitutionNeeds
  readonly pool: SimPool
  /** The real metro, when the scenario has one: its stations and lines, for the ridership. */
  readonly network: StationNetwork | undefined
}

/** A run's ledger and counting, once opened. */
interface RunLedger {
  readonly ledger: LedgerCore
  readonly counting: CountingLedger
  readonly counters: TransferCounters
}

function progressOf(
  plan: Plan,
  phase: RunProgress['phase'],
  tick: number,
  counters: TransferCounters | undefined,
  wallSeconds: number,
): RunProgress {
  return {
    phase,
    tick,
    ticks: plan.clock.ticks,
    simulatedAt: isoMinute(plan.clock, tick),
    submitted: counters?.submitted ?? 0,
    accepted: counters?.accepted ?? 0,
    rejected: counters?.rejected ?? 0,
    wallSeconds,
  }
}

/**
 * The memory ledger remembers every transfer id of a run (about 6 bytes each) up to its id
 * table's bound: a run expected to pass 90% of it (the draws vary around the plan) is refused
 * before it starts, rather than failing days into the period.
 */
function memoryLedgerFits(plan: Plan, loadTransfers: number | undefined): void {
  const days = Math.max(1, Math.ceil(plan.clock.ticks / minutesPerDay))
  const expected =
    loadTransfers ?? plan.paymentsExpected + (plan.residents + plan.merchants) * (days + 1)
  const held = Math.floor(idTableIdsMax * 0.9)
  if (expected <= held) return
  throw new UserError(
    `the run would give the memory ledger about ${expected.toExponential(2)} transfers, more than the ${held.toExponential(2)} it holds in one run (about 6 bytes each); shorten the period, lower the rates or the scale, or use --ledger postgres`,
  )
}

/**
 * About how many transfers a load run will give the ledger, so it can size its tables once rather
 * than grow them mid-run (a growth is a pause that would show in the latency): what the profile
 * sends (at most the period's payments), and per simulated day it covers the openings and evenings
 * of every wallet and merchant. A flat-out run lets the tables grow as they fill.
 */
function transfersExpected(plan: Plan, load: LoadRunOptions): number {
  const wallets = plan.residents + plan.merchants
  const days = Math.ceil(plan.clock.ticks / minutesPerDay)
  const { profile } = load
  const payments =
    profile.sort === 'rate'
      ? profile.schedule.transfers
      : Math.round((plan.paymentsExpected * profile.simulatedMinutes) / plan.clock.ticks)
  const loadDays =
    profile.sort === 'rate'
      ? Math.ceil(
          (days * Math.min(payments, plan.paymentsExpected)) / Math.max(1, plan.paymentsExpected),
        )
      : Math.ceil(profile.simulatedMinutes / minutesPerDay)
  return Math.min(plan.paymentsExpected, payments) + wallets * (loadDays + 1)
}

export class OpenedCity {
  private runs = 0

  constructor(
    private readonly built: BuiltCity,
    private readonly options: CityOptions,
    /** Where this city's runs publish what they do. */
    readonly telemetry: RunTelemetry,
    private readonly building: { readonly startedMs: number; readonly synthesisSeconds: number },
  ) {}

  get plan(): Plan {
    return this.built.plan
  }

  get population(): Population {
    return this.built.population
  }

  /** Who is in the city: aggregates only. */
  get agents(): {
    readonly residents: number
    readonly adopted: number
    readonly merchants: number
    readonly riders: number
  } {
    const { plan, needs } = this.built
    return {
      residents: plan.residents,
      adopted: needs.adopted,
      merchants: plan.merchants,
      riders: needs.riders,
    }
  }

  /**
   * Opens a fresh ledger, opens the city's accounts and money on it, runs, audits and closes it.
   */
  async run(options: Omit<RunOptions, keyof CityOptions>): Promise<RunSummary> {
    const { plan, population } = this.built
    // The first run's wall time includes building the city; a later one's starts at its own
    // opening.
    const first = this.runs++ === 0
    const times = first ? this.building : { startedMs: this.options.now(), synthesisSeconds: 0 }
    if (
      options.load?.profile.sort === 'realistic' &&
      options.load.profile.simulatedMinutes > plan.clock.ticks
    ) {
      throw new UserError(
        `${options.load.where}: "${options.load.profile.text}" covers ${options.load.profile.simulatedMinutes} simulated minutes, more than the scenario's period of ${plan.clock.ticks}`,
      )
    }
    const ledgerOptions: LedgerOptions = {
      accountsMax: plan.accounts.count,
      tiers: plan.tiers,
      utcOffsetMinutes: plan.clock.utcOffsetMinutes,
      ...(options.load === undefined
        ? {}
        : { transfersExpected: transfersExpected(plan, options.load) }),
    }
    if (options.ledgerFactory === undefined && (options.ledger ?? 'memory') === 'memory') {
      memoryLedgerFits(plan, ledgerOptions.transfersExpected)
    }
    const now = this.options.now
    const scheduler = this.options.scheduler ?? wallScheduler
    const opened =
      options.ledgerFactory?.(ledgerOptions) ??
      createLedger(options.ledger ?? 'memory', ledgerOptions, {
        url: options.ledgerUrl,
        now,
        scheduler,
        lease: options.ledgerLease,
        token: options.ledgerToken,
        callMsMax: options.ledgerCallMsMax,
      })
    // A steered run's faults (a slow ledger, a district cut off) sit between it and its ledger.
    const control = options.load?.control
    const steered =
      control === undefined
        ? opened
        : faultyLedger(opened, control.faults, plan.accounts, population, scheduler)
    // The bound starts with the ledger's opening: building the city is the workers' work, not the
    // ledger's.
    const bound =
      options.boundMs !== undefined
        ? { ms: options.boundMs, why: 'as given' }
        : runBound(plan, options.load, ledgerOptions.transfersExpected)
    // Armed last before the try, whose end stops it: nothing between can throw and leave its timer
    // running.
    const watch = bound === undefined ? undefined : new RunWatch(bound, scheduler)
    const ledger = watch === undefined ? steered : watch.guard(steered)
    try {
      return await this.runOn(ledger, options, times)
    } catch (error) {
      // Past its bound, whatever failed first (a call cut short, a count that could not finish)
      // failed because of it.
      throw watch?.failure ?? error
    } finally {
      watch?.stop()
      await ledger.close()
    }
  }

  async close(): Promise<void> {
    await this.built.pool.close()
  }

  /** Opens the ledger and the city's accounts on it, and the counting every call goes through. */
  private async openLedger(
    ledger: LedgerCore,
    options: Omit<RunOptions, keyof CityOptions>,
  ): Promise<RunLedger> {
    const { plan, population, network } = this.built
    await ledger.open()
    const accounts = await ledger.createAccounts(accountBatch(plan, population))
    assert(
      accounts.code.every((code) => code === 0),
      'every planned account opens',
    )
    const counters = new TransferCounters(plan.accounts.issuer)
    const names = plan.districts.map((district) => district.name)
    const districts = new DistrictCounters(
      names,
      plan.accounts,
      population,
      options.load?.control !== undefined,
      plan.clock,
    )
    // Flat out the outcome is reproducible and digested; under load, the payments as made.
    const digest = options.load === undefined ? new OutcomeDigest() : new SentPaymentsDigest()
    const banks = new BankFlows(plan.banks, plan.accounts)
    const minutes =
      options.onMinutes === undefined
        ? undefined
        : new MinuteBreakdown(names, plan.accounts, population, plan.clock)
    return {
      ledger,
      counters,
      counting: new CountingLedger(
        ledger,
        counters,
        districts,
        digest,
        banks,
        minutes,
        new MerchantCounters(plan),
        new MixCounters(plan.banks, plan.accounts, population, plan.districts.length),
        network === undefined ? undefined : new RidershipCounters(network.stations, network.lines),
      ),
    }
  }

  /**
   * The evening's institutions, and the opening they follow: issuance, the first top-ups, the
   * deposit book's first settlement.
   */
  private async opening(
    counting: CountingLedger,
    ids: TransferIds,
    slice: number,
  ): Promise<Evening> {
    const { plan, population, index, needs, pool } = this.built
    const conversions = counting.banks
    assert(conversions !== undefined, 'a run counts the conversions the deposit book follows')
    const { institutions } = counting
    const evening = new Evening(
      plan,
      population,
      index,
      needs,
      institutions,
      ids,
      conversions,
      slice,
    )
    await sendOpening(plan, needs, pool, index, institutions, ids)
    // The opening is counted before its calls return (institutions hear only counted answers).
    conversions.openingDone()
    await evening.settleDeposits(0)
    return evening
  }

  /** The run's stages on an opened ledger: opening, the executor, the audit, the summary. */
  private async runOn(
    ledger: LedgerCore,
    options: Omit<RunOptions, keyof CityOptions>,
    times: { readonly startedMs: number; readonly synthesisSeconds: number },
  ): Promise<RunSummary> {
    const { plan, population, index, needs, pool } = this.built
    const now = this.options.now
    // The progress counts what the counting ledger has counted, once there is one.
    const counted: { counters?: TransferCounters } = {}
    const progress = (phase: RunProgress['phase'], tick: number) =>
      this.telemetry.publishProgress(
        progressOf(plan, phase, tick, counted.counters, (now() - times.startedMs) / 1000),
      )
    progress('opening', 0)
    const opened = await this.openLedger(ledger, options)
    counted.counters = opened.counters
    const { counting } = opened
    let position = (): SenderPosition => notSending
    const showPosition = (given: () => SenderPosition) => (position = given)
    this.telemetry.attach(() => ({ ...lookOf(counting), ...position() }))
    const ids = new TransferIds()
    // Under load the evenings share the ledger with the payments: small slices keep each of their
    // calls short.
    const slice = options.load === undefined ? lookupBatchMax : eveningSliceUnderLoad
    const evening = await this.opening(counting, ids, slice)
    const executor = executorFor(options.load)
    const openStream = (streamOptions: Omit<CityStreamOptions, 'ids'>) =>
      new CityStream(plan, pool, index, { ...streamOptions, ids })
    const context = {
      plan,
      openStream,
      counting,
      evening,
      ids,
      telemetry: this.telemetry,
      showPosition,
      progress,
      now,
      stop: options.stop,
    }
    const outcome = await executor.run(context)
    await counting.settled()
    // What the last evening did not take in (a period ending mid-day, the next day's first
    // minutes under load, a stop).
    await evening.settleDeposits(Math.max(0, outcome.simulated.minutes - 1))
    await counting.settled()
    tellMinutes(options, counting, outcome)
    const simulatedMs = now()
    progress('auditing', plan.clock.ticks)
    const audited = await auditRun(ledger, this.built, opened.counters, evening.conversions)
    return summarize({
      plan,
      workers: this.options.workers,
      agents: needs,
      mode: executor.mode,
      ledger: { name: ledger.name, health: ledger.health?.() },
      counters: opened.counters,
      districts: counting.districts,
      digest: counting.digest(),
      outcome,
      ...audited,
      ...(plan.people === undefined ? {} : { people: peopleFigures(population) }),
      ...(counting.merchants === undefined ? {} : { merchants: counting.merchants.figures() }),
      ...(counting.mix === undefined ? {} : { mix: counting.mix.figures() }),
      ...(counting.ridership === undefined ? {} : { ridership: counting.ridership.figures() }),
      times: { ...times, simulatedMs, endedMs: now() },
    })
  }
}

/** Gives the run's minutes to whoever asked for them (a rollout's capacity plan). */
function tellMinutes(
  options: Pick<RunOptions, 'onMinutes'>,
  counting: CountingLedger,
  outcome: ExecutorOutcome,
): void {
  if (options.onMinutes === undefined || counting.minutes === undefined) return
  const { minutes } = outcome.simulated
  options.onMinutes(counting.minutes.figures(outcome.demand.perMinuteWithin(minutes), minutes))
}

/** Where the sender is before it sends. */
const notSending: SenderPosition = {
  tick: 0,
  targetTps: 0,
  lastSecond: { p50Ms: 0, p99Ms: 0, p999Ms: 0 },
  elapsedMs: 0,
  behind: 0,
}

/**
 * The audit at the end: the e-CNY and the deposit book conserved, double entry kept; and each
 * bank's conversions with its deposits at the start and the end.
 */
async function auditRun(
  ledger: LedgerCore,
  built: { readonly plan: Plan; readonly needs: InstitutionNeeds },
  counters: TransferCounters,
  conversions: BankFlows,
): Promise<Pick<RunSummary, 'conservation' | 'doubleEntry' | 'banks'>> {
  const { plan, needs } = built
  const flows = conversions.figures()
  const conservation = await auditConservation(ledger, plan, counters, {
    openedFen: needs.depositsFen,
    toEcnyFen: flows.map(
      (bank) =>
        bank.openingToWalletsFen +
        bank.toWalletsFen +
        (bank.openingToEmployersFen ?? 0) +
        (bank.toEmployersFen ?? 0),
    ),
    toDepositsFen: flows.map((bank) => bank.toDepositsFen),
  })
  const doubleEntry = auditEntries(await ledger.totals(), counters)
  const banks = flows.map((bank, index) => ({
    ...bank,
    depositsOpenedFen: needs.depositsFen[index] as number,
    depositsHeldFen: conservation.deposits?.heldByBankFen[index] as number,
  }))
  return { conservation, doubleEntry, banks }
}
