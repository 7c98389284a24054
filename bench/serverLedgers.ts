/**
 * The ledgers that live in a server, on one workload: a day of the city's payments at 500,000
 * residents (about 540,000 accounts), in calls of 8,192 transfers, all handed over at once; each
 * sample on a freshly opened ledger (accounts, issuance, employers funded, wallets topped up).
 *
 *   ledger.<name>.transfers_per_s        the day's transfers over the wall time to apply them
 *   ledger.<name>.hot_transfers_per_s    the same day with every second transfer paid to one account
 *                                        (the one the day pays most often, the transit operator)
 *   ledger.<name>.accepted_share         the share of the day accepted (the rest are rejections)
 *   ledger.<name>.cpu_ms_per_1k          CPU time per 1,000 transfers: this process (every thread) and
 *                                        the server's processes, summed
 *   ledger.<name>.latency_p99_ms@10k     p99 from intended send time to result, the open model sending
 * the day at a constant 10,000/s for 10 s, with a run's default bound on calls outstanding (64
 * memory, 2 the others)
 *
 * <name> is memory (the embedded reference, through its ring), postgres (the embedded PostgreSQL
 * server `--ledger postgres` starts without a URL) and redis (the server at CITYTWIN_REDIS_URL or
 * 127.0.0.1:6379; left out, saying so, when none answers). After every postgres sample the
 * database itself is checked in SQL: money conserved, no payer below zero, one row per accepted
 * transfer; a failed check stops the bench.
 */
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { Redis } from 'ioredis'
import {
  EmbeddedServer,
  MemoryLedger,
  PostgresLedger,
  RedisLedger,
  ResultCode,
  type LedgerCore,
  type LedgerOptions,
  type TransferBatch,
} from '../engine/ledger/index.js'
import type { City } from '../engine/city/index.js'
import { parseProfile, runOpenLoad, wallClockPause } from '../engine/load/index.js'
import { loadInFlightDefaultFor, lookupBatchMax, transferBatchMax } from '../engine/limits.js'
import { wallClock } from '../engine/time/index.js'
import type { Scenario } from '../scenarios/index.js'
import { median } from './median.js'
import { flattened, ledgerWorkload, sliceOf, type LedgerWorkload } from './ledgerWorkload.js'

export interface ServerBenchResult {
  readonly name: string
  readonly median: number
  readonly unit: string
  readonly samples: number
}

const residents = 500_000
const callTransfers = 8_192
const samples = 3
const loadRate = 10_000
const loadSeconds = 10
const redisUrl = process.env.CITYTWIN_REDIS_URL ?? 'redis://127.0.0.1:6379'
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100

interface Target {
  readonly name: string
  /** A fresh ledger. */
  make(options: LedgerOptions): LedgerCore
  /**
   * CPU ms the server has used so far (0 for an embedded ledger: its thread is in this process).
   */
  serverCpuMs(): Promise<number>
  /**
   * After a sample, before the ledger closes: checks its store; throws when it does not balance.
   */
  verify(
    ledger: LedgerCore,
    accountCount: number,
    accepted: number,
    acceptedFen: number,
  ): Promise<void>
  stop(): Promise<void>
}

/** `names`: the ledgers to measure (`--ledgers memory,postgres`); all three when undefined. */
export async function benchServerLedgers(
  scenario: Scenario,
  city: City,
  log: (result: ServerBenchResult) => void,
  names?: readonly string[],
): Promise<void> {
  const wanted = (name: string) => names === undefined || names.includes(name)
  const workload = ledgerWorkload(scenario, city, residents)
  const day = regroup(workload.day, callTransfers)
  const hot = hotDay(day)
  const options: LedgerOptions = {
    accountsMax: workload.plan.accounts.count,
    tiers: workload.plan.tiers,
    utcOffsetMinutes: workload.plan.clock.utcOffsetMinutes,
  }
  const targets = await startTargets(wanted)
  try {
    for (const target of targets) await benchTarget(target, options, workload, day, hot.day, log)
    log({
      name: 'ledger.day_transfers@500k',
      median: workload.dayTransfers,
      unit: 'transfers',
      samples: 1,
    })
    log({ name: 'ledger.hot_share@500k', median: hot.share, unit: 'ratio', samples: 1 })
  } finally {
    for (const target of targets) await target.stop()
  }
}

