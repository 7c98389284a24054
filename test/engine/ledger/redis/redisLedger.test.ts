/**
 * The redis ledger beyond the conformance suite: its URL, what open() does with what it finds
 * under its key, calls that lose their connection or their answer (each applies exactly once, the
 * retry answered with what the first attempt stored), faults counted by class and bounded, and a
 * ledger whose data is gone. Skipped, with one line, where there is no Redis server (not in CI).
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { RunFailed, UserError } from '../../../../engine/errors.js'
import { AccountFlag, RedisLedger, ResultCode, TransferKind, checkLedger, parseRedisUrl, type LedgerCore, type LedgerOptions, type TransferBatch } from '../../../../engine/ledger/index.js'
import { accounts, tiers, transfers, unavailable, utcOffsetMinutes, type TransferRow } from '../conformance/harness.js'
import { dropKeys, plainClient, reachable, redisUrl, testKey, withKey } from '../conformance/redisTarget.js'
import { FaultyProxy } from './faultyProxy.js'

const redisHere = await reachable(redisUrl)
const skip = !redisHere && unavailable('redis', `no Redis server at ${redisUrl}`, 'apt-get install -y redis-server, or set CITYTWIN_REDIS_URL').length === 0
const server = parseRedisUrl(redisUrl)
const options: LedgerOptions = { accountsMax: 1_000, tiers, utcOffsetMinutes }
/** Small retry timing: a test that spends its attempts fails in well under a second. */
const quick = { attemptsMax: 3, retryPauseMs: 10 } as const

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A redis ledger under a fresh key at `url` (default: the test server), closed and its keys deleted after the test. */
function ledgerAt(timing: ConstructorParameters<typeof RedisLedger>[2] = {}, url = redisUrl, key = testKey()): { ledger: RedisLedger; key: string } {
  const ledger = new RedisLedger(options, withKey(url, key), timing)
  cleanups.push(async () => {
    await ledger.close()
    await dropKeys(redisUrl, key)
  })
  return { ledger, key }
}

/** A proxy to the test server, stopped after the test; its URL has the server's database. */
async function proxied(): Promise<{ proxy: FaultyProxy; url: string }> {
  const proxy = await FaultyProxy.start(server.host, server.port)
  cleanups.push(() => proxy.stop())
  const url = new URL(redisUrl)
  url.hostname = '127.0.0.1'
  url.port = String(proxy.port)
  return { proxy, url: url.href }
}

/** Runs `body` with a plain client on the test server. */
async function withClient<T>(body: (client: ReturnType<typeof plainClient>) => Promise<T>): Promise<T> {
  const client = plainClient(redisUrl, 5_000)
  await client.connect()
  try {
    return await body(client)
  } finally {
    client.disconnect()
  }
}

/** The issuer (0) and `count` untiered accounts 1..count, each funded with `fundingFen`. */
async function funded(ledger: LedgerCore, count: number, fundingFen: number): Promise<number[]> {
  const ids = Array.from({ length: count }, (_, index) => index + 1)
  const created = await ledger.createAccounts(accounts([{ id: 0, flags: AccountFlag.issuer }, ...ids.map((id) => ({ id }))]))
  expect(created.code.every((code) => code === 0)).toBe(true)
  const funding = ids.map((id): TransferRow => ({ id: 1_000_000 + id, debit: 0, credit: id, amountFen: fundingFen, kind: TransferKind.issue }))
  expect((await ledger.submit(transfers(funding))).code.every((code) => code === 0)).toBe(true)
  return [0, ...ids]
}

/** Balances of `ids`, and whether they sum to zero (the issuer's negative balance is everything the others hold). */
async function balancesOf(ledger: LedgerCore, ids: readonly number[]): Promise<{ balances: number[]; conserved: boolean }> {
  const balances = [...(await ledger.lookup(Uint32Array.from(ids))).balanceFen]
  return { balances, conserved: balances.reduce((sum, fen) => sum + fen, 0) === 0 }
}

/** `count` p2p transfers among accounts 1..accountCount (at least 4), ids from `firstId`, each 1..100 fen. */
function payments(firstId: number, count: number, accountCount: number): TransferBatch {
  return transfers(
    Array.from({ length: count }, (_, index) => ({
      id: firstId + index,
      debit: 1 + (index % accountCount),
      // One to three accounts on: never the payer.
      credit: 1 + ((index + 1 + (index % 3)) % accountCount),
      amountFen: 1 + (index % 100),
    })),
  )
}

