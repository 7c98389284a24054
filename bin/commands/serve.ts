/**
 * `citytwin serve`: the live map. The city is built, a run started (unless --wait) and steered
 * from the page, which shows it as it goes; after a run, its files are written and the page offers
 * Start and replay. Serves until Ctrl-C with no run going (a Ctrl-C during a run ends that run and
 * keeps the map up), or, with --exit, until the first run is over, exiting with its verdict.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { UserError } from '../../engine/errors.js'
import { reachLedger } from '../../engine/ledger/index.js'
import { liveSpeedMax, minutesPerDay } from '../../engine/limits.js'
import { liveSpeedDefault, liveStart, type LiveStart } from '../../engine/load/index.js'
import { printable, printableLines } from '../../engine/printable.js'
import {
  RunFolder,
  RunFolderWriteFailed,
  summaryTable,
  unusedFolder,
  type RunSummary,
} from '../../engine/report/index.js'
import { defaultWorkers, openCity, type OpenedCity } from '../../engine/run/index.js'
import { RunTelemetry } from '../../engine/telemetry/index.js'
import { wallClock } from '../../engine/time/index.js'
import { loadScenario, type LoadedScenario } from '../../scenarios/index.js'
import { checkLiveBind, isLoopbackHost } from '../../visualizer/server/allowedHosts.js'
import { LiveSession } from '../../visualizer/server/liveSession.js'
import {
  defaultPublicDir,
  startLiveServer,
  type RunningLiveServer,
} from '../../visualizer/server/liveServer.js'
import { RunStore } from '../../visualizer/server/runStore.js'
import {
  defaultRunPath,
  ledgerConnection,
  ledgerOptions,
  runFolderFor,
  type LeasedConnection,
} from '../city.js'
import { exitRunFailed } from '../exitCodes.js'
import {
  inFlightHelp,
  withCityFlags,
  withLoadFlags,
  withOutputFlags,
  withServerFlags,
  type LoadRunFlags,
  type ServerFlags,
} from '../flags.js'
import { failureOf, printJson, printsJson, runJson, verdict } from '../outcome.js'
import { positiveNumber } from '../parsers.js'
import { progressReporter, type ProgressReporter } from '../progress.js'
import { stopOnSignals, type SignalStop } from '../signals.js'

interface ServeFlags extends LoadRunFlags, ServerFlags {
  token?: string
  allowOrigin: string[]
  allowHost: string[]
  speed?: number
  wait?: boolean
  exit?: boolean
}

/** Adds `citytwin serve` to the program. */
export function addServeCommand(cli: Command): void {
  const command = cli
    .command('serve')
    .description(
      'run a scenario with its live map: a web page of the city as the run goes, with controls, presenter mode (?presenter=1) and replay of finished runs',
    )
    .argument('<scenario>', 'scenario file (YAML)')
  withCityFlags(command, `simulation worker threads (default ${defaultWorkers('load')})`)
  withServerFlags(command, {
    portDefault: 8080,
    port: 'port of the map (0: any free one)',
    host: 'address to listen on (0.0.0.0 to show the map to other machines, with --token or --allow-host)',
    token:
      'the controls need this token (the page asks for it); watching does not. Or set CITYTWIN_TOKEN, which other users cannot see in the process list',
    allowOrigin: "another origin whose pages may connect, repeatable (default: only the map's own)",
    allowHost:
      'a host name the map may be opened by besides its address, IP addresses and localhost, repeatable; with --host beyond loopback, this or a token is needed',
  })
    .option(
      '--speed <n>',
      `simulated minutes per wall second, following the city's rhythm (default ${liveSpeedDefault}: a day in ${Math.round(minutesPerDay / liveSpeedDefault / 60)} minutes)`,
      positiveNumber('--speed', liveSpeedMax),
    )
    .option('--wait', 'build the city, then wait for Start on the page')
    .option('--exit', 'exit once the first run is over, with its verdict (for scripts)')
  withOutputFlags(command, {
    out: 'folder for the run files, timeline.json and city.json (default: runs/<timestamp>-seed<seed>)',
    json: 'print one JSON summary per run on stdout; progress goes to stderr',
  })
  withLoadFlags(command, {
    tps: "start at a constant target rate instead of the city's rhythm (200000, 200k, 1.5M)",
    duration: "with --tps: stop after this long (default: when the period's payments are all sent)",
    profile:
      "realistic:<span>/<duration> (the city's rhythm, ending after <duration>) or constant:<rate>/<duration>",
    threshold: "a pass/fail gate on each run, repeatable: 'p99<50ms'",
    abortOnFail: 'stop a run as soon as a threshold fails',
    inFlight: inFlightHelp,
    lateTolerance: 'send lateness p99 beyond which a run is invalid (default 10ms)',
  }).action(async (file: string, flags: ServeFlags) => {
    printsJson(flags.json)
    process.exitCode = await serveCommand(file, flags)
  })
}

