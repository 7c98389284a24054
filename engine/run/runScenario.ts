/**
 * A run, end to end: plan → city → population (workers) → agent index (workers) → accounts →
 * opening → ticks (workers generate, the ledger applies in canonical order) → audit → summary.
 *
 *   opening:   issuance and employer funding ▸ seg 0 … seg 63 first top-ups ─▶ ledger
 *   chunk c:   segment 0 ─┐
 *              segment 1 ─┼─▶ for each tick: seg 0 ▸ seg 1 ▸ … ▸ seg 63 ─▶ ledger
 *              …         ─┤      at a day's last tick: redemptions ▸ shortfall issues ▸ nightly top-ups and
 *                            │      payroll refills ▸ retirements (see institutions.ts)
 *              segment 63┘   (ids stamped in this order; the digest covers it)
 *
 * Workers run ahead by at most `chunksInFlightMax` chunks. The order the ledger sees depends only
 * on tick and segment, so the digest is the same whatever the number of workers.
 */
import { createHash } from 'node:crypto'
import { assert } from '../assert.js'
import { allocateAgentIndex, unpackIntents, type AgentIndexBuffers, type PackedIntents } from '../behaviour/index.js'
import { createLedger, transferKinds, type LedgerCore, type LedgerLease, type LedgerOptions, type LedgerTotals, type TransferBatch, type TransferKindName } from '../ledger/index.js'
import { chunksInFlightMax, eveningSliceUnderLoad, lookupBatchMax, minutesPerDay, segmentCount, ticksPerChunk, transferBatchMax, transfersPerRunMax, workersMax } from '../limits.js'
import { UserError } from '../errors.js'
import { DistrictCounters } from '../counting/districtCounters.js'
import { districtRows, foldFigures } from '../counting/districtRows.js'
import { TransferCounters } from '../metrics/transferCounters.js'
import { allocatePopulation, synthesizeMerchants, viewPopulation, type Population } from '../population/index.js'
import type { LoadSection, RunProgress, RunSummary } from './summary.js'
import { isLastTickOfDay, isoMinute, type NowMs } from '../time/index.js'
import type { LoadedScenario } from '../../scenarios/loader.js'
import {
  accountBatch,
  excessRetirements,
  institutionNeeds,
  nightlyTopups,
  openingTransfers,
  payrollRefills,
  redemptions,
  shortfallIssues,
  sweptAccounts,
  type InstitutionNeeds,
} from '../behaviour/institutions.js'
import { driveLoad, type LoadRunOptions } from './driveLoad.js'
import { faultyLedger } from './faults.js'
import { planScenario, type Plan } from '../plan/plan.js'
import { runBound, RunWatch } from './runBound.js'
import { SimPool } from '../stream/simPool.js'
import { TickBatch } from '../stream/tickBatch.js'

export interface CityOptions {
  readonly seed?: number | undefined
  readonly residents?: number | undefined
  readonly workers: number
  /** Wall clock for durations; the engine reads no clock of its own. */
  readonly now: NowMs
  readonly onProgress?: ((progress: RunProgress) => void) | undefined
}

export interface RunOptions extends CityOptions {
  readonly ledger?: string | undefined
  /** Where the ledger lives, for one that is not embedded (`--ledger-url`). */
  readonly ledgerUrl?: string | undefined
  /** Who the run is to a ledger other runs can reach, and whether to take over one whose holder is gone (`--take-over`). */
  readonly ledgerLease?: LedgerLease | undefined
  /** The http ledger's token (`--ledger-token`), and its deadline for one call (`--ledger-timeout`). */
  readonly ledgerToken?: string | undefined
  readonly ledgerCallMsMax?: number | undefined
  /** The run's overall bound, ms, instead of the one its schedule gives (runBound.ts): for embedding and tests. */
  readonly boundMs?: number | undefined
  /** Builds the ledger instead of looking `ledger` up in the registry: for embedding and tests. */
  readonly ledgerFactory?: ((options: LedgerOptions) => LedgerCore) | undefined
  /** Drive the ledger with the open model instead of running the period flat out. */
  readonly load?: LoadRunOptions | undefined
  /**
   * Once aborted (its reason: what stopped it, like 'SIGINT'), the run ends early: flat out before
   * its next tick, in load mode as its next second closes. What was sent is settled and audited as
   * at the end, and the summary says it stopped early (`stoppedEarly`), and where.
   */
  readonly stop?: AbortSignal | undefined
}