/** Each account's balance after `batch` applies once to `before` (balances of `ids`). */
function appliedOnce(ids: readonly number[], before: readonly number[], batch: TransferBatch): number[] {
  const moved = new Map<number, number>()
  for (let index = 0; index < batch.count; index++) {
    const amountFen = batch.amountFen[index] as number
    moved.set(batch.debit[index] as number, (moved.get(batch.debit[index] as number) ?? 0) - amountFen)
    moved.set(batch.credit[index] as number, (moved.get(batch.credit[index] as number) ?? 0) + amountFen)
  }
  return ids.map((id, index) => (before[index] as number) + (moved.get(id) ?? 0))
}

/** A port nothing listens on (taken and given back at once). */
async function closedPort(): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as net.AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

describe('parseRedisUrl', () => {
  it('reads host, port, database, credentials and key, with the defaults', () => {
    // Proves the defaults (no URL: the local server, key citytwin) and every part of a full URL, and that `where` never shows the password.
    expect(parseRedisUrl(undefined)).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0, key: 'citytwin', username: undefined, password: undefined })
    expect(parseRedisUrl('redis://10.0.0.5')).toMatchObject({ host: '10.0.0.5', port: 6379, db: 0, key: 'citytwin' })
    const full = parseRedisUrl('redis://ledger:p%40ss@cache.internal:6380/3?key=city_2026.day-1')
    expect(full).toMatchObject({ host: 'cache.internal', port: 6380, db: 3, username: 'ledger', password: 'p@ss', key: 'city_2026.day-1' })
    expect(full.where).not.toContain('p@ss')
    expect(parseRedisUrl('redis://[::1]:7000/0').host).toBe('::1')
    expect(parseRedisUrl('redis://:only-password@host').password).toBe('only-password')
  })

  it('refuses what is not a redis ledger address, naming --ledger-url and never the password', () => {
    // Proves each malformed URL is a UserError that names the flag, and that a password in a bad URL stays out of the message.
    const bad = [
      'not a url',
      'http://127.0.0.1:6379',
      'rediss://127.0.0.1:6379',
      'redis:///0',
      'redis://host/16',
      'redis://host/db1',
      'redis://host/1/2',
      'redis://host:0',
      'redis://host?db=1',
      'redis://host?key=a&key=b',
      'redis://host?key=',
      'redis://host?key=two%20words',
      `redis://host?key=${'k'.repeat(65)}`,
      'redis://host#fragment',
      'redis://user:secret@host/99',
    ]
    for (const url of bad) {
      let thrown: unknown
      try {
        parseRedisUrl(url)
      } catch (error) {
        thrown = error
      }
      expect(thrown, url).toBeInstanceOf(UserError)
      expect((thrown as Error).message, url).toMatch(/^--ledger-url: /)
      expect((thrown as Error).message, url).not.toContain('secret')
    }
  })

  it('is what the registry checks before a run builds anything', () => {
    // Proves checkLedger accepts the redis ledger with or without a URL and refuses a bad one as a UserError.
    expect(() => checkLedger('redis', {})).not.toThrow()
    expect(() => checkLedger('redis', { url: 'redis://127.0.0.1:6379/2?key=x' })).not.toThrow()
    expect(() => checkLedger('redis', { url: 'postgres://127.0.0.1' })).toThrow(UserError)
  })
})

