/**
 * `citytwin capacity`: the highest target rate a ledger sustains within an SLO, found by trials on
 * one built city (a ramp, then a bisection), each trial a sustained window on a fresh ledger.
 */
import type { Command } from 'commander'
import { RunFailed, UserError } from '../../engine/errors.js'
import { reachLedger } from '../../engine/ledger/index.js'
import {
  checkTrialRates,
  checkTrialSpan,
  parseDuration,
  parseProfile,
  parseRate,
  parseThresholds,
  periodCap,
  searchCapacity,
  wallClockPause,
  type Threshold,
  type TrialBounds,
} from '../../engine/load/index.js'
import { loadInFlightDefaultFor } from '../../engine/limits.js'
import { printable } from '../../engine/printable.js'
import {
  capacityReport,
  capacityTable,
  capacityTrial,
  grouped,
  interruptedCapacityReport,
  trialLine,
  writeCapacityFiles,
  type CapacityReport,
  type CapacityTrialFigures,
  type RunFolder,
} from '../../engine/report/index.js'
import {
  adoptedPayments,
  defaultWorkers,
  openCity,
  type OpenedCity,
  type Plan,
} from '../../engine/run/index.js'
import { RunTelemetry } from '../../engine/telemetry/index.js'
import { wallClock } from '../../engine/time/index.js'
import { loadScenario, type LoadedScenario } from '../../scenarios/index.js'
import {
  keepFiles,
  ledgerConnection,
  ledgerOptions,
  runFolderWithSignals,
  type Kept,
  type LeasedConnection,
} from '../city.js'
import { exitRunFailed, signalExit } from '../exitCodes.js'
import {
  inFlightHelp,
  inFlightOption,
  lateToleranceOption,
  withCityFlags,
  withOutputFlags,
  type CityFlags,
} from '../flags.js'
import { printJson, printsJson, runJson, tell, type Verdict } from '../outcome.js'
import { collect, factor, parsePercent } from '../parsers.js'
import { progressReporter, type ProgressReporter } from '../progress.js'
import type { SignalStop } from '../signals.js'

interface CapacityFlags extends CityFlags {
  lateTolerance?: string
  slo: string[]
  window: string
  warmup: string
  start: string
  max: string
  growth: number
  precision: string
}

/** Adds `citytwin capacity` to the program. */
export function addCapacityCommand(cli: Command): void {
  const command = cli
    .command('capacity')
    .description(
      'find the highest target rate the ledger sustains within an SLO: ramp, then bisect, each trial a sustained window on a fresh ledger',
    )
    .argument('<scenario>', 'scenario file (YAML)')
  withCityFlags(command, `simulation worker threads (default ${defaultWorkers('load')})`)
    .option(
      '--slo <gate>',
      "the service level each trial must hold, repeatable: 'p99<50ms', 'p(95)<20', 'errors<0.1%'",
      collect,
      [],
    )
    .option('--window <time>', 'how long each trial holds its rate, judged by the SLO', '10s')
    .option(
      '--warmup <time>',
      'how long each trial runs at its rate before the window starts (not judged)',
      '2s',
    )
    .option('--start <rate>', 'first rate tried', '10k')
    .option('--max <rate>', 'highest rate tried', '4M')
    .option(
      '--growth <factor>',
      'ramp factor between trials until one fails',
      factor('--growth'),
      2,
    )
    .option('--precision <share>', 'bisect until the bracket is this narrow', '5%')
    .addOption(inFlightOption(inFlightHelp))
    .addOption(
      lateToleranceOption(
        'send lateness p99 beyond which a trial is invalid, so failed (default 10ms)',
      ),
    )
  withOutputFlags(command, {
    out: 'folder for capacity.json and capacity.html (default: runs/<timestamp>-seed<seed>)',
    json: 'print the result as JSON on stdout',
  }).action(async (file: string, flags: CapacityFlags) => {
    printsJson(flags.json)
    process.exitCode = await capacityCommand(file, flags)
  })
}

/** A capacity search, checked from its flags: its SLO, its bounds, how narrow it bisects. */
interface Search {
  readonly slo: readonly Threshold[]
  readonly bounds: TrialBounds
  readonly precision: number
  readonly lateToleranceMs: number | undefined
}

