/**
 * One end-to-end run in a process of its own, so its peak memory is its own: prints one JSON line
 * with the run's wall time, throughput, audit and the process's peak resident memory.
 *
 *   node dist/bench/runInChild.js <scenario.yaml> <residents> <workers>
 */
import { runScenario } from '../engine/run/index.js'
import { wallClock } from '../engine/time/index.js'
import { loadScenario } from '../scenarios/index.js'

const [file, residents, workers] = process.argv.slice(2)
if (file === undefined || residents === undefined || workers === undefined) throw new Error('usage: runInChild <scenario.yaml> <residents> <workers>')
const summary = await runScenario(await loadScenario(file), { residents: Number(residents), workers: Number(workers), now: wallClock.nowMs })
process.stdout.write(
  `${JSON.stringify({
    wallSeconds: summary.wallSeconds,
    transfersPerSecond: summary.throughput.transfersPerSecond,
    audited: summary.conservation.ok && summary.doubleEntry.ok,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  })}\n`,
)
