/**
 * The redis ledger in the conformance suite: against the Redis server of the machine
 * (CITYTWIN_REDIS_URL, default redis://127.0.0.1:6379). Each ledger gets a key of its own, whose
 * keys are deleted when it closes, so test files running side by side never meet and Redis is
 * left as it was.
 */
import type { Redis } from 'ioredis'
import { redisClient } from '../../../../engine/ledger/redis/redisLink.js'
import {
  RedisLedger,
  parseRedisUrl,
  type LedgerCore,
  type LedgerOptions,
} from '../../../../engine/ledger/index.js'
import type { Adapter } from './adapter.js'
import { closingWith } from '../../../helpers/ledgerChecks.js'

export const redisUrl = process.env.CITYTWIN_REDIS_URL ?? 'redis://127.0.0.1:6379'
/** How long the probe waits for Redis to answer a PING. */
const probeTimeoutMs = 1_000

/** Retry timing and timeouts, as RedisLedger takes them. */
export type RedisTiming = NonNullable<ConstructorParameters<typeof RedisLedger>[2]>

let keys = 0
/** A ledger key no other ledger of any test process uses. */
export function testKey(): string {
  keys += 1
  return `ct-test-${process.pid}-${keys}`
}

/** `url` with its ?key= set to `key`. */
export function withKey(url: string, key: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set('key', key)
  return parsed.href
}

/**
 * A client for test housekeeping (probing, deleting a ledger's keys), on `url`'s server and
 * database.
 */
export function plainClient(url: string, timeoutMs = probeTimeoutMs): Redis {
  const client = redisClient(parseRedisUrl(url), timeoutMs, timeoutMs)
  client.on('error', () => undefined)
  return client
}

/** Does a Redis server answer PING at `url`? */
export async function reachable(url: string): Promise<boolean> {
  const client = plainClient(url)
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

/** Deletes every key of the ledger named `key` at `url`. */
export async function dropKeys(url: string, key: string): Promise<void> {
  const client = plainClient(url, 10_000)
  await client.connect()
  try {
    let cursor = '0'
    do {
      const [next, names] = await client.scan(cursor, 'MATCH', `{${key}}:*`, 'COUNT', 1_000)
      if (names.length > 0) await client.unlink(...names)
      cursor = next
    } while (cursor !== '0')
  } finally {
    client.disconnect()
  }
}

/** A redis ledger under a key of its own at `url`, its keys deleted at close. */
export function keyedLedger(
  options: LedgerOptions,
  url: string,
  timing: RedisTiming = {},
): LedgerCore {
  const key = testKey()
  return closingWith(new RedisLedger(options, withKey(url, key), timing), 'redis', () =>
    dropKeys(url, key),
  )
}

export async function redisAdapters(
  unavailable: (ledger: string, why: string, install: string) => readonly Adapter[],
): Promise<readonly Adapter[]> {
  if (!(await reachable(redisUrl)))
    return unavailable(
      'redis',
      `no Redis server at ${redisUrl}`,
      'apt-get install -y redis-server, or set CITYTWIN_REDIS_URL',
    )
  return [{ name: 'redis', create: (options) => keyedLedger(options, redisUrl) }]
}
