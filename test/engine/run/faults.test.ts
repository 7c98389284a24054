/**
 * Faults injected from the live map, between the run and its ledger: a district out answers its
 * residents' and merchants' payments `unavailable` without sending them, institutions' transfers
 * still go, the rest of a batch applies in order; a slowdown holds answers back, never requests.
 * Money is conserved throughout: what the ledger holds is what was issued less what was retired.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  AccountFlag,
  ResultCode,
  TransferKind,
  createLedger,
  type LedgerCore,
  type TransferBatch,
  type TransferResults,
} from '../../../engine/ledger/index.js'
import { ledgerSlowdownMsMax } from '../../../engine/limits.js'
import {
  allocatePopulation,
  viewPopulation,
  type Population,
} from '../../../engine/population/index.js'
import { Faults, faultyLedger } from '../../../engine/run/index.js'
import type { AccountLayout } from '../../../engine/plan/plan.js'
import { transfers } from '../../helpers/batches.js'

/**
 * A city of three districts (Futian 0, Nanshan 1, Luohu 2), laid out as the plan does: 0 issuer | 1
 * bank | 2 transit | 3 utility | 4, 5, 6 employers | 7, 8, 9 merchants (districts 0, 1, 2)
 *   | 10 … 15 residents (homes 0, 0, 1, 1, 2, 2)
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
  employerCount: 3,
  // No services: the treasury, fund, parking operator and shops are out of the way too.
  treasury: 18,
  insuranceFund: 19,
  parking: 20,
  onlineFirst: 21,
  onlineCount: 0,
  visitorFirst: 21,
  visitorCount: 0,
  merchantFirst: 7,
  residentFirst: 10,
  count: 16,
}
const bank = 1
const transit = 2
const utility = 3
const employer = [4, 5, 6] as const
const merchant = [7, 8, 9] as const
/** Residents by home district: two in each. */
const resident = [10, 11, 12, 13, 14, 15] as const
const allIds = Uint32Array.from({ length: accounts.count }, (_, id) => id)

function population(): Population {
  const viewed = viewPopulation(allocatePopulation(6, 3))
  viewed.home.set([0, 0, 1, 1, 2, 2])
  viewed.work.set([0, 1, 2, 0, 1, 2])
  viewed.merchantDistrict.set([0, 1, 2])
  return viewed
}

interface Row {
  readonly id: number
  readonly kind: number
  readonly debit: number
  readonly credit: number
  readonly amountFen: number
}

/**
 * A ledger that notes each batch it is given (its ids, and the batch itself) before passing it on.
 */
function recording(
  inner: LedgerCore,
): LedgerCore & { readonly calls: TransferBatch[]; readonly ids: number[][] } {
  const calls: TransferBatch[] = []
  const ids: number[][] = []
  return {
    name: inner.name,
    calls,
    ids,
    open: () => inner.open(),
    createAccounts: (batch) => inner.createAccounts(batch),
    lookup: (given) => inner.lookup(given),
    totals: () => inner.totals(),
    close: () => inner.close(),
    submit(batch: TransferBatch): Promise<TransferResults> {
      calls.push(batch)
      ids.push([...batch.id])
      return inner.submit(batch)
    },
  }
}

const opened: LedgerCore[] = []
afterEach(async () => {
  for (const ledger of opened.splice(0)) await ledger.close()
})

/**
 * Opening money, fen: issued to the bank, and each resident's and merchant's wallet topped up from
 * it.
 */
const issuedFen = 10_000_000
const walletFen = 10_000

/**
 * The memory ledger with the city's accounts opened and funded (through the faulty ledger, no fault
 * on), the recording under it, the faults and the faulty ledger over it.
 */
async function city(): Promise<{
  inner: ReturnType<typeof recording>
  faults: Faults
  ledger: LedgerCore
}> {
  const memory = createLedger('memory', {
    accountsMax: accounts.count,
    tiers: [{ balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 }],
    utcOffsetMinutes: 480,
  })
  const inner = recording(memory)
  opened.push(inner)
  await inner.open()
  const created = await inner.createAccounts({
    count: accounts.count,
    id: allIds,
    tier: new Uint8Array(accounts.count),
    flags: Uint8Array.from(allIds, (id) => (id === accounts.issuer ? AccountFlag.issuer : 0)),
  })
  expect([...created.code].every((code) => code === 0)).toBe(true)
  const faults = new Faults(3)
  const ledger = faultyLedger(inner, faults, accounts, population())
  const funding: Row[] = [
    { id: 1, kind: TransferKind.issue, debit: accounts.issuer, credit: bank, amountFen: issuedFen },
  ]
  for (const account of [...resident, ...merchant])
    funding.push({
      id: 1 + funding.length,
      kind: TransferKind.topup,
      debit: bank,
      credit: account,
      amountFen: walletFen,
    })
  expect(
    [...(await ledger.submit(transfers(funding))).code].every((code) => code === ResultCode.ok),
  ).toBe(true)
  inner.calls.length = 0
  inner.ids.length = 0
  return { inner, faults, ledger }
}

