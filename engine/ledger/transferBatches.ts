/**
 * Transfer batches cut and joined column by column: a slice as views, copies, and several batches
 * as one. Used by the load stream (the sender's calls cut across ticks) and the bench. Also the
 * checks every adapter makes of a batch's transfer ids, and of a restriction batch's shape, before
 * anything of it applies.
 */
import { AssertionError, assert } from '../assert.js'
import { transferIdMax } from '../limits.js'
import type { RestrictionBatch, TransferBatch } from './ledgerCore.js'

const columns = [
  'id',
  'debit',
  'credit',
  'amountFen',
  'kind',
  'flags',
  'pendingId',
  'timeoutMinutes',
  'minute',
] as const
type Column = (typeof columns)[number]
/** Columns a run keeps beside a batch and no ledger reads (ledgerCore.ts). */
const sideColumns = ['channel', 'detail', 'heldFen'] as const
type SideColumn = (typeof sideColumns)[number]
type AnyColumn = Float64Array | Uint32Array | Uint16Array | Uint8Array

/** The side columns every one of `batches` has, made by `make`. */
function sidesOf(
  batches: readonly TransferBatch[],
  make: (name: SideColumn) => AnyColumn,
): Partial<Record<SideColumn, AnyColumn>> {
  const out: Partial<Record<SideColumn, AnyColumn>> = {}
  for (const name of sideColumns) {
    if (batches.every((batch) => batch[name] !== undefined)) out[name] = make(name)
  }
  return out
}

/** A batch of `count` transfers whose every column is `make(name)`. */
function batchOf(
  count: number,
  make: (name: Column) => AnyColumn,
  sides: Partial<Record<SideColumn, AnyColumn>> = {},
): TransferBatch {
  return {
    count,
    ...Object.fromEntries(columns.map((name) => [name, make(name)])),
    ...sides,
  } as unknown as TransferBatch
}

/**
 * Transfers [from, to) of `batch`, as views on its columns (the batch itself when it is all of it).
 */
export function sliceBatch(batch: TransferBatch, from: number, to: number): TransferBatch {
  if (from === 0 && to === batch.count) return batch
  return batchOf(
    to - from,
    (name) => batch[name].subarray(from, to),
    sidesOf([batch], (name) => (batch[name] as AnyColumn).subarray(from, to)),
  )
}

/** A batch with columns of its own. */
export function copyBatch(batch: TransferBatch): TransferBatch {
  return batchOf(
    batch.count,
    (name) => batch[name].slice(),
    sidesOf([batch], (name) => (batch[name] as AnyColumn).slice()),
  )
}

/** One batch holding every transfer of `batches`, in order, in new columns. */
export function joinBatches(batches: readonly TransferBatch[]): TransferBatch {
  const count = batches.reduce((sum, batch) => sum + batch.count, 0)
  const sides = sidesOf(batches, (name) =>
    name === 'channel' ? new Uint8Array(count) : new Uint32Array(count),
  )
  const out = batchOf(
    count,
    (name) => {
      if (name === 'kind' || name === 'flags') return new Uint8Array(count)
      return name === 'id' || name === 'pendingId'
        ? new Float64Array(count)
        : new Uint32Array(count)
    },
    sides,
  )
  let at = 0
  for (const batch of batches) {
    for (const name of columns) out[name].set(batch[name], at)
    for (const name of sideColumns) out[name]?.set(batch[name] as AnyColumn, at)
    at += batch.count
  }
  return out
}

/** Whether `id` is a transfer id a ledger takes: an integer in [0, 2^53). */
export function isTransferId(id: number): boolean {
  return Number.isSafeInteger(id) && id >= 0 && id <= transferIdMax
}

/**
 * Asserts that every id and pending id of `batch` is a transfer id. They travel as doubles, and one
 * that is not an exact integer in range (1.5, -1, 2^53, NaN) would name some other transfer, or
 * none, in a ledger's storage: a caller that makes one has a bug, and the call fails before any of
 * its transfers applies.
 */
export function assertTransferIds(batch: TransferBatch): void {
  const { count, id, pendingId } = batch
  assert(id.length >= count && pendingId.length >= count, 'an id and a pending id per transfer')
  for (let index = 0; index < count; index++) {
    if (isTransferId(id[index] as number) && isTransferId(pendingId[index] as number)) continue
    const field = isTransferId(id[index] as number) ? 'pendingId' : 'id'
    throw new AssertionError(
      `transfer ${index}: ${field} ${String(batch[field][index])} is not an integer in [0, 2^53)`,
    )
  }
}

/**
 * A restriction batch's columns hold `count` rows and its merchant offsets run from 0, never back,
 * to the end of the list: a caller's bug otherwise, failed before anything is sent.
 */
export function assertRestrictionBatch(batch: RestrictionBatch): void {
  const { count, merchantsFrom, merchants } = batch
  const columns = [
    batch.id,
    batch.issuer,
    batch.categories,
    batch.districts,
    batch.minSpendFen,
    batch.validFrom,
    batch.validUntil,
  ]
  assert(
    Number.isInteger(count) && count >= 0 && columns.every((column) => column.length >= count),
    'a value in every column for every restriction',
  )
  assert(
    merchantsFrom.length === count + 1 &&
      merchantsFrom[0] === 0 &&
      merchantsFrom[count] === merchants.length,
    'merchant offsets from 0 to the end of the list',
  )
  for (let index = 0; index < count; index++)
    assert(
      (merchantsFrom[index] as number) <= (merchantsFrom[index + 1] as number),
      'merchant offsets never go back',
    )
}
