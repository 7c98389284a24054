/**
 * Benchmarks: `npm run bench`. Fixed seeds and sizes; medians over repeated samples; results
 * written to bench/results/latest.json with the machine they ran on.
 *
 *   sim.intents_per_s_per_worker      payment intents one thread generates per second
 *   ledger.memory.transfers_per_s@10M   transfers the memory ledger's state machine applies per second on
 * one core, a whole day of real payments at 10 million accounts on a freshly opened ledger per
 * sample, every rule on
 *   ledger.memory.accepted_share@10M    the share of those transfers accepted (the rest are rejections)
 *   ledger.memory.programmable_*        the same day with a quarter of the residents' retail paid
 *                                       from red envelopes (programmableWorkload.ts); _ratio is its
 *                                       speed over the plain day's, in the same process
 *   ledger.memory.ring_transfers_per_s  the same day sent from this thread through the ring to the
 *                                       ledger's own thread, results back
 *   run.transfers_per_s@1M            a whole simulated day, 1 million residents, end to end
 *
 *   load.pacing_error_pct@<rate>      the open model at a constant target (10k, 100k, 1M transfers/s, the city's
 * own payments, memory ledger through the ring): the largest miss of the sending rate in any
 * one-second window after the first
 *   load.lateness_p99_ms@<rate>       p99 of how late transfers were sent after their intended time
 *   load.latency_p99_ms@<rate>        p99 from intended send time to result
 *   load.dropped@<rate>               transfers never sent, over all samples
 *
 *   ledger.<memory|postgres|redis>.*  the ledgers in servers against the memory ledger on one workload:
 *                                     see serverLedgers.ts
 *
 *   city.full.*                       the whole city (scale 1.0): residents, synthesis_s, day_wall_s (a flat-out
 *                                     day), day_transfers (the day's transfers, every flow's),
 *                                     transfers_per_s, rss_bytes (peak of the run's process),
 *                                     population_bytes_per_agent (the population's columns)
 *   e2e.tps@workers=<n>               the flat-out day at 1 million residents with n simulation workers
 *   e2e.p99_ms@<2k|10k>               the whole city's live stream at a constant 2,000 and 10,000/s for 30 s
 * (memory ledger): p99 from intended send; e2e.late_p99_ms@ the lateness
 *   e2e.floor_p99_ms@2k               the machine's floor for those: two bare threads at 2,000 calls/s
 * (machineFloor.ts); e2e.floor_late_p99_ms@2k its lateness
 *   live.cpu_share@default            `citytwin serve` on the whole city at its default pace (what `npm start`
 * runs): CPU time of all its threads over wall time, for 30 s of the run
 *   e2e.sustained_*                   the whole city's payments at a constant 1,000,000/s for 60 s (memory
 * ledger, three-day period): achieved, target, p99 from intended send, lateness p99, pacing error,
 * dropped (the most of any sample)
 *
 *   planner.year_wall_s@<0.1|full>    `citytwin rollout` of the Shenzhen rollout year (sampled days, through to
 *                                     the capacity plan) at the scenario's scale 0.1, and for the whole city;
 *                                     planner.days the days it simulated
 *
 * `npm run bench -- --compare bench/results/older.json` prints every figure beside the older run's,
 * with the ratio. `npm run bench -- --quick` leaves out the full-city groups; `-- --only
 * sim|ledger|load|servers|run|city|e2e|live|planner` runs one group; `-- --only servers
 * --ledgers postgres` measures one ledger of that group.
 */
import { execFile } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Bench } from 'tinybench'
import { generateChunk, segmentAgents, unpackIntents } from '../engine/behaviour/index.js'
import type { City } from '../engine/city/index.js'
import { assert } from '../engine/assert.js'
import {
  MemoryLedger,
  ResultCode,
  type AccountBatch,
  type LedgerOptions,
  type TransferBatch,
} from '../engine/ledger/index.js'
import { pacingErrorPct, parseProfile, runOpenLoad, wallClockPause } from '../engine/load/index.js'
import { LedgerState } from '../engine/ledger/memory/ledgerState.js'
import { transferBatchMax } from '../engine/limits.js'
import {
  allocatePopulation,
  synthesizeMerchants,
  synthesizeResidents,
  viewPopulation,
} from '../engine/population/index.js'
import { planRun, scenarioCity } from '../engine/run/index.js'
import { wallClock } from '../engine/time/index.js'
import { loadScenario, type LoadedScenario } from '../scenarios/index.js'
import { flattened, ledgerWorkload, sliceOf, type LedgerWorkload } from './ledgerWorkload.js'
import { programmableWorkload } from './programmableWorkload.js'
import { UserError } from '../engine/errors.js'
import { comparison, readResults } from './compare.js'
import { liveCpuShare } from './liveCpu.js'
import { machineFloor } from './machineFloor.js'
import { median } from './median.js'
import { benchServerLedgers } from './serverLedgers.js'