export async function runScenario(loaded: LoadedScenario, options: RunOptions): Promise<RunSummary> {
  const city = await openCity(loaded, options)
  try {
    return await city.run(options)
  } finally {
    await city.close()
  }
}

/**
 * A city built once (plan, population, agent index, workers), on which runs are made, each on a
 * freshly opened ledger from the same opening: a run, or each trial of a capacity search.
 */
export async function openCity(loaded: LoadedScenario, options: CityOptions): Promise<OpenedCity> {
  assert(Number.isInteger(options.workers) && options.workers >= 1 && options.workers <= workersMax, 'workers was validated')
  const startedMs = options.now()
  const { city, plan } = planScenario(loaded, { seed: options.seed, residents: options.residents })
  const buffers = allocatePopulation(plan.residents, plan.merchants)
  const population = viewPopulation(buffers)
  const pool = new SimPool(options.workers, { plan, buffers })
  try {
    options.onProgress?.(progressOf(plan, 'building', 0, undefined, 0))
    const synthesis = Promise.all(plan.segments.map((segment) => pool.synthesize(segment.index)))
    synthesis.catch(() => undefined) // awaited below; this only keeps a failure meanwhile from going unhandled
    for (const segment of plan.segments) synthesizeMerchants(plan, city, population, segment)
    const index = allocateAgentIndex(await synthesis)
    await Promise.all(plan.segments.map((segment) => pool.index(segment.index, index)))
    return new OpenedCity(plan, population, index, institutionNeeds(plan, population), pool, options, startedMs, (options.now() - startedMs) / 1000)
  } catch (error) {
    await pool.close()
    throw error
  }
}

