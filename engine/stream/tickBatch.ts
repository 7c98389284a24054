/**
 * Transfers in the order the ledger will see them (a tick's segments 0..63; the opening; an
 * evening's institutional steps), gathered into reusable columns before they go to the ledger.
 * It is also the sink institutional transfers are written into.
 */
import { assert } from '../assert.js'
import { grown } from '../grown.js'
import type { PackedIntents } from '../behaviour/index.js'
import type { TransferBatch } from '../ledger/index.js'
import type { TransferSink } from '../behaviour/institutions.js'

export class TickBatch implements TransferSink {
  count = 0
  private capacity: number
  /** Transfer ids, integers below 2^53 (ledgerCore.ts). */
  private id: Float64Array
  private debit: Uint32Array
  private credit: Uint32Array
  private amountFen: Uint32Array
  private kind: Uint8Array
  private minute: Uint32Array
  /**
   * The city's payments are plain transfers: no flags, no pending id, no timeout. Never written.
   */
  private zeros8: Uint8Array
  private zeros32: Uint32Array
  private zeros64: Float64Array

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity)
    this.id = new Float64Array(this.capacity)
    this.debit = new Uint32Array(this.capacity)
    this.credit = new Uint32Array(this.capacity)
    this.amountFen = new Uint32Array(this.capacity)
    this.kind = new Uint8Array(this.capacity)
    this.minute = new Uint32Array(this.capacity)
    this.zeros8 = new Uint8Array(this.capacity)
    this.zeros32 = new Uint32Array(this.capacity)
    this.zeros64 = new Float64Array(this.capacity)
  }

  reset(): void {
    this.count = 0
  }

  appendIntents(intents: PackedIntents, start: number, end: number): void {
    assert(start <= end && end <= intents.count, 'a slice within the chunk')
    const length = end - start
    this.reserve(length)
    this.debit.set(intents.debit.subarray(start, end), this.count)
    this.credit.set(intents.credit.subarray(start, end), this.count)
    this.amountFen.set(intents.amountFen.subarray(start, end), this.count)
    this.kind.set(intents.kind.subarray(start, end), this.count)
    this.count += length
  }

  push(debit: number, credit: number, amountFen: number, kind: number): void {
    this.reserve(1)
    const index = this.count++
    this.debit[index] = debit
    this.credit[index] = credit
    this.amountFen[index] = amountFen
    this.kind[index] = kind
  }

  /** Stamps ids (from `firstId`, in order) and the tick's minute; returns views of [start, end). */
  seal(firstId: number, minute: number, start: number, end: number): TransferBatch {
    assert(start <= end && end <= this.count, 'a slice within the batch')
    for (let index = start; index < end; index++) this.id[index] = firstId + (index - start)
    this.minute.fill(minute, start, end)
    return {
      count: end - start,
      id: this.id.subarray(start, end),
      debit: this.debit.subarray(start, end),
      credit: this.credit.subarray(start, end),
      amountFen: this.amountFen.subarray(start, end),
      kind: this.kind.subarray(start, end),
      flags: this.zeros8.subarray(start, end),
      pendingId: this.zeros64.subarray(start, end),
      timeoutMinutes: this.zeros32.subarray(start, end),
      minute: this.minute.subarray(start, end),
    }
  }

  private reserve(more: number): void {
    const needed = this.count + more
    if (needed <= this.capacity) return
    while (this.capacity < needed) this.capacity *= 2
    this.id = grown(this.id, this.capacity, this.count)
    this.debit = grown(this.debit, this.capacity, this.count)
    this.credit = grown(this.credit, this.capacity, this.count)
    this.amountFen = grown(this.amountFen, this.capacity, this.count)
    this.minute = grown(this.minute, this.capacity, this.count)
    this.kind = grown(this.kind, this.capacity, this.count)
    this.zeros8 = new Uint8Array(this.capacity)
    this.zeros32 = new Uint32Array(this.capacity)
    this.zeros64 = new Float64Array(this.capacity)
  }
}
