/**
 * The live map's server: the page and its bundle, the city and finished runs by HTTP, snapshots
 * and commands over socket.io.
 *
 *   GET /, /app.js, /style.css       the page (dist/visualizer/public, built by esbuild, nothing from a CDN)
 *   GET /api/city                    the live run's city
 *   GET /api/runs[/:id/city|timeline] finished runs, for replay
 *   socket.io                        'hello' + 'snapshot' to pages; 'command' from them
 *
 * Safe by default: it listens on 127.0.0.1; only GET and HEAD are served and no request body is
 * read; a Host header it does not know is refused (a page of another site cannot reach it through
 * DNS rebinding); socket.io accepts only pages of its own origin, messages of at most
 * `commandBytesMax` bytes, `liveClientsMax` pages, `liveCommandsPerSecondMax` commands a second
 * each; with `--token` the controls need it; helmet sets the security headers (a CSP that allows
 * only this server's scripts).
 */
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http'
import path from 'node:path'
import express from 'express'
import helmet from 'helmet'
import { Server as SocketServer } from 'socket.io'
import { UserError } from '../../engine/errors.js'
import { liveClientsMax, liveCommandsPerSecondMax, ledgerSlowdownMsMax, liveSpeedMax, liveTpsMax } from '../../engine/limits.js'
import { commandBytesMax, snapshotsPerSecond, type CommandAnswer, type Hello } from '../protocol.js'
import { checkCommand } from './commands.js'
import type { LiveSession } from './liveSession.js'
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
  /** Wall clock, ms: for rate limits. */
  readonly now: () => number
}

export interface RunningLiveServer {
  readonly url: string
  close(): Promise<void>
}

/** Hosts that always name this machine. */
const loopbackNames = ['127.0.0.1', 'localhost', '[::1]']

export async function startLiveServer(options: LiveServerOptions): Promise<RunningLiveServer> {
  const app = express()
  app.disable('x-powered-by')
  const http = createServer(app)
  const allowed = new AllowedHosts(options.host)
  app.use(
    helmet({
      // Served over plain HTTP on a local port: no HSTS and no upgrade of the page's own requests.
      strictTransportSecurity: false,
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  )
  app.use((request, response, next) => {
    if (!allowed.host(request.headers.host)) {
      response.status(421).type('text/plain').send('unknown host: open the map by the address citytwin printed\n')
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
    if (session === undefined) response.status(404).json({ error: 'no live run: this server replays finished runs' })
    else response.json(session.city)
  })
  app.get('/api/runs', async (_request, response) => {
    response.json(await options.store.list())
  })
  app.get('/api/runs/:id/:file', async (request, response) => {
    const file = request.params.file === 'city' ? cityFile : request.params.file === 'timeline' ? timelineFile : undefined
    const text = file === undefined ? undefined : await options.store.read(request.params.id, file)
    if (text === undefined) response.status(404).json({ error: 'no such run' })
    else response.type('application/json').send(text)
  })
  app.use(express.static(options.publicDir, { index: 'index.html', fallthrough: true }))
  app.use((_request, response) => {
    response.status(404).type('text/plain').send('not found\n')
  })

  const io = new SocketServer(http, {
    serveClient: false,
    maxHttpBufferSize: commandBytesMax,
    allowRequest: (request, callback) => {
      if (!allowed.host(request.headers.host) || !allowed.origin(request, options.allowOrigins ?? [])) callback('origin not allowed', false)
      else if (io.engine.clientsCount >= liveClientsMax) callback('too many pages', false)
      else callback(null, true)
    },
  })
  const hello: Hello = { live: session !== undefined, tokenRequired: options.token !== undefined, bounds: { tpsMax: liveTpsMax, speedMax: liveSpeedMax, slowdownMsMax: ledgerSlowdownMsMax } }
  io.on('connection', (socket) => {
    socket.emit('hello', hello)
    if (session !== undefined) socket.emit('snapshot', session.latest)
    let windowStartMs = options.now()
    let inWindow = 0
    socket.on('command', (message: unknown, answer: unknown) => {
      const reply = (result: CommandAnswer) => {
        if (typeof answer === 'function') (answer as (result: CommandAnswer) => void)(result)
      }
      const nowMs = options.now()
      if (nowMs - windowStartMs >= 1000) {
        windowStartMs = nowMs
        inWindow = 0
      }
      if (++inWindow > liveCommandsPerSecondMax) return reply({ ok: false, error: `too many commands: at most ${liveCommandsPerSecondMax} a second` })
      if (session === undefined) return reply({ ok: false, error: 'no live run: this server replays finished runs' })
      const checked = checkCommand(message, options.token)
      if (!checked.ok) return reply(checked)
      const refused = session.command(checked.command)
      // The pages see the new state with the timer's next snapshot, at most a quarter of a second on.
      reply(refused === undefined ? { ok: true } : { ok: false, error: refused })
    })
  })
  const broadcast = () => {
    if (session !== undefined) io.emit('snapshot', session.sample())
  }
  const timer = setInterval(broadcast, 1000 / snapshotsPerSecond)
  timer.unref()

  await listen(http, options.host, options.port)
  const address = http.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  allowed.port = port
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${shownHost}:${port}/`,
    close: async () => {
      clearInterval(timer)
      await io.close()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}

/** The Host headers and page origins this server answers: its own address and the loopback names, on its port. */
class AllowedHosts {
  port = 0

  constructor(private readonly bound: string) {}

  /** Listening on every address, any host name may reach it; otherwise only its own and loopback names. */
  host(header: string | undefined): boolean {
    if (header === undefined) return false
    if (this.bound === '0.0.0.0' || this.bound === '::') return true
    const names = [...loopbackNames, this.bound.includes(':') ? `[${this.bound}]` : this.bound]
    return names.some((name) => header === `${name}:${this.port}`)
  }

  /** A page's origin must be this server as the page reached it (or one named by --allow-origin); a client with no origin is not a page. */
  origin(request: IncomingMessage, extra: readonly string[]): boolean {
    const origin = request.headers.origin
    if (origin === undefined) return true
    return origin === `http://${request.headers.host ?? ''}` || extra.includes(origin)
  }
}

function listen(http: HttpServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') reject(new UserError(`--port: cannot listen on ${host}:${port} (${error.code})`))
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') reject(new UserError(`--host: cannot listen on ${host} (${error.code})`))
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
  // From dist/visualizer/server/ (built) or visualizer/server/ (run by tsx in tests): the built page is in dist either way.
  return here.includes(`${path.sep}dist${path.sep}`) ? path.join(here, '..', 'public') : path.join(here, '..', '..', 'dist', 'visualizer', 'public')
}
