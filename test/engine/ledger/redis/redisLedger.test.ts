/**
 * The redis ledger beyond the conformance suite: its URL, what open() does with what it finds under
 * its key, calls that lose their connection or their answer (each applies exactly once, the retry
 * answered with what the first attempt stored), faults counted by class and bounded, a ledger whose
 * data is gone, and the lease that keeps a second run off a ledger in use. Skipped, with one line,
 * where there is no Redis server (not in CI).
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { RunFailed, UserError } from '../../../../engine/errors.js'
import {
  AccountFlag,
  RedisLedger,
  ResultCode,
  TransferKind,
  checkLedger,
  parseRedisUrl,
  type LedgerCore,
  type LedgerOptions,
  type TransferBatch,
} from '../../../../engine/ledger/index.js'
import {
  accounts,
  tiers,
  transfers,
  unavailable,
  utcOffsetMinutes,
  type TransferRow,
} from '../conformance/harness.js'
import {
  dropKeys,
  plainClient,
  reachable,
  redisUrl,
  testKey,
  withKey,
} from '../conformance/redisTarget.js'
import { ledgerHolderCharsMax } from '../../../../engine/limits.js'
import { FaultyProxy } from './faultyProxy.js'

const redisHere = await reachable(redisUrl)
const skip =
  !redisHere &&
  unavailable(
    'redis',
    `no Redis server at ${redisUrl}`,
    'apt-get install -y redis-server, or set CITYTWIN_REDIS_URL',
  ).length === 0
const server = parseRedisUrl(redisUrl)
const options: LedgerOptions = { accountsMax: 1_000, tiers, utcOffsetMinutes }
/** Small retry timing: a test that spends its attempts fails in well under a second. */
const quick = { attemptsMax: 3, retryPauseMs: 10 } as const

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/**
 * A redis ledger under a fresh key at `url` (default: the test server), closed and its keys deleted
 * after the test.
 */
function ledgerAt(
  timing: ConstructorParameters<typeof RedisLedger>[2] = {},
  url = redisUrl,
  key = testKey(),
  lease: ConstructorParameters<typeof RedisLedger>[3] = {},
): { ledger: RedisLedger; key: string } {
  const ledger = new RedisLedger(options, withKey(url, key), timing, lease)
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
async function withClient<T>(
  body: (client: ReturnType<typeof plainClient>) => Promise<T>,
): Promise<T> {
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
  const created = await ledger.createAccounts(
    accounts([{ id: 0, flags: AccountFlag.issuer }, ...ids.map((id) => ({ id }))]),
  )
  expect(created.code.every((code) => code === 0)).toBe(true)
  const funding = ids.map((id): TransferRow => ({
    id: 1_000_000 + id,
    debit: 0,
    credit: id,
    amountFen: fundingFen,
    kind: TransferKind.issue,
  }))
  expect((await ledger.submit(transfers(funding))).code.every((code) => code === 0)).toBe(true)
  return [0, ...ids]
}

/**
 * Balances of `ids`, and whether they sum to zero (the issuer's negative balance is everything the
 * others hold).
 */
async function balancesOf(
  ledger: LedgerCore,
  ids: readonly number[],
): Promise<{ balances: number[]; conserved: boolean }> {
  const balances = [...(await ledger.lookup(Uint32Array.from(ids))).balanceFen]
  return { balances, conserved: balances.reduce((sum, fen) => sum + fen, 0) === 0 }
}

/**
 * `count` p2p transfers among accounts 1..accountCount (at least 4), ids from `firstId`, each
 * 1..100 fen.
 */
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
function appliedOnce(
  ids: readonly number[],
  before: readonly number[],
  batch: TransferBatch,
): number[] {
  const moved = new Map<number, number>()
  for (let index = 0; index < batch.count; index++) {
    const amountFen = batch.amountFen[index] as number
    moved.set(
      batch.debit[index] as number,
      (moved.get(batch.debit[index] as number) ?? 0) - amountFen,
    )
    moved.set(
      batch.credit[index] as number,
      (moved.get(batch.credit[index] as number) ?? 0) + amountFen,
    )
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
    // Proves the defaults (no URL: the local server, key citytwin) and every part of a full URL,
    // and that `where` never shows the password.
    expect(parseRedisUrl(undefined)).toMatchObject({
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      key: 'citytwin',
      username: undefined,
      password: undefined,
    })
    expect(parseRedisUrl('redis://10.0.0.5')).toMatchObject({
      host: '10.0.0.5',
      port: 6379,
      db: 0,
      key: 'citytwin',
    })
    const full = parseRedisUrl('redis://ledger:p%40ss@cache.internal:6380/3?key=city_2026.day-1')
    expect(full).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      db: 3,
      username: 'ledger',
      password: 'p@ss',
      key: 'city_2026.day-1',
    })
    expect(full.where).not.toContain('p@ss')
    expect(parseRedisUrl('redis://[::1]:7000/0').host).toBe('::1')
    expect(parseRedisUrl('redis://:only-password@host').password).toBe('only-password')
  })

  it('refuses what is not a redis ledger address, naming --ledger-url and never the password', () => {
    // Proves each malformed URL is a UserError that names the flag, and that a password in a bad
    // URL stays out of the message.
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
    // Proves checkLedger accepts the redis ledger with or without a URL and refuses a bad one as a
    // UserError.
    expect(() => checkLedger('redis', {})).not.toThrow()
    expect(() => checkLedger('redis', { url: 'redis://127.0.0.1:6379/2?key=x' })).not.toThrow()
    expect(() => checkLedger('redis', { url: 'postgres://127.0.0.1' })).toThrow(UserError)
  })
})

