/**
 * What rules.test.ts shares: a small city of accounts (the issuer, two operating banks, merchants,
 * one wallet per tier, frozen accounts), and a probe around a ledger that names result codes,
 * allocates transfer ids, and after every submit checks the invariants every rule keeps (money
 * conserved, reservations balanced, caps held, totals balanced).
 */
import { expect } from 'vitest'
import {
  AccountFlag,
  TransferKind,
  resultCodes,
  transferKindCount,
  type LedgerCore,
  type LedgerTotals,
  type ResultCodeName,
  type WalletTierLimits,
} from '../../../../engine/ledger/index.js'
import {
  dayMinutes,
  mondayMinute,
  openLedger,
  tiers,
  transfers,
  utcOffsetMinutes,
  type AccountRow,
  type Adapter,
  type OpenOptions,
  type TransferRow,
} from './harness.js'

// The city: ids are also the indexes of `cityAccounts`.
export const issuer = 0
export const bankA = 1
export const bankB = 2
export const shop = 3
export const shopB = 4
export const w1 = 5
export const w2 = 6
export const w3 = 7
export const w4 = 8
export const w4b = 9
export const frozenWallet = 10
export const frozenShop = 11
export const w3b = 12
/** Below the harness's accountsMax (64) and never created. */
export const neverCreated = 40

export const cityAccounts: readonly AccountRow[] = [
  { id: issuer, flags: AccountFlag.issuer },
  { id: bankA },
  { id: bankB },
  { id: shop },
  { id: shopB },
  { id: w1, tier: 1 },
  { id: w2, tier: 2 },
  { id: w3, tier: 3 },
  { id: w4, tier: 4 },
  { id: w4b, tier: 4 },
  { id: frozenWallet, tier: 1, flags: AccountFlag.frozen },
  { id: frozenShop, flags: AccountFlag.frozen },
  { id: w3b, tier: 3 },
]

/** The wallet of each default tier, by tier. */
export const walletOfTier: readonly number[] = [bankA, w1, w2, w3, w4]

export function tierLimits(tier: number): WalletTierLimits {
  const limits = tiers[tier]
  if (limits === undefined) throw new Error(`no tier ${tier}`)
  return limits
}

/** Simulated minute of `hour:minute` local (UTC+8) time, `day` days after Monday 2026-11-23. */
export function local(day: number, hour: number, minute = 0): number {
  return mondayMinute + day * dayMinutes + hour * 60 + minute
}

/** Simulated minute of a local (UTC+8) ISO date-time such as '2026-12-31T23:59'. */
export function localAt(isoLocal: string): number {
  return Date.parse(`${isoLocal}:00+08:00`) / 60_000
}

export type RowOptions = Omit<TransferRow, 'id' | 'debit' | 'credit' | 'amountFen'>

export function row(
  id: number,
  debit: number,
  credit: number,
  amountFen: number,
  more: RowOptions = {},
): TransferRow {
  return { id, debit, credit, amountFen, ...more }
}

export function names(codes: readonly number[]): string[] {
  return codes.map((code) => resultCodes[code] ?? `code ${code}`)
}

export interface Snapshot {
  readonly balanceFen: number[]
  readonly pendingDebitFen: number[]
  readonly pendingCreditFen: number[]
  readonly debitsFen: number[]
  readonly creditsFen: number[]
  readonly pendingCount: number
  readonly pendingFen: number
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0)
}

export function totalsOf(
  totals: LedgerTotals,
): Pick<Snapshot, 'debitsFen' | 'creditsFen' | 'pendingCount' | 'pendingFen'> {
  return {
    debitsFen: [...totals.debitsFen],
    creditsFen: [...totals.creditsFen],
    pendingCount: totals.pendingCount,
    pendingFen: totals.pendingFen,
  }
}

/** Fen by kind, as a totals array: `{ retail: 5 }` -> [0, 0, 5, 0, ...]. */
export function byKind(amounts: Partial<Record<keyof typeof TransferKind, number>>): number[] {
  const out = new Array<number>(transferKindCount).fill(0)
  for (const [name, fen] of Object.entries(amounts))
    out[TransferKind[name as keyof typeof TransferKind]] = fen
  return out
}

/** A ledger with its accounts, an id source, and the invariants checked after every call. */
export class Probe {
  private nextId = 1_000_000
  constructor(
    readonly ledger: LedgerCore,
    readonly rows: readonly AccountRow[],
    readonly tierTable: readonly WalletTierLimits[] = tiers,
  ) {}

  get ids(): number[] {
    return this.rows.map((account) => account.id)
  }

  /** A fresh transfer id (explicit ids in tests stay below 1,000,000). */
  id(): number {
    return this.nextId++
  }

  /** A row with a fresh id. */
  t(debit: number, credit: number, amountFen: number, more: RowOptions = {}): TransferRow {
    return row(this.id(), debit, credit, amountFen, more)
  }

  /** Submits the rows, checks the invariants, and returns the codes by name. */
  async submit(rows: readonly TransferRow[]): Promise<string[]> {
    const { code } = await this.ledger.submit(transfers(rows))
    expect(code.length).toBe(rows.length)
    await this.checkInvariants()
    return names([...code])
  }

  /** Submits rows that must all be accepted. */
  async ok(rows: readonly TransferRow[]): Promise<void> {
    expect(await this.submit(rows)).toEqual(rows.map(() => 'ok'))
  }

