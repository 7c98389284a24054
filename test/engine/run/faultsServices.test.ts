/**
 * Faults and the city's services: an outage cuts a district's residents' healthcare, levies,
 * parking and online payments as it cuts their shopping, and a linked pair (the patient's part and
 * the insurance fund's) is cut whole when either part is cut, before the ledger; the treasury's
 * grants still go, as salaries do.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  AccountFlag,
  ResultCode,
  TransferFlag,
  TransferKind,
  createLedger,
  type LedgerCore,
  type TransferBatch,
  type TransferResults,
} from '../../../engine/ledger/index.js'
import { allocatePopulation, viewPopulation } from '../../../engine/population/index.js'
import { Faults, faultyLedger } from '../../../engine/run/index.js'
import type { AccountLayout } from '../../../engine/plan/plan.js'
import { transfers, type TransferRow } from '../../helpers/batches.js'

/**
 * A city of two districts (Futian 0, Nanshan 1), laid out in the plan's order:
 *   0 issuer | 1 bank | 2 transit | 3 utility | 4, 5 employers | 6 treasury | 7 insurance fund
 *   | 8 parking operator | 9 online shop | 10, 11 hospitals (districts 0, 1)
 *   | 12 … 15 residents (homes 0, 0, 1, 1)
 */
const accounts: AccountLayout = {
  issuer: 0,
  bankFirst: 1,
  bankCount: 1,
  transit: 2,
  utilityFirst: 3,
  utilityCount: 1,
  // The deposit book is not in the faults' reach: placed out of the way.
  depositFirst: 16,
  liabilityFirst: 17,
  employerFirst: 4,
  employerCount: 2,
  treasury: 6,
  insuranceFund: 7,
  parking: 8,
  onlineFirst: 9,
  onlineCount: 1,
  // No visitors: their block is empty, where the merchants begin.
  visitorFirst: 10,
  visitorCount: 0,
  merchantFirst: 10,
  residentFirst: 12,
  count: 16,
}
const { issuer, treasury, insuranceFund, parking } = accounts
const bank = 1
const shop = 9
const hospital = [10, 11] as const
const resident = [12, 13, 14, 15] as const
const allIds = Uint32Array.from({ length: accounts.count }, (_, id) => id)
const walletFen = 10_000

function population() {
  const viewed = viewPopulation(allocatePopulation(4, 2))
  viewed.home.set([0, 0, 1, 1])
  viewed.work.set([0, 1, 0, 1])
  viewed.merchantDistrict.set([0, 1])
  return viewed
}

/** A ledger noting the ids of each call it is given before passing it on. */
function recording(inner: LedgerCore): LedgerCore & { readonly ids: number[][] } {
  const ids: number[][] = []
  return {
    name: inner.name,
    ids,
    open: () => inner.open(),
    createAccounts: (batch) => inner.createAccounts(batch),
    lookup: (given) => inner.lookup(given),
    totals: () => inner.totals(),
    close: () => inner.close(),
    submit(batch: TransferBatch): Promise<TransferResults> {
      ids.push([...batch.id])
      return inner.submit(batch)
    },
  }
}

const opened: LedgerCore[] = []
afterEach(async () => {
  for (const ledger of opened.splice(0)) await ledger.close()
})

/** The city's accounts opened, every wallet and the two payers' funds topped up; no fault on. */
async function city() {
  const inner = recording(
    createLedger('memory', {
      accountsMax: accounts.count,
      tiers: [{ balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 }],
      utcOffsetMinutes: 480,
    }),
  )
  opened.push(inner)
  await inner.open()
  await inner.createAccounts({
    count: accounts.count,
    id: allIds,
    tier: new Uint8Array(accounts.count),
    flags: Uint8Array.from(allIds, (id) => (id === issuer ? AccountFlag.issuer : 0)),
  })
  const funded = [...resident, treasury, insuranceFund]
  const funding: TransferRow[] = [
    { id: 1, kind: TransferKind.issue, debit: issuer, credit: bank, amountFen: 1_000_000 },
    ...funded.map((account, index) => ({
      id: 2 + index,
      kind: TransferKind.topup,
      debit: bank,
      credit: account,
      amountFen: walletFen,
    })),
  ]
  const { code } = await inner.submit(transfers(funding))
  expect([...code].every((one) => one === ResultCode.ok)).toBe(true)
  inner.ids.length = 0
  const faults = new Faults(2)
  return { inner, faults, ledger: faultyLedger(inner, faults, accounts, population()) }
}

const balances = async (ledger: LedgerCore) => [...(await ledger.lookup(allIds)).balanceFen]