function progressOf(plan: Plan, phase: RunProgress['phase'], tick: number, counters: TransferCounters | undefined, wallSeconds: number): RunProgress {
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
 * About how many transfers a load run will give the ledger, so it can size its tables once rather
 * than grow them mid-run (a growth is a pause that would show in the latency): what the profile
 * sends (at most the period's payments), and per simulated day it covers the openings and evenings
 * of every wallet and merchant. A flat-out run lets the tables grow as they fill.
 */
function transfersExpected(plan: Plan, load: LoadRunOptions): number {
  const wallets = plan.residents + plan.merchants
  const days = Math.ceil(plan.clock.ticks / minutesPerDay)
  const payments =
    load.profile.sort === 'rate' ? load.profile.schedule.transfers : Math.round((plan.paymentsExpected * load.profile.simulatedMinutes) / plan.clock.ticks)
  const loadDays = load.profile.sort === 'rate' ? Math.ceil((days * Math.min(payments, plan.paymentsExpected)) / Math.max(1, plan.paymentsExpected)) : Math.ceil(load.profile.simulatedMinutes / minutesPerDay)
  return Math.min(plan.paymentsExpected, payments) + wallets * (loadDays + 1)
}

export class OpenedCity {
  private runs = 0

  constructor(
    readonly plan: Plan,
    readonly population: Population,
    private readonly index: AgentIndexBuffers,
    private readonly needs: InstitutionNeeds,
    private readonly pool: SimPool,
    private readonly options: CityOptions,
    private readonly startedMs: number,
    private readonly synthesisSeconds: number,
  ) {}

  /** Who is in the city: aggregates only. */
  get agents(): { readonly residents: number; readonly adopted: number; readonly merchants: number; readonly riders: number } {
    return { residents: this.plan.residents, adopted: this.needs.adopted, merchants: this.plan.merchants, riders: this.needs.riders }
  }

  /** Opens a fresh ledger, opens the city's accounts and money on it, runs, audits and closes it. */
  async run(options: Omit<RunOptions, keyof CityOptions>): Promise<RunSummary> {
    const { plan, population, index, needs, pool } = this
    const now = this.options.now
    // The first run's wall time includes building the city; a later one's starts at its own opening.
    const startedMs = this.runs++ === 0 ? this.startedMs : now()
    const synthesisSeconds = startedMs === this.startedMs ? this.synthesisSeconds : 0
    if (options.load?.profile.sort === 'realistic' && options.load.profile.simulatedMinutes > plan.clock.ticks) {
      throw new UserError(`${options.load.where}: "${options.load.profile.text}" covers ${options.load.profile.simulatedMinutes} simulated minutes, more than the scenario's period of ${plan.clock.ticks}`)
    }
    const ledgerOptions: LedgerOptions = {
      accountsMax: plan.accounts.count,
      tiers: plan.tiers,
      utcOffsetMinutes: plan.clock.utcOffsetMinutes,
      ...(options.load === undefined ? {} : { transfersExpected: transfersExpected(plan, options.load) }),
    }
    const opened =
      options.ledgerFactory?.(ledgerOptions) ??
      createLedger(options.ledger ?? 'memory', ledgerOptions, { url: options.ledgerUrl, now, lease: options.ledgerLease, token: options.ledgerToken, callMsMax: options.ledgerCallMsMax })
    // A steered run's faults (a slow ledger, a district cut off) sit between it and its ledger.
    const control = options.load?.control
    // The bound starts with the ledger's opening: building the city is the workers' work, not the ledger's.
    const bound = options.boundMs !== undefined ? { ms: options.boundMs, why: 'as given' } : runBound(plan, options.load, ledgerOptions.transfersExpected)
    const steered = control === undefined ? opened : faultyLedger(opened, control.faults, plan.accounts, population)
    const counters = new TransferCounters(plan.accounts.issuer)
    const districts = new DistrictCounters(
      plan.districts.map((district) => district.name),
      plan.accounts,
      population,
      control !== undefined,
    )
    if (control !== undefined) control.view = { counters, districts }
    // Armed last before the try, whose end stops it: nothing between can throw and leave its timer running.
    const watch = bound === undefined ? undefined : new RunWatch(bound)
    const ledger = watch === undefined ? steered : watch.guard(steered)
    const progress = (phase: RunProgress['phase'], tick: number) => this.options.onProgress?.(progressOf(plan, phase, tick, counters, (now() - startedMs) / 1000))
    try {
      progress('opening', 0)
      await ledger.open()
      const accounts = await ledger.createAccounts(accountBatch(plan, population))
      assert(
        accounts.code.every((code) => code === 0),
        'every planned account opens',
      )
      const digest = createHash('sha256')
      const workload = createHash('sha256')
      // Under load the evenings share the ledger with the payments: small slices keep each of their calls short.
      const eveningSlice = options.load === undefined ? lookupBatchMax : eveningSliceUnderLoad
      const driver = new TickDriver(plan, population, index, needs, ledger, counters, districts, digest, eveningSlice)
      await driver.open(pool, index)
      const loadStartedMs = now()
      let load: LoadSection | undefined
      const stop = options.stop
      let stoppedEarly: RunSummary['stoppedEarly']
      if (options.load === undefined) {
        const reached = await driver.run(pool, index, (tick) => progress('running', tick), () => stop?.aborted === true)
        if (reached < plan.clock.ticks) {
          const by = stopReason(stop)
          stoppedEarly = { by, reason: `stopped by ${by} at ${isoMinute(plan.clock, reached)} (simulated), after ${reached} of the period's ${plan.clock.ticks} minutes` }
        }
      } else {
        // The payments as made: the same for a seed and profile whatever the timing, unlike the results.
        const driven = await driveLoad({ plan, pool, index, ledger, driver, counters, districts, digest: workload, now, load: options.load, ...(stop === undefined ? {} : { stop }) })
        load = driven.section
        if (driven.stopped) {
          const by = stopReason(stop)
          stoppedEarly = { by, reason: `stopped by ${by} after ${load.durationSeconds.toFixed(1)} of ${load.plannedSeconds.toFixed(1)} s of load (simulated until ${load.simulated.to})` }
        }
      }
      await driver.settle()
      const simulatedMs = now()
      progress('auditing', plan.clock.ticks)

      const conservation = await audit(ledger, plan, counters)
      const doubleEntry = auditEntries(await ledger.totals(), counters)
      const endedMs = now()
      const wallSeconds = (endedMs - startedMs) / 1000
      const ticksRun = driver.ticksRun
      const simulated =
        load === undefined
          ? { from: isoMinute(plan.clock, 0), to: isoMinute(plan.clock, ticksRun), minutes: ticksRun }
          : { from: isoMinute(plan.clock, 0), to: load.simulated.to, minutes: load.simulated.minutes }
      return {
        scenario: plan.scenarioName,
        seed: plan.seed,
        digest: (load === undefined ? digest : workload).digest('hex'),
        mode: load === undefined ? 'flat-out' : 'load',
        ledger: ledger.name,
        workers: this.options.workers,
        scale: plan.scale,
        agents: {
          residents: plan.residents,
          adopted: needs.adopted,
          merchants: plan.merchants,
          riders: needs.riders,
          institutions: plan.accounts.merchantFirst,
        },
        simulated,
        transfers: {
          submitted: counters.submitted,
          accepted: counters.accepted,
          rejected: counters.rejected,
          byKind: counters.byKind(),
          byReason: counters.byReason(),
        },
        demand: {
          perHour: driver.perHour,
          peakPerMinute: driver.peakPerMinute,
          peakAt: isoMinute(plan.clock, driver.peakTick),
        },
        // Districts below the residents' floor are shown only folded together.
        districts: foldFigures(districts.figures(), districtRows(plan.districts)),
        wallSeconds,
        phases: {
          synthesisSeconds,
          simulationSeconds: (simulatedMs - loadStartedMs) / 1000,
          auditSeconds: (endedMs - simulatedMs) / 1000,
        },
        throughput: { transfersPerSecond: wallSeconds > 0 ? Math.round(counters.submitted / wallSeconds) : 0 },
        conservation,
        doubleEntry,
        ...(stoppedEarly === undefined ? {} : { stoppedEarly }),
        ...(ledger.health === undefined ? {} : { ledgerHealth: ledger.health() }),
        ...(load === undefined ? {} : { load }),
      }
    } catch (error) {
      // Past its bound, whatever failed first (a call cut short, a count that could not finish) failed because of it.
      throw watch?.failure ?? error
    } finally {
      watch?.stop()
      await ledger.close()
    }
  }

  async close(): Promise<void> {
    await this.pool.close()
  }
}

/** What stopped a run, from its stop signal's reason: a signal's name, or 'a stop request'. */
function stopReason(stop: AbortSignal | undefined): string {
  const reason: unknown = stop?.reason
  return typeof reason === 'string' && reason !== '' ? reason : 'a stop request'
}

class TickDriver {
  peakPerMinute = 0
  peakTick = 0
  /** Ticks run flat out: the whole period, unless the run was stopped early. */
  ticksRun = 0
  readonly perHour: number[]
  private nextId = 0
  /**
   * Two tick batches in turn: while the ledger applies one tick, the next is gathered. A batch is
   * reused only once the calls made from it have settled and their results are counted.
   */
  private readonly batches: readonly [TickBatch, TickBatch]
  private readonly batchSettled: [Promise<void>, Promise<void>] = [Promise.resolve(), Promise.resolve()]
  /** Results are counted and digested in submission order, one after the other. */
  private counted: Promise<void> = Promise.resolve()
  private readonly swept: { ids: Uint32Array; bank: Uint8Array }
  private readonly bankIds: Uint32Array
  /** The evening's institutional transfers, submitted a slice at a time: never one batch per wallet of the city. */
  private readonly evening: TickBatch
  private readonly employerIds: Uint32Array

  /** Every adopted resident, segment by segment (the agent index's own order). */
  private readonly adopted: Uint32Array

  constructor(
    private readonly plan: Plan,
    private readonly population: Population,
    index: AgentIndexBuffers,
    private readonly needs: InstitutionNeeds,
    private readonly ledger: LedgerCore,
    private readonly counters: TransferCounters,
    private readonly districts: DistrictCounters,
    private readonly digest: ReturnType<typeof createHash>,
    /** Accounts looked up (and so evening transfers made) per call to the ledger. */
    private readonly eveningSlice: number = lookupBatchMax,
  ) {
    assert(eveningSlice >= 1 && eveningSlice <= lookupBatchMax, 'an evening slice fits a lookup call')
    this.batches = [new TickBatch(transferBatchMax), new TickBatch(transferBatchMax)]
    this.evening = new TickBatch(transferBatchMax)
    this.swept = sweptAccounts(plan, population)
    // A view on the shared index, not a copy; without nightly top-ups the evening never reads it.
    this.adopted = plan.nightlyTopupBelow > 0 ? new Uint32Array(index.adopted) : new Uint32Array(0)
    this.bankIds = Uint32Array.from({ length: plan.accounts.bankCount }, (_, bank) => plan.accounts.bankFirst + bank)
    this.employerIds = Uint32Array.from({ length: plan.accounts.employerCount }, (_, district) => plan.accounts.employerFirst + district)
    this.perHour = new Array<number>(Math.ceil(plan.clock.ticks / 60)).fill(0)
  }

  /** Before the clock starts: issuance, employer funding, then every wallet's opening top-up. */
  async open(pool: SimPool, index: AgentIndexBuffers): Promise<void> {
    const segments = await Promise.all(this.plan.segments.map((segment) => pool.open(segment.index, index).then(unpackIntents)))
    // A batch of its own: the opening is far bigger than any tick, and its memory goes once it is done.
    const opening = new TickBatch(segments.reduce((sum, intents) => sum + intents.count, 0) + 1024)
    openingTransfers(this.plan, this.needs, opening)
    for (const intents of segments) opening.appendIntents(intents, 0, intents.count)
    await this.submit(opening, 0, 0, opening.count)
  }

  /**
   * Runs the period's ticks in order; `shouldStop`, asked before each tick, ends it early (the
   * chunks the workers were making are awaited and dropped). Returns the ticks run.
   */
  async run(pool: SimPool, index: AgentIndexBuffers, progress: (tick: number) => void, shouldStop: () => boolean = () => false): Promise<number> {
    const { plan } = this
    const inFlight = new Map<number, Promise<PackedIntents[]>>()
    try {
      await this.runTicks(pool, index, progress, shouldStop, inFlight)
    } finally {
      // Nothing is left running in the workers when the run goes on to its audit (or its failure).
      await Promise.allSettled(inFlight.values())
    }
    assert(this.ticksRun <= plan.clock.ticks, 'no tick beyond the period')
    return this.ticksRun
  }

  private async runTicks(
    pool: SimPool,
    index: AgentIndexBuffers,
    progress: (tick: number) => void,
    shouldStop: () => boolean,
    inFlight: Map<number, Promise<PackedIntents[]>>,
  ): Promise<void> {
    const { plan } = this
    const request = (chunk: number) => {
      if (chunk >= plan.chunks || inFlight.has(chunk)) return
      const work = Promise.all(plan.segments.map((segment) => pool.generate(segment.index, chunk, index).then(unpackIntents)))
      work.catch(() => undefined) // awaited below; this only keeps an early failure from going unhandled
      inFlight.set(chunk, work)
    }
    for (let chunk = 0; chunk < plan.chunks; chunk++) {
      for (let ahead = 0; ahead < chunksInFlightMax; ahead++) request(chunk + ahead)
      const work = inFlight.get(chunk)
      assert(work !== undefined, 'the chunk was requested')
      const segments = await work
      inFlight.delete(chunk)
      assert(segments.length === segmentCount, 'one result per segment')
      const firstTick = chunk * ticksPerChunk
      const endTick = Math.min(plan.clock.ticks, firstTick + ticksPerChunk)
      for (let tick = firstTick; tick < endTick; tick++) {
        if (shouldStop()) {
          progress(tick)
          return
        }
        await this.tick(tick, tick - firstTick, segments)
        this.ticksRun = tick + 1
      }
      progress(endTick)
    }
  }

  private async tick(tick: number, tickInChunk: number, segments: readonly PackedIntents[]): Promise<void> {
    const { plan } = this
    const turn = (tick & 1) as 0 | 1
    await this.batchSettled[turn]
    const batch = this.batches[turn]
    batch.reset()
    for (const intents of segments) {
      const start = tickInChunk === 0 ? 0 : (intents.tickEnd[tickInChunk - 1] as number)
      const end = intents.tickEnd[tickInChunk] as number
      batch.appendIntents(intents, start, end)
    }
    const payments = batch.count
    this.batchSettled[turn] = this.send(batch, tick, 0, payments)
    this.noteDemand(tick, payments)
    if (isLastTickOfDay(plan.clock, tick) || tick === plan.clock.ticks - 1) await this.endOfDay(tick)
  }

  /** Counts a tick's payments into the demand curve. */
  noteDemand(tick: number, payments: number): void {
    this.perHour[Math.floor(tick / 60)] = (this.perHour[Math.floor(tick / 60)] as number) + payments
    if (payments > this.peakPerMinute) {
      this.peakPerMinute = payments
      this.peakTick = tick
    }
  }

  /** Ids for `count` transfers sent by someone else (the load stream), in order: the first of them. */
  allocateIds(count: number): number {
    assert(this.nextId + count <= transfersPerRunMax, 'transfer ids fit a Uint32')
    const first = this.nextId
    this.nextId += count
    return first
  }

  /** Waits for every call made so far to be applied and counted. */
  async settle(): Promise<void> {
    await Promise.all([...this.batchSettled, this.counted])
  }

  /** The end of a day, in the steps of institutions.ts; each step reads the balances the last one left. */
  async endOfDay(tick: number): Promise<void> {
    const { plan, evening } = this
    const walletOf = (index: number) => plan.accounts.residentFirst + (this.adopted[index] as number)
    // 1. Redemptions, a slice of swept accounts at a time.
    await balancesBySlice(this.ledger, this.swept.ids.length, (index) => this.swept.ids[index] as number, async (from, balances) => {
      evening.reset()
      redemptions(this.swept, from, balances, plan.accounts.bankFirst, evening)
      await this.submit(evening, tick, 0, evening.count)
    }, this.eveningSlice)
    // 2. What each bank pays out tonight, and issuance of any shortfall. Wallets are read here and
    //    again in step 3 rather than kept: a city's wallets are many (flat out nothing moves them in
    //    between; under load the next day's payments may, see institutions.ts).
    const payoutFen = new Array<number>(plan.accounts.bankCount).fill(0)
    await balancesBySlice(this.ledger, this.adopted.length, walletOf, async (from, balances) => {
      nightlyTopups(plan, this.population, this.adopted.subarray(from, from + balances.length), balances, payoutFen, null)
    }, this.eveningSlice)
    const refills = new TickBatch(plan.accounts.employerCount + 1)
    payrollRefills(plan, this.needs, await lookupAll(this.ledger, this.employerIds), payoutFen, refills)
    const banks = await lookupAll(this.ledger, this.bankIds)
    evening.reset()
    shortfallIssues(plan, this.needs, banks, payoutFen, evening)
    await this.submit(evening, tick, 0, evening.count)
    // 3. The payouts.
    await balancesBySlice(this.ledger, this.adopted.length, walletOf, async (from, balances) => {
      evening.reset()
      nightlyTopups(plan, this.population, this.adopted.subarray(from, from + balances.length), balances, null, evening)
      await this.submit(evening, tick, 0, evening.count)
    }, this.eveningSlice)
    await this.submit(refills, tick, 0, refills.count)
    // 4. Back to the float.
    evening.reset()
    excessRetirements(plan, this.needs, banks, payoutFen, evening)
    await this.submit(evening, tick, 0, evening.count)
  }

  /** Sends [start, end) of `batch` and waits until it is applied and counted. */
  private async submit(batch: TickBatch, tick: number, start: number, end: number): Promise<void> {
    await this.send(batch, tick, start, end)
  }

  /**
   * Sends [start, end) of `batch` to the ledger in calls of at most `transferBatchMax`, stamping
   * ids in order, without waiting for the results; they are counted and digested in the order sent.
   * The promise settles once the last of them is counted: `batch` must not change before.
   */
  private send(batch: TickBatch, tick: number, start: number, end: number): Promise<void> {
    const minute = this.plan.clock.startMinute + tick
    for (let from = start; from < end; from += transferBatchMax) {
      const to = Math.min(end, from + transferBatchMax)
      assert(this.nextId + (to - from) <= transfersPerRunMax, 'transfer ids fit a Uint32')
      const transfers = batch.seal(this.nextId, minute, from, to)
      this.nextId += transfers.count
      const applied = this.ledger.submit(transfers)
      applied.catch(() => undefined) // awaited in turn below; this only keeps it from being reported unhandled meanwhile
      this.counted = this.counted.then(async () => {
        const results = await applied
        this.counters.count(transfers.count, transfers.debit, transfers.credit, transfers.amountFen, transfers.kind, results.code)
        this.districts.count(transfers, results.code)
        digestBatch(this.digest, transfers, results.code)
      })
    }
    const counted = this.counted
    counted.catch(() => undefined) // the caller awaits it; a failure is not reported twice meanwhile
    return counted
  }
}

function digestBatch(digest: ReturnType<typeof createHash>, batch: TransferBatch, code: Uint8Array): void {
  for (const column of [batch.id, batch.debit, batch.credit, batch.amountFen, batch.minute, batch.kind, code]) {
    digest.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength))
  }
}

