/**
 * Benchmarks: `npm run bench`. Fixed seeds and sizes; medians over repeated samples; results
 * written to bench/results/latest.json with the machine they ran on.
 *
 *   sim.intents_per_s_per_worker      payment intents one thread generates per second
 *   ledger.memory.transfers_per_s@10M   transfers the memory ledger's state machine applies per second on
 *                                       one core, a whole day of real payments at 10 million accounts on a
 *                                       freshly opened ledger per sample, every rule on
 *   ledger.memory.accepted_share@10M    the share of those transfers accepted (the rest are rejections)
 *   ledger.memory.ring_transfers_per_s  the same day sent from this thread through the ring to the
 *                                       ledger's own thread, results back
 *   run.transfers_per_s@1M            a whole simulated day, 1 million residents, end to end
 *   run.day_wall_s@full               a whole simulated day of all 17.5 million residents
 *   run.peak_rss_bytes@full           peak resident memory of the process of one such run (each runs in its own)
 *
 *   load.pacing_error_pct@<rate>      the open model at a constant target (10k, 100k, 1M transfers/s, the city's
 *                                     own payments, memory ledger through the ring): the largest miss of the
 *                                     sending rate in any one-second window after the first
 *   load.lateness_p99_ms@<rate>       p99 of how late transfers were sent after their intended time
 *   load.latency_p99_ms@<rate>        p99 from intended send time to result
 *   load.dropped@<rate>               transfers never sent, over all samples
 *
 *   ledger.<memory|postgres|redis>.*  the ledgers in servers against the memory ledger on one workload:
 *                                     see serverLedgers.ts
 *
 * `npm run bench -- --quick` leaves out the full-city day; `-- --only sim|ledger|load|servers|run` runs one group;
 * `-- --only servers --ledgers postgres` measures one ledger of that group.
 */