/** Starts the wanted ledgers' targets; Redis is left out, with a note, when no server answers. */
async function startTargets(wanted: (name: string) => boolean): Promise<Target[]> {
  const targets: Target[] = []
  if (wanted('memory')) targets.push(memoryTarget())
  if (wanted('postgres')) targets.push(await postgresTarget())
  if (wanted('redis')) {
    const redis = await redisTarget()
    if (redis === undefined)
      process.stderr.write(
        `ledger.redis: no Redis server at ${redisUrl}; its figures are left out (apt-get install -y redis-server)\n`,
      )
    else targets.push(redis)
  }
  return targets
}

/** Measures one ledger: the plain day, the hot day and the open-model latency, logging each. */
async function benchTarget(
  target: Target,
  options: LedgerOptions,
  workload: LedgerWorkload,
  day: readonly TransferBatch[],
  hot: readonly TransferBatch[],
  log: (result: ServerBenchResult) => void,
): Promise<void> {
  const plain = await timeDay(target, options, workload, day)
  log({
    name: `ledger.${target.name}.transfers_per_s`,
    median: median(plain.rates),
    unit: 'transfers/s',
    samples,
  })
  log({
    name: `ledger.${target.name}.accepted_share`,
    median: plain.acceptedShare,
    unit: 'ratio',
    samples: 1,
  })
  log({
    name: `ledger.${target.name}.cpu_ms_per_1k`,
    median: median(plain.cpuMsPer1k),
    unit: 'ms',
    samples,
  })
  const hotRun = await timeDay(target, options, workload, hot)
  log({
    name: `ledger.${target.name}.hot_transfers_per_s`,
    median: median(hotRun.rates),
    unit: 'transfers/s',
    samples,
  })
  log({
    name: `ledger.${target.name}.hot_accepted_share`,
    median: hotRun.acceptedShare,
    unit: 'ratio',
    samples: 1,
  })
  log({
    name: `ledger.${target.name}.latency_p99_ms@10k`,
    median: await loadLatency(target, options, workload),
    unit: 'ms',
    samples,
  })
}

async function timeDay(
  target: Target,
  options: LedgerOptions,
  workload: LedgerWorkload,
  day: readonly TransferBatch[],
): Promise<{ rates: number[]; cpuMsPer1k: number[]; acceptedShare: number }> {
  const rates: number[] = []
  const cpuMsPer1k: number[] = []
  let acceptedShare = 0
  for (let sample = 0; sample < samples; sample++) {
    const ledger = await openDay(target, options, workload)
    const cpuBefore = process.cpuUsage()
    const serverBefore = await target.serverCpuMs()
    const startMs = wallClock.nowMs()
    const results = await Promise.all(day.map((batch) => ledger.submit(batch)))
    const wallMs = wallClock.nowMs() - startMs
    const cpu = process.cpuUsage(cpuBefore)
    const serverMs = (await target.serverCpuMs()) - serverBefore
    const transfers = day.reduce((sum, batch) => sum + batch.count, 0)
    rates.push(transfers / (wallMs / 1000))
    cpuMsPer1k.push(((cpu.user + cpu.system) / 1000 + serverMs) / (transfers / 1000))
    let accepted = 0
    let acceptedFen = 0
    results.forEach((result, index) => {
      const batch = day[index] as TransferBatch
      for (let at = 0; at < batch.count; at++) {
        if (result.code[at] === ResultCode.ok) {
          accepted += 1
          acceptedFen += batch.amountFen[at] as number
        }
      }
    })
    acceptedShare = accepted / transfers
    const opening = workload.opening.reduce((sum, batch) => sum + batch.count, 0)
    const openingFen = workload.opening.reduce(
      (sum, batch) =>
        sum + batch.amountFen.subarray(0, batch.count).reduce((total, fen) => total + fen, 0),
      0,
    )
    await target.verify(
      ledger,
      workload.accounts.count,
      accepted + opening,
      acceptedFen + openingFen,
    )
    await ledger.close()
  }
  return { rates, cpuMsPer1k, acceptedShare }
}