describe.skipIf(skip)('the redis ledger and what it finds under its key', () => {
  it('refuses a key whose namespace holds keys that are not a citytwin ledger', async () => {
    // Proves open() never deletes what it did not make: foreign keys under {key}: make it a
    // UserError naming ?key=, and they stay.
    const key = testKey()
    cleanups.push(() => dropKeys(redisUrl, key))
    await withClient((client) => client.set(`{${key}}:settings`, 'someone else'))
    await expect(ledgerAt({}, redisUrl, key).ledger.open()).rejects.toThrow(UserError)
    await expect(ledgerAt({}, redisUrl, key).ledger.open()).rejects.toThrow(
      /not a citytwin ledger.*\?key=/,
    )
    expect(await withClient((client) => client.get(`{${key}}:settings`))).toBe('someone else')

    // A meta that is not ours (another format) is refused the same way.
    await withClient((client) =>
      client
        .del(`{${key}}:settings`)
        .then(() => client.hset(`{${key}}:meta`, 'format', 'something else')),
    )
    await expect(ledgerAt({}, redisUrl, key).ledger.open()).rejects.toThrow(UserError)
  })

  it('resets a ledger of the format before wide ids (4-byte transfer ids), as one of its own', async () => {
    // Proves format 1, which an earlier version left, is ours: open() deletes it and starts format
    // 2 rather than refusing the key, and none of its records is read as a transfer of this run.
    const key = testKey()
    cleanups.push(() => dropKeys(redisUrl, key))
    await withClient((client) =>
      client
        .hset(`{${key}}:meta`, 'format', 'citytwin-ledger 1', 'sessions', '3', 'transferIdMax', '9')
        .then(() => client.hset(`{${key}}:transfers`, '\x07\x00\x00\x00', 'an old record')),
    )
    const { ledger } = ledgerAt({}, redisUrl, key)
    await ledger.open()
    expect(await withClient((client) => client.hget(`{${key}}:meta`, 'format'))).toBe(
      'citytwin-ledger 2',
    )
    expect(await withClient((client) => client.exists(`{${key}}:transfers`))).toBe(0)
    const ids = await funded(ledger, 2, 1_000)
    expect(
      (await ledger.submit(transfers([{ id: 7, debit: 1, credit: 2, amountFen: 100 }]))).code,
    ).toEqual(Uint8Array.of(ResultCode.ok))
    expect((await balancesOf(ledger, ids)).conserved).toBe(true)
  })

  it('starts a new run on an empty ledger once the run before it has closed', async () => {
    // Proves open() resets a citytwin ledger left by an earlier run (its accounts and transfers are
    // gone) once that run has let it go.
    const { ledger: first, key } = ledgerAt()
    await first.open()
    const ids = await funded(first, 3, 5_000)
    expect(
      (await first.submit(transfers([{ id: 7, debit: 1, credit: 2, amountFen: 100 }]))).code,
    ).toEqual(Uint8Array.of(ResultCode.ok))
    expect((await balancesOf(first, ids)).conserved).toBe(true)
    await first.close()

    const { ledger: second } = ledgerAt({}, redisUrl, key)
    await second.open()
    expect((await balancesOf(second, ids)).balances).toEqual([0, 0, 0, 0])
    const totals = await second.totals()
    expect(
      [...totals.debitsFen, ...totals.creditsFen, totals.pendingCount, totals.pendingFen].every(
        (fen) => fen === 0,
      ),
    ).toBe(true)
    expect(
      (
        await second.createAccounts(
          accounts([{ id: 0, flags: AccountFlag.issuer }, { id: 1 }, { id: 2 }]),
        )
      ).code,
    ).toEqual(Uint8Array.of(0, 0, 0))
    // Transfer 7 was the earlier run's: here it is new.
    expect(
      (
        await second.submit(
          transfers([{ id: 7, debit: 0, credit: 1, amountFen: 100, kind: TransferKind.issue }]),
        )
      ).code,
    ).toEqual(Uint8Array.of(ResultCode.ok))
    expect((await balancesOf(second, [0, 1, 2])).balances).toEqual([-100, 100, 0])
  })

  it('fails every call, for good, once its data is gone', async () => {
    // Proves a ledger whose keys vanished (a server restarted without persistence) stops with a
    // RunFailed that says so, instead of starting again from nothing.
    const { ledger, key } = ledgerAt(quick)
    await ledger.open()
    await funded(ledger, 2, 1_000)
    await dropKeys(redisUrl, key)
    await expect(
      ledger.submit(transfers([{ id: 1, debit: 1, credit: 2, amountFen: 5 }])),
    ).rejects.toThrow(/lost its data/)
    await expect(ledger.totals()).rejects.toThrow(/lost its data/)
  })
})

