/**
 * Benchmarks: `npm run bench`. Fixed seeds and sizes; medians over repeated samples; results
 * written to bench/results/latest.json with the machine they ran on.
 *
 *   sim.intents_per_s_per_worker      payment intents one thread generates per second
 *   ledger.memory.transfers_per_s     transfers the memory ledger applies per second (one core), a whole
 *                                     day of real payments on a freshly opened ledger per sample
 *   ledger.memory.accepted_share      the share of those transfers accepted (the rest are rejections)
 *   run.transfers_per_s@1M            a whole simulated day, 1 million residents, end to end
 *   run.day_wall_s@full               a whole simulated day of all 17.5 million residents
 *   run.peak_rss_bytes@full           peak resident memory of the process over those runs
 *
 * `npm run bench -- --quick` leaves out the full-city day.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Bench } from 'tinybench'
import { generateChunk, generateOpening, segmentAgents, unpackIntents, type SegmentAgents } from '../engine/behaviour/index.js'
import { buildCity } from '../engine/city/index.js'
import { MemoryLedger, ResultCode, type TransferBatch } from '../engine/ledger/index.js'
import { ticksPerChunk, transferBatchMax } from '../engine/limits.js'
import { allocatePopulation, synthesizeMerchants, synthesizeResidents, viewPopulation, type Population } from '../engine/population/index.js'
import { accountBatch, institutionNeeds, openingTransfers } from '../engine/run/institutions.js'
import { TickBatch } from '../engine/run/tickBatch.js'
import { planRun, runScenario, type Plan } from '../engine/run/index.js'
import { wallClock } from '../engine/time/index.js'
import { loadScenario } from '../scenarios/index.js'

interface BenchResult {
  readonly name: string
  readonly median: number
  readonly unit: string
  readonly samples: number
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const scenarioFile = path.join(root, 'scenarios/shenzhen-day.yaml')
const resultsFile = path.join(root, 'bench/results/latest.json')
const benchResidents = 1_000_000
const endToEndSamples = 3

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
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

  // Ledger: a whole day's real payments in the order a run applies them, on a fresh ledger each
  // sample (accounts opened, e-CNY issued, wallets topped up), so wallets drain as in a real day.
  const day = dayOfPayments(plan, population, agents)
  const needs = institutionNeeds(plan, population)
  const institutions = new TickBatch(1024)
  openingTransfers(plan, needs, institutions)
  const openingBatches = [
    institutions.seal(0, plan.clock.startMinute, 0, institutions.count),
    ...plan.segments.map((seg, index) => {
      const intents = unpackIntents(generateOpening(plan, population, agents[index] ?? segmentAgents(plan, population, seg)))
      return batchOf(intents.debit, intents.credit, intents.amountFen, intents.kind, new Uint32Array(intents.count).fill(plan.clock.startMinute))
    }),
  ]
  let ledger = new MemoryLedger({ accountsMax: plan.accounts.count, tiers: plan.tiers, utcOffsetMinutes: plan.clock.utcOffsetMinutes })
  let accepted = 0
  const ledgerBench = new Bench({ iterations: 15, warmupIterations: 2, time: 0 })
  ledgerBench.add(
    'ledger',
    async () => {
      accepted = 0
      for (const batch of day) {
        const { code } = await ledger.submit(batch)
        for (let index = 0; index < code.length; index++) if (code[index] === ResultCode.ok) accepted += 1
      }
    },
    {
      beforeEach: async () => {
        ledger = new MemoryLedger({ accountsMax: plan.accounts.count, tiers: plan.tiers, utcOffsetMinutes: plan.clock.utcOffsetMinutes })
        await ledger.open()
        await ledger.createAccounts(accountBatch(plan, population))
        for (const batch of openingBatches) await ledger.submit(batch)
      },
    },
  )
  await ledgerBench.run()
  const ledgerMs = medianMs(ledgerBench, 'ledger')
  const dayTransfers = day.reduce((sum, batch) => sum + batch.count, 0)
  log({ name: 'ledger.memory.transfers_per_s', median: dayTransfers / (ledgerMs.median / 1000), unit: 'transfers/s', samples: ledgerMs.samples })
  log({ name: 'ledger.memory.accepted_share', median: accepted / dayTransfers, unit: 'ratio', samples: 1 })

  // End to end: the CLI's own path, wall clock, two workers.
  const workers = Math.min(2, os.availableParallelism())
  const endToEnd = async (residents: number) => {
    const rates: number[] = []
    const walls: number[] = []
    for (let sample = 0; sample < endToEndSamples; sample++) {
      const summary = await runScenario(loaded, { residents, workers, now: wallClock.nowMs })
      if (!summary.conservation.ok) throw new Error('money was not conserved in a bench run')
      rates.push(summary.throughput.transfersPerSecond)
      walls.push(summary.wallSeconds)
    }
    return { rate: median(rates), wall: median(walls) }
  }
  const million = await endToEnd(benchResidents)
  log({ name: 'run.transfers_per_s@1M', median: million.rate, unit: 'transfers/s', samples: endToEndSamples })
  if (!quick) {
    const full = await endToEnd(city.districts.reduce((sum, district) => sum + district.population, 0))
    log({ name: 'run.day_wall_s@full', median: full.wall, unit: 's', samples: endToEndSamples })
    log({ name: 'run.transfers_per_s@full', median: full.rate, unit: 'transfers/s', samples: endToEndSamples })
    // The bench process's peak, reached in the full-city runs (everything before them is smaller).
    log({ name: 'run.peak_rss_bytes@full', median: process.resourceUsage().maxRSS * 1024, unit: 'bytes', samples: 1 })
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
  await fs.mkdir(path.dirname(resultsFile), { recursive: true })
  await fs.writeFile(`${resultsFile}.tmp`, `${JSON.stringify(report, null, 2)}\n`)
  await fs.rename(`${resultsFile}.tmp`, resultsFile)
  process.stderr.write(`wrote ${path.relative(process.cwd(), resultsFile)}\n`)
}

function medianMs(bench: Bench, name: string): { median: number; samples: number } {
  const task = bench.getTask(name)
  const result = task?.result
  if (result === undefined || result.state !== 'completed') throw new Error(`benchmark ${name} did not complete`)
  return { median: result.latency.p50, samples: result.latency.samplesCount }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

function batchOf(debit: Uint32Array, credit: Uint32Array, amountFen: Uint32Array, kind: Uint8Array, minute: Uint32Array): TransferBatch {
  const count = debit.length
  return {
    count,
    id: Uint32Array.from({ length: count }, (_, index) => index),
    debit,
    credit,
    amountFen,
    kind,
    flags: new Uint8Array(count),
    pendingId: new Uint32Array(count),
    timeoutMinutes: new Uint32Array(count),
    minute,
  }
}

/** Every payment of the day, tick by tick and segment by segment, cut into ledger batches. */
function dayOfPayments(plan: Plan, population: Population, agents: readonly SegmentAgents[]): TransferBatch[] {
  const debit: number[] = []
  const credit: number[] = []
  const amountFen: number[] = []
  const kind: number[] = []
  const minute: number[] = []
  for (let chunk = 0; chunk < plan.chunks; chunk++) {
    const segments = plan.segments.map((seg, index) => unpackIntents(generateChunk(plan, population, agents[index] ?? segmentAgents(plan, population, seg), seg, chunk)))
    const ticks = segments[0]?.ticks ?? 0
    for (let tick = 0; tick < ticks; tick++) {
      for (const intents of segments) {
        const from = tick === 0 ? 0 : (intents.tickEnd[tick - 1] as number)
        for (let index = from; index < (intents.tickEnd[tick] as number); index++) {
          debit.push(intents.debit[index] as number)
          credit.push(intents.credit[index] as number)
          amountFen.push(intents.amountFen[index] as number)
          kind.push(intents.kind[index] as number)
          minute.push(plan.clock.startMinute + chunk * ticksPerChunk + tick)
        }
      }
    }
  }
  const batches: TransferBatch[] = []
  for (let from = 0; from < debit.length; from += transferBatchMax) {
    const to = Math.min(debit.length, from + transferBatchMax)
    batches.push(
      batchOf(
        Uint32Array.from(debit.slice(from, to)),
        Uint32Array.from(credit.slice(from, to)),
        Uint32Array.from(amountFen.slice(from, to)),
        Uint8Array.from(kind.slice(from, to)),
        Uint32Array.from(minute.slice(from, to)),
      ),
    )
  }
  return batches
}

await main()
