/**
 * `citytwin run`: a scenario simulated on a ledger, flat out or under load, its files written at
 * the end.
 */
import type { Command } from 'commander'
import { UserError } from '../../engine/errors.js'
import { reachLedger } from '../../engine/ledger/index.js'
import { loadSettings, wallClockPause, type LoadSettings } from '../../engine/load/index.js'
import { printable } from '../../engine/printable.js'
import {
  PrometheusExporter,
  summaryTable,
  writeRunFiles,
  reportMapOf,
  type ReportMap,
  type LoadSecond,
  type RunFolder,
  type RunSummary,
} from '../../engine/report/index.js'
import { defaultWorkers, runScenario, type RunOptions } from '../../engine/run/index.js'
import { RunTelemetry } from '../../engine/telemetry/index.js'
import { wallClock } from '../../engine/time/index.js'
import { calendarGap, loadScenario, type LoadedScenario } from '../../scenarios/index.js'
import {
  keepFiles,
  ledgerConnection,
  ledgerOptions,
  runFolderWithSignals,
  type LeasedConnection,
} from '../city.js'
import {
  inFlightHelp,
  withCityFlags,
  withLoadFlags,
  withOutputFlags,
  type LoadRunFlags,
} from '../flags.js'
import { printJson, printsJson, runJson, verdict } from '../outcome.js'
import { integer } from '../parsers.js'
import { progressReporter } from '../progress.js'
import { rolloutCommand } from './rollout.js'
import type { SignalStop } from '../signals.js'

interface RunFlags extends LoadRunFlags {
  prometheus?: number
  capacity?: string
}

const profileUsages =
  'constant:200k/60s, ramp:10k..500k/120s, steps:10k/30s,50k/30s, spike:50k..500k/60s@20s+5s, realistic:1d/10m'

/** Adds `citytwin run` to the program. */
export function addRunCommand(cli: Command): void {
  const command = cli
    .command('run')
    .description(
      'simulate a scenario on a ledger: progress while it runs, a summary at the end, summary.json in the run folder',
    )
    .argument('<scenario>', 'scenario file (YAML)')
  withCityFlags(
    command,
    `simulation worker threads (default: ${defaultWorkers('flat-out')} flat out, ${defaultWorkers('load')} in load mode)`,
  )
  withOutputFlags(command, {
    out: 'folder for summary.json, metrics.csv and report.html (default: runs/<timestamp>-seed<seed>)',
    json: 'print one JSON summary on stdout; progress goes to stderr',
  })
  withLoadFlags(command, {
    tps: 'load mode: a constant target rate, transfers per second (200000, 200k, 1.5M)',
    duration: 'load mode: how long --tps is held (500ms, 90s, 2m, 1h)',
    profile: `load mode: a target profile over wall time (${profileUsages})`,
    threshold:
      "load mode: a pass/fail gate, repeatable: 'p99<50ms', 'p(95)<200', 'errors<0.1%', 'dropped<=0'; a failure exits 99",
    abortOnFail: 'load mode: stop as soon as a threshold fails',
    inFlight: `load mode: ${inFlightHelp}`,
    lateTolerance: 'load mode: send lateness p99 beyond which the run is invalid (default 10ms)',
  })
  command
    .option(
      '--prometheus <port>',
      'load mode: serve live metrics at http://127.0.0.1:<port>/metrics',
      integer('--prometheus', 0, 65_535),
    )
    .option(
      '--capacity <file>',
      "a scenario with a rollout: run the rollout (as citytwin rollout does) and set each month against this capacity search's knee",
    )
    .action(async (file: string, flags: RunFlags) => {
      printsJson(flags.json)
      process.exitCode =
        flags.capacity === undefined ? await runCommand(file, flags) : await runRollout(file, flags)
    })
}

/** What a run is given beside its flags: its ledger, its load (none: flat out), its stop. */
interface RunGiven {
  readonly connection: LeasedConnection
  readonly settings: LoadSettings | undefined
  readonly stop: AbortSignal
}

/** A finished run: its summary and, under load, every second's figures. */
interface Ran {
  readonly summary: RunSummary
  readonly seconds: readonly LoadSecond[] | undefined
}

