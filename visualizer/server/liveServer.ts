/**
 * The live map's server: the page and its bundle, the city and finished runs by HTTP, snapshots
 * and commands over socket.io.
 *
 *   GET /, /app.js, /style.css       the page (dist/visualizer/public, built by esbuild, nothing from a CDN)
 *   GET /api/city                    the live run's city
 *   GET /api/runs[/:id/city|timeline] finished runs, for replay
 *   socket.io                        'hello' + 'snapshot' + 'closing' to pages; 'command' + 'presence' from them
 *
 * Safe by default: it listens on 127.0.0.1, and beyond it only with a token or --allow-host
 * (allowedHosts.ts); only GET and HEAD are served and no request body is read; a Host header it
 * does not know is refused (a page of another site cannot reach it through DNS rebinding);
 * socket.io accepts only pages of its own origin, messages of at most `commandBytesMax` bytes,
 * `liveClientsMax` pages (a page not shown for long gives its place: pageRoster.ts),
 * `liveCommandsPerSecondMax` commands a second each and `liveCommandsPerSecondAllMax` from all
 * together; with `--token` the controls need it; connections are capped below the descriptor
 * limit and slow or silent ones give their place (engine/connectionCap.ts); helmet sets the
 * security headers (a CSP that allows only this server's scripts).
 */
import { createServer, type Server as HttpServer } from 'node:http'
import path from 'node:path'
import express from 'express'
import helmet from 'helmet'
import { Server as SocketServer, type Socket } from 'socket.io'
import {
  capConnections,
  connectionsCapFor,
  type ConnectionCap,
} from '../../engine/connectionCap.js'
import { UserError } from '../../engine/errors.js'
import {
  ledgerSlowdownMsMax,
  liveCommandsPerSecondAllMax,
  liveCommandsPerSecondMax,
  liveConnectionsMax,
  liveHeadersTimeoutMs,
  liveKeepAliveTimeoutMs,
  livePageJoinMs,
  livePresenceIntervalMs,
  liveRequestTimeoutMs,
  liveSocketIdleMs,
  liveSpeedMax,
  liveTpsMax,
} from '../../engine/limits.js'
import { isObject } from '../../engine/untrusted.js'
import { asyncScheduler, type SchedulerLike } from 'rxjs'
import { reportFile } from '../../engine/report/index.js'
import {
  chartWindowS,
  commandBytesMax,
  type Closing,
  type CommandAnswer,
  type Hello,
} from '../protocol.js'
import { AllowedHosts, checkAllowHosts, checkLiveBind } from './allowedHosts.js'
import { checkCommand } from './commands.js'
import type { LiveSession } from './liveSession.js'
import { PageRoster } from './pageRoster.js'
import { RateWindow } from './rateWindow.js'
import { cityFile, timelineFile, type RunStore } from './runStore.js'

export interface LiveServerOptions {
  readonly host: string
  /** 0: any free port. */
  readonly port: number
  /** The run being served, if any (a replay-only server has none). */
  readonly session?: LiveSession | undefined
  readonly store: RunStore
  /** Where the built page is (index.html, app.js, style.css). */
  readonly publicDir: string
  /** Controls need this token when set. */
  readonly token?: string | undefined
  /** Origins besides the server's own whose pages may connect (`--allow-origin`). */
  readonly allowOrigins?: readonly string[] | undefined
  /** Host names besides its address and loopback that requests may name (`--allow-host`). */
  readonly allowHosts?: readonly string[] | undefined
  /** Connections held at most; default `liveConnectionsMax`, fewer under a low descriptor limit. */
  readonly connectionsMax?: number | undefined
  /** Wall clock, ms: for rate limits and how long a page has gone unseen. */
  readonly now: () => number
  /** When snapshots go out: rxjs's asyncScheduler (real time) unless told otherwise. */
  readonly scheduler?: SchedulerLike | undefined
}

export interface RunningLiveServer {
  readonly url: string
  /**
   * What the bounds have done so far: connections pushed out, pages that gave their place or timed
   * out.
   */
  readonly bounds: { readonly connections: ConnectionCap; readonly pages: PageRoster }
  close(): Promise<void>
}

/** What this server uses of engine.io's connection, which socket.io's `socket.conn` is too. */
interface EngineConnection {
  close(): void
  once(event: 'close', listener: () => void): unknown
}

/** report.html has inline styles and nothing else: no script, no fetch, no frame. */
const reportPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

