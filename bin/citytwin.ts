#!/usr/bin/env node
/**
 * The citytwin command line. Exit codes: 0 success, 1 a run that failed (a broken invariant, a
 * ledger lost, files that could not be written, or an internal error), 2 bad input (a flag, a
 * scenario, a map) with a message naming it, 128 + the signal's number (130 SIGINT, 143 SIGTERM)
 * for a run stopped early by a signal, its files complete and marked so. With --json, every
 * outcome is one JSON object on stdout (see README).
 */
import { existsSync, promises as fs, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { RunFailed, UserError } from '../engine/errors.js'
import { checkLedger, createLedger, encodeCodes, generateLedgerToken, ledgerNames, LedgerServer, ledgerTokenFrom, ledgerTokenVariable, PostgresLedger, type LedgerConnection, type LedgerLease, type LedgerServerState } from '../engine/ledger/index.js'
import { isLoopbackAddress } from '../engine/httpListen.js'
import { capacityTrialsMax, ledgerCallMsDefault, ledgerCallMsMax, liveSpeedMax, minutesPerDay, loadDurationMsMax, loadInFlightDefault, loadInFlightDefaultFor, loadInFlightMax, loadInFlightNetworkedDefault, residentsMax, workersMax } from '../engine/limits.js'
import { loadSettings, parseDuration, parseProfile, parseRate, parseThresholds, searchCapacity, thresholdActual, wallClockPause } from '../engine/load/index.js'
import {
  capacityReport,
  capacityTable,
  capacityTrial,
  defaultRunFolder,
  grouped,
  interruptedCapacityReport,
  loadProgressLine,
  progressLine,
  PrometheusExporter,
  renderRunFolder,
  RunFolder,
  RunFolderWriteFailed,
  summaryTable,
  trialLine,
  unusedFolder,
  writeCapacityFiles,
  writeRunFiles,
  type CapacityReport,
  type CapacityTrialFigures,
  type LoadProgress,
  type LoadSecond,
  type RunFiles,
  type RunProgress,
  type RunSummary,
} from '../engine/report/index.js'
import { openCity, runScenario, validateScenario, type OpenedCity, type Plan } from '../engine/run/index.js'
import type { LivePace } from '../engine/load/index.js'
import { LiveSession } from '../visualizer/server/liveSession.js'
import type { Subscription } from 'rxjs'
import { RunTelemetry } from '../engine/telemetry/index.js'
import { checkLiveBind, isLoopbackHost } from '../visualizer/server/allowedHosts.js'
import { defaultPublicDir, startLiveServer, type RunningLiveServer } from '../visualizer/server/liveServer.js'
import { RunStore } from '../visualizer/server/runStore.js'
import { wallClock } from '../engine/time/index.js'
import { printable, printableLines } from '../engine/printable.js'
import { loadScenario } from '../scenarios/index.js'

const exitRunFailed = 1
const exitBadInput = 2
/** Progress redraws at most this often on a terminal. */
const progressIntervalMs = 100
/** A capacity trial uses at most this share of the period's expected payments (the city's draws vary around it). */
const periodShareMax = 0.9
/** Away from a terminal, a load run prints a progress line this often. */
const loadLineEverySeconds = 10

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${name} must be an integer between ${min} and ${max}`)
    const parsed = Number(value)
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${name} must be an integer between ${min} and ${max}`)
    }
    return parsed
  }
}

/** Repeatable options gather into a list. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

function positiveNumber(name: string, max: number) {
  return (value: string): number => {
    const parsed = Number(value)
    if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(parsed > 0 && parsed <= max)) throw new InvalidArgumentError(`${name} must be a number above 0 and at most ${max}`)
    return parsed
  }
}

function factor(name: string) {
  return (value: string): number => {
    const parsed = Number(value)
    if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(parsed > 1 && parsed <= 16)) throw new InvalidArgumentError(`${name} must be a number above 1 and at most 16`)
    return parsed
  }
}

const profileUsages = 'constant:200k/60s, ramp:10k..500k/120s, steps:10k/30s,50k/30s, spike:50k..500k/60s@20s+5s, realistic:1d/10m'

/**
 * Worker threads unless --workers says: flat out, one per core. Under load the city needs only the
 * target rate (a worker makes millions of payments a second), while the sender and the ledger's
 * thread each want a core for their latency: the workers get what is left, at least one.
 */
function defaultWorkers(mode: 'flat-out' | 'load'): number {
  const cores = os.availableParallelism()
  return Math.min(workersMax, mode === 'flat-out' ? cores : Math.max(1, cores - 2))
}

interface CityFlags {
  ledgerUrl?: string
  ledgerToken?: string
  ledgerTimeout?: string
  seed?: number
  workers?: number
  residents?: number
  out?: string
  json?: boolean
  ledger: string
  inFlight?: number
  takeOver?: boolean
}

/** How this process names itself as the holder of a postgres or redis ledger (another run refused is shown it). */
function ledgerLease(command: string, flags: { takeOver?: boolean | undefined }): LedgerLease {
  return { holder: `citytwin ${command} (pid ${process.pid} on ${os.hostname()})`, takeOver: flags.takeOver === true }
}

interface RunFlags extends CityFlags {
  lateTolerance?: string
  tps?: string
  duration?: string
  profile?: string
  threshold?: string[]
  abortOnFail?: boolean
  prometheus?: number
}

/** Prepares the run folder (the one given, or a new one under runs/) before anything runs. */
async function runFolderFor(flags: CityFlags, seed: number): Promise<RunFolder> {
  return flags.out !== undefined
    ? await RunFolder.prepare(flags.out, '--out')
    : await RunFolder.prepare(await unusedFolder(defaultRunFolder('runs', wallClock.date(), flags.seed ?? seed)), 'the run folder')
}

/** How an outcome is told in --json: what went wrong, by the exit code it goes with. */
type FailureKind = 'bad-input' | 'run-failed' | 'interrupted' | 'internal'

/** What --json prints for a run that ended without a result (or beside one): the failure, by kind. */
interface JsonFailure {
  readonly kind: FailureKind
  readonly message: string
  readonly issues?: readonly string[]
}

/** Whether the command being run prints its outcome as JSON on stdout (set as its action starts). */
let jsonOutput = false

/** The one JSON object of an outcome, on one line of stdout. */
function printJson(value: object): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}