import { execFile } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Bench } from 'tinybench'
import { generateChunk, segmentAgents, unpackIntents } from '../engine/behaviour/index.js'
import { buildCity } from '../engine/city/index.js'
import { MemoryLedger, ResultCode } from '../engine/ledger/index.js'
import { pacingErrorPct, parseProfile, runOpenLoad, wallClockPause } from '../engine/load/index.js'
import { LedgerState } from '../engine/ledger/memory/ledgerState.js'
import { transferBatchMax } from '../engine/limits.js'
import { allocatePopulation, synthesizeMerchants, synthesizeResidents, viewPopulation } from '../engine/population/index.js'
import { planRun } from '../engine/run/index.js'
import { wallClock } from '../engine/time/index.js'
import { loadScenario } from '../scenarios/index.js'
import { flattened, ledgerWorkload, sliceOf } from './ledgerWorkload.js'
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
/** Residents whose day holds enough payments for the highest load rate (the bench stops if it does not). */
const loadResidents = 3_000_000
const loadRates = [10_000, 100_000, 1_000_000] as const
const loadSeconds = 5
const loadSamples = 3
const loadInFlightMax = 64
const endToEndSamples = 3

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  // `--only ledger` (or sim, run) runs one group of figures.
  const onlyAt = process.argv.indexOf('--only')
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined
  const wants = (group: string) => only === undefined || only === group
  const loaded = await loadScenario(scenarioFile)
  const city = buildCity(loaded.map, loaded.scenario.city.districts)
  const plan = planRun(loaded.scenario, city, { residents: benchResidents })
  const population = viewPopulation(allocatePopulation(plan.residents, plan.merchants))
  for (const segment of plan.segments) {
    synthesizeResidents(plan, population, segment)
    synthesizeMerchants(plan, city, population, segment)
  }
  const agents = plan.segments.map((segment) => segmentAgents(plan, population, segment))
  const results: BenchResult[] = []
  const log = (result: BenchResult) => {
    results.push(result)
    process.stderr.write(`${result.name.padEnd(36)} ${(result.median < 100 ? result.median.toFixed(2) : Math.round(result.median).toLocaleString('en-US')).padStart(14)} ${result.unit}  (median of ${result.samples})\n`)
  }

  const workers = Math.min(2, os.availableParallelism())
  if (wants('sim')) {
    // Generation: one segment's whole day per iteration, one thread.
    const segment = plan.segments[0]
    const segmentAgentsZero = agents[0]
    if (segment === undefined || segmentAgentsZero === undefined) throw new Error('the plan has segments')
    let intentsPerDay = 0
    for (let chunk = 0; chunk < plan.chunks; chunk++) intentsPerDay += unpackIntents(generateChunk(plan, population, segmentAgentsZero, segment, chunk)).count
    const simBench = new Bench({ iterations: 30, warmupIterations: 3, time: 0 })
    simBench.add('sim', () => {
      for (let chunk = 0; chunk < plan.chunks; chunk++) generateChunk(plan, population, segmentAgentsZero, segment, chunk)
    })
    await simBench.run()
    const simMs = medianMs(simBench, 'sim')
    log({ name: 'sim.intents_per_s_per_worker', median: intentsPerDay / (simMs.median / 1000), unit: 'intents/s', samples: simMs.samples })
  }

  if (wants('ledger')) {
    // Ledger: a whole day of real payments at 10 million accounts, replayed on a fresh ledger each
    // sample (accounts opened, e-CNY issued, wallets topped up), so wallets drain as in a real day.
    // Every rule is on: limits, caps, idempotency (ids numbered densely, as runs do).
    const workload = ledgerWorkload(loaded.scenario, city, ledgerResidents)
    const ledgerOptions = { accountsMax: workload.plan.accounts.count, tiers: workload.plan.tiers, utcOffsetMinutes: workload.plan.clock.utcOffsetMinutes }
    let accepted = 0
    let state = new LedgerState(ledgerOptions)
    const codes = new Uint8Array(transferBatchMax)
    const stateBench = new Bench({ iterations: 7, warmupIterations: 1, time: 0 })
    stateBench.add(
      'state',
      () => {
        accepted = 0
        for (const batch of workload.day) {
          state.submit(batch, batch.count, codes)
          accepted += acceptedIn(codes, batch.count)
        }
      },
      {
        beforeEach: () => {
          state = new LedgerState(ledgerOptions)
          const { accounts } = workload
          state.createAccounts(accounts.count, accounts.id, accounts.tier, accounts.flags, new Uint8Array(accounts.count))
          for (const batch of workload.opening) state.submit(batch, batch.count, codes)
        },
      },
    )
    await stateBench.run()
    const stateMs = medianMs(stateBench, 'state')
    log({ name: 'ledger.memory.transfers_per_s@10M', median: workload.dayTransfers / (stateMs.median / 1000), unit: 'transfers/s', samples: stateMs.samples })
    log({ name: 'ledger.memory.accounts@10M', median: workload.plan.accounts.count, unit: 'accounts', samples: 1 })
    log({ name: 'ledger.memory.day_transfers@10M', median: workload.dayTransfers, unit: 'transfers', samples: 1 })
    log({ name: 'ledger.memory.accepted_share@10M', median: accepted / workload.dayTransfers, unit: 'ratio', samples: 1 })

    // The same day through the ring: this thread produces, the ledger's thread applies. Every batch is
    // handed over at once; the ring keeps `ringSlots` in flight and the rest queued in order.
    let ledger = new MemoryLedger(ledgerOptions)
    const ringBench = new Bench({ iterations: 5, warmupIterations: 1, time: 0 })
    ringBench.add(
      'ring',
      async () => {
        const results = await Promise.all(workload.day.map((batch) => ledger.submit(batch)))
        accepted = results.reduce((sum, result) => sum + acceptedIn(result.code, result.code.length), 0)
      },
      {
        beforeEach: async () => {
          ledger = new MemoryLedger(ledgerOptions)
          await ledger.open()
          const { accounts } = workload
          for (let from = 0; from < accounts.count; from += transferBatchMax) {
            const to = Math.min(accounts.count, from + transferBatchMax)
            await ledger.createAccounts({ count: to - from, id: accounts.id.subarray(from, to), tier: accounts.tier.subarray(from, to), flags: accounts.flags.subarray(from, to) })
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
    log({ name: 'ledger.memory.ring_transfers_per_s', median: workload.dayTransfers / (ringMs.median / 1000), unit: 'transfers/s', samples: ringMs.samples })
    log({ name: 'ledger.memory.ring_accepted_share', median: accepted / workload.dayTransfers, unit: 'ratio', samples: 1 })
  }

  if (wants('load') && only !== 'load') {
    // In a process of its own: what the groups before it leave for the collector would otherwise
    // land in the middle of its timing.
    const child = fileURLToPath(import.meta.url)
    const { stdout } = await execFileAsync(process.execPath, [child, '--only', 'load', '--stdout'], { maxBuffer: 1024 * 1024 })
    for (const result of JSON.parse(stdout) as BenchResult[]) log(result)
  } else if (wants('load')) {
    // The open model against the memory ledger: the city's own payments sent at a constant target
    // rate for `loadSeconds`, from this thread through the ring; each rate on a fresh ledger.
    const workload = ledgerWorkload(loaded.scenario, city, loadResidents)
    const day = flattened(workload.day)
    const ledgerOptions = { accountsMax: workload.plan.accounts.count, tiers: workload.plan.tiers, utcOffsetMinutes: workload.plan.clock.utcOffsetMinutes }
    for (const tps of loadRates) {
      const pacing: number[] = []
      const lateness: number[] = []
      const latency: number[] = []
      let dropped = 0
      for (let sample = 0; sample < loadSamples; sample++) {
        const schedule = parseProfile(`constant:${tps}/${loadSeconds}s`, 'bench').schedule
        // Sized for what it will hold, as a run sizes it: no table grows in the middle of the timing.
        const ledger = new MemoryLedger({ ...ledgerOptions, transfersExpected: workload.opening.reduce((sum, batch) => sum + batch.count, 0) + schedule.transfers })
        await ledger.open()
        await ledger.createAccounts(workload.accounts)
        await Promise.all(workload.opening.map((batch) => ledger.submit(batch)))
        if (schedule.transfers > day.count) throw new Error('the bench day is too short for the rate')
        const result = await runOpenLoad({ schedule, ledger, source: (from, to) => sliceOf(day, from, to), now: wallClock.nowMs, pause: wallClockPause(), inFlightMax: loadInFlightMax })
        pacing.push(pacingErrorPct(result.windows))
        lateness.push(result.lateness.summary().p99Ms)
        latency.push(result.latency.summary().overall.p99Ms)
        dropped += result.dropped
        result.latency.destroy()
        result.lateness.destroy()
        await ledger.close()
      }
      const label = tps >= 1_000_000 ? `${tps / 1_000_000}M` : `${tps / 1_000}k`
      log({ name: `load.pacing_error_pct@${label}`, median: median(pacing), unit: '%', samples: loadSamples })
      log({ name: `load.lateness_p99_ms@${label}`, median: median(lateness), unit: 'ms', samples: loadSamples })
      log({ name: `load.latency_p99_ms@${label}`, median: median(latency), unit: 'ms', samples: loadSamples })
      log({ name: `load.dropped@${label}`, median: dropped, unit: 'transfers', samples: loadSamples })
    }
  }

  if (wants('servers') && only !== 'servers') {
    // In a process of its own, as the load group: the servers' figures start from a quiet heap.
    const child = fileURLToPath(import.meta.url)
    const { stdout } = await execFileAsync(process.execPath, [child, '--only', 'servers', '--stdout'], { maxBuffer: 1024 * 1024 })
    for (const result of JSON.parse(stdout) as BenchResult[]) log(result)
  } else if (wants('servers')) {
    // `--ledgers postgres,redis` measures only those.
    const ledgersAt = process.argv.indexOf('--ledgers')
    await benchServerLedgers(loaded.scenario, city, log, ledgersAt >= 0 ? process.argv[ledgersAt + 1]?.split(',') : undefined)
  }

  if (wants('run')) {
    // End to end: the CLI's own path, wall clock, two workers, each sample in a fresh process.
    const endToEnd = async (residents: number) => {
      const samples: ChildRun[] = []
      for (let sample = 0; sample < endToEndSamples; sample++) samples.push(await runInChild(scenarioFile, residents, workers))
      return {
        rate: median(samples.map((run) => run.transfersPerSecond)),
        wall: median(samples.map((run) => run.wallSeconds)),
        peakRss: median(samples.map((run) => run.peakRssBytes)),
      }
    }
    const million = await endToEnd(benchResidents)
    log({ name: 'run.transfers_per_s@1M', median: million.rate, unit: 'transfers/s', samples: endToEndSamples })
    if (!quick) {
      const full = await endToEnd(city.districts.reduce((sum, district) => sum + district.population, 0))
      log({ name: 'run.day_wall_s@full', median: full.wall, unit: 's', samples: endToEndSamples })
      log({ name: 'run.transfers_per_s@full', median: full.rate, unit: 'transfers/s', samples: endToEndSamples })
      log({ name: 'run.peak_rss_bytes@full', median: full.peakRss, unit: 'bytes', samples: endToEndSamples })
    }
  }

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
  if (process.argv.includes('--stdout')) {
    process.stdout.write(`${JSON.stringify(results)}\n`)
    return
  }
  // A partial run never overwrites the full results.
  const file = only === undefined ? resultsFile : path.join(path.dirname(resultsFile), `only-${only}.json`)
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`)
  await fs.rename(`${file}.tmp`, file)
  process.stderr.write(`wrote ${path.relative(process.cwd(), file)}\n`)
}

function medianMs(bench: Bench, name: string): { median: number; samples: number } {
  const task = bench.getTask(name)
  const result = task?.result
  if (result === undefined || result.state !== 'completed') throw new Error(`benchmark ${name} did not complete`)
  return { median: result.latency.p50, samples: result.latency.samplesCount }
}

interface ChildRun {
  readonly wallSeconds: number
  readonly transfersPerSecond: number
  readonly audited: boolean
  readonly peakRssBytes: number
}

/** One run in a fresh process (runInChild.ts): its peak memory is the run's alone. */
async function runInChild(scenario: string, residents: number, workers: number): Promise<ChildRun> {
  const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'runInChild.js')
  const { stdout } = await execFileAsync(process.execPath, [child, scenario, String(residents), String(workers)], { maxBuffer: 1024 * 1024 })
  const run = JSON.parse(stdout) as ChildRun
  if (!run.audited) throw new Error('a bench run failed its audit')
  return run
}

function acceptedIn(codes: Uint8Array, count: number): number {
  let accepted = 0
  for (let index = 0; index < count; index++) if (codes[index] === ResultCode.ok) accepted += 1
  return accepted
}

await main()