/** What the trials are given beside their flags: the ledger, the search, the signals' stop. */
interface SearchGiven {
  readonly connection: LeasedConnection
  readonly search: Search
  readonly stopper: SignalStop
}

/** A signal stopped the capacity search: thrown from a trial, caught by the command. */
class SearchInterrupted extends Error {
  override readonly name = 'SearchInterrupted'
}

async function capacityCommand(file: string, flags: CapacityFlags): Promise<number> {
  const loaded = await loadScenario(file)
  const connection = ledgerConnection(`capacity ${file}`, flags)
  const search = searchOf(flags)
  await reachLedger(flags.ledger, flags.ledgerUrl)
  const { folder, stopper } = await runFolderWithSignals(flags, loaded.scenario.seed)
  let report: CapacityReport
  try {
    report = await searchOnCity(loaded, flags, { connection, search, stopper })
  } catch (error) {
    await folder.discard()
    stopper.release()
    throw error
  }
  return await keepCapacity(folder, stopper, report, flags)
}

/** The search the flags ask for, every flag checked before anything is built or written. */
function searchOf(flags: CapacityFlags): Search {
  if (flags.slo.length === 0) {
    throw new UserError("--slo: give the service level each trial must hold, like --slo 'p99<50ms'")
  }
  const slo = parseThresholds(flags.slo, '--slo')
  const windowMs = parseDuration(flags.window, '--window')
  const warmupMs = parseDuration(flags.warmup, '--warmup', true)
  const lateToleranceMs =
    flags.lateTolerance === undefined
      ? undefined
      : parseDuration(flags.lateTolerance, '--late-tolerance')
  const startTps = parseRate(flags.start, '--start')
  const maxTps = parseRate(flags.max, '--max')
  checkTrialRates(startTps, maxTps)
  const precision = parsePercent(flags.precision, '--precision')
  const bounds = { startTps, maxTps, growth: flags.growth, warmupMs, windowMs }
  checkTrialSpan(bounds)
  return { slo, bounds, precision, lateToleranceMs }
}

/** Builds the city, searches on it with its progress drawn, and closes it. */
async function searchOnCity(
  loaded: LoadedScenario,
  flags: CapacityFlags,
  given: SearchGiven,
): Promise<CapacityReport> {
  const progress = progressReporter(Boolean(flags.json))
  const telemetry = new RunTelemetry()
  const following = progress.follow(telemetry)
  try {
    const city = await openCity(loaded, {
      seed: flags.seed,
      residents: flags.residents,
      workers: flags.workers ?? defaultWorkers('load'),
      now: wallClock.nowMs,
      telemetry,
    })
    try {
      return await searchCity(city, flags, given, progress)
    } finally {
      following.unsubscribe()
      await city.close()
    }
  } catch (error) {
    following.unsubscribe()
    progress.done()
    throw error
  }
}

/**
 * The search's report: what it found, or, stopped by a signal, what the trials that ended found.
 */
async function searchCity(
  city: OpenedCity,
  flags: CapacityFlags,
  given: SearchGiven,
  progress: ProgressReporter,
): Promise<CapacityReport> {
  const { slo, bounds, precision } = given.search
  const maxTps = trialCeiling(city.plan, flags, bounds)
  const timing = { windowMs: bounds.windowMs, warmupMs: bounds.warmupMs }
  /** The trials that ran to their end, in order: what an interrupted search still reports. */
  const done: CapacityTrialFigures[] = []
  try {
    const result = await searchCapacity({
      startTps: bounds.startTps,
      maxTps,
      growth: bounds.growth,
      precision,
      trial: async (tps) => {
        const trial = await runTrial(city, tps, flags, given, progress)
        done.push(trial)
        return trial
      },
    })
    // What stopped the ramp, if not the ledger: --max, or what the scenario's period can supply.
    const periodCap = maxTps < bounds.maxTps ? { periodCapTps: maxTps } : {}
    return capacityReport(city.plan, { ledger: flags.ledger, ...periodCap }, slo, timing, result)
  } catch (error) {
    if (!(error instanceof SearchInterrupted)) throw error
    const signal = String(given.stopper.signal.reason)
    return interruptedCapacityReport(city.plan, flags, slo, timing, done, signal)
  }
}

/**
 * The highest rate worth trying: a trial needs rate × (warm-up + window) payments, so the
 * period's payments cap the rates. Too few for the first rate is bad input.
 */