/** A fresh ledger holding the day's opening (every opening transfer must apply). */
async function openDay(
  target: Target,
  options: LedgerOptions,
  workload: LedgerWorkload,
): Promise<LedgerCore> {
  const ledger = target.make(options)
  await ledger.open()
  const { accounts } = workload
  const created = await ledger.createAccounts(accounts)
  if (created.code.some((code) => code !== 0))
    throw new Error(`${target.name}: accounts not created`)
  const opened = await Promise.all(workload.opening.map((batch) => ledger.submit(batch)))
  if (opened.some((result) => result.code.some((code) => code !== ResultCode.ok)))
    throw new Error(`${target.name}: the opening did not apply`)
  return ledger
}

async function loadLatency(
  target: Target,
  options: LedgerOptions,
  workload: LedgerWorkload,
): Promise<number> {
  const all = flattened(workload.day)
  const latencies: number[] = []
  for (let sample = 0; sample < samples; sample++) {
    const ledger = await openDay(target, options, workload)
    const schedule = parseProfile(`constant:${loadRate}/${loadSeconds}s`, 'bench').schedule
    if (schedule.transfers > all.count) throw new Error('the bench day is too short for the rate')
    const result = await runOpenLoad({
      schedule,
      ledger,
      source: (from, to) => sliceOf(all, from, to),
      now: wallClock.nowMs,
      pause: wallClockPause(),
      inFlightMax: loadInFlightDefaultFor(target.name),
    })
    if (result.dropped > 0)
      throw new Error(`${target.name}: ${result.dropped} transfers dropped at ${loadRate}/s`)
    latencies.push(result.latency.summary().overall.p99Ms)
    result.latency.destroy()
    result.lateness.destroy()
    await ledger.close()
  }
  return median(latencies)
}

function memoryTarget(): Target {
  return {
    name: 'memory',
    make: (options) => new MemoryLedger(options),
    serverCpuMs: async () => 0,
    verify: (ledger, accountCount) => conservedByLookup('memory', ledger, accountCount),
    stop: async () => undefined,
  }
}

async function postgresTarget(): Promise<Target> {
  const server = await EmbeddedServer.start()
  const query = async <Row extends pg.QueryResultRow>(sql: string): Promise<Row | undefined> => {
    const client = new pg.Client({ connectionString: server.url })
    await client.connect()
    try {
      return (await client.query<Row>(sql)).rows[0]
    } finally {
      await client.end()
    }
  }
  const postmaster = Number(
    (await readFile(join(server.folder, 'data', 'postmaster.pid'), 'utf8')).split('\n')[0],
  )
  return {
    name: 'postgres',
    make: (options) => new PostgresLedger(options, undefined, {}, { embedded: server }),
    serverCpuMs: () => processTreeCpuMs(postmaster),
    verify: async (_ledger, _accountCount, accepted, acceptedFen) => {
      const row = await query<{ total: string; overdrawn: string; rows: string; fen: string }>(
        `select (select coalesce(sum(balance), 0) from citytwin.accounts)::text as total,
                (select count(*) from citytwin.accounts where balance < 0 and flags & 1 = 0)::text as overdrawn,
                (select count(*) from citytwin.transfers)::text as rows,
                (select coalesce(sum(amount), 0) from citytwin.transfers)::text as fen`,
      )
      const found = {
        total: Number(row?.total),
        overdrawn: Number(row?.overdrawn),
        rows: Number(row?.rows),
        fen: Number(row?.fen),
      }
      if (
        found.total !== 0 ||
        found.overdrawn !== 0 ||
        found.rows !== accepted ||
        found.fen !== acceptedFen
      ) {
        throw new Error(
          `postgres: the database does not balance after the sample: ${JSON.stringify(found)} (expected ${accepted} rows, ${acceptedFen} fen)`,
        )
      }
    },
    stop: () => server.stop(),
  }
}