/** The exit code of a process that ends because of `signal`, as shells count it: 128 + its number. */
function signalExit(signal: string): number {
  const number = (os.constants.signals as Record<string, number | undefined>)[signal]
  return number === undefined ? exitRunFailed : 128 + number
}

/**
 * SIGINT and SIGTERM during `run` and `capacity`, handled as serve's Ctrl-C: the first stops the
 * run going at its next step (its signal aborted: the run is settled, audited and its files
 * written, marked as stopped early); a second quits at once, `abandon` first taking the run's
 * staging folder away, so nothing half-written is left. Held until `release`, after the files.
 */
function stopOnSignals(abandon: () => void): { readonly signal: AbortSignal; release(): void } {
  const controller = new AbortController()
  const handle = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      abandon()
      process.exit(signalExit(signal))
    }
    controller.abort(signal)
    process.stderr.write(`\nstopping (${signal}): the run ends at its next step, is audited and its files written (Ctrl-C again to quit at once, keeping nothing)\n`)
  }
  process.on('SIGINT', handle)
  process.on('SIGTERM', handle)
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', handle)
      process.off('SIGTERM', handle)
    },
  }
}

/**
 * The run folder prepared with signals handled from just before it exists: a second signal takes
 * its staging folder away before quitting. The caller releases the handlers once the files are in.
 */
async function runFolderWithSignals(flags: CityFlags, seed: number): Promise<{ folder: RunFolder; stopper: ReturnType<typeof stopOnSignals> }> {
  let prepared: RunFolder | undefined
  const stopper = stopOnSignals(() => prepared?.discardSync())
  try {
    prepared = await runFolderFor(flags, seed)
  } catch (error) {
    stopper.release()
    throw error
  }
  return { folder: prepared, stopper }
}

/**
 * Where the ledger is and how to reach it, checked: --ledger-url, and for the http ledger its token
 * (--ledger-token, or CITYTWIN_LEDGER_TOKEN, which other users cannot read in the process list)
 * and its call deadline (--ledger-timeout).
 */
function ledgerConnection(command: string, flags: CityFlags & { takeOver?: boolean | undefined }): LedgerConnection & { readonly lease: LedgerLease } {
  const callMsMax = flags.ledgerTimeout === undefined ? undefined : parseDuration(flags.ledgerTimeout, '--ledger-timeout')
  if (callMsMax !== undefined && callMsMax > ledgerCallMsMax) throw new UserError(`--ledger-timeout: at most ${ledgerCallMsMax / 60_000} minutes`)
  const connection = {
    url: flags.ledgerUrl,
    lease: ledgerLease(command, flags),
    // The environment's token is for the http ledger alone; a flag given to another ledger is refused by checkLedger.
    token: flags.ledger === 'http' ? ledgerTokenFrom(flags.ledgerToken, process.env[ledgerTokenVariable], '--ledger-token') : flags.ledgerToken,
    callMsMax,
  }
  checkLedger(flags.ledger, connection)
  return connection
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const loaded = await loadScenario(file)
  // Every flag is checked before anything is built or written.
  const connection = ledgerConnection(`run ${file}`, flags)
  const lease = connection.lease
  const settings = loadSettings(loaded.scenario.load, flags, file)
  if (flags.prometheus !== undefined && settings === undefined) throw new UserError('--prometheus: serves a load run\'s live figures; give --tps or --profile too')
  // The folder is prepared before the run, so a bad --out fails at once rather than after it;
  // the run's files go in whole at the end, or not at all. Signals are handled from here on.
  const { folder, stopper } = await runFolderWithSignals(flags, loaded.scenario.seed)
  const progress = progressReporter(Boolean(flags.json))
  let exporter: PrometheusExporter | undefined
  let seconds: readonly LoadSecond[] | undefined
  let summary: RunSummary
  const telemetry = new RunTelemetry()
  const following: Subscription[] = [progress.follow(telemetry), telemetry.windows$.subscribe((all) => (seconds = all))]
  try {
    if (flags.prometheus !== undefined) {
      exporter = await PrometheusExporter.start(flags.prometheus)
      process.stderr.write(`prometheus metrics at ${exporter.url}\n`)
    }
    const live = exporter
    if (live !== undefined) following.push(live.follow(telemetry))
    summary = await runScenario(loaded, {
      seed: flags.seed,
      residents: flags.residents,
      workers: flags.workers ?? defaultWorkers(settings === undefined ? 'flat-out' : 'load'),
      ledger: flags.ledger,
      ledgerUrl: flags.ledgerUrl,
      ledgerLease: lease,
      ledgerToken: connection.token,
      ledgerCallMsMax: connection.callMsMax,
      now: wallClock.nowMs,
      telemetry,
      stop: stopper.signal,
      load: settings === undefined ? undefined : { ...settings, pause: wallClockPause(), ...(live === undefined ? {} : { buckets: live.buckets }) },
    })
  } catch (error) {
    for (const subscription of following) subscription.unsubscribe()
    progress.done()
    await exporter?.close()
    await folder.discard()
    stopper.release()
    throw error
  }
  for (const subscription of following) subscription.unsubscribe()
  progress.done()
  await exporter?.close()
  let written: RunFiles | undefined
  let notKept: RunFolderWriteFailed | undefined
  try {
    written = await writeRunFiles(folder, summary, seconds)
  } catch (error) {
    // A full disk (or a quota, a read-only mount) loses the files, not the verdict: it is told below.
    if (!(error instanceof RunFolderWriteFailed)) throw error
    notKept = error
  } finally {
    stopper.release()
  }
  const outcome = verdict(summary, notKept)
  if (flags.json) printJson(runJson(outcome, written?.folder, summary))
  else process.stdout.write(`\n${summaryTable(summary)}\n\n${written === undefined ? 'files     not kept (see above)' : `summary    ${printable(written.summary)}\nreport     ${printable(written.report)}`}\n`)
  return outcome.code
}

/** The verdict of a finished run: its exit code, and what failed (each told on stderr as it is found). */
interface Verdict {
  readonly code: number
  readonly failure?: JsonFailure
}

/** A finished run in --json: `ok` and any failure first, where its files are (null: not kept), then its summary. */
function runJson(outcome: Verdict, folder: string | undefined, summary: object): object {
  return { ok: outcome.code === 0, ...(outcome.failure === undefined ? {} : { error: outcome.failure }), folder: folder ?? null, ...summary }
}

