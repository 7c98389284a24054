/**
 * MixCounters (engine/counting/mixCounters.ts): the payment mix counted from a batch and its
 * result codes. Reservations are payments and posts add what they settled to them; a post of 0
 * fen settles the whole reservation, as the ledger and TransferCounters count it; a bank app's
 * payments go under the payer's bank.
 */
import { describe, expect, it } from 'vitest'
import { MixCounters } from '../../../engine/counting/mixCounters.js'
import { Channel, Provider, channelByte } from '../../../engine/ledger/channel.js'
import {
  ResultCode,
  TransferFlag,
  TransferKind,
  type TransferBatch,
} from '../../../engine/ledger/index.js'
import { pendingIdFirst } from '../../../engine/limits.js'
import { TransferCounters } from '../../../engine/metrics/transferCounters.js'
import type { AccountLayout } from '../../../engine/plan/plan.js'
import { allocatePopulation, viewPopulation } from '../../../engine/population/index.js'
import { transfers, type TransferRow } from '../../helpers/batches.js'

/** Accounts: 0 issuer | 1, 2 banks | 3 parking operator | 4 a merchant | 5, 6 residents. */
const accounts = {
  issuer: 0,
  bankFirst: 1,
  bankCount: 2,
  parking: 3,
  merchantFirst: 4,
  residentFirst: 5,
  count: 7,
} as AccountLayout
const operator = 3
const merchant = 4
/** Resident 0 (account 5) banks with BOC (1), resident 1 (account 6) with ICBC (0). */
const atBoc = 5
const atIcbc = 6

function population() {
  const viewed = viewPopulation(allocatePopulation(2, 1))
  viewed.bank.set([1, 0])
  return viewed
}

type Row = TransferRow & { readonly channel: number; readonly heldFen?: number }

function batchOf(rows: readonly Row[]): TransferBatch {
  return {
    ...transfers(rows),
    channel: Uint8Array.from(rows, (row) => row.channel),
    heldFen: Uint32Array.from(rows, (row) => row.heldFen ?? 0),
  }
}

const byBankApp = channelByte(Channel.autoDebit, Provider.bankApp)
const byEcnyApp = channelByte(Channel.qr, Provider.ecnyApp)
const parked = (id: number, debit: number, amountFen: number): Row => ({
  id,
  kind: TransferKind.parking,
  flags: TransferFlag.pending,
  debit,
  credit: operator,
  amountFen,
  channel: byBankApp,
})
const settled = (flag: number, pendingId: number, amountFen: number, heldFen: number): Row => ({
  id: pendingId + 100,
  kind: TransferKind.parking,
  flags: flag,
  debit: atBoc,
  credit: operator,
  amountFen,
  pendingId,
  heldFen,
  channel: byBankApp,
})

describe('the payment mix', () => {
  it('counts reservations as payments and what their posts settled, a post of 0 as the whole', () => {
    // Proves the two-phase figures and the value of each payment: three reservations of 1,000
    // fen, one posted in part (400), one voided, one posted with 0 fen (the whole 1,000, as the
    // ledger posts it); the mix's posted fen equal what TransferCounters counts as parking's money,
    // and its payments are the three reservations, worth the 1,400 posted.
    const mix = new MixCounters(['ICBC', 'BOC'], accounts, population())
    const counters = new TransferCounters(accounts.issuer)
    const [part, voided, whole] = [1, 2, 3].map((n) => pendingIdFirst + n) as [
      number,
      number,
      number,
    ]
    const batch = batchOf([
      parked(part, atBoc, 1_000),
      parked(voided, atBoc, 1_000),
      parked(whole, atBoc, 1_000),
      settled(TransferFlag.postPending, part, 400, 1_000),
      settled(TransferFlag.voidPending, voided, 0, 1_000),
      settled(TransferFlag.postPending, whole, 0, 1_000),
    ])
    const code = new Uint8Array(batch.count).fill(ResultCode.ok)
    mix.count(batch, code)
    counters.count(batch, code)
    const figures = mix.figures()
    expect(figures.twoPhase.parking).toEqual({
      reserved: 3,
      posted: 2,
      voided: 1,
      expired: 0,
      held: 0,
      postedFen: 1_400,
    })
    expect(counters.byKind().parking.amountFen).toBe(1_400)
    expect(figures.byChannel.autoDebit).toEqual({ payments: 3, accepted: 3, amountFen: 1_400 })
    expect(figures.byProvider.bankApp).toEqual({ payments: 3, accepted: 3, amountFen: 1_400 })
  })

  it('puts a bank app’s payments under the payer’s bank, and counts the refused as not accepted', () => {
    // Proves the bank apps' rows: BOC's customer pays by their bank's app (accepted), ICBC's
    // customer too (refused: counted, not accepted, no value), and a payment by the e-CNY app is
    // no bank's.
    const mix = new MixCounters(['ICBC', 'BOC'], accounts, population())
    const pay = (id: number, debit: number, channel: number): Row => ({
      id,
      kind: TransferKind.retail,
      debit,
      credit: merchant,
      amountFen: 2_500,
      channel,
    })
    const batch = batchOf([
      pay(1, atBoc, byBankApp),
      pay(2, atIcbc, byBankApp),
      pay(3, atIcbc, byEcnyApp),
    ])
    mix.count(batch, Uint8Array.of(ResultCode.ok, ResultCode.insufficient_funds, ResultCode.ok))
    const { bankApps, byProvider } = mix.figures()
    expect(bankApps).toEqual([
      { bank: 'ICBC', payments: 1, accepted: 0, amountFen: 0 },
      { bank: 'BOC', payments: 1, accepted: 1, amountFen: 2_500 },
    ])
    expect(byProvider.ecnyApp).toEqual({ payments: 1, accepted: 1, amountFen: 2_500 })
  })
})
