/**
 * The redis ledger's one connection: made on demand (again after one breaks), running scripts by
 * SHA (loading one the server does not hold), and turning whatever goes wrong into what the call
 * queue understands:
 *
 *   connection refused                                  Fault 'refused'     retried
 *   connection lost, reset or closed                    Fault 'connection'  retried
 *   connect or command timed out                        Fault 'timeout'     retried
 *   LOADING, BUSY, MASTERDOWN, TRYAGAIN, CLUSTERDOWN,   Fault 'server'      retried
 *   READONLY (a server busy or changing roles)
 *   the ledger's data gone, or taken over by another    RunFailed           the run stops
 *   run
 *   a namespace that is not a citytwin ledger, a        UserError           the user fixes --ledger-url
 *   refused password or database, a ledger another                          (or waits, or gives --take-over)
 *   run holds (ledgerLease.ts)
 *   anything else (a script error)                      as thrown           the run stops (the queue's `broken`)
 *
 * ioredis is told not to reconnect, queue or resend on its own: retrying is the call queue's, with
 * each call's own number, so that a retry is answered from what the first attempt stored.
 */
import { createHash } from 'node:crypto'
import { Redis } from 'ioredis'
import { RunFailed, UserError } from '../../errors.js'
import { Fault } from '../callQueue.js'
import { ledgerHolderGone, ledgerInUse, ledgerTakenOver, type LeaseHolder } from '../ledgerLease.js'
import type { RedisAddress } from './redisUrl.js'
import { wallScheduler, type Scheduler } from '../../time/index.js'

/** A Lua script and its SHA1, the name EVALSHA knows it by. */
export interface RedisScript {
  readonly source: string
  readonly sha: string
}