describe.skipIf(skip)('the redis ledger and what it finds under its key', () => {
  it('refuses a key whose namespace holds keys that are not a citytwin ledger', async () => {
    // Proves open() never deletes what it did not make: foreign keys under {key}: make it a UserError naming ?key=, and they stay.
    const key = testKey()
    cleanups.push(() => dropKeys(redisUrl, key))
    await withClient((client) => client.set(`{${key}}:settings`, 'someone else'))
    await expect(ledgerAt({}, redisUrl, key).ledger.open()).rejects.toThrow(UserError)
    await expect(ledgerAt({}, redisUrl, key).ledger.open()).rejects.toThrow(/not a citytwin ledger.*\?key=/)
    expect(await withClient((client) => client.get(`{${key}}:settings`))).toBe('someone else')

    // A meta that is not ours (another format) is refused the same way.
    await withClient((client) => client.del(`{${key}}:settings`).then(() => client.hset(`{${key}}:meta`, 'format', 'something else')))
    await expect(ledgerAt({}, redisUrl, key).ledger.open()).rejects.toThrow(UserError)
  })

  it('starts a new run on an empty ledger, and the run before it can no longer write', async () => {
    // Proves open() resets a citytwin ledger left by an earlier run (its accounts and transfers are gone), and that the
    // earlier run's ledger, still open, fails with a RunFailed instead of writing into the new one.
    const { ledger: first, key } = ledgerAt()
    await first.open()
    const ids = await funded(first, 3, 5_000)
    expect((await first.submit(transfers([{ id: 7, debit: 1, credit: 2, amountFen: 100 }]))).code).toEqual(Uint8Array.of(ResultCode.ok))
    expect((await balancesOf(first, ids)).conserved).toBe(true)

    const { ledger: second } = ledgerAt({}, redisUrl, key)
    await second.open()
    expect((await balancesOf(second, ids)).balances).toEqual([0, 0, 0, 0])
    const totals = await second.totals()
    expect([...totals.debitsFen, ...totals.creditsFen, totals.pendingCount, totals.pendingFen].every((fen) => fen === 0)).toBe(true)
    expect((await second.createAccounts(accounts([{ id: 0, flags: AccountFlag.issuer }, { id: 1 }, { id: 2 }]))).code).toEqual(Uint8Array.of(0, 0, 0))
    // Transfer 7 was the earlier run's: here it is new.
    expect((await second.submit(transfers([{ id: 7, debit: 0, credit: 1, amountFen: 100, kind: TransferKind.issue }]))).code).toEqual(Uint8Array.of(ResultCode.ok))

    await expect(first.submit(transfers([{ id: 8, debit: 1, credit: 2, amountFen: 1 }]))).rejects.toThrow(/reset by another run/)
    await expect(first.lookup(Uint32Array.of(1))).rejects.toThrow(RunFailed)
    expect((await balancesOf(second, [0, 1, 2])).balances).toEqual([-100, 100, 0])
  })

  it('fails every call, for good, once its data is gone', async () => {
    // Proves a ledger whose keys vanished (a server restarted without persistence) stops with a RunFailed that says so,
    // instead of starting again from nothing.
    const { ledger, key } = ledgerAt(quick)
    await ledger.open()
    await funded(ledger, 2, 1_000)
    await dropKeys(redisUrl, key)
    await expect(ledger.submit(transfers([{ id: 1, debit: 1, credit: 2, amountFen: 5 }]))).rejects.toThrow(/lost its data/)
    await expect(ledger.totals()).rejects.toThrow(/lost its data/)
  })
})