/**
 * Looks up the balances of `count` accounts, the i-th being `accountAt(i)`, a slice of at most
 * `sliceMax` (default `lookupBatchMax`) at a time, and hands each slice's balances on in order. Memory stays one slice
 * whatever the number of accounts.
 */
async function balancesBySlice(
  ledger: LedgerCore,
  count: number,
  accountAt: (index: number) => number,
  use: (from: number, balances: Float64Array) => Promise<void> | void,
  sliceMax = lookupBatchMax,
): Promise<void> {
  const ids = new Uint32Array(Math.min(count, sliceMax))
  for (let from = 0; from < count; from += sliceMax) {
    const length = Math.min(count - from, sliceMax)
    for (let index = 0; index < length; index++) ids[index] = accountAt(from + index)
    await use(from, (await ledger.lookup(ids.subarray(0, length))).balanceFen)
  }
}

/** The balances of a few accounts, in one array. */
async function lookupAll(ledger: LedgerCore, ids: Uint32Array): Promise<Float64Array> {
  const out = new Float64Array(ids.length)
  await balancesBySlice(ledger, ids.length, (index) => ids[index] as number, (from, balances) => {
    out.set(balances, from)
  })
  return out
}

/**
 * Each kind's debits, credits and accepted amounts agree, and nothing is left reserved. Runs submit
 * plain transfers only, so an accepted transfer posts exactly its amount; once runs make pending
 * transfers and posts, the accepted side must count what posts settle (0 = the whole reservation).
 */
