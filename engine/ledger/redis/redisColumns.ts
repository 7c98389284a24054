/**
 * Batches to and from the binary strings the redis ledger's scripts read and write: fixed-width
 * little-endian rows (layouts in ledgerScript.ts). Each transfer row carries its minute's local
 * day and year, worked out here with the engine's own calendar, so the script never needs one.
 */
import { assert } from '../../assert.js'
import { transferIdMax } from '../../limits.js'
import { localDay, yearOfDay } from '../../time/simClock.js'
import type { AccountBatch, Balances, TransferBatch } from '../ledgerCore.js'
import { TransferState } from '../transferState.js'
import { accountRowBytes, transferRowBytes } from './ledgerScript.js'

/** The calendar year of a local day, remembered for the last day asked: batches run on few days. */
export class YearOfDay {
  private day = Number.NaN
  private year = 0

  of(day: number): number {
    if (day !== this.day) {
      this.day = day
      this.year = yearOfDay(day)
      assert(this.year > 0 && this.year <= 0xffff, 'a year fits the row (u16, 0 meaning none)')
    }
    return this.year
  }
}

/**
 * A batch as the submit script reads it: one row per transfer, and the ids of the accounts the
 * rows' slots number.
 */
export interface EncodedTransfers {
  readonly rows: Buffer
  readonly accountIds: Buffer
  /**
   * The lowest transfer id the rows name, ids and pending ids (0 when none): above the highest id
   * stored, the script looks none up.
   */
  readonly idLow: number
}

export function encodeTransfers(
  batch: TransferBatch,
  utcOffsetMinutes: number,
  years: YearOfDay,
): EncodedTransfers {
  const rows = new DataView(new ArrayBuffer(batch.count * transferRowBytes))
  // Slots from 1, in the order accounts first appear; at most two per transfer.
  const slotOf = new Map<number, number>()
  const accountIds = new DataView(new ArrayBuffer(batch.count * 2 * 4))
  const slot = (account: number): number => {
    let found = slotOf.get(account)
    if (found === undefined) {
      found = slotOf.size + 1
      slotOf.set(account, found)
      accountIds.setUint32((found - 1) * 4, account, true)
    }
    return found
  }
  let idLow = batch.count === 0 ? 0 : transferIdMax
  for (let index = 0; index < batch.count; index++) {
    const at = index * transferRowBytes
    const minute = batch.minute[index] as number
    const id = batch.id[index] as number
    const pendingId = batch.pendingId[index] as number
    idLow = Math.min(idLow, id, pendingId === 0 ? idLow : pendingId)
    const day = localDay(minute, utcOffsetMinutes)
    const debit = batch.debit[index] as number
    const credit = batch.credit[index] as number
    setId(rows, at, id)
    // The state of the record a plain transfer is stored as, which is this byte and the body after
    // it.
    rows.setUint8(at + 8, TransferState.applied)
    setId(rows, at + 9, pendingId)
    rows.setUint32(at + 17, debit, true)
    rows.setUint32(at + 21, credit, true)
    rows.setUint32(at + 25, batch.amountFen[index] as number, true)
    rows.setUint32(at + 29, batch.timeoutMinutes[index] as number, true)
    rows.setUint8(at + 33, batch.kind[index] as number)
    rows.setUint8(at + 34, batch.flags[index] as number)
    rows.setUint16(at + 35, years.of(day), true)
    rows.setUint32(at + 37, minute, true)
    rows.setInt32(at + 41, day, true)
    rows.setUint32(at + 45, slot(debit), true)
    rows.setUint32(at + 49, slot(credit), true)
  }
  return {
    rows: Buffer.from(rows.buffer),
    accountIds: Buffer.from(accountIds.buffer, 0, slotOf.size * 4),
    idLow,
  }
}

/**
 * A transfer id (an integer below 2^53, asserted by the caller) as a little-endian u64: its low
 * 32-bit word, then its high word. `>>> 0` takes an exact integer modulo 2^32.
 */
function setId(rows: DataView, at: number, id: number): void {
  rows.setUint32(at, id >>> 0, true)
  rows.setUint32(at + 4, (id / 0x1_0000_0000) >>> 0, true)
}

/** Accounts `from` to `to` of the batch. */
export function encodeAccounts(batch: AccountBatch, from: number, to: number): Buffer {
  assert(from >= 0 && from <= to && to <= batch.count, 'a range of the batch')
  const rows = new DataView(new ArrayBuffer((to - from) * accountRowBytes))
  for (let index = from; index < to; index++) {
    const at = (index - from) * accountRowBytes
    rows.setUint32(at, batch.id[index] as number, true)
    rows.setUint8(at + 4, batch.tier[index] as number)
    rows.setUint8(at + 5, batch.flags[index] as number)
  }
  return Buffer.from(rows.buffer)
}

export function encodeIds(ids: Uint32Array): Buffer {
  const rows = new DataView(new ArrayBuffer(ids.length * 4))
  for (let index = 0; index < ids.length; index++)
    rows.setUint32(index * 4, ids[index] as number, true)
  return Buffer.from(rows.buffer)
}

/**
 * The lookup script's answer: balance, pendingDebit, pendingCredit per id, float64 little-endian.
 */
export function decodeBalances(reply: unknown, count: number): Balances {
  if (!Buffer.isBuffer(reply) || reply.length !== count * 24)
    throw new Error(`the lookup script answered ${describeReply(reply)}, not ${count * 24} bytes`)
  const balanceFen = new Float64Array(count)
  const pendingDebitFen = new Float64Array(count)
  const pendingCreditFen = new Float64Array(count)
  for (let index = 0; index < count; index++) {
    balanceFen[index] = reply.readDoubleLE(index * 24)
    pendingDebitFen[index] = reply.readDoubleLE(index * 24 + 8)
    pendingCreditFen[index] = reply.readDoubleLE(index * 24 + 16)
  }
  return { balanceFen, pendingDebitFen, pendingCreditFen }
}

/** One result code per row, each below `codeCount`. */
export function decodeCodes(reply: unknown, count: number, codeCount: number): Uint8Array {
  if (!Buffer.isBuffer(reply) || reply.length !== count)
    throw new Error(`a script answered ${describeReply(reply)}, not ${count} result codes`)
  const code = new Uint8Array(reply)
  const wrong = code.findIndex((value) => value >= codeCount)
  if (wrong >= 0)
    throw new Error(`a script answered result code ${code[wrong]} (there are ${codeCount})`)
  return code
}

function describeReply(reply: unknown): string {
  return Buffer.isBuffer(reply) ? `${reply.length} bytes` : typeof reply
}
