import { describe, expect, it } from 'vitest'
import { AccountFlag, MemoryLedger, ResultCode, TransferKind, type TransferBatch, type WalletTierLimits } from '../../../engine/ledger/index.js'
import { Random } from '../../../engine/random/index.js'

// Accounts: 0 issuer, 1 bank (unlimited), 2..5 residents on tier 1 (limits below), 6 a merchant.
const issuer = 0
const bank = 1
const alice = 2
const bob = 3
const merchant = 6
const tiers: WalletTierLimits[] = [
  { balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 },
  { balanceCapFen: 100_000, perPaymentFen: 50_000, perDayFen: 80_000, perYearFen: 150_000 },
]
const utcOffsetMinutes = 8 * 60
/** 2026-11-23T00:00+08:00 in minutes since the epoch. */
const monday = Date.parse('2026-11-23T00:00:00+08:00') / 60_000
const day = 24 * 60

async function openLedger(): Promise<MemoryLedger> {
  const ledger = new MemoryLedger({ accountsMax: 8, tiers, utcOffsetMinutes })
  await ledger.open()
  const result = await ledger.createAccounts({
    count: 7,
    id: Uint32Array.from([0, 1, 2, 3, 4, 5, 6]),
    tier: Uint8Array.from([0, 0, 1, 1, 1, 1, 0]),
    flags: Uint8Array.from([AccountFlag.issuer, 0, 0, 0, 0, 0, 0]),
  })
  expect([...result.code]).toEqual([0, 0, 0, 0, 0, 0, 0])
  return ledger
}

type Row = [debit: number, credit: number, amountFen: number, minute?: number]
function batch(rows: readonly Row[], firstId = 0): TransferBatch {
  return {
    count: rows.length,
    id: Uint32Array.from(rows.map((_, index) => firstId + index)),
    debit: Uint32Array.from(rows.map((row) => row[0])),
    credit: Uint32Array.from(rows.map((row) => row[1])),
    amountFen: Uint32Array.from(rows.map((row) => row[2])),
    kind: Uint8Array.from(rows.map(() => TransferKind.p2p)),
    minute: Uint32Array.from(rows.map((row) => row[3] ?? monday + 600)),
  }
}

async function codes(ledger: MemoryLedger, rows: readonly Row[]): Promise<number[]> {
  return [...(await ledger.submit(batch(rows))).code]
}

async function balances(ledger: MemoryLedger, ids: number[]): Promise<number[]> {
  return [...(await ledger.lookup(Uint32Array.from(ids))).balanceFen]
}

/** Issues `amountFen` to the bank and tops up Alice with `aliceFen`. */
async function fund(ledger: MemoryLedger, aliceFen: number): Promise<void> {
  expect(await codes(ledger, [[issuer, bank, 10_000_000], [bank, alice, aliceFen]])).toEqual([ResultCode.ok, ResultCode.ok])
}