function trialCeiling(plan: Plan, flags: CapacityFlags, bounds: TrialBounds): number {
  const payments = adoptedPayments(plan)
  const cap = periodCap(payments, bounds)
  if (cap.sort === 'too-few') {
    const trialSeconds = (bounds.warmupMs + bounds.windowMs) / 1000
    throw new UserError(
      `--start: the scenario's period makes about ${grouped(payments)} payments, too few for ${grouped(bounds.startTps)}/s over ${trialSeconds} s; lengthen the period, raise the scale or shorten --window`,
    )
  }
  if (cap.sort === 'capped' && !flags.json) {
    process.stderr.write(
      `the scenario's period makes about ${grouped(payments)} payments: trials stop at ${grouped(cap.maxTps)}/s (lengthen the period or shorten --window to go higher)\n`,
    )
  }
  return cap.maxTps
}

/**
 * One trial: `tps` held through the warm-up and the window on a fresh ledger, judged by the SLO.
 */
async function runTrial(
  city: OpenedCity,
  tps: number,
  flags: CapacityFlags,
  given: SearchGiven,
  progress: ProgressReporter,
): Promise<CapacityTrialFigures> {
  const { stopper, search } = given
  const { warmupMs, windowMs } = search.bounds
  if (stopper.signal.aborted) throw new SearchInterrupted()
  const summary = await city.run({
    ...ledgerOptions(flags, given.connection),
    stop: stopper.signal,
    load: {
      profile: {
        sort: 'rate',
        ...parseProfile(`constant:${tps}/${profileDuration(warmupMs + windowMs)}`, '--window'),
      },
      where: '--window',
      warmupMs,
      thresholds: search.slo,
      abortOnFail: false,
      inFlightMax: flags.inFlight ?? loadInFlightDefaultFor(flags.ledger),
      ...(search.lateToleranceMs === undefined ? {} : { lateToleranceMs: search.lateToleranceMs }),
      pause: wallClockPause(),
    },
  })
  progress.done()
  if (!summary.conservation.ok || !summary.doubleEntry.ok) {
    throw new RunFailed(
      `the trial at ${grouped(tps)}/s broke the audit (${summary.conservation.ok ? 'double entry did not balance' : 'money was not conserved'}): the ledger is wrong, not slow, and no capacity is reported`,
    )
  }
  // A trial cut short judged less than its window: it is left out, and the search ends.
  if (summary.stoppedEarly !== undefined) throw new SearchInterrupted()
  const trial = capacityTrial(tps, summary)
  if (!flags.json) process.stderr.write(`${trialLine(trial)}\n`)
  return trial
}

/** Writes the search's files and tells its verdict: the exit code. */
async function keepCapacity(
  folder: RunFolder,
  stopper: SignalStop,
  report: CapacityReport,
  flags: CapacityFlags,
): Promise<number> {
  const kept = await keepFiles(() => writeCapacityFiles(folder, report), stopper)
  const { written } = kept
  const outcome = capacityVerdict(report, kept)
  if (flags.json) {
    printJson(runJson(outcome, written?.folder, report))
  } else {
    process.stdout.write(
      `\n${capacityTable(report)}\n\n${written === undefined ? 'files     not kept (see above)' : `capacity   ${printable(written.json)}\nreport     ${printable(written.report)}`}\n`,
    )
  }
  return outcome.code
}

/**
 * A search's exit code: 1 if its files were not kept; 128 + the signal's number if one cut it
 * short.
 */
function capacityVerdict(report: CapacityReport, kept: Kept<unknown>): Verdict {
  if (kept.notKept !== undefined) {
    const line = `${printable(kept.notKept.message)}. The run failed.`
    tell(line)
    return { code: exitRunFailed, failure: { kind: 'run-failed', message: line } }
  }
  if (report.interrupted !== undefined) {
    const trials = report.trials.length
    const line = `the search was interrupted by ${report.interrupted} after ${trials} trial${trials === 1 ? '' : 's'}: what it found so far is kept, marked as such`
    tell(line)
    return { code: signalExit(report.interrupted), failure: { kind: 'interrupted', message: line } }
  }
  return { code: 0 }
}

/** A trial's length as its profile reads in reports: "12m", "90s", not "720000ms". */
function profileDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1_000 === 0) return `${ms / 1_000}s`
  return `${ms}ms`
}