describe.skipIf(skip)('the redis ledger when a call loses its connection or its answer', () => {
  it('answers a call whose connection dropped after it ran with the first answer, and applies it once', async () => {
    // Proves exactly once across a lost connection: the server runs the batch, the connection drops
    // before the answer is read, the retry (same session, number and rows) gets the stored answer:
    // all ok, where applying the batch again would answer `exists` for every transfer. Balances
    // show one application, and money is conserved.
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
    expect((await ledger.submit(batch)).code.every((value) => value === ResultCode.exists)).toBe(
      true,
    )
    expect((await balancesOf(ledger, ids)).balances).toEqual(after.balances)
  })

  it('retries a call whose answer never came, as a timeout, and applies it once', async () => {
    // Proves a command timeout is a `timeout` fault, the connection is dropped and made again, and
    // the retry is answered from what the timed-out attempt stored, for account calls as for
    // transfers.
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
    // Proves refusals at open are `refused` faults, attemptsMax of them, then a RunFailed naming
    // the ledger and --ledger-url.
    const port = await closedPort()
    const { ledger } = ledgerAt(quick, `redis://127.0.0.1:${port}`)
    const failure = await ledger.open().then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(RunFailed)
    expect((failure as Error).message).toMatch(
      /redis ledger "ct-test-[\d-]+" at 127\.0\.0\.1:\d+ \(--ledger-url\) failed 3 times \(refused: /,
    )
    expect(ledger.health().faults).toMatchObject({
      refused: 3,
      connection: 0,
      timeout: 0,
      server: 0,
    })
  })

  it('fails the run when the server goes away mid-run, and every call after it at once', async () => {
    // Proves a server that stops answering between calls: the call is retried attemptsMax times
    // (refused), then fails with a RunFailed, and so does every later call, without trying again.
    const { proxy, url } = await proxied()
    const { ledger } = ledgerAt(quick, url)
    await ledger.open()
    await funded(ledger, 2, 1_000)
    await proxy.stop()
    await expect(
      ledger.submit(transfers([{ id: 1, debit: 1, credit: 2, amountFen: 5 }])),
    ).rejects.toThrow(/failed 3 times/)
    const faults = ledger.health().faults
    expect((faults.refused ?? 0) + (faults.connection ?? 0)).toBe(3)
    await expect(ledger.lookup(Uint32Array.of(1))).rejects.toThrow(/failed 3 times/)
    expect(ledger.health().faults).toEqual(faults)
  })

  it('fails the run, without retrying, when a script fails', async () => {
    // Proves an error reply that is not a passing condition of the server (here a script error on a
    // damaged record) is not retried: it fails the ledger with a RunFailed that names it.
    const { ledger, key } = ledgerAt(quick)
    await ledger.open()
    await funded(ledger, 2, 1_000)
    await withClient((client) =>
      client.hset(`{${key}}:accounts`, Buffer.from([1, 0, 0, 0]), 'damaged'),
    )
    await expect(
      ledger.submit(transfers([{ id: 1, debit: 1, credit: 2, amountFen: 5 }])),
    ).rejects.toThrow(/the redis ledger "ct-test-[\d-]+" at .* failed: /)
    expect(ledger.health().faults).toEqual({ refused: 0, connection: 0, timeout: 0, server: 0 })
  })
})

describe.skipIf(skip)('the redis ledger in a run', () => {
  it('is what --ledger redis builds', async () => {
    // Proves the registry builds a RedisLedger from --ledger-url and that it opens, moves money and
    // conserves it.
    const { createLedger } = await import('../../../../engine/ledger/index.js')
    const key = testKey()
    cleanups.push(() => dropKeys(redisUrl, key))
    const ledger = createLedger('redis', options, { url: withKey(redisUrl, key) })
    cleanups.push(() => ledger.close())
    expect(ledger.name).toBe('redis')
    await ledger.open()
    const ids = await funded(ledger, 5, 10_000)
    expect(
      (await ledger.submit(payments(1, 100, 5))).code.every((code) => code === ResultCode.ok),
    ).toBe(true)
    expect((await balancesOf(ledger, ids)).conserved).toBe(true)
  })
})

describe.skipIf(skip)('the lease: one run at a time on a key', () => {
  /** Polls `check` every 20 ms until it holds, for at most 10 s. */
  async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    for (let waited = 0; !(await check()); waited += 20) {
      expect(waited, what).toBeLessThan(10_000)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** What open() threw (it must throw). */
  async function openError(ledger: RedisLedger): Promise<Error> {
    const error: unknown = await ledger.open().then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(Error)
    return error as Error
  }

  it('refuses a second run while the first holds the key, naming the holder, and the first goes on with its money whole', async () => {
    // Proves open() of a key in use is a UserError naming the key, the holder and what to do, with
    // or without take-over; the first run's ledger is untouched and goes on; closed, it lets go,
    // and the next run opens an empty ledger.
    const { ledger: first, key } = ledgerAt({}, redisUrl, testKey(), {
      holder: 'citytwin run first.yaml (pid 101 on test-host)',
    })
    await first.open()
    const ids = await funded(first, 4, 5_000)
    for (const takeOver of [false, true]) {
      const error = await openError(
        ledgerAt({}, redisUrl, key, { holder: 'second', takeOver }).ledger,
      )
      expect(error).toBeInstanceOf(UserError)
      expect(error.message).toContain(`the redis ledger "${key}" at ${server.where}`)
      expect(error.message).toMatch(
        /is in use by citytwin run first\.yaml \(pid 101 on test-host\), since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/,
      )
      expect(error.message).toContain('?key=')
    }
    expect(
      (await first.submit(payments(1, 50, 4))).code.every((code) => code === ResultCode.ok),
    ).toBe(true)
    const { balances, conserved } = await balancesOf(first, ids)
    expect(conserved).toBe(true)
    expect(balances[0]).toBe(-20_000)

    await first.close()
    expect(await withClient((client) => client.exists(`{${key}}:alive`))).toBe(0)
    expect(await withClient((client) => client.hget(`{${key}}:meta`, 'holder'))).toBe(null)
    const { ledger: next } = ledgerAt({}, redisUrl, key, { holder: 'citytwin run next.yaml' })
    await next.open()
    expect((await balancesOf(next, ids)).balances).toEqual([0, 0, 0, 0, 0])
  })

  it('renews its lease with a heartbeat while it holds the key', async () => {
    // Proves the alive key is renewed (its time to live goes up again) while the ledger is open,
    // and goes at close.
    const { ledger, key } = ledgerAt({ leaseTtlMs: 5_000, leaseHeartbeatMs: 100 })
    await ledger.open()
    const ttl = (): Promise<number> => withClient((client) => client.pttl(`{${key}}:alive`))
    const first = await ttl()
    expect(first).toBeGreaterThan(0)
    let last = first
    await until('the heartbeat renews the key', async () => {
      const now = await ttl()
      const renewed = now > last
      last = now
      return renewed
    })
    await ledger.close()
    expect(await ttl()).toBe(-2)
  })

  it('knows a holder whose heartbeat stopped, refuses it without --take-over, takes it over with it, and fails the run it was taken from', async () => {
    // Proves a holder whose alive key lapsed (a crashed run: here one that never beats within a 300
    // ms lease) is named as gone and refused; with takeOver the new run opens an empty ledger; the
    // old run's next call fails with a RunFailed naming the new holder, and nothing of it reaches
    // the new ledger.
    const { ledger: crashed, key } = ledgerAt(
      { leaseTtlMs: 300, leaseHeartbeatMs: 600_000 },
      redisUrl,
      testKey(),
      { holder: 'citytwin run crashed.yaml (pid 202 on test-host)' },
    )
    await crashed.open()
    const ids = await funded(crashed, 3, 5_000)
    await until(
      'the unrenewed lease lapses',
      async () => (await withClient((client) => client.exists(`{${key}}:alive`))) === 0,
    )

    const refused = await openError(
      ledgerAt({}, redisUrl, key, { holder: 'citytwin run careful.yaml' }).ledger,
    )
    expect(refused).toBeInstanceOf(UserError)
    expect(refused.message).toMatch(
      /still marked as held by citytwin run crashed\.yaml \(pid 202 on test-host\), since [\dTZ:-]+, but it stopped renewing its lease/,
    )
    expect(refused.message).toContain('--take-over')
    // Refused, it changed nothing: the crashed run's ledger is still there.
    expect(await withClient((client) => client.hlen(`{${key}}:accounts`))).toBe(4)

    const { ledger: taker } = ledgerAt({}, redisUrl, key, {
      holder: 'citytwin run taker.yaml (pid 303 on test-host)',
      takeOver: true,
    })
    await taker.open()
    expect((await balancesOf(taker, ids)).balances).toEqual([0, 0, 0, 0])
    await funded(taker, 3, 1_000)

    await expect(
      crashed.submit(transfers([{ id: 9, debit: 1, credit: 2, amountFen: 5 }])),
    ).rejects.toThrow(
      new RegExp(
        `the redis ledger "${key}" .* is no longer this run's: it was taken over by citytwin run taker\\.yaml \\(pid 303 on test-host\\), since `,
      ),
    )
    await expect(crashed.lookup(Uint32Array.of(1))).rejects.toThrow(RunFailed)
    const after = await balancesOf(taker, ids)
    expect(after.balances).toEqual([-3_000, 1_000, 1_000, 1_000])
    expect(after.conserved).toBe(true)
  })

  it('holds its ledger again at the next beat when its key lapsed and nobody took the ledger over', async () => {
    // Proves a holder that stalled past its lease (its key lapsed) but was not taken over renews
    // the key at its next beat, and goes on; a newcomer is then refused as from a live holder.
    const { ledger: stalled, key } = ledgerAt(
      { leaseTtlMs: 5_000, leaseHeartbeatMs: 100 },
      redisUrl,
      testKey(),
      { holder: 'citytwin run stalled.yaml' },
    )
    await stalled.open()
    const ids = await funded(stalled, 4, 1_000)
    await withClient((client) => client.del(`{${key}}:alive`))
    await until(
      'the next beat renews the key',
      async () => (await withClient((client) => client.exists(`{${key}}:alive`))) === 1,
    )
    const error = await openError(
      ledgerAt({}, redisUrl, key, { holder: 'newcomer', takeOver: true }).ledger,
    )
    expect(error.message).toContain('is in use by citytwin run stalled.yaml')
    expect(
      (await stalled.submit(payments(1, 20, 4))).code.every((code) => code === ResultCode.ok),
    ).toBe(true)
    expect((await balancesOf(stalled, ids)).conserved).toBe(true)
  })

  it('prints a holder name it reads back without its control characters, and bounded', async () => {
    // Proves a holder name anyone with access to the server could have written (escape codes, new
    // lines, 10,000 characters) reaches the refused run's terminal as printable text of at most
    // ledgerHolderCharsMax characters.
    const { ledger: first, key } = ledgerAt({}, redisUrl, testKey(), { holder: 'first' })
    await first.open()
    const hostile = `\x1b]0;owned\x07\x1b[2J\nrun ${'x'.repeat(10_000)}`
    await withClient((client) => client.hset(`{${key}}:meta`, 'holder', hostile))
    const error = await openError(ledgerAt({}, redisUrl, key, { holder: 'second' }).ledger)
    expect(error).toBeInstanceOf(UserError)
    // (Redis itself turns the new line of an error reply into a space.)
    expect(error.message).toMatch(/is in use by \?\]0;owned\?\?\[2J[? ]run x{100}/)
    // eslint-disable-next-line no-control-regex
    expect(error.message).not.toMatch(/[\u0000-\u001f\u007f]/)
    expect(error.message.length).toBeLessThan(ledgerHolderCharsMax + 400)
  })
})