/**
 * The exit code of a finished run, with each reason on stderr: 1 for broken money, a failed
 * threshold, an invalid load or files that could not be written; else, for a run stopped early
 * by a signal, 128 + the signal's number (130 for SIGINT); else 0.
 */
function verdict(summary: RunSummary, notKept?: RunFolderWriteFailed): Verdict {
  const failures: string[] = []
  const fail = (line: string) => {
    process.stderr.write(`citytwin: ${line}\n`)
    failures.push(line)
  }
  if (!summary.conservation.ok) {
    fail(
      `MONEY WAS NOT CONSERVED: balances ${summary.conservation.balancesFen} fen, issued − redeemed ${summary.conservation.issuedFen - summary.conservation.redeemedFen} fen, ${summary.conservation.negativeBalances} negative balances. The run failed.`,
    )
  }
  if (!summary.doubleEntry.ok) {
    const broken = Object.entries(summary.doubleEntry.byKind).filter(([, sides]) => sides.debitsFen !== sides.creditsFen || sides.debitsFen !== sides.acceptedFen)
    fail(
      `THE LEDGER'S DOUBLE ENTRY DOES NOT BALANCE: ${broken.map(([kind, sides]) => `${kind} debits ${sides.debitsFen}, credits ${sides.creditsFen}, accepted ${sides.acceptedFen} fen`).join('; ') || `${summary.doubleEntry.pendingFen} fen still reserved by pending transfers`}. The run failed.`,
    )
  }
  const load = summary.load
  if (load !== undefined) {
    const failed = load.thresholds.filter((check) => !check.ok)
    if (failed.length > 0) fail(`threshold${failed.length === 1 ? '' : 's'} failed: ${printable(failed.map((check) => `${check.threshold} (was ${thresholdActual(check)})`).join(', '))}`)
    if (!load.valid) fail(`the load run is INVALID, its figures are not those of the target: ${printable(load.invalidReasons.join('; '))}`)
  }
  if (notKept !== undefined) fail(`${printable(notKept.message)}. The run failed.`)
  if (failures.length > 0) return { code: exitRunFailed, failure: { kind: 'run-failed', message: failures.join('; ') } }
  if (summary.stoppedEarly !== undefined) {
    const line = `the run was ${summary.stoppedEarly.reason}: its figures and audit cover that part only`
    process.stderr.write(`citytwin: ${line}\n`)
    return { code: signalExit(summary.stoppedEarly.by), failure: { kind: 'interrupted', message: line } }
  }
  return { code: 0 }
}

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

async function capacityCommand(file: string, flags: CapacityFlags): Promise<number> {
  const loaded = await loadScenario(file)
  const connection = ledgerConnection(`capacity ${file}`, flags)
  const lease = connection.lease
  if (flags.slo.length === 0) throw new UserError("--slo: give the service level each trial must hold, like --slo 'p99<50ms'")
  const slo = parseThresholds(flags.slo, '--slo')
  const windowMs = parseDuration(flags.window, '--window')
  const warmupMs = parseDuration(flags.warmup, '--warmup', true)
  const lateToleranceMs = flags.lateTolerance === undefined ? undefined : parseDuration(flags.lateTolerance, '--late-tolerance')
  const startTps = parseRate(flags.start, '--start')
  const maxTps = parseRate(flags.max, '--max')
  if (startTps < 1) throw new UserError('--start: must be at least 1 transfer per second')
  if (maxTps < startTps) throw new UserError(`--max: must be at least --start (${startTps})`)
  const precision = parsePercent(flags.precision, '--precision')
  const rampTrials = Math.ceil(Math.log(maxTps / startTps) / Math.log(flags.growth)) + 1
  if (rampTrials >= capacityTrialsMax) {
    throw new UserError(`--growth: ramping ×${flags.growth} from ${startTps} to ${maxTps} would take ${rampTrials} trials, more than the ${capacityTrialsMax - 1} a search may run; raise --growth or --start, or lower --max`)
  }
  if (warmupMs + windowMs > loadDurationMsMax) throw new UserError(`--window: with --warmup, a trial may last at most ${loadDurationMsMax / 3_600_000} hours`)
  const { folder, stopper } = await runFolderWithSignals(flags, loaded.scenario.seed)
  const progress = progressReporter(Boolean(flags.json))
  const telemetry = new RunTelemetry()
  const following = progress.follow(telemetry)
  const timing = { windowMs, warmupMs }
  /** The trials that ran to their end, in order: what an interrupted search still reports. */
  const done: CapacityTrialFigures[] = []
  let report: CapacityReport
  try {
    const city = await openCity(loaded, { seed: flags.seed, residents: flags.residents, workers: flags.workers ?? defaultWorkers('load'), now: wallClock.nowMs, telemetry })
    try {
      // A trial needs rate × (warm-up + window) payments: the period's payments cap the rates worth trying.
      const trialSeconds = (warmupMs + windowMs) / 1000
      const payments = adoptedPayments(city.plan)
      const periodTps = Math.floor((payments * periodShareMax) / trialSeconds)
      if (periodTps < startTps) {
        throw new UserError(`--start: the scenario's period makes about ${grouped(payments)} payments, too few for ${grouped(startTps)}/s over ${trialSeconds} s; lengthen the period, raise the scale or shorten --window`)
      }
      if (periodTps < maxTps && !flags.json) {
        process.stderr.write(`the scenario's period makes about ${grouped(payments)} payments: trials stop at ${grouped(periodTps)}/s (lengthen the period or shorten --window to go higher)\n`)
      }
      try {
        const result = await searchCapacity({
          startTps,
          maxTps: Math.min(maxTps, periodTps),
          growth: flags.growth,
          precision,
          trial: async (tps) => {
            if (stopper.signal.aborted) throw new SearchInterrupted()
            const summary = await city.run({
              ledger: flags.ledger,
              ledgerUrl: flags.ledgerUrl,
              ledgerLease: lease,
              ledgerToken: connection.token,
              ledgerCallMsMax: connection.callMsMax,
              stop: stopper.signal,
              load: {
                profile: { sort: 'rate', ...parseProfile(`constant:${tps}/${warmupMs + windowMs}ms`, '--window') },
                where: '--window',
                warmupMs,
                thresholds: slo,
                abortOnFail: false,
                inFlightMax: flags.inFlight ?? loadInFlightDefaultFor(flags.ledger),
                ...(lateToleranceMs === undefined ? {} : { lateToleranceMs }),
                pause: wallClockPause(),
              },
            })
            progress.done()
            if (!summary.conservation.ok || !summary.doubleEntry.ok) {
              throw new RunFailed(`the trial at ${grouped(tps)}/s broke the audit (${summary.conservation.ok ? 'double entry did not balance' : 'money was not conserved'}): the ledger is wrong, not slow, and no capacity is reported`)
            }
            // A trial cut short judged less than its window: it is left out, and the search ends.
            if (summary.stoppedEarly !== undefined) throw new SearchInterrupted()
            const trial = capacityTrial(tps, summary)
            done.push(trial)
            if (!flags.json) process.stderr.write(`${trialLine(trial)}\n`)
            return trial
          },
        })
        report = capacityReport(city.plan, flags, slo, timing, result)
      } catch (error) {
        if (!(error instanceof SearchInterrupted)) throw error
        report = interruptedCapacityReport(city.plan, flags, slo, timing, done, String(stopper.signal.reason))
      }
    } finally {
      following.unsubscribe()
      await city.close()
    }
  } catch (error) {
    following.unsubscribe()
    progress.done()
    await folder.discard()
    stopper.release()
    throw error
  }
  let written: { folder: string; json: string; report: string } | undefined
  let notKept: RunFolderWriteFailed | undefined
  try {
    written = await writeCapacityFiles(folder, report)
  } catch (error) {
    if (!(error instanceof RunFolderWriteFailed)) throw error
    notKept = error
  } finally {
    stopper.release()
  }
  let outcome: Verdict = { code: 0 }
  if (notKept !== undefined) {
    const line = `${printable(notKept.message)}. The run failed.`
    process.stderr.write(`citytwin: ${line}\n`)
    outcome = { code: exitRunFailed, failure: { kind: 'run-failed', message: line } }
  } else if (report.interrupted !== undefined) {
    const line = `the search was interrupted by ${report.interrupted} after ${report.trials.length} trial${report.trials.length === 1 ? '' : 's'}: what it found so far is kept, marked as such`
    process.stderr.write(`citytwin: ${line}\n`)
    outcome = { code: signalExit(report.interrupted), failure: { kind: 'interrupted', message: line } }
  }
  if (flags.json) printJson(runJson(outcome, written?.folder, report))
  else process.stdout.write(`\n${capacityTable(report)}\n\n${written === undefined ? 'files     not kept (see above)' : `capacity   ${printable(written.json)}\nreport     ${printable(written.report)}`}\n`)
  return outcome.code
}