function auditEntries(totals: LedgerTotals, counters: TransferCounters): RunSummary['doubleEntry'] {
  const accepted = counters.byKind()
  let ok = totals.pendingCount === 0 && totals.pendingFen === 0
  const byKind = {} as Record<TransferKindName, { debitsFen: number; creditsFen: number; acceptedFen: number }>
  transferKinds.forEach((kind, index) => {
    const debitsFen = totals.debitsFen[index] as number
    const creditsFen = totals.creditsFen[index] as number
    const acceptedFen = accepted[kind].amountFen
    if (debitsFen !== creditsFen || debitsFen !== acceptedFen) ok = false
    byKind[kind] = { debitsFen, creditsFen, acceptedFen }
  })
  return { ok, byKind, pendingFen: totals.pendingFen }
}

/**
 * Money is conserved: the balances of every account but the central bank add up to what it
 * issued less what it took back, and the central bank's own balance is the negative of that.
 * No other account is below zero.
 */
async function audit(ledger: LedgerCore, plan: Plan, counters: TransferCounters): Promise<RunSummary['conservation']> {
  let balancesFen = 0
  let negativeBalances = 0
  let issuerBalanceFen = 0
  await balancesBySlice(ledger, plan.accounts.count, (account) => account, (from, balances) => {
    for (let index = 0; index < balances.length; index++) {
      const balance = balances[index] as number
      if (from + index === plan.accounts.issuer) {
        issuerBalanceFen = balance
        continue
      }
      balancesFen += balance
      if (balance < 0) negativeBalances += 1
    }
  })
  const inCirculationFen = counters.issuedFen - counters.redeemedFen
  const ok =
    Number.isSafeInteger(balancesFen) &&
    balancesFen === inCirculationFen &&
    issuerBalanceFen === -inCirculationFen &&
    negativeBalances === 0
  return { ok, issuedFen: counters.issuedFen, redeemedFen: counters.redeemedFen, balancesFen, negativeBalances }
}
