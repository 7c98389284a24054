/**
 * Transfer batches cut and joined column by column: a slice as views, copies, and several batches
 * as one. Used by the load stream (the sender's calls cut across ticks) and the bench.
 */
import type { TransferBatch } from './ledgerCore.js'

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

/** A batch of `count` transfers whose every column is `make(name)`. */
function batchOf(count: number, make: (name: Column) => Uint32Array | Uint8Array): TransferBatch {
  return {
    count,
    ...Object.fromEntries(columns.map((name) => [name, make(name)])),
  } as unknown as TransferBatch
}

/**
 * Transfers [from, to) of `batch`, as views on its columns (the batch itself when it is all of it).
 */
export function sliceBatch(batch: TransferBatch, from: number, to: number): TransferBatch {
  if (from === 0 && to === batch.count) return batch
  return batchOf(to - from, (name) => batch[name].subarray(from, to))
}

/** A batch with columns of its own. */
export function copyBatch(batch: TransferBatch): TransferBatch {
  return batchOf(batch.count, (name) => batch[name].slice())
}

/** One batch holding every transfer of `batches`, in order, in new columns. */
export function joinBatches(batches: readonly TransferBatch[]): TransferBatch {
  const count = batches.reduce((sum, batch) => sum + batch.count, 0)
  const out = batchOf(count, (name) =>
    name === 'kind' || name === 'flags' ? new Uint8Array(count) : new Uint32Array(count),
  )
  let at = 0
  for (const batch of batches) {
    for (const name of columns) out[name].set(batch[name], at)
    at += batch.count
  }
  return out
}