/** A signal stopped the capacity search: thrown from a trial, caught by the command. */
class SearchInterrupted extends Error {
  override readonly name = 'SearchInterrupted'
}

/** About how many payments the period makes: the plan's rates, made by the residents who use e-CNY. */
function adoptedPayments(plan: Plan): number {
  const adopted = plan.districts.reduce((sum, district) => sum + district.residents * district.adoption, 0)
  return plan.residents === 0 ? 0 : Math.round((plan.paymentsExpected * adopted) / plan.residents)
}

interface ServeFlags extends RunFlags {
  port: number
  host: string
  token?: string
  speed?: number
  wait?: boolean
  exit?: boolean
  allowOrigin: string[]
  allowHost: string[]
}

/** The default pace of the live map: two simulated minutes a wall second (a day in 12 minutes). */
const serveSpeedDefault = 2

/**
 * The live map: the city built, a run started (unless --wait) and steered from the page, which
 * shows it as it goes; after a run, its files are written and the page offers Start and replay.
 * Serves until Ctrl-C (or, with --exit, until the first run is over, exiting with its verdict).
 */
async function serveCommand(file: string, flags: ServeFlags): Promise<number> {
  const loaded = await loadScenario(file)
  const connection = ledgerConnection(`serve ${file}`, flags)
  const lease = connection.lease
  if (flags.speed !== undefined && (flags.tps !== undefined || flags.profile !== undefined)) throw new UserError('--speed: give it, or --tps, or --profile realistic:…, not two of them')
  // From the environment too: a flag is visible to anyone on the machine who lists its processes.
  const token = flags.token ?? (process.env.CITYTWIN_TOKEN === '' ? undefined : process.env.CITYTWIN_TOKEN)
  const tokenFrom = flags.token !== undefined ? '--token' : 'CITYTWIN_TOKEN'
  if (token !== undefined && (token.length < 8 || token.length > 256)) throw new UserError(`${tokenFrom}: between 8 and 256 characters`)
  // Before anything is built: a bind beyond this machine must say who may steer the run.
  checkLiveBind(flags.host, token, flags.allowHost)
  const speed = flags.speed ?? serveSpeedDefault
  const scenarioPaced = flags.tps === undefined && flags.profile === undefined && (loaded.scenario.load?.profile !== undefined || loaded.scenario.load?.tps !== undefined)
  const paced = flags.tps !== undefined || flags.profile !== undefined || scenarioPaced
  // Without a pace given, the city's own rhythm at --speed, for its whole period.
  const settings = loadSettings(loaded.scenario.load, paced ? flags : { ...flags, profile: `realistic:1d/${Math.round((minutesPerDay * 1000) / speed)}ms` }, file)
  if (settings === undefined) throw new UserError('--profile: the live map needs a pace')
  const { profile } = settings
  let pace: LivePace
  let limitMs = Infinity
  if (profile.sort === 'realistic') {
    pace = { sort: 'clock', tickMs: profile.durationMs / profile.simulatedMinutes }
    if (paced) limitMs = profile.durationMs
  } else {
    const segment = profile.schedule.segments[0]
    if (profile.name !== 'constant' || segment === undefined) throw new UserError(`${settings.where}: the live map starts at a constant rate (--tps) or at the city's rhythm (--speed, or realistic:…); ${profile.name} profiles are for \`citytwin run\``)
    pace = { sort: 'rate', tps: segment.fromTps }
    // --tps alone runs the whole period; with --duration (or a profile's own), that long.
    const endGiven = flags.profile !== undefined || flags.duration !== undefined || (scenarioPaced && (loaded.scenario.load?.profile !== undefined || loaded.scenario.load?.duration !== undefined))
    if (endGiven) limitMs = profile.schedule.durationMs
  }
  const publicDir = defaultPublicDir()
  if (!existsSync(path.join(publicDir, 'index.html'))) throw new UserError(`the map's page is not built (no ${path.relative(process.cwd(), publicDir) || publicDir}/index.html): run npm run build`)
  // Signals are handled before the first folder is made: a first one ends the run going (or, while
  // the city is being built, the command once it is), a second quits at once leaving nothing
  // half-written, with 128 + the signal's number.
  let first: RunFolder | undefined
  let live: LiveSession | undefined
  let stopRequested: () => void = () => undefined
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve))
  let signalled = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      live?.abandonSync()
      first?.discardSync()
      process.exit(signalExit(signal))
    }
    signalled = true
    if (live === undefined) process.stderr.write(`\nstopping (${signal}): the command ends once the city is built, starting no run (again to quit at once)\n`)
    stopRequested()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const serveUntilStopped = async (): Promise<number> => {
    first = await runFolderFor(flags, loaded.scenario.seed)
    const firstFolder = first
    const progress = progressReporter(Boolean(flags.json))
    const telemetry = new RunTelemetry()
    progress.follow(telemetry)
    let city: OpenedCity
    try {
      city = await openCity(loaded, { seed: flags.seed, residents: flags.residents, workers: flags.workers ?? defaultWorkers('load'), now: wallClock.nowMs, telemetry })
    } catch (error) {
      progress.done()
      await firstFolder.discard()
      throw error
    }
    progress.done()
    if (signalled) {
      await city.close()
      await firstFolder.discard()
      return 0
    }
    const runsRoot = path.dirname(path.resolve(first.path))
    let verdictCode = 0
    /** Ctrl-C came: the run going ends and the server with it. */
    let stopping = false
    let firstRunDone: () => void = () => undefined
    const firstRun = new Promise<void>((resolve) => (firstRunDone = resolve))
    const session = new LiveSession({
      loaded,
      opened: city,
      ledger: flags.ledger,
      ledgerUrl: flags.ledgerUrl,
      ledgerLease: lease,
      ledgerToken: connection.token,
      ledgerCallMsMax: connection.callMsMax,
      settings,
      pace,
      limitMs,
      now: wallClock.nowMs,
      folderFor: async (run) => (run === 1 ? firstFolder : await RunFolder.prepare(await unusedFolder(flags.out ?? defaultRunFolder('runs', wallClock.date(), flags.seed ?? loaded.scenario.seed)), 'the run folder')),
      onRunDone: (run, outcome) => {
        progress.done()
        const { summary, error } = outcome
        if (summary !== undefined && (error === undefined || error instanceof RunFolderWriteFailed)) {
          // A finished run, its files written or (a full disk) not: its verdict either way.
          const ended = verdict(summary, error)
          if (flags.json) printJson({ run, ...runJson(ended, outcome.folder, summary) })
          else process.stdout.write(`\n${summaryTable(summary)}\n\nrun ${run}: ${outcome.folder === undefined ? 'files not kept (see above)' : printable(outcome.folder)}\n`)
          verdictCode = ended.code
        } else {
          const failure = failureOf(error)
          process.stderr.write(`citytwin: run ${run} failed: ${printableLines(failure.kind === 'internal' ? (error?.stack ?? String(error)) : failure.message)}\n`)
          if (flags.json) printJson({ run, ok: false, error: failure })
          verdictCode = exitRunFailed
        }
        if (!flags.exit && !stopping) process.stderr.write(`the map stays up at ${server.url} (Start runs again, replays are listed there); Ctrl-C to stop\n`)
        firstRunDone()
      },
    })
    live = session
    let server: RunningLiveServer
    try {
      server = await startLiveServer({
        host: flags.host,
        port: flags.port,
        session,
        store: new RunStore(runsRoot),
        publicDir,
        token,
        allowOrigins: flags.allowOrigin,
        allowHosts: flags.allowHost,
        now: wallClock.nowMs,
      })
    } catch (error) {
      await city.close()
      await firstFolder.discard()
      throw error
    }
    process.stderr.write(`live map at ${server.url}  (presenter mode: ${server.url}?presenter=1)${token === undefined ? '' : '; the controls need the token'}\n`)
    if (!isLoopbackHost(flags.host) && token === undefined) process.stderr.write(`citytwin: WARNING: listening on ${printable(flags.host)} with no token: anyone who reaches the map can steer the run (--token or CITYTWIN_TOKEN to stop that)\n`)
    // A signal while the city was built: nothing is started, the command ends.
    if (!flags.wait && !signalled) void session.start()
    const interrupted = await Promise.race([stopped.then(() => true), flags.exit ? firstRun.then(() => session.settled()).then(() => false) : new Promise<never>(() => undefined)])
    stopping = interrupted
    if (interrupted && session.runState !== 'finished' && session.runState !== 'failed' && session.runState !== 'waiting') {
      process.stderr.write('\nstopping: the run ends here and its files are written (Ctrl-C again to quit at once)\n')
      await session.stop()
    }
    await server.close()
    await city.close()
    // The first run's folder, if that run never started (--wait, then Ctrl-C): nothing is left of it.
    await firstFolder.discard()
    return verdictCode
  }
  try {
    return await serveUntilStopped()
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

interface ReplayFlags {
  readonly port: number
  readonly host: string
  readonly allowHost: string[]
}

/** Serves finished runs for replay, opening the page at the one named. */
async function replayCommand(folder: string, flags: ReplayFlags): Promise<number> {
  // The folder the user named, links resolved: the store then refuses any link inside it.
  const real = await fs.realpath(path.resolve(folder)).catch(() => path.resolve(folder))
  const store = new RunStore(path.dirname(real))
  const id = path.basename(real)
  if ((await store.read(id, 'timeline.json')) === undefined) throw new UserError(`${folder}: no timeline.json here; runs made by \`citytwin serve\` can be replayed`)
  const server = await startLiveServer({ host: flags.host, port: flags.port, store, publicDir: defaultPublicDir(), allowHosts: flags.allowHost, now: wallClock.nowMs })
  process.stderr.write(`replay at ${server.url}?replay=${encodeURIComponent(id)} ; Ctrl-C to stop\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await server.close()
  return 0
}

interface LedgerServerFlags {
  readonly backend: string
  readonly port: number
  readonly host: string
  readonly ledgerUrl?: string
  readonly resume?: boolean
  readonly takeOver?: boolean
  readonly token?: string
}

/** Serves until SIGINT or SIGTERM, then closes the ledger and exits 0. */
async function ledgerServerCommand(flags: LedgerServerFlags): Promise<number> {
  const connection = { url: flags.ledgerUrl, now: wallClock.nowMs, lease: ledgerLease(`ledger-server --backend ${flags.backend}`, flags) }
  checkLedger(flags.backend, connection)
  // Always a token: 127.0.0.1 is shared by every user and process of the machine. One given, or one made now.
  const given = ledgerTokenFrom(flags.token, process.env[ledgerTokenVariable], '--token')
  const token = given ?? generateLedgerToken()
  let resume: LedgerServerState | undefined
  if (flags.resume === true) {
    if (flags.backend !== 'postgres' || flags.ledgerUrl === undefined) throw new UserError('--resume: only with --backend postgres and its --ledger-url (a ledger that keeps its calls in the database)')
    const { ledger, kept } = await PostgresLedger.resume(flags.ledgerUrl, { now: wallClock.nowMs }, connection.lease)
    resume = {
      ledger,
      session: kept.session,
      lastNumber: kept.lastNumber,
      lastAnswer: Promise.resolve(kept.lastCodes === undefined ? {} : encodeCodes(kept.lastCodes)),
      numbersMaySkip: true,
    }
  }
  const server = await LedgerServer.start({
    host: flags.host,
    port: flags.port,
    token,
    backend: (options) => createLedger(flags.backend, options, connection),
    ...(resume === undefined ? {} : { resume }),
  }).catch(async (error: NodeJS.ErrnoException) => {
    await resume?.ledger.close()
    if (error.code === 'EADDRINUSE' || error.code === 'EACCES') throw new UserError(`--port: cannot listen on ${flags.host}:${flags.port} (${error.code})`)
    if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') throw new UserError(`--host: cannot listen on ${flags.host} (${error.code})`)
    throw error
  })
  if (resume !== undefined) process.stderr.write(`took up session ${resume.session} after call ${resume.lastNumber}\n`)
  // One write, so whoever reads it (a person, a script) gets the address and how to use it together.
  const lines = [`ledger server (${flags.backend}) at ${server.url}; stop with Ctrl-C`]
  if (given === undefined) {
    lines.push(
      `every request needs this token, made for this start (--token or ${ledgerTokenVariable} sets your own); a run against it:`,
      '',
      `    ${ledgerTokenVariable}=${token} citytwin run scenarios/smoke.yaml --ledger http --ledger-url ${server.url}`,
      '',
    )
  } else {
    lines.push(`every request needs the token of ${flags.token === undefined ? ledgerTokenVariable : '--token'}; a run gives it with --ledger-token or ${ledgerTokenVariable}`)
  }
  const bound = new URL(server.url).hostname
  if (!isLoopbackAddress(bound)) {
    lines.push(
      `citytwin: WARNING: this ledger server listens on ${bound}${bound === '0.0.0.0' || bound === '[::]' ? ', every network interface' : ''}: other machines can reach it, not only this one. ` +
        'The token is its only guard: with it, a caller reads every balance, moves and mints money and replaces the ledger (on postgres, emptying its schema). ' +
        'And the traffic is plain HTTP: anyone on the network path can read the token and every call, and change them. ' +
        'Keep the default 127.0.0.1 unless the network is yours alone, or put a TLS proxy in front.',
    )
  }
  process.stderr.write(`${lines.join('\n')}\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await server.close()
  return 0
}

function parsePercent(text: string, where: string): number {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text.trim())
  const value = match === null ? Number.NaN : Number(match[1]) / 100
  if (!(value > 0 && value < 1)) throw new UserError(`${where}: "${text}" must be a share between 0% and 100%, like 5%`)
  return value
}

async function validateCommand(file: string): Promise<number> {
  const { loaded, plan } = await validateScenario(file)
  const { scenario, mapFile } = loaded
  // The file names and the scenario's name are input: made printable.
  process.stdout.write(
    `${printable(file)}: valid. "${printable(scenario.name)}": ${scenario.city.districts.length} districts of ${printable(path.relative(process.cwd(), mapFile) || mapFile)}, ` +
      `${grouped(plan.residents)} residents and ${grouped(plan.merchants)} merchants at scale ${scenario.scale}, ${plan.clock.ticks} simulated minutes, seed ${scenario.seed}\n`,
  )
  return 0
}

/**
 * A bar redrawn in place on a terminal; elsewhere, a line every tenth of the run. A load run
 * shows a line a second on a terminal, and one every `loadLineEverySeconds` elsewhere.
 */
function progressReporter(quiet: boolean) {
  const stream = process.stderr
  const live = stream.isTTY === true
  let lastDrawMs = -Infinity
  let lastTenth = -1
  let drawn = false
  const reporter = {
    second: (progress: LoadProgress) => {
      if (live) {
        stream.write(`\r${loadProgressLine(progress)}\x1b[K`)
        drawn = true
        return
      }
      if (!quiet && (progress.second % loadLineEverySeconds === 0 || progress.second === 1)) stream.write(`${loadProgressLine(progress)}\n`)
    },
    update: (progress: RunProgress) => {
      if (live) {
        const nowMs = wallClock.nowMs()
        const phaseChange = progress.phase !== 'running' || progress.tick >= progress.ticks
        if (nowMs - lastDrawMs < progressIntervalMs && !phaseChange) return
        lastDrawMs = nowMs
        stream.write(`\r${progressLine(progress)}\x1b[K`)
        drawn = true
        return
      }
      if (quiet) return
      if (progress.phase !== 'running') {
        stream.write(`${progressLine(progress)}\n`)
        return
      }
      const tenth = Math.floor((progress.tick / progress.ticks) * 10)
      if (tenth > lastTenth) {
        lastTenth = tenth
        stream.write(`${progressLine(progress)}\n`)
      }
    },
    done: () => {
      if (drawn) stream.write('\n')
      drawn = false
    },
  }
  return {
    ...reporter,
    /** Draws what `telemetry` publishes until unsubscribed. */
    follow: (telemetry: RunTelemetry): Subscription => {
      const subscription = telemetry.progress$.subscribe(reporter.update)
      subscription.add(telemetry.seconds$.subscribe((closed) => reporter.second(closed.progress)))
      return subscription
    },
  }
}

/** The version in package.json, found from this file whether it runs from bin/ or dist/bin/. */
function packageVersion(): string {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      const json = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (json.name === 'citytwin' && typeof json.version === 'string') return json.version
    } catch {
      // Not this one: try the next folder up.
    }
  }
  return 'unknown'
}