/** What the signals' handler must reach as serve goes: the session, the first run's folder. */
interface Serving {
  live: LiveSession | undefined
  first: RunFolder | undefined
}

/** What serve has checked before anything is built. */
interface ServeGiven {
  readonly connection: LeasedConnection
  readonly token: string | undefined
  readonly start: LiveStart
  readonly publicDir: string
  readonly stopper: SignalStop
  readonly serving: Serving
  /** What a signal that quits at once does first: takes the staging folders away. */
  readonly abandon: () => void
}

/**
 * What the runs' ends say as serve goes: the last verdict, whether Ctrl-C came, the map's address.
 */
interface RunsTold {
  code: number
  /** Ctrl-C came: the run going ends and the server with it. */
  stopping: boolean
  url: string
}

async function serveCommand(file: string, flags: ServeFlags): Promise<number> {
  const loaded = await loadScenario(file)
  const connection = ledgerConnection(`serve ${file}`, flags)
  if (flags.speed !== undefined && (flags.tps !== undefined || flags.profile !== undefined)) {
    throw new UserError('--speed: give it, or --tps, or --profile realistic:…, not two of them')
  }
  const token = serveToken(flags)
  // Before anything is built: a bind beyond this machine must say who may steer the run.
  checkLiveBind(flags.host, token, flags.allowHost)
  const start = liveStart(loaded.scenario.load, flags, file)
  const publicDir = builtPage()
  await reachLedger(flags.ledger, flags.ledgerUrl)
  // Signals are handled before the first folder is made: a first one ends the run going (or, while
  // the city is being built, the command once it is), a second quits at once leaving nothing
  // half-written, with 128 + the signal's number.
  const serving: Serving = { live: undefined, first: undefined }
  const abandon = () => {
    serving.live?.abandonSync()
    serving.first?.discardSync()
  }
  const stopper = stopOnSignals(abandon, (signal) =>
    serving.live === undefined
      ? `\nstopping (${signal}): the command ends once the city is built, starting no run (again to quit at once)\n`
      : undefined,
  )
  try {
    return await serveUntilStopped(loaded, flags, {
      connection,
      token,
      start,
      publicDir,
      stopper,
      serving,
      abandon,
    })
  } finally {
    stopper.release()
  }
}

/**
 * The controls' token: --token, or CITYTWIN_TOKEN (a flag is visible to anyone listing processes).
 */
function serveToken(flags: ServeFlags): string | undefined {
  const token =
    flags.token ?? (process.env.CITYTWIN_TOKEN === '' ? undefined : process.env.CITYTWIN_TOKEN)
  const tokenFrom = flags.token !== undefined ? '--token' : 'CITYTWIN_TOKEN'
  if (token !== undefined && (token.length < 8 || token.length > 256)) {
    throw new UserError(`${tokenFrom}: between 8 and 256 characters`)
  }
  return token
}

/** The folder of the map's built page; bad input if it was never built. */
function builtPage(): string {
  const publicDir = defaultPublicDir()
  if (!existsSync(path.join(publicDir, 'index.html'))) {
    throw new UserError(
      `the map's page is not built (no ${path.relative(process.cwd(), publicDir) || publicDir}/index.html): run npm run build`,
    )
  }
  return publicDir
}