/** How often pages not shown for too long are looked for: a cadence, not a bound. */
const pageSweepMs = 1_000

/**
 * Serves the page, the city and the runs by HTTP and the live run over socket.io; resolves once it
 * listens.
 */
export async function startLiveServer(options: LiveServerOptions): Promise<RunningLiveServer> {
  const allowHosts = options.allowHosts ?? []
  checkAllowHosts(allowHosts)
  // Only a server with controls has something to steer; a replay-only one serves the same to all.
  if (options.session !== undefined) checkLiveBind(options.host, options.token, allowHosts)
  const allowed = new AllowedHosts(options.host, allowHosts)
  const app = createApp(options, allowed)
  const http = createServer(
    {
      headersTimeout: liveHeadersTimeoutMs,
      requestTimeout: liveRequestTimeoutMs,
      keepAliveTimeout: liveKeepAliveTimeoutMs,
    },
    app,
  )
  const connections = capConnections(http, {
    connectionsMax: options.connectionsMax ?? connectionsCapFor(liveConnectionsMax),
    busyMsMax: liveRequestTimeoutMs,
    firstRequestMs: liveHeadersTimeoutMs,
    idleMs: liveSocketIdleMs,
    now: options.now,
  })
  const pages = new PageRoster(options.now)
  const io = createSocketServer(http, options, allowed, pages)
  // Nothing keeps the process alive before the port is ours: a port in use ends the command at
  // once.
  await listen(http, options.host, options.port).catch(async (error: unknown) => {
    await io.close()
    throw error
  })
  // Snapshots on the injected scheduler (real time unless told otherwise); the same object to
  // every page.
  const broadcasting = options.session
    ?.snapshots(options.scheduler ?? asyncScheduler)
    .subscribe((snapshot) => io.emit('snapshot', snapshot))
  const sweeper = setInterval(() => pages.sweep(), pageSweepMs)
  sweeper.unref()
  const address = http.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  allowed.port = port
  return {
    url: `http://${shownHost(options.host)}:${port}/`,
    bounds: { connections, pages },
    close: async () => {
      broadcasting?.unsubscribe()
      clearInterval(sweeper)
      await io.close()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}

/**
 * The HTTP side: security headers, only known hosts and only GET and HEAD, the city and the runs,
 * then the built page.
 */
function createApp(options: LiveServerOptions, allowed: AllowedHosts): express.Express {
  const app = express()
  app.disable('x-powered-by')
  app.use(
    helmet({
      // Served over plain HTTP on a local port: no HSTS and no upgrade of the page's own requests.
      strictTransportSecurity: false,
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  )
  app.use((request, response, next) => {
    if (!allowed.host(request.headers.host)) {
      response
        .status(421)
        .type('text/plain')
        .send('unknown host: open the map by the address citytwin printed\n')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.status(405).set('Allow', 'GET, HEAD').type('text/plain').send('only GET and HEAD\n')
      return
    }
    next()
  })
  const session = options.session
  app.get('/api/city', (_request, response) => {
    if (session === undefined) {
      response.status(404).json({ error: 'no live run: this server replays finished runs' })
    } else response.json(session.city)
  })
  app.get('/api/runs', async (_request, response) => {
    response.json(await options.store.list())
  })
  app.get('/api/runs/:id/:file', async (request, response) => {
    const file =
      request.params.file === 'city'
        ? cityFile
        : request.params.file === 'timeline'
          ? timelineFile
          : undefined
    const text = file === undefined ? undefined : await options.store.read(request.params.id, file)
    if (text === undefined) response.status(404).json({ error: 'no such run' })
    else response.type('application/json').send(text)
  })
  // A finished run's report, as its folder holds it: a page of its own with no script (its CSP
  // forbids any), linked from the live page's finished state and the run list.
  app.get('/runs/:id/report.html', async (request, response) => {
    const text = await options.store.read(request.params.id, reportFile)
    if (text === undefined) response.status(404).type('text/plain').send('no such run\n')
    else response.type('text/html').set('Content-Security-Policy', reportPolicy).send(text)
  })
  app.use(express.static(options.publicDir, { index: 'index.html', fallthrough: true }))
  app.use((_request, response) => {
    response.status(404).type('text/plain').send('not found\n')
  })
  return app
}

/** The socket.io side: pages of known origins, as many as the roster admits, each served. */
function createSocketServer(
  http: HttpServer,
  options: LiveServerOptions,
  allowed: AllowedHosts,
  pages: PageRoster,
): SocketServer {
  const io = new SocketServer(http, {
    serveClient: false,
    maxHttpBufferSize: commandBytesMax,
    connectTimeout: livePageJoinMs,
    allowRequest: (request, callback) => {
      const known =
        allowed.host(request.headers.host) && allowed.origin(request, options.allowOrigins ?? [])
      if (!known) callback('origin not allowed', false)
      else if (!pages.admit()) callback('too many pages', false)
      else callback(null, true)
    },
  })
  io.engine.on('connection', (connection: EngineConnection) => {
    pages.opened(connection, () => connection.close())
    connection.once('close', () => pages.closed(connection))
  })
  const hello: Hello = {
    live: options.session !== undefined,
    tokenRequired: options.token !== undefined,
    bounds: { tpsMax: liveTpsMax, speedMax: liveSpeedMax, slowdownMsMax: ledgerSlowdownMsMax },
    presenceIntervalMs: livePresenceIntervalMs,
  }
  // All pages together, on top of each page's own window.
  const allCommands = new RateWindow(liveCommandsPerSecondAllMax)
  io.on('connection', (socket) => servePage(socket, { options, pages, hello, allCommands }))
  return io
}

/** What every page's connection shares. */
interface PageContext {
  readonly options: LiveServerOptions
  readonly pages: PageRoster
  readonly hello: Hello
  readonly allCommands: RateWindow
}

/**
 * One page: it joins the roster, gets the hello and the latest snapshot, and may send presence
 * and commands, each command within its rate and the server's.
 */
function servePage(socket: Socket, { options, pages, hello, allCommands }: PageContext): void {
  const session = options.session
  const id: EngineConnection = socket.conn
  pages.joined(id, (reason) => {
    const closing: Closing = { reason }
    socket.emit('closing', closing)
    socket.disconnect(true)
  })
  socket.emit('hello', hello)
  if (session !== undefined) {
    // The charts' window of the run so far, then where it stands: a late page starts with both.
    socket.emit('history', session.history(chartWindowS))
    socket.emit('snapshot', session.latest)
  }
  const pageCommands = new RateWindow(liveCommandsPerSecondMax)
  socket.on('presence', (message: unknown) => {
    if (isObject(message) && message.visible === true) pages.shown(id)
  })
  socket.on('command', (message: unknown, answer: unknown) => {
    const reply = (result: CommandAnswer) => {
      if (typeof answer === 'function') (answer as (result: CommandAnswer) => void)(result)
    }
    const nowMs = options.now()
    if (!pageCommands.take(nowMs)) {
      return reply({
        ok: false,
        error: `too many commands: at most ${liveCommandsPerSecondMax} a second`,
      })
    }
    if (session === undefined) {
      return reply({ ok: false, error: 'no live run: this server replays finished runs' })
    }
    const checked = checkCommand(message, options.token)
    if (!checked.ok) return reply(checked)
    // Counted only once checked, token included: bad commands cannot use up the others' budget.
    if (!allCommands.take(nowMs)) {
      return reply({
        ok: false,
        error: `too many commands from all pages: at most ${liveCommandsPerSecondAllMax} a second`,
      })
    }
    pages.shown(id)
    const refused = session.command(checked.command)
    // The pages see the new state with the timer's next snapshot, at most a quarter of a second on.
    reply(refused === undefined ? { ok: true } : { ok: false, error: refused })
  })
}

/** The host as the printed address names it: loopback for any address, an IPv6 one bracketed. */
function shownHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

function listen(http: HttpServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES')
        reject(new UserError(`--port: cannot listen on ${host}:${port} (${error.code})`))
      else if (
        error.code === 'EADDRNOTAVAIL' ||
        error.code === 'ENOTFOUND' ||
        error.code === 'EAI_AGAIN'
      )
        reject(new UserError(`--host: cannot listen on ${host} (${error.code})`))
      else reject(error)
    }
    http.once('error', failed)
    http.listen(port, host, () => {
      http.off('error', failed)
      resolve()
    })
  })
}

/** The built page, beside this file's compiled form: dist/visualizer/public. */
export function defaultPublicDir(): string {
  const here = path.dirname(new URL(import.meta.url).pathname)
  // From dist/visualizer/server/ (built) or visualizer/server/ (run by tsx in tests): the built
  // page is in dist either way.
  return here.includes(`${path.sep}dist${path.sep}`)
    ? path.join(here, '..', 'public')
    : path.join(here, '..', '..', 'dist', 'visualizer', 'public')
}