describe('memory ledger rules', () => {
  it('moves money between two accounts and reports ok', async () => {
    // Proves the basic debit/credit and that the issuer may go below zero.
    const ledger = await openLedger()
    await fund(ledger, 30_000)
    expect(await codes(ledger, [[alice, merchant, 12_345]])).toEqual([ResultCode.ok])
    expect(await balances(ledger, [issuer, bank, alice, merchant])).toEqual([-10_000_000, 10_000_000 - 30_000, 30_000 - 12_345, 12_345])
  })

  it('rejects a payment larger than the balance with insufficient_funds and moves nothing', async () => {
    // Proves a non-issuer account cannot go negative.
    const ledger = await openLedger()
    await fund(ledger, 10_000)
    expect(await codes(ledger, [[alice, merchant, 10_001]])).toEqual([ResultCode.insufficient_funds])
    expect(await balances(ledger, [alice, merchant])).toEqual([10_000, 0])
    expect(await codes(ledger, [[merchant, bob, 1]])).toEqual([ResultCode.insufficient_funds])
  })

  it('rejects a payment over the tier per-payment limit', async () => {
    // Proves the payer's tier limit applies before funds are looked at.
    const ledger = await openLedger()
    await fund(ledger, 100_000)
    expect(await codes(ledger, [[alice, merchant, 50_001]])).toEqual([ResultCode.per_payment_limit])
    expect(await codes(ledger, [[alice, merchant, 50_000]])).toEqual([ResultCode.ok])
  })

  it('rejects spending over the daily limit, and resets it the next local day', async () => {
    // Proves daily limits count per local (UTC+8) day of simulated time.
    const ledger = await openLedger()
    await fund(ledger, 100_000)
    expect(await codes(ledger, [[alice, merchant, 40_000], [alice, merchant, 40_000], [alice, merchant, 1]])).toEqual([
      ResultCode.ok,
      ResultCode.ok,
      ResultCode.daily_limit,
    ])
    // 23:59 local the same day is still the same day; 00:00 the next day is not.
    expect(await codes(ledger, [[alice, merchant, 1, monday + day - 1]])).toEqual([ResultCode.daily_limit])
    expect(await codes(ledger, [[alice, merchant, 1, monday + day]])).toEqual([ResultCode.ok])
  })

  it('rejects spending over the yearly limit', async () => {
    // Proves the yearly counter spans days and resets with the calendar year.
    const ledger = await openLedger()
    await fund(ledger, 100_000)
    const rows: Row[] = []
    for (let index = 0; index < 3; index++) rows.push([alice, merchant, 50_000, monday + index * day])
    expect(await codes(ledger, rows)).toEqual([ResultCode.ok, ResultCode.ok, ResultCode.insufficient_funds])
    expect(await codes(ledger, [[bank, alice, 100_000]])).toEqual([ResultCode.ok])
    expect(await codes(ledger, [[alice, merchant, 50_000, monday + 3 * day]])).toEqual([ResultCode.ok])
    expect(await codes(ledger, [[alice, merchant, 1, monday + 4 * day]])).toEqual([ResultCode.yearly_limit])
    const nextYear = Date.parse('2027-01-01T00:00:00+08:00') / 60_000
    expect(await codes(ledger, [[alice, merchant, 1, nextYear]])).toEqual([ResultCode.ok])
  })

  it("rejects a credit that would take the receiver over its tier's balance cap", async () => {
    // Proves the receiver's cap is checked and the payer keeps its money.
    const ledger = await openLedger()
    await fund(ledger, 100_000)
    expect(await codes(ledger, [[bank, alice, 1]])).toEqual([ResultCode.balance_cap])
    expect(await balances(ledger, [alice])).toEqual([100_000])
  })

  it('rejects unknown accounts, a transfer to itself and invalid amounts', async () => {
    // Proves the structural checks come first and report their own codes.
    const ledger = await openLedger()
    await fund(ledger, 1_000)
    expect(await codes(ledger, [[alice, 7, 1], [99, alice, 1], [alice, alice, 1], [alice, bob, 0]])).toEqual([
      ResultCode.unknown_account,
      ResultCode.unknown_account,
      ResultCode.same_account,
      ResultCode.invalid_amount,
    ])
  })

  it('refuses to open an account twice', async () => {
    // Proves account creation is not silently repeated.
    const ledger = await openLedger()
    const result = await ledger.createAccounts({ count: 2, id: Uint32Array.from([2, 9]), tier: new Uint8Array(2), flags: new Uint8Array(2) })
    expect([...result.code]).toEqual([1, 2])
  })

  it('conserves money over many random transfers', async () => {
    // Proves the sum of balances always equals issued − redeemed and no wallet goes negative.
    const ledger = await openLedger()
    const random = new Random(42, 'ledger-test')
    let issuedFen = 0
    let redeemedFen = 0
    for (let round = 0; round < 50; round++) {
      const rows: Row[] = []
      for (let index = 0; index < 200; index++) {
        const debit = random.below(7)
        let credit = random.below(7)
        if (credit === debit) credit = (credit + 1) % 7
        rows.push([debit, credit, 1 + random.below(60_000), monday + round * 60])
      }
      const result = await codes(ledger, rows)
      rows.forEach(([debit, credit, amount], index) => {
        if (result[index] !== ResultCode.ok) return
        if (debit === issuer) issuedFen += amount
        if (credit === issuer) redeemedFen += amount
      })
    }
    const all = await balances(ledger, [0, 1, 2, 3, 4, 5, 6])
    const held = all.slice(1).reduce((sum, value) => sum + value, 0)
    expect(issuedFen).toBeGreaterThan(0)
    expect(held).toBe(issuedFen - redeemedFen)
    expect(all[0]).toBe(-(issuedFen - redeemedFen))
    expect(all.slice(1).every((value) => value >= 0 && Number.isInteger(value))).toBe(true)
  })
})
