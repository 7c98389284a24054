/**
 * The open model under a fake clock: simulated wall time, and a ledger whose answers come when a
 * test says, so latency and pacing are exact and the tests need no sleeping.
 */
import {
  AccountFlag,
  TransferKind,
  type AccountBatch,
  type AccountResults,
  type Balances,
  type LedgerCore,
  type LedgerTotals,
  type TransferBatch,
  type TransferResults,
} from '../../engine/ledger/index.js'
import { LedgerState } from '../../engine/ledger/memory/ledgerState.js'

/** Simulated wall time: each pause moves it on by one millisecond and lets pending work run. */
export class FakeClock {
  ms = 0
  constructor(private readonly stepMs = 1) {}
  private readonly waiters: { at: number; resolve: () => void }[] = []
  readonly now = () => this.ms
  readonly pause = () => this.advance(this.stepMs)
  /** What is pending runs first, at the present millisecond; then time moves on by `ms`. */
  readonly advance = async (ms: number) => {
    await new Promise<void>((resolve) => setImmediate(resolve))
    this.ms += ms
    for (const waiter of this.waiters.filter((candidate) => candidate.at <= this.ms)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1)
      waiter.resolve()
    }
  }
  until(at: number): Promise<void> {
    return at <= this.ms
      ? Promise.resolve()
      : new Promise((resolve) => this.waiters.push({ at, resolve }))
  }
}

/**
 * A test adapter with a known behaviour: the memory ledger's own state machine, answering a call of
 * `n` transfers made at `t` ms exactly at `heldUntil(t, n)` on the fake clock (calls held to the
 * same time answer in the order made). In-process, so its timing is the clock's alone.
 */
export class ClockedLedger implements LedgerCore {
  readonly name = 'clocked'
  private readonly state: LedgerState
  /** Transfers in each call, in the order made. */
  readonly callSizes: number[] = []

  constructor(
    private readonly clock: FakeClock,
    private readonly heldUntil: (madeAtMs: number, count: number) => number,
  ) {
    this.state = new LedgerState({
      accountsMax: 16,
      tiers: [{ balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 }],
      utcOffsetMinutes: 480,
    })
  }

  async open(): Promise<void> {}

  async createAccounts(batch: AccountBatch): Promise<AccountResults> {
    const code = new Uint8Array(batch.count)
    this.state.createAccounts(batch.count, batch.id, batch.tier, batch.flags, null, code)
    return { code }
  }

  async submit(batch: TransferBatch): Promise<TransferResults> {
    this.callSizes.push(batch.count)
    await this.clock.until(this.heldUntil(this.clock.now(), batch.count))
    const code = new Uint8Array(batch.count)
    this.state.submit(batch, batch.count, code)
    return { code }
  }

  async lookup(ids: Uint32Array): Promise<Balances> {
    const out = {
      balanceFen: new Float64Array(ids.length),
      pendingDebitFen: new Float64Array(ids.length),
      pendingCreditFen: new Float64Array(ids.length),
    }
    this.state.lookup(ids.length, ids, out.balanceFen, out.pendingDebitFen, out.pendingCreditFen)
    return out
  }

  async totals(): Promise<LedgerTotals> {
    return this.state.totals()
  }

  async close(): Promise<void> {}
}

export const payees = 8
/** Transfer n: the central bank pays one of 8 accounts 1 fen, retail and transit in turn. */
export function source(from: number, to: number): TransferBatch {
  const count = to - from
  return {
    count,
    id: Float64Array.from({ length: count }, (_, index) => from + index),
    debit: new Uint32Array(count),
    credit: Uint32Array.from({ length: count }, (_, index) => 1 + ((from + index) % payees)),
    amountFen: new Uint32Array(count).fill(1),
    kind: Uint8Array.from({ length: count }, (_, index) =>
      (from + index) % 2 === 0 ? TransferKind.retail : TransferKind.transit,
    ),
    flags: new Uint8Array(count),
    pendingId: new Float64Array(count),
    timeoutMinutes: new Uint32Array(count),
    minute: new Uint32Array(count).fill(29_000_000),
  }
}

/**
 * A clocked ledger with the central bank (account 0) and the `payees` accounts `source` pays,
 * opened.
 */
export async function openClockedLedger(
  clock: FakeClock,
  heldUntil: (madeAtMs: number, count: number) => number,
): Promise<ClockedLedger> {
  const ledger = new ClockedLedger(clock, heldUntil)
  await ledger.open()
  await ledger.createAccounts({
    count: payees + 1,
    id: Uint32Array.from({ length: payees + 1 }, (_, id) => id),
    tier: new Uint8Array(payees + 1),
    flags: Uint8Array.from({ length: payees + 1 }, (_, id) => (id === 0 ? AccountFlag.issuer : 0)),
  })
  return ledger
}
