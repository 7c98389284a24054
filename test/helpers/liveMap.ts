/**
 * A live map served in-process for tests: a city, a session steering its runs, the server, a runs
 * folder.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadSettings, type LivePace } from '../../engine/load/index.js'
import { RunFolder } from '../../engine/report/index.js'
import { openCity, type OpenedCity } from '../../engine/run/index.js'
import { wallClock } from '../../engine/time/index.js'
import { loadScenario } from '../../scenarios/index.js'
import { buildClient } from '../../visualizer/buildClient.js'
import { LiveSession } from '../../visualizer/server/liveSession.js'
import { startLiveServer, type RunningLiveServer } from '../../visualizer/server/liveServer.js'
import { RunStore } from '../../visualizer/server/runStore.js'
import { repoRoot } from './runs.js'

export interface LiveMap {
  readonly url: string
  readonly session: LiveSession | undefined
  readonly runsRoot: string
  readonly server: RunningLiveServer
  close(): Promise<void>
}

export interface LiveMapOptions {
  readonly scenario: string
  readonly residents?: number
  /** The first pace; default: the city's rhythm at 20 simulated minutes a second. */
  readonly pace?: LivePace
  readonly token?: string
  /** Serve replays only, from this runs folder. */
  readonly replayOnly?: string
  /** Start the first run at once (default true). */
  readonly start?: boolean
  /**
   * The server's clock (rate windows, how long a page has gone unseen); default the wall clock. The
   * run keeps the wall clock.
   */
  readonly serverNow?: () => number
}

let built: Promise<string> | undefined

/**
 * The page, bundled once per test process into a temporary folder (the tests do not depend on a
 * build in dist).
 */
export function builtPage(): Promise<string> {
  built ??= fs
    .mkdtemp(path.join(os.tmpdir(), 'citytwin-page-'))
    .then((out) => buildClient(repoRoot, out))
  return built
}

export async function openLiveMap(options: LiveMapOptions): Promise<LiveMap> {
  const publicDir = await builtPage()
  if (options.replayOnly !== undefined) {
    const server = await startLiveServer({
      host: '127.0.0.1',
      port: 0,
      store: new RunStore(options.replayOnly),
      publicDir,
      now: options.serverNow ?? wallClock.nowMs,
    })
    return {
      url: server.url,
      session: undefined,
      runsRoot: options.replayOnly,
      server,
      close: () => server.close(),
    }
  }
  const runsRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-runs-'))
  const loaded = await loadScenario(options.scenario)
  const settings = loadSettings(undefined, { profile: 'realistic:1d/1h' }, options.scenario)
  if (settings === undefined) throw new Error('a profile was given')
  const city: OpenedCity = await openCity(loaded, {
    residents: options.residents,
    workers: 1,
    now: wallClock.nowMs,
  })
  let runs = 0
  const session = new LiveSession({
    loaded,
    opened: city,
    ledger: 'memory',
    settings,
    pace: options.pace ?? { sort: 'clock', tickMs: 50 },
    limitMs: Infinity,
    now: wallClock.nowMs,
    folderFor: async () =>
      RunFolder.prepare(path.join(runsRoot, `run-${++runs}`), 'the run folder'),
  })
  const server = await startLiveServer({
    host: '127.0.0.1',
    port: 0,
    session,
    store: new RunStore(runsRoot),
    publicDir,
    token: options.token,
    now: options.serverNow ?? wallClock.nowMs,
  })
  if (options.start ?? true) void session.start()
  return {
    url: server.url,
    session,
    runsRoot,
    server,
    close: async () => {
      await server.close()
      await session.stop()
      await city.close()
      await fs.rm(runsRoot, { recursive: true, force: true })
    },
  }
}
