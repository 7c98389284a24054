/**
 * The embedded ledger and the reference every other adapter is checked against. Its state lives
 * in a thread of its own (workers/ledger.ts), the single writer; calls reach it through a
 * shared-memory ring (ring.ts) and apply in the order they are made.
 *
 * Compiled runs load `dist/workers/ledger.js`; under the test runner, which loads TypeScript
 * sources, the worker is the `.ts` file run through tsx.
 */
import { Worker } from 'node:worker_threads'
import { assert } from '../../assert.js'
import { accountsMax as accountsLimit, lookupBatchMax, transferBatchMax } from '../../limits.js'
import type {
  AccountBatch,
  AccountResults,
  Balances,
  LedgerCore,
  LedgerOptions,
  LedgerTotals,
  RestrictionBatch,
  RestrictionResults,
  TransferBatch,
  TransferResults,
} from '../ledgerCore.js'
import { assertRestrictionBatch, assertTransferIds } from '../transferBatches.js'
import { transferKindCount } from '../transferKind.js'
import { RingOp, RingProducer, RingView, allocateRing, type RingBuffers } from './ring.js'

/** What the ledger's thread is given at start (workers/ledger.ts). */
export interface LedgerWorkerData {
  readonly options: LedgerOptions
  readonly ring: RingBuffers
}

const fromSource = import.meta.url.endsWith('.ts')
const slotCapacity = Math.max(transferBatchMax, lookupBatchMax)

export class MemoryLedger implements LedgerCore {
  readonly name: string = 'memory'
  private worker: Worker | null = null
  private ring: RingProducer | null = null
  private exited: Promise<void> = Promise.resolve()

  constructor(private readonly options: LedgerOptions) {
    assert(
      Number.isInteger(options.accountsMax) &&
        options.accountsMax > 0 &&
        options.accountsMax <= accountsLimit,
      'accountsMax within limits',
    )
    assert(options.tiers.length >= 1, 'the tier table has the unlimited tier 0')
  }

