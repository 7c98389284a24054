/**
 * The ledger bench's day with programmable money: the same accounts, opening and payments as
 * ledgerWorkload.ts, except that a quarter of the residents hold a red envelope (a restricted
 * account of one restriction, filled in the opening) and every retail purchase of theirs is paid
 * from it: the envelope pays what it holds and the wallet the rest, under the restriction's
 * checks (window, category, district, minimum). Merchants carry their real category and district.
 *
 * The restriction allows every category and district of the city, so the checks are all made and
 * none refuses: the difference from the plain day is what programmability costs the ledger, not
 * a different set of accepted payments. (A modelling choice of the bench, not of any campaign.)
 */
import {
  TransferFlag,
  TransferKind,
  type AccountBatch,
  type RestrictionBatch,
  type TransferBatch,
} from '../engine/ledger/index.js'
import { copyBatch } from '../engine/ledger/transferBatches.js'
import { minutesPerDay } from '../engine/limits.js'
import type { LedgerWorkload } from './ledgerWorkload.js'

/** One resident in this many holds an envelope. */
const holderEvery = 4
/** What the opening pays into each envelope: 50 yuan. */
const envelopeFen = 50_00
/** Ids of the opening's envelope transfers: far above the day's dense ids. */
const envelopeIdFirst = 2 ** 51

export interface ProgrammableWorkload {
  /** The base accounts with the merchants' places; then the restriction; then the envelopes. */
  readonly accounts: AccountBatch
  readonly restrictions: RestrictionBatch
  readonly envelopes: AccountBatch
  readonly opening: readonly TransferBatch[]
  readonly day: readonly TransferBatch[]
  readonly dayTransfers: number
  readonly accountsMax: number
  /** Of the day's retail purchases, the share paid from an envelope. */
  readonly restrictedShare: number
}

export function programmableWorkload(base: LedgerWorkload): ProgrammableWorkload {
  const layout = base.plan.accounts
  const { residentFirst } = layout
  const residents = base.plan.residents
  const envelopeFirst = layout.count
  const envelopes = Math.ceil(residents / holderEvery)
  const envelopeOf = (account: number): number => {
    const resident = account - residentFirst
    if (resident < 0 || resident >= residents || resident % holderEvery !== 0) return -1
    return envelopeFirst + resident / holderEvery
  }
  const startMinute = base.plan.clock.startMinute

  let retail = 0
  let restricted = 0
  const day = base.day.map((batch) => {
    const copy = copyBatch(batch)
    const debit = copy.debit
    for (let index = 0; index < copy.count; index++) {
      if (copy.kind[index] !== TransferKind.retail) continue
      retail += 1
      if (((copy.flags[index] as number) & ~TransferFlag.linked) !== 0) continue
      const envelope = envelopeOf(debit[index] as number)
      if (envelope < 0) continue
      debit[index] = envelope
      restricted += 1
    }
    return copy
  })

  return {
    accounts: withPlaces(base),
    envelopes: envelopeAccounts(layout.residentFirst, envelopeFirst, envelopes),
    restrictions: {
      count: 1,
      id: Uint32Array.of(1),
      issuer: Uint32Array.of(layout.issuer),
      categories: Uint32Array.of(0xffff_ffff),
      districts: Uint32Array.of(0xffff_ffff),
      minSpendFen: Uint32Array.of(0),
      validFrom: Uint32Array.of(startMinute),
      validUntil: Uint32Array.of(startMinute + 2 * minutesPerDay),
      merchantsFrom: Uint32Array.of(0, 0),
      merchants: new Uint32Array(0),
    },
    opening: [
      ...base.opening,
      ...envelopeFilling(layout.issuer, envelopeFirst, envelopes, startMinute),
    ],
    day,
    dayTransfers: base.dayTransfers,
    accountsMax: envelopeFirst + envelopes,
    restrictedShare: retail === 0 ? 0 : restricted / retail,
  }
}

/** The base accounts with each merchant's district and category. */
function withPlaces(base: LedgerWorkload): AccountBatch {
  const { plan, accounts } = base
  const { count } = accounts
  const category = new Uint8Array(count)
  const district = new Uint8Array(count)
  // Merchants sorted by district, then category: cell d × C + c starts at merchantCellStart.
  const categories = plan.categories.length
  const starts = plan.merchantCellStart
  for (let cell = 0; cell < plan.districts.length * categories; cell++) {
    const from = plan.accounts.merchantFirst + (starts[cell] as number)
    const to = plan.accounts.merchantFirst + (starts[cell + 1] ?? plan.merchants)
    category.fill(cell % categories, from, to)
    district.fill(Math.floor(cell / categories), from, to)
  }
  return { ...accounts, category, district }
}

/** Envelope e (restriction 1) belongs to the resident holderEvery × e. */
function envelopeAccounts(
  residentFirst: number,
  envelopeFirst: number,
  count: number,
): AccountBatch {
  return {
    count,
    id: Uint32Array.from({ length: count }, (_, envelope) => envelopeFirst + envelope),
    tier: new Uint8Array(count),
    flags: new Uint8Array(count),
    restriction: new Uint32Array(count).fill(1),
    owner: Uint32Array.from(
      { length: count },
      (_, envelope) => residentFirst + envelope * holderEvery,
    ),
  }
}

/** The central bank pays each envelope its value, in batches of the ledger's size. */
function envelopeFilling(
  issuer: number,
  envelopeFirst: number,
  envelopes: number,
  minute: number,
): TransferBatch[] {
  const batches: TransferBatch[] = []
  const size = 1 << 16
  for (let from = 0; from < envelopes; from += size) {
    const count = Math.min(size, envelopes - from)
    const batch: TransferBatch = {
      count,
      id: Float64Array.from({ length: count }, (_, index) => envelopeIdFirst + from + index),
      debit: new Uint32Array(count).fill(issuer),
      credit: Uint32Array.from({ length: count }, (_, index) => envelopeFirst + from + index),
      amountFen: new Uint32Array(count).fill(envelopeFen),
      kind: new Uint8Array(count).fill(TransferKind.voucher),
      flags: new Uint8Array(count),
      pendingId: new Float64Array(count),
      timeoutMinutes: new Uint32Array(count),
      minute: new Uint32Array(count).fill(minute),
    }
    batches.push(batch)
  }
  return batches
}
