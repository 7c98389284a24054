/**
 * TransferCounters' reservations (pendingHeld, reservedFen, pendingUnsure) and the audit of them
 * (auditEntries), against the memory ledger's own balances and totals: a reservation, a post of
 * less than it held, a void, a post of nothing (the whole), one refused, one expired; and the
 * audit failing when the ledger's totals disagree with the counters.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  AccountFlag,
  ResultCode,
  TransferFlag,
  TransferKind,
  createLedger,
  type LedgerCore,
  type LedgerTotals,
} from '../../../engine/ledger/index.js'
import { pendingIdFirst } from '../../../engine/limits.js'
import { TransferCounters } from '../../../engine/metrics/transferCounters.js'
import { auditEntries } from '../../../engine/run/audit.js'
import { mondayMinute, transfers, type TransferRow } from '../../helpers/batches.js'

/** Accounts: 0 issuer | 1 bank | 2 parking operator | 3 a driver with 10,000 fen | 4 a shop. */
const bank = 1
const operator = 2
const driver = 3
const shop = 4
const accountIds = Uint32Array.from({ length: 5 }, (_, id) => id)
const walletFen = 10_000
const at = mondayMinute + 600

const opened: LedgerCore[] = []
afterEach(async () => {
  for (const ledger of opened.splice(0)) await ledger.close()
})

/** A row with what its pending transfer reserved, for the counters (no ledger reads it). */
type Row = TransferRow & { readonly heldFen?: number }

interface Town {
  readonly ledger: LedgerCore
  readonly counters: TransferCounters
  /** Submits `rows` in one call, counts the answers; the codes. */
  readonly send: (rows: readonly Row[]) => Promise<number[]>
  /** The driver's balance and what is reserved out of it. */
  readonly driver: () => Promise<{ balanceFen: number; pendingFen: number }>
  readonly audit: () => Promise<ReturnType<typeof auditEntries>>
}

let nextId = 1
async function town(): Promise<Town> {
  const ledger = createLedger('memory', {
    accountsMax: accountIds.length,
    tiers: [{ balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 }],
    utcOffsetMinutes: 480,
  })
  opened.push(ledger)
  await ledger.open()
  await ledger.createAccounts({
    count: accountIds.length,
    id: accountIds,
    tier: new Uint8Array(accountIds.length),
    flags: Uint8Array.from(accountIds, (id) => (id === 0 ? AccountFlag.issuer : 0)),
  })
  const counters = new TransferCounters(0)
  const send = async (rows: readonly Row[]) => {
    const batch = {
      ...transfers(rows),
      heldFen: Uint32Array.from(rows, (row) => row.heldFen ?? 0),
    }
    const { code } = await ledger.submit(batch)
    counters.count(batch, code)
    return [...code]
  }
  const funded = await send([
    { id: nextId++, kind: TransferKind.issue, debit: 0, credit: bank, amountFen: 1_000_000 },
    { id: nextId++, kind: TransferKind.topup, debit: bank, credit: driver, amountFen: walletFen },
  ])
  expect(funded).toEqual([ResultCode.ok, ResultCode.ok])
  return {
    ledger,
    counters,
    send,
    driver: async () => {
      const found = await ledger.lookup(Uint32Array.of(driver))
      return {
        balanceFen: found.balanceFen[0] as number,
        pendingFen: found.pendingDebitFen[0] as number,
      }
    },
    audit: async () => auditEntries(await ledger.totals(), counters),
  }
}

/** A parking reservation of `amountFen` with its own id. */
const reserve = (id: number, amountFen: number, timeoutMinutes = 0, minute = at): Row => ({
  id,
  kind: TransferKind.parking,
  flags: TransferFlag.pending,
  debit: driver,
  credit: operator,
  amountFen,
  timeoutMinutes,
  minute,
})

/** A post (or void) of reservation `pendingId`, which held `heldFen`. */
const settle = (
  flag: number,
  pendingId: number,
  amountFen: number,
  heldFen: number,
  minute = at,
): Row => ({
  id: nextId++,
  kind: TransferKind.parking,
  flags: flag,
  debit: driver,
  credit: operator,
  amountFen,
  pendingId,
  heldFen,
  minute,
})

const held = (counters: TransferCounters) => ({
  pendingHeld: counters.pendingHeld,
  reservedFen: counters.reservedFen,
  pendingUnsure: counters.pendingUnsure,
  unsureFen: counters.unsureFen,
})

