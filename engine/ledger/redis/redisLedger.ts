/**
 * `--ledger redis --ledger-url redis://host:port[/db][?key=<name>]`: the ledger's state in Redis,
 * its rules in Lua (submit.lua and the other .lua files here, loaded by ledgerScript.ts), one
 * script call per batch. Redis runs each script alone, so a batch applies atomically and in the
 * order the calls were made.
 *
 * Exactly once: open() takes a session number; every later call that changes the ledger carries
 * the next number, and its script stores the number and the answer with the changes it makes.
 * When a connection breaks before the answer is read, the call queue retries with the same
 * session, number and body; the script finds the number stored and returns the first attempt's
 * answer without applying anything. Lookups and totals change nothing and are simply retried.
 *
 * open() starts an empty ledger: it deletes what an earlier run left under the key (refusing keys
 * that are not a citytwin ledger's). close() leaves the data, for anyone who wants to look at it.
 *
 * One run at a time (ledgerLease.ts): open() marks the ledger as this run's in its meta, with a key
 * `{k}:alive` that expires unless renewed, which a heartbeat on a connection of its own renews
 * every `ledgerLeaseHeartbeatMs`. open() refuses a ledger whose holder's key is alive, and one
 * whose holder let it lapse unless asked to take it over. A run whose ledger was taken over finds
 * its session gone at its next call (or heartbeat), and stops naming who took it. close() lets go.
 */
import { assert } from '../../assert.js'
import { RunFailed, UserError } from '../../errors.js'
import {
  accountsMax as accountsLimit,
  ledgerLeaseHeartbeatMs,
  ledgerLeaseTtlMs,
  lookupBatchMax,
  pendingTransfersMax,
  transferBatchMax,
} from '../../limits.js'
import { CallQueue, type RetryTiming } from '../callQueue.js'
import { holderName, newLeaseId, type LedgerLease } from '../ledgerLease.js'
import type {
  AccountBatch,
  AccountResults,
  Balances,
  LedgerCore,
  LedgerHealth,
  LedgerOptions,
  LedgerTotals,
  TransferBatch,
  TransferResults,
} from '../ledgerCore.js'
import { accountResultCodes, ledgerResultCodeMaxV1 } from '../resultCode.js'
import { assertTransferIds } from '../transferBatches.js'
import { transferKindCount } from '../transferKind.js'
import {
  createAccountsScript,
  heartbeatScript,
  lookupScript,
  openScript,
  releaseScript,
  submitScript,
  totalsScript,
} from './ledgerScript.js'
import {
  decodeBalances,
  decodeCodes,
  encodeAccounts,
  encodeIds,
  encodeTransfers,
  YearOfDay,
} from './redisColumns.js'
import { RedisLink, redisScript, type RedisLinkTiming, type RedisScript } from './redisLink.js'
import { parseRedisUrl, type RedisAddress } from './redisUrl.js'
import { wallScheduler, type Cancel, type Scheduler } from '../../time/index.js'

/**
 * Accounts per createAccounts script call: a city's millions go as several calls, each a short
 * script.
 */
export const redisAccountsPerCallMax = 1 << 16
/**
 * Keys open() will find under a ledger's key before it calls the namespace someone else's (a ledger
 * has eight).
 */
const namespaceKeysMax = 1_000

const scripts = {
  open: redisScript(openScript),
  createAccounts: redisScript(createAccountsScript),
  submit: redisScript(submitScript),
  lookup: redisScript(lookupScript),
  totals: redisScript(totalsScript),
  heartbeat: redisScript(heartbeatScript),
  release: redisScript(releaseScript),
}

export interface RedisLeaseTiming {
  /** The holder's alive key lapses after this long unless renewed (ledgerLeaseTtlMs). */
  readonly leaseTtlMs?: number | undefined
  /** The heartbeat renews it this often (ledgerLeaseHeartbeatMs). */
  readonly leaseHeartbeatMs?: number | undefined
}

/** The fields of {k}:totals, in the order totals() reads them. */
const totalFields = [
  ...Array.from({ length: transferKindCount }, (_, kind) => `debit:${kind}`),
  ...Array.from({ length: transferKindCount }, (_, kind) => `credit:${kind}`),
  'pendingCount',
  'pendingFen',
]

export class RedisLedger implements LedgerCore {
  readonly name = 'redis'
  private readonly address: RedisAddress
  private readonly link: RedisLink
  private readonly calls: CallQueue
  private readonly years = new YearOfDay()
  /** This run's session (0 until open), and the number of the last call made in it. */
  private session = 0
  private sequence = 0
  /** The lease this run holds the ledger by, from open() to close(). */
  private readonly leaseId = newLeaseId()
  private readonly leaseTtlMs: number
  private readonly leaseHeartbeatMs: number
  /**
   * The heartbeat's own connection: it renews the lease while a long call is under way on the
   * other.
   */
  private readonly leaseLink: RedisLink
  /** Stops the heartbeat; set while it beats. */
  private heartbeat: Cancel | undefined
  private readonly scheduler: Scheduler
  private beating: Promise<void> | undefined
  /**
   * Set when the heartbeat learns the ledger is not this run's any more: every later call fails
   * with it.
   */
  private leaseLost: RunFailed | undefined