/** `run --capacity`: the scenario's rollout against a measured knee; flat out, so no load flags. */
async function runRollout(file: string, flags: RunFlags): Promise<number> {
  const loaded = await loadScenario(file)
  if (loaded.scenario.rollout === undefined) {
    throw new UserError(
      `--capacity: sets a rollout's months against a ledger's knee, and ${file} has no rollout section (docs/scenarios.md says how to write one)`,
    )
  }
  const given = [flags.tps, flags.profile, flags.duration, flags.prometheus]
  if (given.some((flag) => flag !== undefined) || (flags.threshold ?? []).length > 0) {
    throw new UserError(
      '--capacity: a rollout runs its days flat out; leave out --tps, --profile, --duration, --threshold and --prometheus',
    )
  }
  return rolloutCommand(file, flags)
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const loaded = await loadScenario(file)
  // Every flag is checked before anything is built or written.
  const connection = ledgerConnection(`run ${file}`, flags)
  const settings = loadSettings(loaded.scenario.load, flags, file)
  if (flags.prometheus !== undefined && settings === undefined) {
    throw new UserError(
      "--prometheus: serves a load run's live figures; give --tps or --profile too",
    )
  }
  await reachLedger(flags.ledger, flags.ledgerUrl)
  const gap = calendarGap(loaded.scenario.calendar, loaded.scenario.period.to.slice(0, 10))
  if (gap !== undefined) process.stderr.write(`citytwin: ${gap}\n`)
  // The folder is prepared before the run, so a bad --out fails at once rather than after it;
  // the run's files go in whole at the end, or not at all. Signals are handled from here on.
  const { folder, stopper } = await runFolderWithSignals(flags, loaded.scenario.seed)
  let ran: Ran
  try {
    ran = await runFollowed(loaded, flags, { connection, settings, stop: stopper.signal })
  } catch (error) {
    await folder.discard()
    stopper.release()
    throw error
  }
  const map = reportMapOf(loaded.map, loaded.scenario.city.districts)
  return await keepRun(folder, stopper, { ...ran, map }, flags)
}

/**
 * Runs the scenario with its progress drawn and, with --prometheus, its figures served as it goes.
 */
async function runFollowed(loaded: LoadedScenario, flags: RunFlags, given: RunGiven): Promise<Ran> {
  const progress = progressReporter(Boolean(flags.json))
  const telemetry = new RunTelemetry()
  let seconds: readonly LoadSecond[] | undefined
  const following = [
    progress.follow(telemetry),
    telemetry.windows$.subscribe((all) => (seconds = all)),
  ]
  let exporter: PrometheusExporter | undefined
  try {
    if (flags.prometheus !== undefined) {
      exporter = await PrometheusExporter.start(flags.prometheus)
      process.stderr.write(`prometheus metrics at ${exporter.url}\n`)
      following.push(exporter.follow(telemetry))
    }
    const summary = await runScenario(loaded, runOptions(flags, given, telemetry, exporter))
    return { summary, seconds }
  } finally {
    for (const subscription of following) subscription.unsubscribe()
    progress.done()
    await exporter?.close()
  }
}

/** The run's options from its flags; under load, the exporter's latency buckets if one serves. */
function runOptions(
  flags: RunFlags,
  given: RunGiven,
  telemetry: RunTelemetry,
  exporter: PrometheusExporter | undefined,
): RunOptions {
  const { settings } = given
  return {
    seed: flags.seed,
    residents: flags.residents,
    workers: flags.workers ?? defaultWorkers(settings === undefined ? 'flat-out' : 'load'),
    ...ledgerOptions(flags, given.connection),
    now: wallClock.nowMs,
    telemetry,
    stop: given.stop,
    load:
      settings === undefined
        ? undefined
        : {
            ...settings,
            pause: wallClockPause(),
            ...(exporter === undefined ? {} : { buckets: exporter.buckets }),
          },
  }
}

/** Writes the run's files and tells its verdict: the exit code. */
async function keepRun(
  folder: RunFolder,
  stopper: SignalStop,
  ran: Ran & { readonly map: ReportMap },
  flags: RunFlags,
): Promise<number> {
  const { summary } = ran
  const { written, notKept } = await keepFiles(
    () => writeRunFiles(folder, summary, ran.seconds, {}, ran.map),
    stopper,
  )
  const outcome = verdict(summary, notKept)
  if (flags.json) {
    printJson(runJson(outcome, written?.folder, summary))
  } else {
    process.stdout.write(
      `\n${summaryTable(summary)}\n\n${written === undefined ? 'files     not kept (see above)' : `summary    ${printable(written.summary)}\nreport     ${printable(written.report)}\ndemand     ${printable(written.demand)}`}\n`,
    )
  }
  return outcome.code
}