const pay = (amountFen: number): Row => ({
  id: nextId++,
  kind: TransferKind.retail,
  debit: driver,
  credit: shop,
  amountFen,
})

describe('a reservation and its settling', () => {
  it('posts less than it held and gives the rest back to what the payer may spend', async () => {
    // Proves a post of 1,500 of a 4,000 reservation: while held, 4,000 of the 10,000 cannot be
    // spent (a payment of 7,000 fails); after the post the balance is 8,500 with nothing reserved
    // (the same 7,000 then goes). The counters follow: held 1 and 4,000 fen, then none, parking's
    // money the 1,500 posted; the audit agrees at each step.
    const { counters, send, driver: balance, audit } = await town()
    const id = pendingIdFirst + 1
    expect(await send([reserve(id, 4_000)])).toEqual([ResultCode.ok])
    expect(held(counters)).toEqual({
      pendingHeld: 1,
      reservedFen: 4_000,
      pendingUnsure: 0,
      unsureFen: 0,
    })
    expect(await balance()).toEqual({ balanceFen: walletFen, pendingFen: 4_000 })
    expect(await send([pay(7_000)])).toEqual([ResultCode.insufficient_funds])
    const reserved = await audit()
    expect(reserved).toMatchObject({
      ok: true,
      pendingHeld: 1,
      pendingFen: 4_000,
      pendingExpectedFen: 4_000,
    })
    expect(await send([settle(TransferFlag.postPending, id, 1_500, 4_000)])).toEqual([
      ResultCode.ok,
    ])
    expect(held(counters)).toEqual({
      pendingHeld: 0,
      reservedFen: 0,
      pendingUnsure: 0,
      unsureFen: 0,
    })
    expect(await balance()).toEqual({ balanceFen: walletFen - 1_500, pendingFen: 0 })
    expect(counters.byKind().parking.amountFen).toBe(1_500)
    expect(await send([pay(7_000)])).toEqual([ResultCode.ok])
    const posted = await audit()
    expect(posted).toMatchObject({ ok: true, pendingHeld: 0, pendingFen: 0 })
    expect(posted.byKind.parking).toEqual({
      debitsFen: 1_500,
      creditsFen: 1_500,
      acceptedFen: 1_500,
    })
  })

  it('moves nothing when voided, and posts the whole reservation for a post of 0', async () => {
    // Proves a void gives all of a 3,000 reservation back and posts no money (counted as none);
    // a post of 0 fen of a 2,000 reservation posts the 2,000 it held, which the counters take
    // from the held fen they were given, as the ledger's totals do.
    const { counters, send, driver: balance, audit } = await town()
    const voided = pendingIdFirst + 2
    const whole = pendingIdFirst + 3
    await send([reserve(voided, 3_000), reserve(whole, 2_000)])
    expect(held(counters)).toMatchObject({ pendingHeld: 2, reservedFen: 5_000 })
    expect(await send([settle(TransferFlag.voidPending, voided, 0, 3_000)])).toEqual([
      ResultCode.ok,
    ])
    expect(await balance()).toEqual({ balanceFen: walletFen, pendingFen: 2_000 })
    expect(held(counters)).toMatchObject({ pendingHeld: 1, reservedFen: 2_000 })
    expect(counters.byKind().parking.amountFen).toBe(0)
    expect((await audit()).ok).toBe(true)
    expect(await send([settle(TransferFlag.postPending, whole, 0, 2_000)])).toEqual([ResultCode.ok])
    expect(await balance()).toEqual({ balanceFen: walletFen - 2_000, pendingFen: 0 })
    expect(held(counters)).toMatchObject({ pendingHeld: 0, reservedFen: 0 })
    expect(counters.byKind().parking.amountFen).toBe(2_000)
    expect(await audit()).toMatchObject({
      ok: true,
      byKind: { parking: { debitsFen: 2_000, creditsFen: 2_000, acceptedFen: 2_000 } },
    })
  })

  it('counts no reservation for one the ledger refused, nor for the post of it', async () => {
    // Proves a reservation refused (20,000 against 10,000) is not held, and its exit's post,
    // pending_not_found, neither lowers what is held nor counts as unsure; a second post of a
    // reservation already posted (pending_already_posted) does not either.
    const { counters, send, audit } = await town()
    const refused = pendingIdFirst + 4
    const posted = pendingIdFirst + 5
    expect(await send([reserve(refused, 20_000), reserve(posted, 1_000)])).toEqual([
      ResultCode.insufficient_funds,
      ResultCode.ok,
    ])
    expect(held(counters)).toMatchObject({ pendingHeld: 1, reservedFen: 1_000 })
    const codes = await send([
      settle(TransferFlag.postPending, refused, 5_000, 20_000),
      settle(TransferFlag.postPending, posted, 400, 1_000),
      settle(TransferFlag.postPending, posted, 400, 1_000),
    ])
    expect(codes).toEqual([
      ResultCode.pending_not_found,
      ResultCode.ok,
      ResultCode.pending_already_posted,
    ])
    expect(held(counters)).toEqual({
      pendingHeld: 0,
      reservedFen: 0,
      pendingUnsure: 0,
      unsureFen: 0,
    })
    expect(counters.byReason()).toMatchObject({
      insufficient_funds: 1,
      pending_not_found: 1,
      pending_already_posted: 1,
    })
    expect(counters.byKind().parking).toEqual({
      submitted: 5,
      accepted: 2,
      rejected: 3,
      amountFen: 400,
    })
    expect((await audit()).ok).toBe(true)
  })

  it('lets a reservation go when its post finds it expired', async () => {
    // Proves expiry is followed: a reservation of 10 minutes posted 20 minutes on is
    // pending_expired, the ledger no longer holds it, and the counters no longer count it.
    const { counters, send, driver: balance, audit } = await town()
    const id = pendingIdFirst + 6
    await send([reserve(id, 2_500, 10)])
    expect(await send([settle(TransferFlag.postPending, id, 1_000, 2_500, at + 20)])).toEqual([
      ResultCode.pending_expired,
    ])
    expect(await balance()).toEqual({ balanceFen: walletFen, pendingFen: 0 })
    expect(held(counters)).toMatchObject({ pendingHeld: 0, reservedFen: 0 })
    expect(await audit()).toMatchObject({ ok: true, pendingHeld: 0, pendingFen: 0 })
  })

  it('counts as unsure a reservation whose post was refused for a reason that leaves it held', async () => {
    // Proves pending_mismatch (a post naming the shop, not the operator) leaves the reservation
    // held and counted, and unsure: the ledger may still hold it or have let it expire since, and
    // the audit takes either, never more than the counters hold.
    const { ledger, counters, send, audit } = await town()
    const id = pendingIdFirst + 7
    await send([reserve(id, 1_000)])
    const wrongPayee = { ...settle(TransferFlag.postPending, id, 500, 1_000), credit: shop }
    expect(await send([wrongPayee])).toEqual([ResultCode.pending_mismatch])
    expect(held(counters)).toEqual({
      pendingHeld: 1,
      reservedFen: 1_000,
      pendingUnsure: 1,
      unsureFen: 1_000,
    })
    expect((await audit()).ok).toBe(true)
    const totals = await ledger.totals()
    const expired: LedgerTotals = { ...totals, pendingCount: 0, pendingFen: 0 }
    expect(auditEntries(expired, counters).ok).toBe(true)
    const more: LedgerTotals = { ...totals, pendingCount: 2, pendingFen: 2_000 }
    expect(auditEntries(more, counters).ok).toBe(false)
  })
})