  async open(): Promise<void> {
    assert(this.worker === null, 'open once')
    const buffers = allocateRing(slotCapacity)
    const view = new RingView(buffers)
    const ring = new RingProducer(view)
    const data: LedgerWorkerData = {
      options: { ...this.options, tiers: this.options.tiers.map((tier) => ({ ...tier })) },
      ring: buffers,
    }
    const entry = new URL(
      fromSource ? '../../../workers/ledger.ts' : '../../../workers/ledger.js',
      import.meta.url,
    )
    // From sources, tsx is registered inside the thread before the entry is imported: a `.ts` entry
    // given to the thread directly would be loaded before hooks passed by `--import` are in place.
    const worker = fromSource
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`,
          { eval: true, workerData: data },
        )
      : new Worker(entry, { workerData: data })
    this.exited = new Promise<void>((resolve) => {
      worker.once('error', (error) => ring.abort(error))
      worker.once('exit', (code) => {
        ring.abort(new Error(`the memory ledger's thread ended (exit code ${code})`))
        resolve()
      })
    })
    this.worker = worker
    this.ring = ring
    await ring.call(
      RingOp.open,
      0,
      () => undefined,
      () => undefined,
    )
  }

  /** Any number of accounts: a batch larger than a ring slot goes as several calls, in order. */
  async createAccounts(batch: AccountBatch): Promise<AccountResults> {
    const code = new Uint8Array(batch.count)
    const calls: Promise<void>[] = []
    for (let from = 0; from < batch.count; from += slotCapacity) {
      const to = Math.min(batch.count, from + slotCapacity)
      calls.push(
        this.producer().call(
          RingOp.createAccounts,
          to - from,
          (slot) => {
            slot.account.set(batch.id.subarray(from, to))
            slot.kind.set(batch.tier.subarray(from, to))
            slot.flags.set(batch.flags.subarray(from, to))
            fillOrZero(slot.debit, batch.restriction, from, to)
            fillOrZero(slot.credit, batch.owner, from, to)
            for (let index = from; index < to; index++)
              slot.minute[index - from] =
                (batch.category?.[index] ?? 0) | ((batch.district?.[index] ?? 0) << 8)
          },
          (slot) => code.set(slot.code.subarray(0, to - from), from),
        ),
      )
    }
    await Promise.all(calls)
    return { code }
  }

  /**
   * The designated merchants go first, as (restriction, merchant) pairs in as many calls as they
   * need, then the restrictions, which take them up.
   */
  async createRestrictions(batch: RestrictionBatch): Promise<RestrictionResults> {
    assertRestrictionBatch(batch)
    const ring = this.producer()
    const calls: Promise<unknown>[] = []
    const pairs = batch.merchants.length
    const owners = new Uint32Array(pairs)
    for (let index = 0; index < batch.count; index++)
      owners.fill(
        batch.id[index] as number,
        batch.merchantsFrom[index],
        batch.merchantsFrom[index + 1],
      )
    for (let from = 0; from < pairs; from += slotCapacity) {
      const to = Math.min(pairs, from + slotCapacity)
      calls.push(
        ring.call(
          RingOp.stageMerchants,
          to - from,
          (slot) => {
            slot.account.set(owners.subarray(from, to))
            slot.debit.set(batch.merchants.subarray(from, to))
          },
          () => undefined,
        ),
      )
    }
    const code = new Uint8Array(batch.count)
    for (let from = 0; from < batch.count; from += slotCapacity) {
      const to = Math.min(batch.count, from + slotCapacity)
      calls.push(
        ring.call(
          RingOp.createRestrictions,
          to - from,
          (slot) => {
            slot.account.set(batch.id.subarray(from, to))
            slot.debit.set(batch.issuer.subarray(from, to))
            slot.credit.set(batch.categories.subarray(from, to))
            slot.amountFen.set(batch.districts.subarray(from, to))
            slot.timeoutMinutes.set(batch.minSpendFen.subarray(from, to))
            slot.minute.set(batch.validFrom.subarray(from, to))
            for (let index = from; index < to; index++)
              slot.pendingId[index - from] = batch.validUntil[index] as number
          },
          (slot) => code.set(slot.code.subarray(0, to - from), from),
        ),
      )
    }
    await Promise.all(calls)
    return { code }
  }

  async submit(batch: TransferBatch): Promise<TransferResults> {
    const { count } = batch
    assert(count <= transferBatchMax, 'a batch holds at most transferBatchMax transfers')
    // Checked here, on the caller's thread: the ledger's trusts its ids.
    assertTransferIds(batch)
    return this.producer().call(
      RingOp.submit,
      count,
      (slot) => {
        slot.id.set(batch.id.subarray(0, count))
        slot.debit.set(batch.debit.subarray(0, count))
        slot.credit.set(batch.credit.subarray(0, count))
        slot.amountFen.set(batch.amountFen.subarray(0, count))
        slot.kind.set(batch.kind.subarray(0, count))
        slot.flags.set(batch.flags.subarray(0, count))
        slot.pendingId.set(batch.pendingId.subarray(0, count))
        slot.timeoutMinutes.set(batch.timeoutMinutes.subarray(0, count))
        slot.minute.set(batch.minute.subarray(0, count))
      },
      (slot) => ({ code: slot.code.slice(0, count) }),
    )
  }

  async lookup(ids: Uint32Array): Promise<Balances> {
    const count = ids.length
    assert(count <= lookupBatchMax, 'a lookup holds at most lookupBatchMax ids')
    return this.producer().call(
      RingOp.lookup,
      count,
      (slot) => slot.account.set(ids),
      (slot) => ({
        balanceFen: slot.out0.slice(0, count),
        pendingDebitFen: slot.out1.slice(0, count),
        pendingCreditFen: slot.out2.slice(0, count),
      }),
    )
  }

  async totals(): Promise<LedgerTotals> {
    return this.producer().call(
      RingOp.totals,
      0,
      () => undefined,
      (slot) => ({
        debitsFen: slot.out0.slice(0, transferKindCount),
        creditsFen: slot.out1.slice(0, transferKindCount),
        pendingCount: slot.out2[0] as number,
        pendingFen: slot.out2[1] as number,
      }),
    )
  }

  async close(): Promise<void> {
    const { worker, ring } = this
    if (worker === null || ring === null) return
    this.ring = null
    // A ring that failed cannot carry the close: the thread may still be waiting on it, so it is
    // ended.
    const closed = await ring
      .call(
        RingOp.close,
        0,
        () => undefined,
        () => true,
      )
      .catch(() => false)
    if (!closed) await worker.terminate()
    await this.exited
  }

  private producer(): RingProducer {
    assert(this.ring !== null, 'open before use')
    return this.ring
  }
}

function fillOrZero(
  target: Uint32Array,
  source: Uint32Array | undefined,
  from: number,
  to: number,
): void {
  if (source === undefined) target.fill(0, 0, to - from)
  else target.set(source.subarray(from, to))
}