  /** Submits rows, expects exactly `expected`, and that no balance, reservation or total moved. */
  async rejects(rows: readonly TransferRow[], expected: readonly ResultCodeName[]): Promise<void> {
    const before = await this.snapshot()
    expect(await this.submit(rows)).toEqual(expected)
    expect(await this.snapshot()).toEqual(before)
  }

  /** Issues `amountFen` to `bank` and tops `wallet` up with it. */
  async fund(wallet: number, amountFen: number, minute = local(0, 8), bank = bankA): Promise<void> {
    await this.ok([
      this.t(issuer, bank, amountFen, { kind: TransferKind.issue, minute }),
      this.t(bank, wallet, amountFen, { kind: TransferKind.topup, minute }),
    ])
  }

  async snapshot(): Promise<Snapshot> {
    const balances = await this.ledger.lookup(Uint32Array.from(this.ids))
    const totals = await this.ledger.totals()
    return {
      balanceFen: [...balances.balanceFen],
      pendingDebitFen: [...balances.pendingDebitFen],
      pendingCreditFen: [...balances.pendingCreditFen],
      ...totalsOf(totals),
    }
  }

  /** Balance, pending debit and pending credit of one account. */
  async account(
    id: number,
  ): Promise<[balance: number, pendingDebit: number, pendingCredit: number]> {
    const balances = await this.ledger.lookup(Uint32Array.of(id))
    return [
      balances.balanceFen[0] ?? NaN,
      balances.pendingDebitFen[0] ?? NaN,
      balances.pendingCreditFen[0] ?? NaN,
    ]
  }

  async balances(ids: readonly number[]): Promise<number[]> {
    return [...(await this.ledger.lookup(Uint32Array.from(ids))).balanceFen]
  }

  /**
   * Money is conserved (all balances, the issuer's included, sum to 0); only the issuer is ever
   * negative, even counting what it has reserved; what is reserved out equals what is reserved in
   * equals the totals' pendingFen; no tiered payee is above its cap counting reservations; every
   * kind's debits equal its credits; every figure is an exact integer.
   */
  async checkInvariants(): Promise<void> {
    const state = await this.snapshot()
    const all = [
      ...state.balanceFen,
      ...state.pendingDebitFen,
      ...state.pendingCreditFen,
      ...state.debitsFen,
      ...state.creditsFen,
      state.pendingCount,
      state.pendingFen,
    ]
    expect(all.every((value) => Number.isSafeInteger(value))).toBe(true)
    expect(sum(state.balanceFen)).toBe(0)
    expect(sum(state.pendingDebitFen)).toBe(state.pendingFen)
    expect(sum(state.pendingCreditFen)).toBe(state.pendingFen)
    expect(state.pendingCount === 0).toBe(state.pendingFen === 0)
    expect(state.debitsFen.length).toBeGreaterThanOrEqual(transferKindCount)
    expect(state.debitsFen).toEqual(state.creditsFen)
    this.rows.forEach((account, index) => {
      const balance = state.balanceFen[index] ?? NaN
      const pendingDebit = state.pendingDebitFen[index] ?? NaN
      const pendingCredit = state.pendingCreditFen[index] ?? NaN
      expect(pendingDebit).toBeGreaterThanOrEqual(0)
      expect(pendingCredit).toBeGreaterThanOrEqual(0)
      if (((account.flags ?? 0) & AccountFlag.issuer) === 0) {
        expect(balance - pendingDebit, `available of account ${account.id}`).toBeGreaterThanOrEqual(
          0,
        )
      }
      const cap = this.tierTable[account.tier ?? 0]?.balanceCapFen ?? 0
      if ((account.tier ?? 0) !== 0 && cap > 0)
        expect(balance + pendingCredit, `account ${account.id} within its cap`).toBeLessThanOrEqual(
          cap,
        )
    })
  }

  /** The totals' posted fen by kind, trimmed to the known kinds (any extra entry must be 0). */
  async posted(): Promise<number[]> {
    const totals = await this.ledger.totals()
    const debits = [...totals.debitsFen]
    expect(debits.slice(transferKindCount).every((value) => value === 0)).toBe(true)
    expect([...totals.creditsFen]).toEqual(debits)
    return debits.slice(0, transferKindCount)
  }
}

/**
 * Runs `body` on a ledger opened with `rows` (the city by default), and closes it whatever happens.
 */
export async function withProbe(
  adapter: Adapter,
  body: (probe: Probe) => Promise<void>,
  rows: readonly AccountRow[] = cityAccounts,
  options: OpenOptions = {},
): Promise<void> {
  const ledger = await openLedger(adapter, rows, options)
  try {
    await body(new Probe(ledger, rows))
  } finally {
    await ledger.close()
  }
}

/** As `withProbe`, with a tier table of the test's own. */
export async function withTiers(
  adapter: Adapter,
  tierTable: readonly WalletTierLimits[],
  rows: readonly AccountRow[],
  body: (probe: Probe) => Promise<void>,
): Promise<void> {
  const ledger = adapter.create({ accountsMax: 64, tiers: tierTable, utcOffsetMinutes })
  await ledger.open()
  try {
    const { code } = await ledger.createAccounts({
      count: rows.length,
      id: Uint32Array.from(rows.map((account) => account.id)),
      tier: Uint8Array.from(rows.map((account) => account.tier ?? 0)),
      flags: Uint8Array.from(rows.map((account) => account.flags ?? 0)),
    })
    expect([...code]).toEqual(rows.map(() => 0))
    await body(new Probe(ledger, rows, tierTable))
  } finally {
    await ledger.close()
  }
}