const takeOverHelp = 'postgres and redis: take over a ledger still marked as held by a run that is gone (crashed, killed); a ledger in use by a live run is refused all the same'

/** The flags of every command that builds a city and drives a ledger: run, serve, capacity. */
function withCityFlags(command: Command, workersHelp: string): Command {
  return command
    .option('--seed <n>', "root seed (default: the scenario's)", integer('--seed', 0, 0xffff_ffff))
    .option('--workers <n>', workersHelp, integer('--workers', 1, workersMax))
    .option('--residents <n>', "residents to simulate (overrides the scenario's scale)", integer('--residents', 1, residentsMax))
    .addOption(new Option('--ledger <name>', 'ledger to drive').choices(ledgerNames).default('memory'))
    .option('--ledger-url <url>', 'where the ledger is: http://host:port (http), postgres://user@host:5432/db?schema=citytwin (postgres; none: an embedded server), redis://host:6379/0?key=citytwin (redis)')
    .option('--take-over', takeOverHelp)
    .option('--ledger-token <secret>', `the http ledger's token (citytwin ledger-server prints one at start). Or set ${ledgerTokenVariable}, which other users cannot see in the process list`)
    .option('--ledger-timeout <time>', `the http ledger: the longest one call may take, its retries included (default ${ledgerCallMsDefault / 60_000}m)`)
}

