/**
 * Whether the ledger's server is there, asked before the city is built: a wrong port or a server
 * not running is told in about a second, not once the city is built. PostgreSQL is asked with a
 * real connection (so a wrong user or password shows too, and the server logs no half-open
 * one); the http and redis ledgers with a TCP connection to their host and port. What the server
 * holds (a foreign schema, a lease) is the ledger's open to find.
 */
import net from 'node:net'
import { RunFailed } from '../errors.js'
import { wallScheduler, type Scheduler } from '../time/index.js'
import { parseLedgerUrl } from './http/httpLedger.js'
import { reachPostgres } from './postgres/postgresLedger.js'
import { parseRedisUrl } from './redis/redisUrl.js'

/** How long the connection may take before the ledger is called unreachable. */
export const reachMsDefault = 2_000

interface Address {
  readonly host: string
  readonly port: number
}

/**
 * Connects to the server of ledger `name` at `url` (checked already) and lets go; a RunFailed
 * naming --ledger-url if it cannot within `timeoutMs`. Embedded ledgers (memory, postgres without
 * a URL) pass.
 */
export async function reachLedger(
  name: string,
  url: string | undefined,
  timeoutMs = reachMsDefault,
  scheduler: Scheduler = wallScheduler,
): Promise<void> {
  if (name === 'postgres') {
    if (url !== undefined) await reachPostgres(url, timeoutMs)
    return
  }
  const address = addressOf(name, url)
  if (address === undefined) return
  const failure = await connectWithin(address, timeoutMs, scheduler)
  if (failure !== undefined) {
    throw new RunFailed(
      `cannot reach the ${name} ledger at ${address.host}:${address.port} (--ledger-url): ${failure}; start its server, or fix the URL`,
    )
  }
}

/** Where the ledger's server listens, from its URL: none for an embedded one. */
function addressOf(name: string, url: string | undefined): Address | undefined {
  switch (name) {
    case 'http': {
      const parsed = parseLedgerUrl(url)
      return { host: bare(parsed.hostname), port: Number(parsed.port || 80) }
    }
    case 'redis': {
      const { host, port } = parseRedisUrl(url)
      return { host: bare(host), port }
    }
    default:
      return undefined
  }
}

/** An IPv6 literal as a URL writes it, `[::1]`, without its brackets. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/** Resolves with nothing once connected, or with why not (in words) after `timeoutMs` at most. */
function connectWithin(
  address: Address,
  timeoutMs: number,
  scheduler: Scheduler,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address.host, port: address.port })
    const done = (failure: string | undefined) => {
      cancel()
      socket.destroy()
      resolve(failure)
    }
    const cancel = scheduler.timer(timeoutMs, () =>
      done(`no connection within ${timeoutMs / 1000} s`),
    )
    socket.once('connect', () => done(undefined))
    socket.once('error', (error: NodeJS.ErrnoException) => done(reasonOf(error)))
  })
}

/** A connection's failure in words, by its system error code. */
const reasons: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'no such host',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'host unreachable',
}

function reasonOf(error: NodeJS.ErrnoException): string {
  const code = error.code ?? ''
  return Object.hasOwn(reasons, code) ? (reasons[code] as string) : code || 'the connection failed'
}