/** A healthcare bill as the behaviour makes it: the patient's part linked to the fund's. */
function visit(id: number, patient: number, at: number, patientFen: number): TransferRow[] {
  return [
    {
      id,
      kind: TransferKind.health,
      flags: TransferFlag.linked,
      debit: patient,
      credit: at,
      amountFen: patientFen,
    },
    { id: id + 1, kind: TransferKind.health, debit: insuranceFund, credit: at, amountFen: 700 },
  ]
}

describe('an outage and a healthcare pair', () => {
  it('cuts the whole pair when the patient’s district is out, though the fund’s part alone would go', async () => {
    // Proves the chain rule before the ledger: Nanshan (1) out, a Nanshan patient at a Futian
    // hospital has both parts unavailable (the fund and the Futian hospital are not out); a Futian
    // patient's pair at the same hospital, in the same call, reaches the ledger whole and applies
    // both parts; only its two transfers are sent, and only they move money.
    const { inner, faults, ledger } = await city()
    faults.setOutage(1, true)
    const before = await balances(ledger)
    const rows = [
      ...visit(100, resident[2], hospital[0], 300),
      ...visit(102, resident[0], hospital[0], 400),
    ]
    const { code } = await ledger.submit(transfers(rows))
    const { ok, unavailable } = ResultCode
    expect([...code]).toEqual([unavailable, unavailable, ok, ok])
    expect(inner.ids).toEqual([[102, 103]])
    const after = await balances(ledger)
    expect(after[resident[2]]).toBe(before[resident[2]])
    expect(after[resident[0]]).toBe((before[resident[0]] as number) - 400)
    expect(after[insuranceFund]).toBe((before[insuranceFund] as number) - 700)
    expect(after[hospital[0]]).toBe((before[hospital[0]] as number) + 1_100)
  })

  it('cuts the whole pair when the hospital’s district is out', async () => {
    // Proves the payee side too: Futian (0) out, a Nanshan patient at a Futian hospital sends
    // nothing, the fund's part included; nothing moves.
    const { inner, faults, ledger } = await city()
    faults.setOutage(0, true)
    const before = await balances(ledger)
    const { code } = await ledger.submit(transfers(visit(110, resident[3], hospital[0], 300)))
    expect([...code]).toEqual([ResultCode.unavailable, ResultCode.unavailable])
    expect(inner.ids).toEqual([])
    expect(await balances(ledger)).toEqual(before)
  })
})

describe('an outage and the other services', () => {
  it('cuts a resident’s levy, parking and online payments, and lets the treasury’s grant go', async () => {
    // Proves the kinds a resident pays beside shops are cut like shopping: Nanshan (1) out, its
    // resident's tax, parking reservation, online escrow and the post of an earlier reservation
    // are unavailable and never sent (the reservation they would settle stays held); a grant to
    // that resident and the same payments of a Futian resident reach the ledger and apply.
    const { inner, faults, ledger } = await city()
    const held: TransferRow = {
      id: 200,
      kind: TransferKind.parking,
      flags: TransferFlag.pending,
      debit: resident[3],
      credit: parking,
      amountFen: 1_000,
    }
    expect([...(await ledger.submit(transfers([held]))).code]).toEqual([ResultCode.ok])
    faults.setOutage(1, true)
    inner.ids.length = 0
    const payments = (id: number, payer: number): TransferRow[] => [
      { id, kind: TransferKind.tax, debit: payer, credit: treasury, amountFen: 500 },
      {
        id: id + 1,
        kind: TransferKind.parking,
        flags: TransferFlag.pending,
        debit: payer,
        credit: parking,
        amountFen: 1_000,
      },
      {
        id: id + 2,
        kind: TransferKind.online,
        flags: TransferFlag.pending,
        debit: payer,
        credit: shop,
        amountFen: 2_000,
      },
    ]
    const rows: TransferRow[] = [
      ...payments(210, resident[2]),
      {
        id: 213,
        kind: TransferKind.parking,
        flags: TransferFlag.postPending,
        debit: resident[3],
        credit: parking,
        amountFen: 600,
        pendingId: 200,
      },
      { id: 214, kind: TransferKind.welfare, debit: treasury, credit: resident[2], amountFen: 900 },
      ...payments(220, resident[1]),
    ]
    const { code } = await ledger.submit(transfers(rows))
    const { ok, unavailable } = ResultCode
    expect([...code]).toEqual([unavailable, unavailable, unavailable, unavailable, ok, ok, ok, ok])
    expect(inner.ids).toEqual([[214, 220, 221, 222]])
    const fund = await ledger.lookup(Uint32Array.of(resident[2], resident[3], resident[1]))
    expect([...fund.balanceFen]).toEqual([walletFen + 900, walletFen, walletFen - 500])
    expect([...fund.pendingDebitFen]).toEqual([0, 1_000, 3_000])
  })
})
