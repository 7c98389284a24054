/**
 * Ledger adapters by name. `citytwin run --ledger <name>` looks here; an unknown name is a user
 * error that lists the known ones.
 */
import { UserError } from '../errors.js'
import type { NowMs, Scheduler } from '../time/index.js'
import { HttpLedger, parseLedgerUrl } from './http/httpLedger.js'
import type { LedgerCore, LedgerOptions } from './ledgerCore.js'
import { leasedLedgers, type LedgerLease } from './ledgerLease.js'
import { MemoryLedger } from './memory/memoryLedger.js'
import { PostgresLedger, parsePostgresUrl } from './postgres/postgresLedger.js'
import { RedisLedger } from './redis/redisLedger.js'
import { parseRedisUrl } from './redis/redisUrl.js'

/** Where a ledger that is not embedded lives (`--ledger-url`). */
export interface LedgerConnection {
  readonly url?: string | undefined
  /** A clock, for how long a networked ledger took to recover from a fault. */
  readonly now?: NowMs | undefined
  /**
   * Where a networked ledger's deadlines, retry pauses and heartbeats wait: real timers unless
   * given.
   */
  readonly scheduler?: Scheduler | undefined
  /**
   * Who the run is, for a ledger other runs can reach, and whether to take over one whose holder is
   * gone (ledgerLease.ts).
   */
  readonly lease?: LedgerLease | undefined
  /** The http ledger's token (`--ledger-token` or CITYTWIN_LEDGER_TOKEN), checked already. */
  readonly token?: string | undefined
  /**
   * The http ledger's deadline for one call, all attempts included (`--ledger-timeout`; default
   * `ledgerCallMsDefault`).
   */
  readonly callMsMax?: number | undefined
}

type LedgerFactory = (options: LedgerOptions, connection: LedgerConnection) => LedgerCore

const ledgers: Record<string, LedgerFactory> = {
  memory: (options, connection) => {
    checkLedger('memory', connection)
    return new MemoryLedger(options)
  },
  http: (options, connection) =>
    new HttpLedger(options, connection.url, {
      now: connection.now,
      scheduler: connection.scheduler,
      token: connection.token,
      callMsMax: connection.callMsMax,
    }),
  postgres: (options, connection) =>
    new PostgresLedger(
      options,
      connection.url,
      { now: connection.now, scheduler: connection.scheduler },
      { lease: connection.lease },
    ),
  redis: (options, connection) =>
    new RedisLedger(
      options,
      connection.url,
      { now: connection.now, scheduler: connection.scheduler },
      connection.lease,
    ),
}

export const ledgerNames: readonly string[] = Object.keys(ledgers)

export function createLedger(
  name: string,
  options: LedgerOptions,
  connection: LedgerConnection = {},
): LedgerCore {
  const factory = Object.hasOwn(ledgers, name) ? ledgers[name] : undefined
  if (factory === undefined)
    throw new UserError(`--ledger: unknown ledger "${name}" (known: ${ledgerNames.join(', ')})`)
  return factory(options, connection)
}

/**
 * Checks a ledger's name and connection before anything is built: the errors `createLedger` would
 * give later.
 */
export function checkLedger(name: string, connection: LedgerConnection): void {
  if (!Object.hasOwn(ledgers, name))
    throw new UserError(`--ledger: unknown ledger "${name}" (known: ${ledgerNames.join(', ')})`)
  if (name !== 'http' && connection.token !== undefined)
    throw new UserError(
      `--ledger-token: only the http ledger takes a token (the ${name} ledger's credentials go in --ledger-url)`,
    )
  if (name !== 'http' && connection.callMsMax !== undefined)
    throw new UserError(`--ledger-timeout: only for the http ledger`)
  if (name === 'http') parseLedgerUrl(connection.url)
  else if (name === 'postgres') parsePostgresUrl(connection.url)
  // The redis ledger's URL is optional: without one it is redis://127.0.0.1:6379, key citytwin.
  else if (name === 'redis') parseRedisUrl(connection.url)
  else if (connection.url !== undefined)
    throw new UserError(`--ledger-url: the ${name} ledger is embedded and takes no URL`)
  if (connection.lease?.takeOver === true && !leasedLedgers.includes(name)) {
    throw new UserError(
      `--take-over: takes over a ${leasedLedgers.join(' or ')} ledger whose holder is gone; the ${name} ledger is ${name === 'http' ? 'held by its server' : 'private to this run'}`,
    )
  }
}
