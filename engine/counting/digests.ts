/**
 * What a run's digest covers. Flat out, the stream and its outcomes are reproducible: every call
 * (the opening, the ticks, the evenings) is hashed with its ids and result codes, in the order
 * sent. Under load, results and the evenings depend on timing: only the payments as sent are
 * hashed, column by column so that how timing cut them into calls does not matter, ids left out
 * (the evenings take theirs from the same sequence when they run, which timing decides).
 */
import { createHash, type Hash } from 'node:crypto'
import type { TransferBatch } from '../ledger/index.js'

/** Who sent a call: the city's payments, or the institutions (the opening, the evenings). */
export type CallRole = 'payments' | 'institutions'

export interface RunDigest {
  /** A call went to the ledger. */
  sent(batch: TransferBatch, role: CallRole): void
  /** A call's results were counted (in the order the calls were sent). */
  counted(batch: TransferBatch, code: Uint8Array): void
  /** The digest, hex; once. */
  hex(): string
}

function bytes(column: ArrayBufferView): Uint8Array {
  return new Uint8Array(column.buffer, column.byteOffset, column.byteLength)
}

/** Flat out: every call with its ids and results, in order. */
export class OutcomeDigest implements RunDigest {
  private readonly hash = createHash('sha256')

  sent(): void {}

  counted(batch: TransferBatch, code: Uint8Array): void {
    for (const column of [
      batch.id,
      batch.debit,
      batch.credit,
      batch.amountFen,
      batch.minute,
      batch.kind,
      batch.flags,
      batch.pendingId,
      code,
    ]) {
      this.hash.update(bytes(column))
    }
  }

  hex(): string {
    return this.hash.digest('hex')
  }
}

/** Under load: the payments as sent, one running hash per column, hashed together at the end. */
export class SentPaymentsDigest implements RunDigest {
  private readonly columns = [
    'debit',
    'credit',
    'amountFen',
    'minute',
    'kind',
    'flags',
    'pendingId',
  ] as const
  private readonly hashes = this.columns.map(() => createHash('sha256'))

  sent(batch: TransferBatch, role: CallRole): void {
    if (role !== 'payments') return
    this.columns.forEach((name, index) => (this.hashes[index] as Hash).update(bytes(batch[name])))
  }

  counted(): void {}

  hex(): string {
    const digest = createHash('sha256')
    for (const hash of this.hashes) digest.update(hash.digest())
    return digest.digest('hex')
  }
}