/**
 * Builds the city, serves its map and its runs until Ctrl-C (or, with --exit, the first run's end).
 */
async function serveUntilStopped(
  loaded: LoadedScenario,
  flags: ServeFlags,
  given: ServeGiven,
): Promise<number> {
  const { serving, stopper } = given
  const first = await runFolderFor(flags, loaded.scenario.seed)
  serving.first = first
  const progress = progressReporter(Boolean(flags.json))
  const city = await openServedCity(loaded, flags, progress, first)
  // A signal while the city was built: nothing is started, the command ends.
  if (stopper.signal.aborted) {
    await city.close()
    await first.discard()
    return 0
  }
  const runs: RunsTold = { code: 0, stopping: false, url: '' }
  let firstRunDone: () => void = () => undefined
  const firstRun = new Promise<void>((resolve) => (firstRunDone = resolve))
  const session = servedSession({ loaded, city, first }, flags, given, (run, outcome) => {
    progress.done()
    runs.code = tellRunDone(run, outcome, flags)
    if (!flags.exit && !runs.stopping) {
      process.stderr.write(
        `the map stays up at ${runs.url} (Start runs again, replays are listed there); Ctrl-C to stop\n`,
      )
    }
    firstRunDone()
  })
  serving.live = session
  const server = await startServer(session, flags, given, first).catch(async (error: unknown) => {
    await city.close()
    await first.discard()
    throw error
  })
  runs.url = server.url
  announce(server, flags, given.token)
  if (!flags.wait && !stopper.signal.aborted) void session.start()
  // Ctrl-C during a run ends that run and keeps the map up, for its replay and for Start; Ctrl-C
  // with no run going (or with --exit) ends the command.
  let signals = stopper
  try {
    for (;;) {
      runs.stopping = await untilStopped(session, flags, signals, firstRun)
      if (!runs.stopping || !runGoing(session)) break
      await stopRunGoing(session, signalName(signals.signal))
      if (flags.exit) break
      signals.release()
      signals = stopOnSignals(given.abandon, () => undefined)
      process.stderr.write(
        `the run is over and its files are written; the map stays up at ${runs.url} for its replay and for Start (Ctrl-C again to stop)\n`,
      )
    }
  } finally {
    if (signals !== stopper) signals.release()
  }
  await server.close()
  await city.close()
  // The first run's folder, if that run never started (--wait, then Ctrl-C): nothing is left of it.
  await first.discard()
  return runs.code
}

/** The city built with its progress drawn; the first run's folder taken away if that fails. */
async function openServedCity(
  loaded: LoadedScenario,
  flags: ServeFlags,
  progress: ProgressReporter,
  first: RunFolder,
): Promise<OpenedCity> {
  const telemetry = new RunTelemetry()
  progress.follow(telemetry)
  let city: OpenedCity
  try {
    city = await openCity(loaded, {
      seed: flags.seed,
      residents: flags.residents,
      workers: flags.workers ?? defaultWorkers('load'),
      now: wallClock.nowMs,
      telemetry,
    })
  } catch (error) {
    progress.done()
    await first.discard()
    throw error
  }
  progress.done()
  return city
}

/** What a run that is over left: its summary and folder, or why it failed. */
type RunOutcome = { summary?: RunSummary; folder?: string; error?: Error }

/** The city built for serve, and the folder prepared for its first run. */
interface ServedCity {
  readonly loaded: LoadedScenario
  readonly city: OpenedCity
  readonly first: RunFolder
}

/**
 * The session the map steers: its runs on the built city, the first in `first`, later ones in new
 * folders.
 */
