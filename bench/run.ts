/**
 * Benchmarks: `npm run bench`. Fixed seeds and sizes; medians over repeated samples; results
 * written to bench/results/latest.json with the machine they ran on.
 *
 *   sim.intents_per_s_per_worker      payment intents one thread generates per second
 *   ledger.memory.transfers_per_s     transfers the memory ledger applies per second (one core)
 *   run.transfers_per_s@1M            a whole simulated day, 1 million residents, end to end
 *   run.day_wall_s@full               a whole simulated day of all 17.5 million residents
 *
 * `npm run bench -- --quick` leaves out the full-city day.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Bench } from 'tinybench'
import { generateChunk, generateOpening, segmentAgents, unpackIntents } from '../engine/behaviour/index.js'
import { buildCity } from '../engine/city/index.js'
import { MemoryLedger, type TransferBatch } from '../engine/ledger/index.js'
import { transferBatchMax } from '../engine/limits.js'
import { allocatePopulation, synthesizeMerchants, synthesizeResidents, viewPopulation } from '../engine/population/index.js'
import { accountBatch, openingTransfers } from '../engine/run/institutions.js'
import { planRun, runScenario } from '../engine/run/index.js'
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
/** The evening peak hour: the busiest chunk of the day. */
const peakChunk = 18
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

  // Ledger: the busiest hour's real payments, 65,536 a batch, after the opening.
  const ledger = new MemoryLedger({ accountsMax: plan.accounts.count, tiers: plan.tiers, utcOffsetMinutes: plan.clock.utcOffsetMinutes })
  await ledger.open()
  await ledger.createAccounts(accountBatch(plan, population))
  const opening = openingTransfers(plan, population)
  await ledger.submit(batchOf(opening.map((t) => t.debit), opening.map((t) => t.credit), opening.map((t) => t.amountFen), opening.map((t) => t.kind), plan.clock.startMinute))
  for (const [index, seg] of plan.segments.entries()) {
    const intents = unpackIntents(generateOpening(plan, population, agents[index] ?? segmentAgents(plan, population, seg)))
    await ledger.submit(batchOf(intents.debit, intents.credit, intents.amountFen, intents.kind, plan.clock.startMinute))
  }
  const peak = plan.segments.map((seg, index) => unpackIntents(generateChunk(plan, population, agents[index] ?? segmentAgents(plan, population, seg), seg, peakChunk)))
  const debit = concat(peak.map((p) => p.debit))
  const credit = concat(peak.map((p) => p.credit))
  const amountFen = concat(peak.map((p) => p.amountFen))
  const kind = Uint8Array.from(peak.flatMap((p) => [...p.kind]))
  const batches: TransferBatch[] = []
  const peakMinute = plan.clock.startMinute + peakChunk * 60
  for (let from = 0; from + transferBatchMax <= debit.length; from += transferBatchMax) {
    const to = from + transferBatchMax
    batches.push(batchOf(debit.subarray(from, to), credit.subarray(from, to), amountFen.subarray(from, to), kind.subarray(from, to), peakMinute))
  }
  if (batches.length === 0) throw new Error('the peak hour fills at least one batch')
  let next = 0
  const ledgerBench = new Bench({ iterations: 200, warmupIterations: 10, time: 0 })
  ledgerBench.add('ledger', async () => {
    await ledger.submit(batches[next++ % batches.length] as TransferBatch)
  })
  await ledgerBench.run()
  const ledgerMs = medianMs(ledgerBench, 'ledger')
  log({ name: 'ledger.memory.transfers_per_s', median: transferBatchMax / (ledgerMs.median / 1000), unit: 'transfers/s', samples: ledgerMs.samples })
  await ledger.close()

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

function concat(parts: readonly Uint32Array[]): Uint32Array {
  const out = new Uint32Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

function batchOf(debit: ArrayLike<number>, credit: ArrayLike<number>, amountFen: ArrayLike<number>, kind: ArrayLike<number>, minute: number): TransferBatch {
  const count = debit.length
  return {
    count,
    id: Uint32Array.from({ length: count }, (_, index) => index),
    debit: Uint32Array.from(debit),
    credit: Uint32Array.from(credit),
    amountFen: Uint32Array.from(amountFen),
    kind: Uint8Array.from(kind),
    minute: new Uint32Array(count).fill(minute),
  }
}

await main()