function program(): Command {
  const cli = new Command('citytwin')
    .description('A city digital twin for digital-currency payments, and a load engine for the ledgers that carry them.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    // A bad argument is quoted back, and an argument can be a hostile file's name.
    .configureOutput({ writeErr: (text) => process.stderr.write(printableLines(text)) })

  withCityFlags(
    cli
      .command('run')
      .description('simulate a scenario on a ledger: progress while it runs, a summary at the end, summary.json in the run folder')
      .argument('<scenario>', 'scenario file (YAML)'),
    `simulation worker threads (default: ${defaultWorkers('flat-out')} flat out, ${defaultWorkers('load')} in load mode)`,
  )
    .option('--out <dir>', 'folder for summary.json, metrics.csv and report.html (default: runs/<timestamp>-seed<seed>)')
    .option('--json', 'print one JSON summary on stdout; progress goes to stderr')
    .option('--tps <rate>', 'load mode: a constant target rate, transfers per second (200000, 200k, 1.5M)')
    .option('--duration <time>', 'load mode: how long --tps is held (500ms, 90s, 2m, 1h)', undefined)
    .option('--profile <profile>', `load mode: a target profile over wall time (${profileUsages})`)
    .option('--threshold <gate>', "load mode: a pass/fail gate, repeatable: 'p99<50ms', 'errors<0.1%', 'dropped<=0'; a failure exits 1", collect, [])
    .option('--abort-on-fail', 'load mode: stop as soon as a threshold fails')
    .option('--in-flight <n>', `load mode: calls outstanding at most (default ${loadInFlightDefault} on the memory ledger, ${loadInFlightNetworkedDefault} on the others)`, integer('--in-flight', 1, loadInFlightMax))
    .option('--late-tolerance <time>', 'load mode: send lateness p99 beyond which the run is invalid (default 10ms)')
    .option('--prometheus <port>', 'load mode: serve live metrics at http://127.0.0.1:<port>/metrics', integer('--prometheus', 0, 65_535))
    .action(async (file: string, flags: RunFlags) => {
      jsonOutput = flags.json === true
      process.exitCode = await runCommand(file, flags)
    })

  withCityFlags(
    cli
      .command('serve')
      .description('run a scenario with its live map: a web page of the city as the run goes, with controls, presenter mode (?presenter=1) and replay of finished runs')
      .argument('<scenario>', 'scenario file (YAML)'),
    `simulation worker threads (default ${defaultWorkers('load')})`,
  )
    .option('--port <n>', 'port of the map (0: any free one)', integer('--port', 0, 65_535), 8080)
    .option('--host <address>', 'address to listen on (0.0.0.0 to show the map to other machines, with --token or --allow-host)', '127.0.0.1')
    .option('--token <secret>', 'the controls need this token (the page asks for it); watching does not. Or set CITYTWIN_TOKEN, which other users cannot see in the process list')
    .option('--allow-origin <origin>', 'another origin whose pages may connect, repeatable (default: only the map\'s own)', collect, [])
    .option('--allow-host <name>', 'a host name the map may be opened by besides its address, IP addresses and localhost, repeatable; with --host beyond loopback, this or a token is needed', collect, [])
    .option('--speed <n>', `simulated minutes per wall second, following the city's rhythm (default ${serveSpeedDefault}: a day in ${Math.round(minutesPerDay / serveSpeedDefault / 60)} minutes)`, positiveNumber('--speed', liveSpeedMax))
    .option('--wait', 'build the city, then wait for Start on the page')
    .option('--exit', 'exit once the first run is over, with its verdict (for scripts)')
    .option('--out <dir>', 'folder for the run files, timeline.json and city.json (default: runs/<timestamp>-seed<seed>)')
    .option('--json', 'print one JSON summary per run on stdout; progress goes to stderr')
    .option('--tps <rate>', 'start at a constant target rate instead of the city\'s rhythm (200000, 200k, 1.5M)')
    .option('--duration <time>', 'with --tps: stop after this long (default: when the period\'s payments are all sent)')
    .option('--profile <profile>', 'realistic:<span>/<duration> (the city\'s rhythm, ending after <duration>) or constant:<rate>/<duration>')
    .option('--threshold <gate>', "a pass/fail gate on each run, repeatable: 'p99<50ms'", collect, [])
    .option('--abort-on-fail', 'stop a run as soon as a threshold fails')
    .option('--in-flight <n>', `calls outstanding at most (default ${loadInFlightDefault} on the memory ledger, ${loadInFlightNetworkedDefault} on the others)`, integer('--in-flight', 1, loadInFlightMax))
    .option('--late-tolerance <time>', 'send lateness p99 beyond which a run is invalid (default 10ms)')
    .action(async (file: string, flags: ServeFlags) => {
      jsonOutput = flags.json === true
      process.exitCode = await serveCommand(file, flags)
    })

  cli
    .command('replay')
    .description('serve the map of a finished run (made by serve) with its timeline to scrub')
    .argument('<folder>', 'a run folder, like runs/20261121T080000Z-seed20201101')
    .option('--port <n>', 'port of the map (0: any free one)', integer('--port', 0, 65_535), 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--allow-host <name>', 'a host name the map may be opened by besides its address, IP addresses and localhost, repeatable', collect, [])
    .action(async (folder: string, flags: ReplayFlags) => {
      process.exitCode = await replayCommand(folder, flags)
    })

  withCityFlags(
    cli
      .command('capacity')
      .description('find the highest target rate the ledger sustains within an SLO: ramp, then bisect, each trial a sustained window on a fresh ledger')
      .argument('<scenario>', 'scenario file (YAML)'),
    `simulation worker threads (default ${defaultWorkers('load')})`,
  )
    .option('--slo <gate>', "the service level each trial must hold, repeatable: 'p99<50ms', 'errors<0.1%'", collect, [])
    .option('--window <time>', 'how long each trial holds its rate, judged by the SLO', '10s')
    .option('--warmup <time>', 'how long each trial runs at its rate before the window starts (not judged)', '2s')
    .option('--start <rate>', 'first rate tried', '10k')
    .option('--max <rate>', 'highest rate tried', '4M')
    .option('--growth <factor>', 'ramp factor between trials until one fails', factor('--growth'), 2)
    .option('--precision <share>', 'bisect until the bracket is this narrow', '5%')
    .option('--in-flight <n>', `calls outstanding at most (default ${loadInFlightDefault} on the memory ledger, ${loadInFlightNetworkedDefault} on the others)`, integer('--in-flight', 1, loadInFlightMax))
    .option('--late-tolerance <time>', 'send lateness p99 beyond which a trial is invalid, so failed (default 10ms)')
    .option('--out <dir>', 'folder for capacity.json and capacity.html (default: runs/<timestamp>-seed<seed>)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (file: string, flags: CapacityFlags) => {
      jsonOutput = flags.json === true
      process.exitCode = await capacityCommand(file, flags)
    })

  cli
    .command('ledger-server')
    .description('serve a ledger over the HTTP ledger protocol (docs/http-ledger.md), for --ledger http and as its reference')
    .addOption(new Option('--backend <name>', 'the ledger behind the server').choices(ledgerNames.filter((name) => name !== 'http')).default('memory'))
    .option('--port <n>', 'port to listen on (0: any free one)', integer('--port', 0, 65_535), 8081)
    .option('--host <address>', 'address to listen on (another than 127.0.0.1 exposes the ledger to the network, guarded by its token alone)', '127.0.0.1')
    .option('--token <secret>', `the token every request must carry (default: one made at start, printed once). Or set ${ledgerTokenVariable}, which other users cannot see in the process list`)
    .option('--ledger-url <url>', "the backend's own server, for postgres and redis (postgres without one: an embedded server)")
    .option('--resume', 'take up the ledger and the client session a killed server left in --ledger-url (postgres only), rather than wait for a new client')
    .option('--take-over', takeOverHelp)
    .action(async (flags: LedgerServerFlags) => {
      process.exitCode = await ledgerServerCommand(flags)
    })

  cli
    .command('report')
    .description("render a run folder's report.html again from its summary.json and metrics.csv")
    .argument('<folder>', 'a run folder, like runs/20261121T080000Z-seed20201101')
    .action(async (folder: string) => {
      const written = await renderRunFolder(folder)
      process.stdout.write(`report     ${printable(written)}\n`)
      process.exitCode = 0
    })

  cli
    .command('validate')
    .description('check a scenario and its map; every problem is listed with its field path')
    .argument('<scenario>', 'scenario file (YAML)')
    .action(async (file: string) => {
      process.exitCode = await validateCommand(file)
    })
  return cli
}

/** What a failure is, for --json: its kind (by the exit code it goes with) and its message. */
function failureOf(error: unknown): JsonFailure {
  if (error instanceof UserError) {
    // The message's first line; the issues listed under it come as a list of their own.
    const message = error.message.split('\n', 1)[0] ?? ''
    return error.issues.length === 0 ? { kind: 'bad-input', message } : { kind: 'bad-input', message, issues: error.issues }
  }
  if (error instanceof RunFailed) return { kind: 'run-failed', message: error.message }
  return { kind: 'internal', message: `internal error: ${error instanceof Error ? error.message : String(error)}` }
}

/** The commands whose --json prints every outcome as one JSON object on stdout. */
const jsonCommands = ['run', 'capacity', 'serve']

/** Whether `argv` asks a command with --json for it (the flags are not parsed yet when parsing fails). */
function jsonAskedIn(argv: readonly string[]): boolean {
  const words = argv.slice(2)
  const end = words.indexOf('--')
  const given = end === -1 ? words : words.slice(0, end)
  return jsonCommands.includes(given[0] ?? '') && given.includes('--json')
}

async function main(argv: readonly string[]): Promise<void> {
  try {
    await program().parseAsync([...argv])
  } catch (error) {
    // With --json, every outcome is one JSON object on stdout, a failure too; stderr says it as always.
    if (jsonOutput || (error instanceof CommanderError && error.exitCode !== 0 && jsonAskedIn(argv))) {
      printJson({ ok: false, error: error instanceof CommanderError ? { kind: 'bad-input', message: error.message.replace(/^error: /, '') } : failureOf(error) })
    }
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other parse error is bad input, already explained.
      process.exitCode = error.exitCode === 0 ? 0 : exitBadInput
      return
    }
    // Messages quote input (file names, fields, values): printed with every control made visible.
    if (error instanceof UserError) {
      process.stderr.write(`citytwin: ${printableLines(error.message)}\n`)
      process.exitCode = exitBadInput
      return
    }
    if (error instanceof RunFailed) {
      process.stderr.write(`citytwin: ${printableLines(error.message)}. The run failed.\n`)
      process.exitCode = exitRunFailed
      return
    }
    process.stderr.write(`citytwin: internal error, the run failed\n${printableLines(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`)
    process.exitCode = exitRunFailed
  }
}

await main(process.argv)