export function redisScript(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

export interface RedisLinkTiming {
  /** A connection not made within this long is abandoned (a timeout fault). */
  readonly connectTimeoutMs?: number | undefined
  /**
   * A command not answered within this long is abandoned and its connection dropped (a timeout
   * fault).
   */
  readonly commandTimeoutMs?: number | undefined
  /** Where closing waits for a polite quit: real timers unless told otherwise. */
  readonly scheduler?: Scheduler | undefined
}

const connectTimeoutMsDefault = 5_000
const commandTimeoutMsDefault = 30_000
/** How long close() waits for the server to acknowledge QUIT before it drops the connection. */
const quitWaitMs = 2_000
/** Keys SCAN asks for per step. */
const scanCount = 1_000

/** Replies that say the server cannot answer now but may soon: worth a retry. */
const transientReplies = new Set([
  'LOADING',
  'BUSY',
  'MASTERDOWN',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'READONLY',
])
/** Replies the ledger's scripts give about the ledger itself. */
const ledgerGone = 'CITYTWIN_GONE'
const ledgerReopened = 'CITYTWIN_REOPENED'
const namespaceForeign = 'CITYTWIN_FOREIGN'
const ledgerHeld = 'CITYTWIN_HELD'
const ledgerStale = 'CITYTWIN_STALE'

type ScriptArgument = string | Buffer | number

export class RedisLink {
  private client: Redis | undefined
  /** The last socket error of the current client: why a connection failed or closed. */
  private socketError: Error | undefined
  private closed = false

  /**
   * @param ledger How messages name the ledger, like 'the redis ledger "citytwin" at 127.0.0.1:6379
   * (--ledger-url)'.
   */
  constructor(
    private readonly address: RedisAddress,
    private readonly ledger: string,
    private readonly timing: RedisLinkTiming = {},
  ) {}

  /** Runs `script` with `keys` and `args`; bulk strings in the reply come back as Buffers. */
  async run(
    script: RedisScript,
    keys: readonly string[],
    args: readonly ScriptArgument[],
  ): Promise<unknown> {
    const client = await this.connected()
    try {
      try {
        return await client.callBuffer('EVALSHA', [script.sha, keys.length, ...keys, ...args])
      } catch (error) {
        if (!(isReply(error) && error.message.startsWith('NOSCRIPT'))) throw error
        // The server does not hold the script (it restarted, or was told SCRIPT FLUSH): EVAL loads
        // it.
        return await client.callBuffer('EVAL', [script.source, keys.length, ...keys, ...args])
      }
    } catch (error) {
      throw this.classified(client, error)
    }
  }

  /**
   * The keys matching `pattern`, at most `most` of them (a namespace holding more is reported by
   * its size).
   */
  async scan(pattern: string, most: number): Promise<string[]> {
    const client = await this.connected()
    const found = new Set<string>()
    let cursor = '0'
    try {
      do {
        const [next, names] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', scanCount)
        for (const name of names) found.add(name)
        cursor = next
      } while (cursor !== '0' && found.size <= most)
    } catch (error) {
      throw this.classified(client, error)
    }
    return [...found]
  }

  /**
   * Waits (briefly) for what is under way to be answered, then drops the connection; no call
   * connects again.
   */
  async close(): Promise<void> {
    this.closed = true
    const client = this.client
    this.client = undefined
    if (client === undefined) return
    if (client.status === 'ready') {
      const waited = new AbortController()
      const quit = client.quit().then(
        () => waited.abort(),
        () => waited.abort(),
      )
      await Promise.race([
        quit,
        (this.timing.scheduler ?? wallScheduler).sleep(quitWaitMs, waited.signal),
      ])
    }
    client.disconnect()
  }

  /** The connection, made now if there is none or the last one broke. */
  private async connected(): Promise<Redis> {
    if (this.closed) throw new RunFailed(`${this.ledger} was closed`)
    if (this.client?.status === 'ready') return this.client
    this.client?.disconnect()
    const client = redisClient(
      this.address,
      this.timing.connectTimeoutMs ?? connectTimeoutMsDefault,
      this.timing.commandTimeoutMs ?? commandTimeoutMsDefault,
    )
    this.client = client
    this.socketError = undefined
    client.on('error', (error: Error) => {
      if (this.client === client) this.socketError = error
    })
    try {
      await client.connect()
    } catch (error) {
      client.disconnect()
      throw this.classified(client, this.socketError ?? error, true)
    }
    return client
  }

  /** What `error` means for the call queue (see the table at the top). */
  private classified(client: Redis, error: unknown, connecting = false): unknown {
    if (error instanceof Fault || error instanceof RunFailed || error instanceof UserError)
      return error
    const message = error instanceof Error ? error.message : String(error)
    if (isReply(error)) {
      const word = message.split(' ', 1)[0] ?? ''
      const rest = message.slice(word.length + 1)
      if (transientReplies.has(word)) return new Fault('server', message)
      if (word === ledgerGone)
        return new RunFailed(
          `${this.ledger} lost its data (${rest}): a Redis server without persistence forgets everything when it restarts`,
        )
      const named = `the redis ledger "${this.address.key}" at ${this.address.where}`
      if (word === ledgerReopened) return ledgerTakenOver(named, leaseHolder(rest))
      if (word === ledgerHeld) return ledgerInUse(named, leaseHolder(rest), '?key=<name>')
      if (word === ledgerStale)
        return ledgerHolderGone(
          named,
          leaseHolder(rest) ?? { holder: 'a run', since: undefined },
          '?key=<name>',
          'it stopped renewing its lease',
        )
      if (word === namespaceForeign)
        return new UserError(
          `--ledger-url: ${this.address.where} holds keys {${this.address.key}}:* that are not a citytwin ledger (${rest}); choose another ?key=<name>`,
        )
      if (connecting)
        return new UserError(
          `--ledger-url: redis at ${this.address.where} refused the connection: ${message}`,
        )
      return error
    }
    if (message === 'Command timed out') {
      // The answer may still come; a fresh connection keeps it from being read as the next call's.
      client.disconnect()
      return new Fault('timeout', message)
    }
    const cause = this.socketError ?? (error as NodeJS.ErrnoException)
    const code = (cause as NodeJS.ErrnoException | undefined)?.code
    const why = cause?.message ?? message
    if (code === 'ECONNREFUSED') return new Fault('refused', why)
    if (code === 'ETIMEDOUT') return new Fault('timeout', why)
    return new Fault('connection', why === message ? message : `${message} (${why})`)
  }
}

/**
 * Who holds a ledger, from a script's reply "<since, seconds since 1970, or -> <holder>"; undefined
 * for nobody.
 */
function leaseHolder(reply: string): LeaseHolder | undefined {
  const space = reply.indexOf(' ')
  const seconds = space < 0 ? '' : reply.slice(0, space)
  const holder = space < 0 ? '' : reply.slice(space + 1)
  if (holder === '') return undefined
  return {
    holder,
    since: /^\d{1,12}$/.test(seconds)
      ? new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z')
      : undefined,
  }
}

function isReply(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError'
}

/**
 * A connection to `address`, made when `connect()` is called, that never reconnects, queues or
 * resends by itself: a broken connection fails what is under way, and the caller decides.
 */
export function redisClient(
  address: RedisAddress,
  connectTimeoutMs: number,
  commandTimeoutMs: number,
): Redis {
  const { host, port, db, username, password } = address
  return new Redis({
    host,
    port,
    db,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    lazyConnect: true,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
  })
}