interface BenchResult {
  readonly name: string
  readonly median: number
  readonly unit: string
  readonly samples: number
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const scenarioFile = path.join(root, 'scenarios/shenzhen-day.yaml')
const execFileAsync = promisify(execFile)
const resultsFile = path.join(root, 'bench/results/latest.json')
const benchResidents = 1_000_000
/** Residents whose city has about 10 million accounts (with merchants and institutions). */
const ledgerResidents = 9_360_000
/**
 * Residents whose day holds enough payments for the highest load rate (the bench stops if it does
 * not).
 */
const loadResidents = 3_000_000
const loadRates = [10_000, 100_000, 1_000_000] as const
const loadSeconds = 5
const loadSamples = 3
const loadInFlightMax = 64
const endToEndSamples = 3
/** Shenzhen's residents in the 2020 census, as the scenarios list them: the whole city. */
const shenzhenResidents = 17_494_398
const scalingWorkers = [1, 2, 4] as const
/**
 * The sustained run: a million transfers a second for a minute, on a period of three days (a day
 * holds about 31 million payments).
 */
const sustainedTps = 1_000_000
const sustainedSeconds = 60
const sustainedDays = 3
/** Light load: the whole city's live stream at these constant rates, and `npm start` as it is. */
const lightRates = [2_000, 10_000] as const
const lightSeconds = 30
const liveCpuSeconds = 30
const liveCpuSamples = 3

/** Where each figure goes: kept for the results file and printed as it comes. */
type Log = (result: BenchResult) => void

/** What every group of figures shares: the scenario and its city, the workers, where figures go. */
interface BenchContext {
  readonly loaded: LoadedScenario
  readonly city: City
  readonly workers: number
  readonly log: Log
}

/** The flags that choose what runs and what it is compared with. */
interface BenchArgs {
  readonly quick: boolean
  readonly only: string | undefined
  readonly compareFile: string | undefined
}

async function main(): Promise<void> {
  const { quick, only, compareFile } = benchArgs()
  // `--compare older.json`: read (and checked) before anything runs, printed after.
  const older = compareFile === undefined ? undefined : await readResults(compareFile)
  const wants = (group: string) => only === undefined || only === group
  const loaded = await loadScenario(scenarioFile)
  const city = scenarioCity(loaded)
  const sim = simSetup(loaded, city)
  const results: BenchResult[] = []
  const log = (result: BenchResult) => {
    results.push(result)
    process.stderr.write(
      `${result.name.padEnd(36)} ${(result.median < 100 ? result.median.toFixed(2) : Math.round(result.median).toLocaleString('en-US')).padStart(14)} ${result.unit}  (median of ${result.samples})\n`,
    )
  }
  const workers = Math.min(2, os.availableParallelism())
  const context: BenchContext = { loaded, city, workers, log }

  if (wants('sim')) await benchSim(sim, log)
  if (wants('ledger')) {
    const workload = ledgerWorkload(loaded.scenario, city, ledgerResidents)
    const plainTransfersPerS = await benchLedgerState(workload, log)
    await benchLedgerProgrammable(workload, plainTransfersPerS, log)
    await benchLedgerRing(workload, log)
  }
  // In a process of its own: what the groups before it leave for the collector would otherwise
  // land in the middle of its timing.
  if (wants('load') && only !== 'load') await groupInChild('load', log)
  else if (wants('load')) await benchLoad(context)
  // In a process of its own, as the load group: the servers' figures start from a quiet heap.
  if (wants('servers') && only !== 'servers') await groupInChild('servers', log)
  else if (wants('servers')) await benchServers(context)
  if (wants('run')) await benchRun(workers, log)
  if (wants('city') && !quick) await benchFullCity(context)
  if (wants('e2e') && !quick) {
    await benchScaling(log)
    await benchSustained(workers, log)
  }
  if (wants('live') && !quick) await benchLight(workers, log)
  if (wants('planner')) await benchPlanner(workers, quick, log)

  if (process.argv.includes('--stdout')) {
    process.stdout.write(`${JSON.stringify(results)}\n`)
    return
  }
  await writeReport(results, workers, only)
  if (older !== undefined) {
    process.stdout.write(
      `\ncompared with ${compareFile ?? ''} (${older.date})\n${comparison(older.figures, results).join('\n')}\n`,
    )
  }
}

/** Reads the bench's flags from the command line; `--compare` must name a file. */
function benchArgs(): BenchArgs {
  const compareAt = process.argv.indexOf('--compare')
  const compareFile = compareAt >= 0 ? process.argv[compareAt + 1] : undefined
  if (compareAt >= 0 && compareFile === undefined) {
    throw new UserError('--compare: name an earlier results file, like bench/results/latest.json')
  }
  // `--only ledger` (or sim, run) runs one group of figures.
  const onlyAt = process.argv.indexOf('--only')
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined
  return { quick: process.argv.includes('--quick'), only, compareFile }
}

/** The generation bench's city: a plan at the bench's size, its population and agents made. */
function simSetup(loaded: LoadedScenario, city: City) {
  const plan = planRun(loaded.scenario, city, { residents: benchResidents })
  const population = viewPopulation(allocatePopulation(plan.residents, plan.merchants))
  for (const segment of plan.segments) {
    synthesizeResidents(plan, population, segment)
    synthesizeMerchants(plan, city, population, segment)
  }
  const agents = plan.segments.map((segment) => segmentAgents(plan, population, segment))
  return { plan, population, agents }
}

/** Generation: one segment's whole day per iteration, one thread. */
async function benchSim(
  { plan, population, agents }: ReturnType<typeof simSetup>,
  log: Log,
): Promise<void> {
  const segment = plan.segments[0]
  const segmentAgentsZero = agents[0]
  if (segment === undefined || segmentAgentsZero === undefined) {
    throw new Error('the plan has segments')
  }
  let intentsPerDay = 0
  for (let chunk = 0; chunk < plan.chunks; chunk++) {
    intentsPerDay += unpackIntents(
      generateChunk(plan, population, segmentAgentsZero, segment, chunk),
    ).count
  }
  const simBench = new Bench({ iterations: 30, warmupIterations: 3, time: 0 })
  simBench.add('sim', () => {
    for (let chunk = 0; chunk < plan.chunks; chunk++) {
      generateChunk(plan, population, segmentAgentsZero, segment, chunk)
    }
  })
  await simBench.run()
  const simMs = medianMs(simBench, 'sim')
  log({
    name: 'sim.intents_per_s_per_worker',
    median: intentsPerDay / (simMs.median / 1000),
    unit: 'intents/s',
    samples: simMs.samples,
  })
}

/** The ledger options of a workload's city: its accounts, its tiers, its UTC offset. */
function workloadLedgerOptions(workload: LedgerWorkload) {
  return {
    accountsMax: workload.plan.accounts.count,
    tiers: workload.plan.tiers,
    utcOffsetMinutes: workload.plan.clock.utcOffsetMinutes,
  }
}

/**
 * Ledger: a whole day of real payments at 10 million accounts, replayed on a fresh ledger each
 * sample (accounts opened, e-CNY issued, wallets topped up), so wallets drain as in a real day.
 * Every rule is on: limits, caps, idempotency (ids numbered densely, as runs do).
 */
async function benchLedgerState(workload: LedgerWorkload, log: Log): Promise<number> {
  const { median, samples, accepted } = await timeDay(
    workloadLedgerOptions(workload),
    (state) => {
      const { accounts } = workload
      state.createAccounts(
        accounts.count,
        accounts.id,
        accounts.tier,
        accounts.flags,
        null,
        new Uint8Array(accounts.count),
      )
    },
    workload.opening,
    workload.day,
  )
  const transfersPerS = workload.dayTransfers / (median / 1000)
  log({
    name: 'ledger.memory.transfers_per_s@10M',
    median: transfersPerS,
    unit: 'transfers/s',
    samples,
  })
  log({
    name: 'ledger.memory.accounts@10M',
    median: workload.plan.accounts.count,
    unit: 'accounts',
    samples: 1,
  })
  log({
    name: 'ledger.memory.day_transfers@10M',
    median: workload.dayTransfers,
    unit: 'transfers',
    samples: 1,
  })
  log({
    name: 'ledger.memory.accepted_share@10M',
    median: accepted / workload.dayTransfers,
    unit: 'ratio',
    samples: 1,
  })
  return transfersPerS
}

/**
 * The median time of a day on the state machine, each sample on a fresh one set up by `setup`
 * and `opening` (untimed), and how many of the day's transfers the last sample accepted.
 */
async function timeDay(
  options: LedgerOptions,
  setup: (state: LedgerState) => void,
  opening: readonly TransferBatch[],
  day: readonly TransferBatch[],
): Promise<{ median: number; samples: number; accepted: number }> {
  let accepted = 0
  let state = new LedgerState(options)
  const codes = new Uint8Array(transferBatchMax)
  const bench = new Bench({ iterations: 7, warmupIterations: 1, time: 0 })
  bench.add(
    'state',
    () => {
      accepted = 0
      for (const batch of day) {
        state.submit(batch, batch.count, codes)
        accepted += acceptedIn(codes, batch.count)
      }
    },
    {
      beforeEach: () => {
        state = new LedgerState(options)
        setup(state)
        for (const batch of opening) {
          state.submit(batch, batch.count, codes)
          assert(acceptedIn(codes, batch.count) === batch.count, 'the opening is accepted whole')
        }
      },
    },
  )
  await bench.run()
  return { ...medianMs(bench, 'state'), accepted }
}

/** Opens `accounts` with their places and restrictions, every one of them. */
function createAttributed(state: LedgerState, accounts: AccountBatch): void {
  const { count } = accounts
  const place = new Uint32Array(count)
  for (let index = 0; index < count; index++)
    place[index] = (accounts.category?.[index] ?? 0) | ((accounts.district?.[index] ?? 0) << 8)
  const codes = new Uint8Array(count)
  state.createAccounts(
    count,
    accounts.id,
    accounts.tier,
    accounts.flags,
    {
      restriction: accounts.restriction ?? new Uint32Array(count),
      owner: accounts.owner ?? new Uint32Array(count),
      place,
    },
    codes,
  )
  assert(
    codes.every((code) => code === 0),
    'every account of the programmable day is opened',
  )
}

/**
 * The cost of programmable money: the same day with a quarter of the residents' retail paid from
 * red envelopes (programmableWorkload.ts), timed as the plain day was, in the same process, and
 * its speed as a share of the plain day's.
 */
async function benchLedgerProgrammable(
  base: LedgerWorkload,
  plainTransfersPerS: number,
  log: Log,
): Promise<void> {
  const workload = programmableWorkload(base)
  const { median, samples, accepted } = await timeDay(
    { ...workloadLedgerOptions(base), accountsMax: workload.accountsMax },
    (state) => {
      createAttributed(state, workload.accounts)
      const { restrictions: rules } = workload
      const codes = new Uint8Array(rules.count)
      state.createRestrictions(rules.count, rules, codes)
      assert(
        codes.every((code) => code === 0),
        'the restriction is created',
      )
      createAttributed(state, workload.envelopes)
    },
    workload.opening,
    workload.day,
  )
  const transfersPerS = workload.dayTransfers / (median / 1000)
  log({
    name: 'ledger.memory.programmable_transfers_per_s@10M',
    median: transfersPerS,
    unit: 'transfers/s',
    samples,
  })
  log({
    name: 'ledger.memory.programmable_ratio',
    median: transfersPerS / plainTransfersPerS,
    unit: 'ratio',
    samples: 1,
  })
  log({
    name: 'ledger.memory.programmable_retail_share',
    median: workload.restrictedShare,
    unit: 'ratio',
    samples: 1,
  })
  log({
    name: 'ledger.memory.programmable_accepted_share@10M',
    median: accepted / workload.dayTransfers,
    unit: 'ratio',
    samples: 1,
  })
}

/**
 * The same day through the ring: this thread produces, the ledger's thread applies. Every batch is
 * handed over at once; the ring keeps `ringSlots` in flight and the rest queued in order.
 */
async function benchLedgerRing(workload: LedgerWorkload, log: Log): Promise<void> {
  const ledgerOptions = workloadLedgerOptions(workload)
  let accepted = 0
  let ledger = new MemoryLedger(ledgerOptions)
  const ringBench = new Bench({ iterations: 5, warmupIterations: 1, time: 0 })
  ringBench.add(
    'ring',
    async () => {
      const results = await Promise.all(workload.day.map((batch) => ledger.submit(batch)))
      accepted = results.reduce(
        (sum, result) => sum + acceptedIn(result.code, result.code.length),
        0,
      )
    },
    {
      beforeEach: async () => {
        ledger = new MemoryLedger(ledgerOptions)
        await ledger.open()
        const { accounts } = workload
        for (let from = 0; from < accounts.count; from += transferBatchMax) {
          const to = Math.min(accounts.count, from + transferBatchMax)
          await ledger.createAccounts({
            count: to - from,
            id: accounts.id.subarray(from, to),
            tier: accounts.tier.subarray(from, to),
            flags: accounts.flags.subarray(from, to),
          })
        }
        await Promise.all(workload.opening.map((batch) => ledger.submit(batch)))
      },
      afterEach: async () => {
        await ledger.close()
      },
    },
  )
  await ringBench.run()
  const ringMs = medianMs(ringBench, 'ring')
  log({
    name: 'ledger.memory.ring_transfers_per_s',
    median: workload.dayTransfers / (ringMs.median / 1000),
    unit: 'transfers/s',
    samples: ringMs.samples,
  })
  log({
    name: 'ledger.memory.ring_accepted_share',
    median: accepted / workload.dayTransfers,
    unit: 'ratio',
    samples: 1,
  })
}

/** Runs one group in a child process of this bench and logs the figures it prints. */
async function groupInChild(group: string, log: Log): Promise<void> {
  const child = fileURLToPath(import.meta.url)
  const { stdout } = await execFileAsync(process.execPath, [child, '--only', group, '--stdout'], {
    maxBuffer: 1024 * 1024,
  })
  for (const result of JSON.parse(stdout) as BenchResult[]) log(result)
}

/**
 * The open model against the memory ledger: the city's own payments sent at a constant target
 * rate for `loadSeconds`, from this thread through the ring; each rate on a fresh ledger.
 */
async function benchLoad({ loaded, city, log }: BenchContext): Promise<void> {
  const workload = ledgerWorkload(loaded.scenario, city, loadResidents)
  const day = flattened(workload.day)
  const ledgerOptions = workloadLedgerOptions(workload)
  for (const tps of loadRates) {
    const pacing: number[] = []
    const lateness: number[] = []
    const latency: number[] = []
    let dropped = 0
    for (let sample = 0; sample < loadSamples; sample++) {
      const schedule = parseProfile(`constant:${tps}/${loadSeconds}s`, 'bench').schedule
      // Sized for what it will hold, as a run sizes it: no table grows in the middle of the timing.
      const ledger = new MemoryLedger({
        ...ledgerOptions,
        transfersExpected:
          workload.opening.reduce((sum, batch) => sum + batch.count, 0) + schedule.transfers,
      })
      await ledger.open()
      await ledger.createAccounts(workload.accounts)
      await Promise.all(workload.opening.map((batch) => ledger.submit(batch)))
      if (schedule.transfers > day.count) throw new Error('the bench day is too short for the rate')
      const result = await runOpenLoad({
        schedule,
        ledger,
        source: (from, to) => sliceOf(day, from, to),
        now: wallClock.nowMs,
        pause: wallClockPause(),
        inFlightMax: loadInFlightMax,
      })
      pacing.push(pacingErrorPct(result.windows))
      lateness.push(result.lateness.summary().p99Ms)
      latency.push(result.latency.summary().overall.p99Ms)
      dropped += result.dropped
      result.latency.destroy()
      result.lateness.destroy()
      await ledger.close()
    }
    const label = tps >= 1_000_000 ? `${tps / 1_000_000}M` : `${tps / 1_000}k`
    log({
      name: `load.pacing_error_pct@${label}`,
      median: median(pacing),
      unit: '%',
      samples: loadSamples,
    })
    log({
      name: `load.lateness_p99_ms@${label}`,
      median: median(lateness),
      unit: 'ms',
      samples: loadSamples,
    })
    log({
      name: `load.latency_p99_ms@${label}`,
      median: median(latency),
      unit: 'ms',
      samples: loadSamples,
    })
    log({ name: `load.dropped@${label}`, median: dropped, unit: 'transfers', samples: loadSamples })
  }
}

/** The ledgers in servers (serverLedgers.ts); `--ledgers postgres,redis` measures only those. */
async function benchServers({ loaded, city, log }: BenchContext): Promise<void> {
  const ledgersAt = process.argv.indexOf('--ledgers')
  const ledgers = ledgersAt >= 0 ? process.argv[ledgersAt + 1]?.split(',') : undefined
  await benchServerLedgers(loaded.scenario, city, log, ledgers)
}

/** End to end: the CLI's own path, wall clock, each sample in a fresh process. */
async function endToEnd(
  scenario: string,
  residents: number | 'full',
  workerCount: number,
  profile?: string,
): Promise<ChildRun[]> {
  const samples: ChildRun[] = []
  for (let sample = 0; sample < endToEndSamples; sample++) {
    samples.push(await runInChild(scenario, residents, workerCount, profile))
  }
  return samples
}

/**
 * Light load, as a new user meets it: the sender's own cost at rates far below the ledger's (p99
 * from intended send on the whole city's live stream, memory ledger), and what `npm start` keeps
 * of the machine while it runs.
 */
async function benchLight(workers: number, log: Log): Promise<void> {
  for (const tps of lightRates) {
    const runs = await endToEnd(
      scenarioFile,
      'full',
      Math.max(1, workers - 1),
      `constant:${tps}/${lightSeconds}s`,
    )
    const loads = runs.map((run) => {
      if (run.load === undefined) throw new Error('a light-load run reports its load')
      return run.load
    })
    const label = `${tps / 1000}k`
    log({
      name: `e2e.p99_ms@${label}`,
      median: median(loads.map((load) => load.p99Ms)),
      unit: 'ms',
      samples: runs.length,
    })
    log({
      name: `e2e.late_p99_ms@${label}`,
      median: median(loads.map((load) => load.latePercentile99Ms)),
      unit: 'ms',
      samples: runs.length,
    })
  }
  await benchFloor(log)
  const shares: number[] = []
  for (let sample = 0; sample < liveCpuSamples; sample++)
    shares.push(await liveCpuShare(root, scenarioFile, liveCpuSeconds))
  log({
    name: 'live.cpu_share@default',
    median: median(shares),
    unit: 'cores',
    samples: shares.length,
  })
}

/**
 * The machine's floor beside the light-load figures: two bare threads at 2,000 calls a second
 * (machineFloor.ts), so the tool's share of e2e.p99_ms@2k can be told from the machine's.
 */
async function benchFloor(log: Log): Promise<void> {
  const floors = []
  for (let sample = 0; sample < endToEndSamples; sample++)
    floors.push(await machineFloor(lightSeconds, 1000 / lightRates[0]))
  log({
    name: 'e2e.floor_p99_ms@2k',
    median: median(floors.map((floor) => floor.p99Ms)),
    unit: 'ms',
    samples: floors.length,
  })
  log({
    name: 'e2e.floor_late_p99_ms@2k',
    median: median(floors.map((floor) => floor.latePercentile99Ms)),
    unit: 'ms',
    samples: floors.length,
  })
}

/** The median of one figure over the samples. */
function medianOf(samples: readonly ChildRun[], figure: (run: ChildRun) => number): number {
  return median(samples.map(figure))
}

/** A whole simulated day at the bench's million residents, end to end. */
async function benchRun(workers: number, log: Log): Promise<void> {
  const million = await endToEnd(scenarioFile, benchResidents, workers)
  log({
    name: 'run.transfers_per_s@1M',
    median: medianOf(million, (run) => run.transfersPerSecond),
    unit: 'transfers/s',
    samples: endToEndSamples,
  })
}

/**
 * The whole city at the scenario's own scale (1.0): a flat-out day, every sample in a fresh
 * process.
 */
async function benchFullCity({ loaded, city, workers, log }: BenchContext): Promise<void> {
  const full = await endToEnd(scenarioFile, 'full', workers)
  log({
    name: 'city.full.residents',
    median: medianOf(full, (run) => run.residents),
    unit: 'residents',
    samples: 1,
  })
  log({
    name: 'city.full.synthesis_s',
    median: medianOf(full, (run) => run.synthesisSeconds),
    unit: 's',
    samples: endToEndSamples,
  })
  log({
    name: 'city.full.day_wall_s',
    median: medianOf(full, (run) => run.wallSeconds),
    unit: 's',
    samples: endToEndSamples,
  })
  log({
    name: 'city.full.day_transfers',
    median: medianOf(full, (run) => run.transfers),
    unit: 'transfers',
    samples: endToEndSamples,
  })
  log({
    name: 'city.full.transfers_per_s',
    median: medianOf(full, (run) => run.transfersPerSecond),
    unit: 'transfers/s',
    samples: endToEndSamples,
  })
  log({
    name: 'city.full.rss_bytes',
    median: medianOf(full, (run) => run.peakRssBytes),
    unit: 'bytes',
    samples: endToEndSamples,
  })
  const fullPlan = planRun(loaded.scenario, city)
  log({
    name: 'city.full.population_bytes_per_agent',
    median:
      populationBytes(fullPlan.residents, fullPlan.merchants) /
      (fullPlan.residents + fullPlan.merchants),
    unit: 'bytes',
    samples: 1,
  })
}

/**
 * A planner's year: `citytwin rollout` of the library's rollout year, as a user runs it (the
 * built command, in a process of its own, files written), at the scenario's scale and, unless
 * --quick, for the whole city. One sample each: the full year takes minutes.
 */
async function benchPlanner(workers: number, quick: boolean, log: Log): Promise<void> {
  const scenario = path.join(root, 'scenarios/shenzhen-rollout-year.yaml')
  const sizes: readonly (readonly [label: string, flags: readonly string[]])[] = [
    ['0.1', []],
    ...(quick ? [] : [['full', ['--residents', String(shenzhenResidents)]] as const]),
  ]
  for (const [label, flags] of sizes) {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-bench-rollout-'))
    try {
      const command = path.join(root, 'dist/bin/citytwin.js')
      const args = [command, 'rollout', scenario, '--json', '--workers', String(workers)]
      // The whole command: its start, every day, the plan, its files written.
      const started = performance.now()
      const { stdout } = await execFileAsync(
        process.execPath,
        [...args, ...flags, '--out', path.join(folder, 'run')],
        { maxBuffer: 64 * 1024 * 1024 },
      )
      const wallSeconds = (performance.now() - started) / 1000
      const outcome = JSON.parse(stdout) as { ok: boolean; days: unknown[] }
      if (!outcome.ok) throw new Error(`the rollout at ${label} failed`)
      log({
        name: `planner.year_wall_s@${label}`,
        median: wallSeconds,
        unit: 's',
        samples: 1,
      })
      log({ name: `planner.days@${label}`, median: outcome.days.length, unit: 'days', samples: 1 })
    } finally {
      await fs.rm(folder, { recursive: true, force: true })
    }
  }
}

/** Scaling: the same flat-out day at 1 million residents with 1, 2 and 4 simulation workers. */
async function benchScaling(log: Log): Promise<void> {
  for (const workerCount of scalingWorkers) {
    const runs = await endToEnd(scenarioFile, benchResidents, workerCount)
    log({
      name: `e2e.tps@workers=${workerCount}`,
      median: medianOf(runs, (run) => run.transfersPerSecond),
      unit: 'transfers/s',
      samples: endToEndSamples,
    })
  }
}

/**
 * Sustained: the whole city's payments at a constant target for a minute, on a period long enough
 * to hold them.
 */
async function benchSustained(workers: number, log: Log): Promise<void> {
  const folder = await longerPeriod(scenarioFile, sustainedDays)
  try {
    const runs = await endToEnd(
      path.join(folder, path.basename(scenarioFile)),
      'full',
      Math.max(1, workers - 1),
      `constant:${sustainedTps}/${sustainedSeconds}s`,
    )
    const loads = runs.map((run) => {
      if (run.load === undefined) throw new Error('a sustained run reports its load')
      return run.load
    })
    for (const load of loads) {
      if (!load.valid) {
        process.stderr.write(`sustained sample invalid: ${load.invalidReasons.join('; ')}\n`)
      }
    }
    log({
      name: 'e2e.sustained_tps',
      median: median(loads.map((load) => load.achievedTps)),
      unit: 'transfers/s',
      samples: endToEndSamples,
    })
    log({
      name: 'e2e.sustained_target_tps',
      median: median(loads.map((load) => load.targetTps)),
      unit: 'transfers/s',
      samples: endToEndSamples,
    })
    log({
      name: 'e2e.sustained_p99_ms',
      median: median(loads.map((load) => load.p99Ms)),
      unit: 'ms',
      samples: endToEndSamples,
    })
    log({
      name: 'e2e.sustained_late_p99_ms',
      median: median(loads.map((load) => load.latePercentile99Ms)),
      unit: 'ms',
      samples: endToEndSamples,
    })
    log({
      name: 'e2e.sustained_pacing_error_pct',
      median: median(loads.map((load) => load.pacingErrorPct)),
      unit: '%',
      samples: endToEndSamples,
    })
    log({
      name: 'e2e.sustained_dropped',
      median: Math.max(...loads.map((load) => load.dropped)),
      unit: 'transfers',
      samples: endToEndSamples,
    })
  } finally {
    await fs.rm(folder, { recursive: true, force: true })
  }
}

/** Writes the figures with the machine they ran on; a partial run never overwrites a full one. */
async function writeReport(
  results: readonly BenchResult[],
  workers: number,
  only: string | undefined,
): Promise<void> {
  const cpus = os.cpus()
  const report = {
    results,
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      memoryBytes: os.totalmem(),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      workers,
      date: wallClock.date().toISOString(),
    },
  }
  const file =
    only === undefined ? resultsFile : path.join(path.dirname(resultsFile), `only-${only}.json`)
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`)
  await fs.rename(`${file}.tmp`, file)
  process.stderr.write(`wrote ${path.relative(process.cwd(), file)}\n`)
}

function medianMs(bench: Bench, name: string): { median: number; samples: number } {
  const task = bench.getTask(name)
  const result = task?.result
  if (result === undefined || result.state !== 'completed')
    throw new Error(`benchmark ${name} did not complete`)
  return { median: result.latency.p50, samples: result.latency.samplesCount }
}

interface ChildRun {
  readonly wallSeconds: number
  readonly synthesisSeconds: number
  readonly transfersPerSecond: number
  /** Transfers the run submitted: the city's payments and the institutions'. */
  readonly transfers: number
  readonly residents: number
  readonly audited: boolean
  readonly peakRssBytes: number
  readonly load?: {
    readonly achievedTps: number
    readonly targetTps: number
    readonly p99Ms: number
    readonly latePercentile99Ms: number
    readonly dropped: number
    readonly pacingErrorPct: number
    readonly valid: boolean
    readonly invalidReasons: readonly string[]
  }
}

/** One run in a fresh process (runInChild.ts): its peak memory is the run's alone. */
async function runInChild(
  scenario: string,
  residents: number | 'full',
  workers: number,
  profile?: string,
): Promise<ChildRun> {
  const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'runInChild.js')
  const args = [
    child,
    scenario,
    String(residents),
    String(workers),
    ...(profile === undefined ? [] : [profile]),
  ]
  const { stdout } = await execFileAsync(process.execPath, args, { maxBuffer: 1024 * 1024 })
  const run = JSON.parse(stdout) as ChildRun
  if (!run.audited) throw new Error('a bench run failed its audit')
  return run
}

/** Bytes of the population's columns for a city of this size, as allocated. */
function populationBytes(residents: number, merchants: number): number {
  return Object.values(allocatePopulation(residents, merchants)).reduce(
    (sum: number, column: unknown) =>
      sum + (column instanceof SharedArrayBuffer ? column.byteLength : 0),
    0,
  )
}

/**
 * A copy of `scenario` (and its map) in a temporary folder, its period lengthened to `days` days.
 */
async function longerPeriod(scenario: string, days: number): Promise<string> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-bench-'))
  await fs.mkdir(path.join(folder, 'maps'))
  await fs.copyFile(
    path.join(path.dirname(scenario), 'maps/shenzhen.geojson'),
    path.join(folder, 'maps/shenzhen.geojson'),
  )
  const text = await fs.readFile(scenario, 'utf8')
  const to = new Date(Date.parse('2026-11-23T00:00:00+08:00') + days * 86_400_000)
    .toISOString()
    .slice(0, 10)
  const longer = text.replace('to: "2026-11-24T00:00:00+08:00"', `to: "${to}T00:00:00+08:00"`)
  if (longer === text)
    throw new Error(`${scenario} no longer ends its period where the bench expects`)
  await fs.writeFile(path.join(folder, path.basename(scenario)), longer)
  return folder
}

function acceptedIn(codes: Uint8Array, count: number): number {
  let accepted = 0
  for (let index = 0; index < count; index++) if (codes[index] === ResultCode.ok) accepted += 1
  return accepted
}

await main().catch((error: unknown) => {
  if (!(error instanceof UserError)) throw error
  process.stderr.write(`bench: ${error.message}\n`)
  process.exitCode = 2
})