async function redisTarget(): Promise<Target | undefined> {
  const probe = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  })
  probe.on('error', () => undefined)
  let serverPid = 0
  try {
    await probe.connect()
    const info = await probe.info('server')
    serverPid = Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0)
  } catch {
    return undefined
  } finally {
    probe.disconnect()
  }
  const key = 'citytwin-bench'
  return {
    name: 'redis',
    // The bench's own key: a bench killed before it let go of the ledger is taken over, not a
    // reason to stop.
    make: (options) =>
      new RedisLedger(
        options,
        `${redisUrl}?key=${key}`,
        {},
        { holder: 'citytwin bench (bench/serverLedgers.ts)', takeOver: true },
      ),
    serverCpuMs: () => processTreeCpuMs(serverPid),
    verify: (ledger, accountCount) => conservedByLookup('redis', ledger, accountCount),
    stop: async () => {
      const cleaner = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
      const keys = await cleaner.keys(`{${key}}:*`)
      if (keys.length > 0) await cleaner.unlink(...keys)
      cleaner.disconnect()
    },
  }
}

/**
 * Every account's balance read back: they sum to zero (the issuer's negative balance is all the
 * money there is).
 */
async function conservedByLookup(
  name: string,
  ledger: LedgerCore,
  accountCount: number,
): Promise<void> {
  let totalFen = 0
  for (let from = 0; from < accountCount; from += lookupBatchMax) {
    const ids = Uint32Array.from(
      { length: Math.min(accountCount, from + lookupBatchMax) - from },
      (_, index) => from + index,
    )
    const found = await ledger.lookup(ids)
    for (const fen of found.balanceFen) totalFen += fen
  }
  if (totalFen !== 0)
    throw new Error(`${name}: balances sum to ${totalFen} fen after the sample, not 0`)
}

/** CPU ms used so far by process `pid` and its children (a server's workers), from /proc. */
async function processTreeCpuMs(pid: number): Promise<number> {
  let ticks = 0
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    // Fields after the command (which may hold spaces): state ppid ... utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const parent = Number(fields[1])
    if (Number(entry) === pid || parent === pid) ticks += Number(fields[11]) + Number(fields[12])
  }
  return (ticks / ticksPerSecond) * 1000
}

/** The day's transfers in order, in calls of `size`. */
function regroup(day: readonly TransferBatch[], size: number): TransferBatch[] {
  if (size > transferBatchMax) throw new Error('a call holds at most transferBatchMax transfers')
  const all = flattened(day)
  const calls: TransferBatch[] = []
  for (let from = 0; from < all.count; from += size)
    calls.push(sliceOf(all, from, Math.min(all.count, from + size)))
  return calls
}

/** The day with every second transfer paid to the account it pays most often. */
function hotDay(day: readonly TransferBatch[]): { day: TransferBatch[]; share: number } {
  const counts = new Map<number, number>()
  for (const batch of day)
    for (let at = 0; at < batch.count; at++)
      counts.set(batch.credit[at] as number, (counts.get(batch.credit[at] as number) ?? 0) + 1)
  let hottest = 0
  let most = -1
  for (const [account, count] of counts) {
    if (count > most) {
      most = count
      hottest = account
    }
  }
  let index = 0
  let toHot = 0
  let total = 0
  const hot = day.map((batch) => {
    const credit = Uint32Array.from(batch.credit.subarray(0, batch.count))
    for (let at = 0; at < batch.count; at++, index++) {
      if (index % 2 === 0 && batch.debit[at] !== hottest) credit[at] = hottest
      if (credit[at] === hottest) toHot += 1
    }
    total += batch.count
    return { ...batch, credit }
  })
  return { day: hot, share: toHot / total }
}
