/**
 * One end-to-end run in a process of its own, so its peak memory is its own: prints one JSON line
 * with the run's wall time, throughput, phases, audit, the process's peak resident memory and,
 * for a load run, what the open model achieved.
 *
 *   node dist/bench/runInChild.js <scenario.yaml> <residents | full> <workers> [<load profile>]
 */
import { parseAnyProfile, wallClockPause } from '../engine/load/index.js'
import { loadInFlightDefault } from '../engine/limits.js'
import { runScenario } from '../engine/run/index.js'
import { wallClock } from '../engine/time/index.js'
import { loadScenario } from '../scenarios/index.js'

const [file, residents, workers, profile] = process.argv.slice(2)
if (file === undefined || residents === undefined || workers === undefined)
  throw new Error('usage: runInChild <scenario.yaml> <residents | full> <workers> [<load profile>]')
const summary = await runScenario(await loadScenario(file), {
  // `full`: the scenario's own scale.
  residents: residents === 'full' ? undefined : Number(residents),
  workers: Number(workers),
  now: wallClock.nowMs,
  ...(profile === undefined
    ? {}
    : {
        load: {
          profile: parseAnyProfile(profile, 'bench'),
          where: 'bench',
          thresholds: [],
          abortOnFail: false,
          inFlightMax: loadInFlightDefault,
          pause: wallClockPause(),
        },
      }),
})
const load = summary.load
process.stdout.write(
  `${JSON.stringify({
    wallSeconds: summary.wallSeconds,
    synthesisSeconds: summary.phases.synthesisSeconds,
    transfersPerSecond: summary.throughput.transfersPerSecond,
    transfers: summary.transfers.submitted,
    residents: summary.agents.residents,
    audited: summary.conservation.ok && summary.doubleEntry.ok,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    ...(load === undefined
      ? {}
      : {
          load: {
            achievedTps: load.achievedTps,
            targetTps: load.targetTps.mean,
            durationSeconds: load.durationSeconds,
            p99Ms: load.latencyMs.overall.p99Ms,
            latePercentile99Ms: load.lateMs.p99Ms,
            dropped: load.dropped,
            pacingErrorPct: load.pacingErrorPct,
            valid: load.valid,
            invalidReasons: load.invalidReasons,
          },
        }),
  })}\n`,
)