describe.skipIf(skip)('the redis ledger when a call loses its connection or its answer', () => {
  it('answers a call whose connection dropped after it ran with the first answer, and applies it once', async () => {
    // Proves exactly once across a lost connection: the server runs the batch, the connection drops before the answer
    // is read, the retry (same session, number and rows) gets the stored answer: all ok, where applying the batch again
    // would answer `exists` for every transfer. Balances show one application, and money is conserved.
    const { proxy, url } = await proxied()
    const { ledger } = ledgerAt({ ...quick, retryPauseMs: 20 }, url)
    await ledger.open()
    const ids = await funded(ledger, 40, 1_000_000)
    const before = await balancesOf(ledger, ids)

    const batch = payments(1, 5_000, 40)
    proxy.nextReply = 'drop'
    const { code } = await ledger.submit(batch)
    expect(code.every((value) => value === ResultCode.ok)).toBe(true)
    expect(ledger.health()).toMatchObject({ faults: { connection: 1 }, recovered: 1 })

    const after = await balancesOf(ledger, ids)
    expect(after.balances).toEqual(appliedOnce(ids, before.balances, batch))
    expect(after.conserved).toBe(true)
    // The same batch again is a new call: every transfer exists, nothing moves.
    expect((await ledger.submit(batch)).code.every((value) => value === ResultCode.exists)).toBe(true)
    expect((await balancesOf(ledger, ids)).balances).toEqual(after.balances)
  })

  it('retries a call whose answer never came, as a timeout, and applies it once', async () => {
    // Proves a command timeout is a `timeout` fault, the connection is dropped and made again, and the retry is
    // answered from what the timed-out attempt stored, for account calls as for transfers.
    const { proxy, url } = await proxied()
    const { ledger } = ledgerAt({ ...quick, commandTimeoutMs: 300 }, url)
    await ledger.open()
    proxy.nextReply = 'swallow'
    const ids = await funded(ledger, 10, 100_000)
    expect(ledger.health()).toMatchObject({ faults: { timeout: 1 }, recovered: 1 })
    // Created once: a repeat now says exists.
    expect((await ledger.createAccounts(accounts([{ id: 1 }]))).code).toEqual(Uint8Array.of(1))

    const before = await balancesOf(ledger, ids)
    const batch = payments(1, 2_000, 10)
    proxy.nextReply = 'swallow'
    expect((await ledger.submit(batch)).code.every((value) => value === ResultCode.ok)).toBe(true)
    expect(ledger.health()).toMatchObject({ faults: { timeout: 2 }, recovered: 2 })
    const after = await balancesOf(ledger, ids)
    expect(after.balances).toEqual(appliedOnce(ids, before.balances, batch))
    expect(after.conserved).toBe(true)
  })

  it('counts a refused connection as refused and gives up after the bounded attempts, with the ledger named', async () => {
    // Proves refusals at open are `refused` faults, attemptsMax of them, then a RunFailed naming the ledger and --ledger-url.
    const port = await closedPort()
    const { ledger } = ledgerAt(quick, `redis://127.0.0.1:${port}`)
    const failure = await ledger.open().then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(RunFailed)
    expect((failure as Error).message).toMatch(/redis ledger "ct-test-[\d-]+" at 127\.0\.0\.1:\d+ \(--ledger-url\) failed 3 times \(refused: /)
    expect(ledger.health().faults).toMatchObject({ refused: 3, connection: 0, timeout: 0, server: 0 })
  })

  it('fails the run when the server goes away mid-run, and every call after it at once', async () => {
    // Proves a server that stops answering between calls: the call is retried attemptsMax times (refused), then fails
    // with a RunFailed, and so does every later call, without trying again.
    const { proxy, url } = await proxied()
    const { ledger } = ledgerAt(quick, url)
    await ledger.open()
    await funded(ledger, 2, 1_000)
    await proxy.stop()
    await expect(ledger.submit(transfers([{ id: 1, debit: 1, credit: 2, amountFen: 5 }]))).rejects.toThrow(/failed 3 times/)
    const faults = ledger.health().faults
    expect((faults.refused ?? 0) + (faults.connection ?? 0)).toBe(3)
    await expect(ledger.lookup(Uint32Array.of(1))).rejects.toThrow(/failed 3 times/)
    expect(ledger.health().faults).toEqual(faults)
  })

  it('fails the run, without retrying, when a script fails', async () => {
    // Proves an error reply that is not a passing condition of the server (here a script error on a damaged record) is
    // not retried: it fails the ledger with a RunFailed that names it.
    const { ledger, key } = ledgerAt(quick)
    await ledger.open()
    await funded(ledger, 2, 1_000)
    await withClient((client) => client.hset(`{${key}}:accounts`, Buffer.from([1, 0, 0, 0]), 'damaged'))
    await expect(ledger.submit(transfers([{ id: 1, debit: 1, credit: 2, amountFen: 5 }]))).rejects.toThrow(/the redis ledger "ct-test-[\d-]+" at .* failed: /)
    expect(ledger.health().faults).toEqual({ refused: 0, connection: 0, timeout: 0, server: 0 })
  })
})

describe.skipIf(skip)('the redis ledger in a run', () => {
  it('is what --ledger redis builds', async () => {
    // Proves the registry builds a RedisLedger from --ledger-url and that it opens, moves money and conserves it.
    const { createLedger } = await import('../../../../engine/ledger/index.js')
    const key = testKey()
    cleanups.push(() => dropKeys(redisUrl, key))
    const ledger = createLedger('redis', options, { url: withKey(redisUrl, key) })
    cleanups.push(() => ledger.close())
    expect(ledger.name).toBe('redis')
    await ledger.open()
    const ids = await funded(ledger, 5, 10_000)
    expect((await ledger.submit(payments(1, 100, 5))).code.every((code) => code === ResultCode.ok)).toBe(true)
    expect((await balancesOf(ledger, ids)).conserved).toBe(true)
  })
})