async function balances(ledger: LedgerCore): Promise<number[]> {
  return [...(await ledger.lookup(allIds)).balanceFen]
}

/**
 * Money conserved: the balances of every account but the issuer's sum to what was issued less what
 * was retired (as the ledger's own totals count them), and the issuer holds the negative of it.
 */
async function expectConserved(ledger: LedgerCore): Promise<void> {
  const held = await balances(ledger)
  const totals = await ledger.totals()
  const outstanding =
    (totals.creditsFen[TransferKind.issue] as number) -
    (totals.creditsFen[TransferKind.retire] as number)
  expect(held.slice(1).reduce((sum, balance) => sum + balance, 0)).toBe(outstanding)
  expect(held[accounts.issuer]).toBe(-outstanding)
}

/** `start` with each of `rows`' accepted transfers (by `codes`) applied. */
function applied(
  start: readonly number[],
  rows: readonly Row[],
  codes: readonly number[],
): number[] {
  const after = [...start]
  rows.forEach((row, index) => {
    if (codes[index] !== ResultCode.ok) return
    after[row.debit] = (after[row.debit] as number) - row.amountFen
    after[row.credit] = (after[row.credit] as number) + row.amountFen
  })
  return after
}

describe('a district cut off', () => {
  it('answers its residents’ and merchants’ payments unavailable without sending them, and applies the rest in order', async () => {
    // Proves the outage of Nanshan (1): retail, transit, bill and P2P payments with a Nanshan
    // payer, merchant or P2P payee are `unavailable` and never reach the ledger; the others of the
    // same batch reach it in their order, with their own codes (the second P2P of resident 14 fails
    // for funds because the first went before it, across a cut payment); institutions' transfers
    // touching Nanshan go; balances move only for what was applied, and money is conserved.
    const { inner, faults, ledger } = await city()
    await expectConserved(ledger)
    const before = await balances(ledger)
    faults.setOutage(1, true)
    const rows: Row[] = [
      {
        id: 100,
        kind: TransferKind.retail,
        debit: resident[0],
        credit: merchant[0],
        amountFen: 1_200,
      },
      {
        id: 101,
        kind: TransferKind.retail,
        debit: resident[2],
        credit: merchant[0],
        amountFen: 1_300,
      },
      {
        id: 102,
        kind: TransferKind.retail,
        debit: resident[0],
        credit: merchant[1],
        amountFen: 1_400,
      },
      { id: 103, kind: TransferKind.transit, debit: resident[3], credit: transit, amountFen: 400 },
      { id: 104, kind: TransferKind.transit, debit: resident[1], credit: transit, amountFen: 500 },
      { id: 105, kind: TransferKind.bill, debit: resident[2], credit: utility, amountFen: 6_000 },
      { id: 106, kind: TransferKind.bill, debit: resident[4], credit: utility, amountFen: 500 },
      {
        id: 107,
        kind: TransferKind.p2p,
        debit: resident[4],
        credit: resident[1],
        amountFen: 9_000,
      },
      { id: 108, kind: TransferKind.p2p, debit: resident[0], credit: resident[3], amountFen: 700 },
      {
        id: 109,
        kind: TransferKind.p2p,
        debit: resident[4],
        credit: resident[5],
        amountFen: 1_000,
      },
      {
        id: 110,
        kind: TransferKind.payroll,
        debit: employer[1],
        credit: resident[2],
        amountFen: 0,
      },
      { id: 111, kind: TransferKind.topup, debit: bank, credit: resident[3], amountFen: 2_000 },
      { id: 112, kind: TransferKind.redeem, debit: merchant[1], credit: bank, amountFen: 3_000 },
      {
        id: 113,
        kind: TransferKind.retire,
        debit: bank,
        credit: accounts.issuer,
        amountFen: 50_000,
      },
      {
        id: 114,
        kind: TransferKind.issue,
        debit: accounts.issuer,
        credit: bank,
        amountFen: 20_000,
      },
      { id: 115, kind: TransferKind.p2p, debit: resident[3], credit: resident[2], amountFen: 100 },
    ]
    const { code } = await ledger.submit(transfers(rows))
    const {
      ok,
      unavailable,
      insufficient_funds: insufficient,
      invalid_amount: invalid,
    } = ResultCode
    expect([...code]).toEqual([
      ok,
      unavailable,
      unavailable,
      unavailable,
      ok,
      unavailable,
      ok,
      ok,
      unavailable,
      insufficient,
      invalid,
      ok,
      ok,
      ok,
      ok,
      unavailable,
    ])
    expect(inner.ids).toEqual([[100, 104, 106, 107, 109, 110, 111, 112, 113, 114]])
    expect(await balances(ledger)).toEqual(applied(before, rows, [...code]))
    await expectConserved(ledger)
    // By kind, the ledger posted exactly the applied ones.
    const totals = await ledger.totals()
    expect([
      totals.creditsFen[TransferKind.retail],
      totals.creditsFen[TransferKind.transit],
      totals.creditsFen[TransferKind.bill],
      totals.creditsFen[TransferKind.p2p],
    ]).toEqual([1_200, 500, 500, 9_000])
  })

  it('cuts each payment kind whatever side of it is in the district, and never the institutions’ kinds', async () => {
    // Proves the rule kind by kind with every district out: retail, transit, bill and p2p are all
    // cut; issue, topup, payroll, redeem and retire all reach the ledger and apply, though each
    // touches a resident or merchant of a district that is out; the whole batch then goes as it was
    // given.
    const { inner, faults, ledger } = await city()
    for (const district of [0, 1, 2]) faults.setOutage(district, true)
    const payments: Row[] = [
      {
        id: 200,
        kind: TransferKind.retail,
        debit: resident[5],
        credit: merchant[2],
        amountFen: 100,
      },
      { id: 201, kind: TransferKind.transit, debit: resident[5], credit: transit, amountFen: 100 },
      { id: 202, kind: TransferKind.bill, debit: resident[5], credit: utility, amountFen: 100 },
      { id: 203, kind: TransferKind.p2p, debit: resident[5], credit: resident[4], amountFen: 100 },
    ]
    const before = await balances(ledger)
    expect([...(await ledger.submit(transfers(payments))).code]).toEqual(
      payments.map(() => ResultCode.unavailable),
    )
    expect(inner.calls).toEqual([])
    expect(await balances(ledger)).toEqual(before)
    const institutions: Row[] = [
      {
        id: 210,
        kind: TransferKind.issue,
        debit: accounts.issuer,
        credit: bank,
        amountFen: 40_000,
      },
      { id: 211, kind: TransferKind.topup, debit: bank, credit: resident[5], amountFen: 3_000 },
      { id: 212, kind: TransferKind.payroll, debit: bank, credit: employer[2], amountFen: 5_000 },
      {
        id: 213,
        kind: TransferKind.payroll,
        debit: employer[2],
        credit: resident[4],
        amountFen: 5_000,
      },
      { id: 214, kind: TransferKind.redeem, debit: merchant[2], credit: bank, amountFen: 2_500 },
      {
        id: 215,
        kind: TransferKind.retire,
        debit: bank,
        credit: accounts.issuer,
        amountFen: 7_000,
      },
    ]
    const batch = transfers(institutions)
    expect([...(await ledger.submit(batch)).code]).toEqual(institutions.map(() => ResultCode.ok))
    expect(inner.calls).toEqual([batch])
    expect(inner.calls[0]).toBe(batch)
    expect(await balances(ledger)).toEqual(
      applied(
        before,
        institutions,
        institutions.map(() => ResultCode.ok),
      ),
    )
    await expectConserved(ledger)
  })

  it('sends a batch whole when no district is out, or once the outage is lifted, with the ledger’s own codes', async () => {
    // Proves the fast path: with no outage (never set, or set and cleared) the very batch given
    // reaches the ledger and its answer comes back unchanged, rejections included.
    const { inner, faults, ledger } = await city()
    const rows: Row[] = [
      {
        id: 300,
        kind: TransferKind.retail,
        debit: resident[2],
        credit: merchant[1],
        amountFen: 2_000,
      },
      {
        id: 301,
        kind: TransferKind.p2p,
        debit: resident[3],
        credit: resident[2],
        amountFen: walletFen + 1,
      },
    ]
    const first = transfers(rows)
    expect([...(await ledger.submit(first)).code]).toEqual([
      ResultCode.ok,
      ResultCode.insufficient_funds,
    ])
    faults.setOutage(1, true)
    faults.setOutage(1, false)
    expect(faults.anyOutage).toBe(false)
    const second = transfers([
      { id: 302, kind: TransferKind.transit, debit: resident[3], credit: transit, amountFen: 300 },
    ])
    expect([...(await ledger.submit(second)).code]).toEqual([ResultCode.ok])
    expect(inner.calls).toHaveLength(2)
    expect(inner.calls[0]).toBe(first)
    expect(inner.calls[1]).toBe(second)
    await expectConserved(ledger)
  })

  it('sends a batch whole when an outage cuts none of it, and sends nothing when it cuts all of it', async () => {
    // Proves the two ends of the split: Luohu out, a batch of Futian payments goes as given; a
    // batch of Luohu payments does not reach the ledger at all.
    const { inner, faults, ledger } = await city()
    faults.setOutage(2, true)
    const futian = transfers([
      {
        id: 400,
        kind: TransferKind.retail,
        debit: resident[0],
        credit: merchant[0],
        amountFen: 800,
      },
      { id: 401, kind: TransferKind.p2p, debit: resident[1], credit: resident[0], amountFen: 900 },
    ])
    expect([...(await ledger.submit(futian)).code]).toEqual([ResultCode.ok, ResultCode.ok])
    expect(inner.calls[0]).toBe(futian)
    const luohu = transfers([
      {
        id: 402,
        kind: TransferKind.retail,
        debit: resident[4],
        credit: merchant[2],
        amountFen: 800,
      },
      { id: 403, kind: TransferKind.bill, debit: resident[5], credit: utility, amountFen: 900 },
    ])
    expect([...(await ledger.submit(luohu)).code]).toEqual([
      ResultCode.unavailable,
      ResultCode.unavailable,
    ])
    expect(inner.calls).toHaveLength(1)
    await expectConserved(ledger)
  })
})