describe('the audit of entries', () => {
  it('fails when the ledger’s reservations or a kind’s totals disagree with the counters', async () => {
    // Proves each check can fail: with one reservation of 4,000 held and nothing unsure, a ledger
    // total of 4,001 reserved, of two reservations, of none, or of a parking debit 1 fen over its
    // credit, each fails the audit that the true totals pass.
    const { ledger, counters, send } = await town()
    await send([reserve(pendingIdFirst + 8, 4_000)])
    await send([reserve(pendingIdFirst + 9, 600)])
    await send([settle(TransferFlag.postPending, pendingIdFirst + 9, 600, 600)])
    const totals = await ledger.totals()
    expect(auditEntries(totals, counters).ok).toBe(true)
    const debits = totals.debitsFen.slice()
    debits[TransferKind.parking] = (debits[TransferKind.parking] as number) + 1
    const wrong: LedgerTotals[] = [
      { ...totals, pendingFen: 4_001 },
      { ...totals, pendingCount: 2 },
      { ...totals, pendingCount: 0, pendingFen: 0 },
      { ...totals, debitsFen: debits },
    ]
    for (const given of wrong) expect(auditEntries(given, counters).ok).toBe(false)
    expect(auditEntries({ ...totals, debitsFen: debits }, counters).byKind.parking).toEqual({
      debitsFen: 601,
      creditsFen: 600,
      acceptedFen: 600,
    })
  })
})