  constructor(
    private readonly options: LedgerOptions,
    url: string | undefined,
    timing: RetryTiming & RedisLinkTiming & RedisLeaseTiming = {},
    private readonly lease: LedgerLease = {},
  ) {
    assert(
      Number.isInteger(options.accountsMax) &&
        options.accountsMax > 0 &&
        options.accountsMax <= accountsLimit,
      'accountsMax within limits',
    )
    assert(options.tiers.length >= 1 && options.tiers.length <= 0xff, 'a tier table with tier 0')
    this.leaseTtlMs = timing.leaseTtlMs ?? ledgerLeaseTtlMs
    this.leaseHeartbeatMs = timing.leaseHeartbeatMs ?? ledgerLeaseHeartbeatMs
    this.scheduler = timing.scheduler ?? wallScheduler
    assert(
      Number.isInteger(this.leaseTtlMs) &&
        this.leaseTtlMs > 0 &&
        Number.isInteger(this.leaseHeartbeatMs) &&
        this.leaseHeartbeatMs > 0,
      'lease timing in whole ms',
    )
    this.address = parseRedisUrl(url)
    const ledger = `the redis ledger "${this.address.key}" at ${this.address.where} (--ledger-url)`
    this.link = new RedisLink(this.address, ledger, timing)
    this.leaseLink = new RedisLink(this.address, ledger, {
      ...timing,
      commandTimeoutMs: Math.min(timing.commandTimeoutMs ?? this.leaseTtlMs, this.leaseTtlMs),
    })
    // Anything but a fault (a script error, an answer of the wrong shape): no later call can be
    // trusted.
    this.calls = new CallQueue(
      ledger,
      timing,
      (error) =>
        new RunFailed(
          `${ledger} failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
    )
  }

  /**
   * Connects, and starts an empty ledger under the key. Not a call in the queue: nothing else may
   * be called before it resolves, and a namespace that is not ours must reach the user as a
   * UserError.
   */
  async open(): Promise<void> {
    assert(this.session === 0, 'open once')
    const { options } = this
    const tiers = options.tiers
      .map((tier) =>
        [tier.balanceCapFen, tier.perPaymentFen, tier.perDayFen, tier.perYearFen].join(':'),
      )
      .join(',')
    const meta = this.key('meta')
    const alive = this.key('alive')
    let session: unknown
    try {
      session = await this.calls.retried(async () => {
        const found = await this.link.scan(`{${this.address.key}}:*`, namespaceKeysMax)
        if (found.length > namespaceKeysMax) {
          throw new UserError(
            `--ledger-url: ${this.address.where} holds more than ${namespaceKeysMax} keys {${this.address.key}}:*, more than a citytwin ledger has; choose another ?key=<name>`,
          )
        }
        const others = found.filter((name) => name !== meta && name !== alive)
        const leaseArgs = [
          this.leaseId,
          holderName(this.lease),
          this.leaseTtlMs,
          this.lease.takeOver === true ? '1' : '0',
        ]
        const args = [
          options.accountsMax,
          options.pendingMax ?? pendingTransfersMax,
          options.utcOffsetMinutes,
          tiers,
          ...leaseArgs,
        ]
        return this.link.run(scripts.open, [meta, alive, ...others], args)
      })
    } catch (error) {
      // An attempt that took the lease may have lost its answer: let it go (only if it is this
      // one's).
      await this.releaseLease()
      throw error
    }
    assert(
      typeof session === 'number' && Number.isSafeInteger(session) && session > 0,
      'open() answers a session number',
    )
    this.session = session
    this.sequence = 0
    // The heartbeat alone never keeps the process alive (the scheduler's repeating timers do not).
    this.heartbeat = this.scheduler.every(this.leaseHeartbeatMs, () => void this.beat())
  }

  async createAccounts(batch: AccountBatch): Promise<AccountResults> {
    const code = new Uint8Array(batch.count)
    const calls: Promise<void>[] = []
    for (let from = 0; from < batch.count; from += redisAccountsPerCallMax) {
      const to = Math.min(batch.count, from + redisAccountsPerCallMax)
      const rows = encodeAccounts(batch, from, to)
      const keys = [this.key('meta'), this.key('accounts'), this.callKey()]
      calls.push(
        this.change(
          scripts.createAccounts,
          keys,
          [rows],
          to - from,
          accountResultCodes.length,
        ).then((codes) => code.set(codes, from)),
      )
    }
    await Promise.all(calls)
    return { code }
  }

  async submit(batch: TransferBatch): Promise<TransferResults> {
    assert(batch.count <= transferBatchMax, 'a batch holds at most transferBatchMax transfers')
    assertTransferIds(batch)
    // Encoded now, not when its turn comes: Node encodes the next batch while Redis runs this one.
    const { rows, accountIds, idLow } = encodeTransfers(
      batch,
      this.options.utcOffsetMinutes,
      this.years,
    )
    const keys = [
      this.key('meta'),
      this.key('accounts'),
      this.key('transfers'),
      this.key('runs'),
      this.key('runstarts'),
      this.key('deadlines'),
      this.key('totals'),
      this.callKey(),
    ]
    return {
      code: await this.change(
        scripts.submit,
        keys,
        [rows, accountIds, String(idLow)],
        batch.count,
        ledgerResultCodeMaxV1 + 1,
      ),
    }
  }

  async lookup(ids: Uint32Array): Promise<Balances> {
    assert(ids.length <= lookupBatchMax, 'a lookup holds at most lookupBatchMax ids')
    return this.read(
      scripts.lookup,
      [this.key('meta'), this.key('accounts')],
      [encodeIds(ids)],
      (reply) => decodeBalances(reply, ids.length),
    )
  }

  async totals(): Promise<LedgerTotals> {
    return this.read(
      scripts.totals,
      [this.key('meta'), this.key('totals')],
      totalFields,
      decodeTotals,
    )
  }

  /** What went wrong on the way to Redis, for the run's summary. */
  health(): LedgerHealth {
    return this.calls.health()
  }

  /**
   * Fails what is still queued, lets go of the lease and of the connections; the ledger's data
   * stays in Redis.
   */
  async close(): Promise<void> {
    const settled = this.calls.stop('the redis ledger was closed')
    this.heartbeat?.()
    this.heartbeat = undefined
    await this.link.close()
    await settled
    await this.beating
    if (this.session > 0) await this.releaseLease()
    await this.leaseLink.close()
  }

  /**
   * Renews the lease; a fault waits for the next beat, and a ledger that is not this run's any more
   * fails every later call.
   */
  private async beat(): Promise<void> {
    if (this.beating !== undefined || this.leaseLost !== undefined) return
    this.beating = (async () => {
      try {
        await this.leaseLink.run(
          scripts.heartbeat,
          [this.key('meta'), this.key('alive')],
          [this.leaseId, this.leaseTtlMs],
        )
      } catch (error) {
        if (error instanceof RunFailed && this.heartbeat !== undefined) {
          this.leaseLost = error
          this.heartbeat()
        }
      } finally {
        this.beating = undefined
      }
    })()
    await this.beating
  }

  /**
   * One try at letting the ledger go (the script lets go only of this lease); a failure leaves it
   * to lapse.
   */
  private async releaseLease(): Promise<void> {
    await this.leaseLink
      .run(scripts.release, [this.key('meta'), this.key('alive')], [this.leaseId])
      .catch(() => undefined)
  }

  private key(part: string): string {
    return `{${this.address.key}}:${part}`
  }

  /** Where this session's last call and its answer are kept. */
  private callKey(): string {
    assert(this.session > 0, 'open the ledger first')
    return this.key(`call:${this.session}`)
  }

  /**
   * A call that changes the ledger: in turn, with the next call number, every attempt with the same
   * number and columns.
   */
  private change(
    script: RedisScript,
    keys: readonly string[],
    columns: readonly (Buffer | string)[],
    count: number,
    codeCount: number,
  ): Promise<Uint8Array> {
    return this.calls.inTurn(async () => {
      if (this.leaseLost !== undefined) throw this.leaseLost
      const number = ++this.sequence
      const reply = await this.calls.retried(() =>
        this.link.run(script, keys, [String(this.session), String(number), ...columns]),
      )
      return decodeCodes(reply, count, codeCount)
    })
  }

  /**
   * A call that only reads: in turn (it sees every call made before it), retried as it is; `decode`
   * reads the answer.
   */
  private read<T>(
    script: RedisScript,
    keys: readonly string[],
    args: readonly (string | Buffer)[],
    decode: (reply: unknown) => T,
  ): Promise<T> {
    assert(this.session > 0, 'open the ledger first')
    return this.calls.inTurn(async () => {
      if (this.leaseLost !== undefined) throw this.leaseLost
      return decode(
        await this.calls.retried(() =>
          this.link.run(script, keys, [String(this.session), ...args]),
        ),
      )
    })
  }
}

/**
 * The totals script's answer: the values of totalFields, decimal integers (a field never written is
 * 0).
 */
function decodeTotals(reply: unknown): LedgerTotals {
  if (!Array.isArray(reply) || reply.length !== totalFields.length)
    throw new Error('the totals script answered a list of the wrong length')
  const values = reply.map((value: unknown) =>
    Buffer.isBuffer(value) ? Number(value.toString('latin1')) : 0,
  )
  if (!values.every((fen) => Number.isSafeInteger(fen)))
    throw new Error('the totals script answered a total that is not an integer')
  return {
    debitsFen: Float64Array.from(values.slice(0, transferKindCount)),
    creditsFen: Float64Array.from(values.slice(transferKindCount, 2 * transferKindCount)),
    pendingCount: values[2 * transferKindCount] as number,
    pendingFen: values[2 * transferKindCount + 1] as number,
  }
}