function servedSession(
  served: ServedCity,
  flags: ServeFlags,
  given: ServeGiven,
  onRunDone: (run: number, outcome: RunOutcome) => void,
): LiveSession {
  const { loaded, city, first } = served
  return new LiveSession({
    loaded,
    opened: city,
    ...ledgerOptions(flags, given.connection),
    settings: given.start.settings,
    pace: given.start.pace,
    limitMs: given.start.limitMs,
    now: wallClock.nowMs,
    folderFor: async (run) =>
      run === 1
        ? first
        : await RunFolder.prepare(
            await unusedFolder(flags.out ?? defaultRunPath(flags, loaded.scenario.seed)),
            'the run folder',
          ),
    onRunDone,
  })
}

/** Tells a run's end, on stdout and stderr, and gives its exit code. */
function tellRunDone(run: number, outcome: RunOutcome, flags: ServeFlags): number {
  const { summary, error } = outcome
  if (summary !== undefined && (error === undefined || error instanceof RunFolderWriteFailed)) {
    // A finished run, its files written or (a full disk) not: its verdict either way.
    const ended = verdict(summary, error)
    if (flags.json) {
      printJson({ run, ...runJson(ended, outcome.folder, summary) })
    } else {
      process.stdout.write(
        `\n${summaryTable(summary)}\n\nrun ${run}: ${outcome.folder === undefined ? 'files not kept (see above)' : printable(outcome.folder)}\n`,
      )
    }
    return ended.code
  }
  const failure = failureOf(error)
  const told = failure.kind === 'internal' ? (error?.stack ?? String(error)) : failure.message
  process.stderr.write(`citytwin: run ${run} failed: ${printableLines(told)}\n`)
  if (flags.json) printJson({ run, ok: false, error: failure })
  return exitRunFailed
}

/** The map's server, its finished runs read from the folder the first run's is in. */
async function startServer(
  session: LiveSession,
  flags: ServeFlags,
  given: ServeGiven,
  first: RunFolder,
): Promise<RunningLiveServer> {
  const runsRoot = path.dirname(path.resolve(first.path))
  return await startLiveServer({
    host: flags.host,
    port: flags.port,
    session,
    store: new RunStore(runsRoot),
    publicDir: given.publicDir,
    token: given.token,
    allowOrigins: flags.allowOrigin,
    allowHosts: flags.allowHost,
    now: wallClock.nowMs,
  })
}

/** Says where the map is, and warns when anyone who reaches it may steer the run. */
function announce(server: RunningLiveServer, flags: ServeFlags, token: string | undefined): void {
  process.stderr.write(
    `live map at ${server.url}  (presenter mode: ${server.url}?presenter=1)${token === undefined ? '' : '; the controls need the token'}\n`,
  )
  if (!isLoopbackHost(flags.host) && token === undefined) {
    process.stderr.write(
      `citytwin: WARNING: listening on ${printable(flags.host)} with no token: anyone who reaches the map can steer the run (--token or CITYTWIN_TOKEN to stop that)\n`,
    )
  }
}

/** Waits for Ctrl-C (or, with --exit, the first run's end and settling): whether Ctrl-C came. */
async function untilStopped(
  session: LiveSession,
  flags: ServeFlags,
  stopper: SignalStop,
  firstRun: Promise<void>,
): Promise<boolean> {
  const firstOver = flags.exit
    ? firstRun.then(() => session.settled()).then(() => false)
    : new Promise<never>(() => undefined)
  return await Promise.race([stopper.stopped.then(() => true), firstOver])
}

/** Whether a run is going (running or paused), one a Ctrl-C would end. */
function runGoing(session: LiveSession): boolean {
  const state = session.runState
  return state !== 'finished' && state !== 'failed' && state !== 'waiting'
}

/** Ctrl-C came: the run going, if one is, ends here and its files are written. */
async function stopRunGoing(session: LiveSession, by: string): Promise<void> {
  if (!runGoing(session)) return
  process.stderr.write(
    '\nstopping: the run ends here and its files are written (Ctrl-C again to quit at once)\n',
  )
  await session.stop(by)
}

/** The signal that aborted `signal` (its reason), by name. */
function signalName(signal: AbortSignal): string {
  const reason: unknown = signal.reason
  return typeof reason === 'string' && reason !== '' ? reason : 'a signal'
}