describe('a slow ledger', () => {
  it('holds each answer back at least the slowdown, sending the calls at once and in order', async () => {
    // Proves a slowdown delays answers, not requests: with 50 ms, two calls made together both
    // reach the ledger at once, in order (the second finds the first's payment made: insufficient
    // funds), and neither answer comes sooner than 45 ms; a batch cut whole by an outage is held
    // back as well. Money is conserved.
    const { inner, faults, ledger } = await city()
    faults.setSlowdown(50)
    const started = performance.now()
    const timed = (batch: TransferBatch) =>
      ledger
        .submit(batch)
        .then((results) => ({ codes: [...results.code], ms: performance.now() - started }))
    const first = timed(
      transfers([
        {
          id: 500,
          kind: TransferKind.p2p,
          debit: resident[0],
          credit: resident[1],
          amountFen: 9_000,
        },
      ]),
    )
    const second = timed(
      transfers([
        {
          id: 501,
          kind: TransferKind.p2p,
          debit: resident[0],
          credit: resident[1],
          amountFen: 9_000,
        },
      ]),
    )
    expect(inner.ids).toEqual([[500], [501]])
    const answers = await Promise.all([first, second])
    expect(answers.map((answer) => answer.codes)).toEqual([
      [ResultCode.ok],
      [ResultCode.insufficient_funds],
    ])
    for (const answer of answers) expect(answer.ms).toBeGreaterThanOrEqual(45)
    faults.setOutage(0, true)
    const cutStarted = performance.now()
    const cut = await ledger.submit(
      transfers([
        {
          id: 502,
          kind: TransferKind.retail,
          debit: resident[0],
          credit: merchant[0],
          amountFen: 100,
        },
      ]),
    )
    expect([...cut.code]).toEqual([ResultCode.unavailable])
    expect(performance.now() - cutStarted).toBeGreaterThanOrEqual(45)
    expect(inner.ids).toHaveLength(2)
    await expectConserved(ledger)
  })

  it('holds back only submits: lookups and totals answer at once', async () => {
    // Proves the slowdown sits on transfers alone: with the largest slowdown (5 s), a lookup and
    // the totals still answer well within a second.
    const { faults, ledger } = await city()
    faults.setSlowdown(ledgerSlowdownMsMax)
    const started = performance.now()
    await ledger.lookup(allIds)
    await ledger.totals()
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(ledger.name).toBe('memory')
  })
})

describe('the fault settings', () => {
  it('take a slowdown within bounds and an outage of a district of the city, and refuse the rest', () => {
    // Proves the asserts behind RunControl's own checks: a slowdown must be whole and within
    // 0..ledgerSlowdownMsMax; an outage names a district index of the city; anyOutage follows the
    // districts out.
    const faults = new Faults(3)
    expect([faults.slowdownMs, faults.anyOutage, [...faults.outage]]).toEqual([0, false, [0, 0, 0]])
    faults.setSlowdown(ledgerSlowdownMsMax)
    expect(faults.slowdownMs).toBe(ledgerSlowdownMsMax)
    for (const ms of [-1, 0.5, ledgerSlowdownMsMax + 1, Number.NaN])
      expect(() => faults.setSlowdown(ms)).toThrow()
    expect(faults.slowdownMs).toBe(ledgerSlowdownMsMax)
    faults.setOutage(2, true)
    expect([faults.anyOutage, [...faults.outage]]).toEqual([true, [0, 0, 1]])
    for (const district of [-1, 3, 1.5]) expect(() => faults.setOutage(district, true)).toThrow()
    faults.setOutage(2, false)
    expect(faults.anyOutage).toBe(false)
  })
})
