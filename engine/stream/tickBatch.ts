/**
 * Transfers in the order the ledger will see them (a tick's segments 0..63, each its own intents
 * then those deferred to the tick; the opening; an evening's institutional steps), gathered into
 * reusable columns before they go to the ledger. It is also the sink institutional transfers are
 * written into.
 */
import { assert } from '../assert.js'
import { grown } from '../grown.js'
import type { PackedDeferred, PackedIntents } from '../behaviour/index.js'
import { TransferFlag, type TransferBatch } from '../ledger/index.js'
import { institutionChannel } from '../ledger/channel.js'
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
  private flags: Uint8Array
  private pendingId: Float64Array
  private timeoutMinutes: Uint32Array
  private channel: Uint8Array
  private detail: Uint32Array
  private heldFen: Uint32Array
  /** Positions whose transfer has an id of its own (a pending transfer's), ascending; their ids. */
  private readonly presetAt: number[] = []
  private readonly presetId: number[] = []

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity)
    this.id = new Float64Array(this.capacity)
    this.debit = new Uint32Array(this.capacity)
    this.credit = new Uint32Array(this.capacity)
    this.amountFen = new Uint32Array(this.capacity)
    this.kind = new Uint8Array(this.capacity)
    this.minute = new Uint32Array(this.capacity)
    this.flags = new Uint8Array(this.capacity)
    this.pendingId = new Float64Array(this.capacity)
    this.timeoutMinutes = new Uint32Array(this.capacity)
    this.channel = new Uint8Array(this.capacity)
    this.detail = new Uint32Array(this.capacity)
    this.heldFen = new Uint32Array(this.capacity)
  }

  /** Empties the batch for reuse (the evening's slices): only plain transfers are pushed again. */
  reset(): void {
    this.flags.fill(0, 0, this.count)
    this.pendingId.fill(0, 0, this.count)
    this.timeoutMinutes.fill(0, 0, this.count)
    this.heldFen.fill(0, 0, this.count)
    this.channel.fill(0, 0, this.count)
    this.detail.fill(0, 0, this.count)
    this.presetAt.length = 0
    this.presetId.length = 0
    this.count = 0
  }

  /** Intents [start, end) of a segment's chunk, with their specials. */
  appendIntents(intents: PackedIntents, start: number, end: number): void {
    assert(start <= end && end <= intents.count, 'a slice within the chunk')
    const length = end - start
    this.reserve(length)
    const base = this.count
    this.debit.set(intents.debit.subarray(start, end), base)
    this.credit.set(intents.credit.subarray(start, end), base)
    this.amountFen.set(intents.amountFen.subarray(start, end), base)
    this.kind.set(intents.kind.subarray(start, end), base)
    this.channel.set(intents.channel.subarray(start, end), base)
    // The tick's own intents have no detail: only deferred ones (a metro ride's fare) carry one.
    this.detail.fill(0, base, base + length)
    const specials = intents.specials
    for (let at = lowerBound(specials.at, specials.count, start); at < specials.count; at++) {
      const index = specials.at[at] as number
      if (index >= end) break
      const position = base + index - start
      this.flags[position] = specials.flags[at] as number
      this.pendingId[position] = specials.pendingId[at] as number
      this.timeoutMinutes[position] = specials.timeoutMinutes[at] as number
      this.heldFen[position] = specials.heldFen[at] as number
      this.preset(position, specials.id[at] as number)
    }
    this.count += length
  }

  /** Deferred intent `at`, made in an earlier chunk for this tick. */
  appendDeferred(deferred: PackedDeferred, at: number): void {
    this.reserve(1)
    const position = this.count++
    this.debit[position] = deferred.debit[at] as number
    this.credit[position] = deferred.credit[at] as number
    this.amountFen[position] = deferred.amountFen[at] as number
    this.kind[position] = deferred.kind[at] as number
    this.channel[position] = deferred.channel[at] as number
    this.detail[position] = deferred.detail[at] as number
    this.flags[position] = deferred.flags[at] as number
    this.pendingId[position] = deferred.pendingId[at] as number
    this.timeoutMinutes[position] = deferred.timeoutMinutes[at] as number
    this.heldFen[position] = deferred.heldFen[at] as number
    this.preset(position, deferred.id[at] as number)
  }

  push(debit: number, credit: number, amountFen: number, kind: number): void {
    this.reserve(1)
    const index = this.count++
    this.debit[index] = debit
    this.credit[index] = credit
    this.amountFen[index] = amountFen
    this.kind[index] = kind
    this.channel[index] = institutionChannel
  }

  /** Whether the transfer at `index` is linked to the next: a call must not end after it. */
  linked(index: number): boolean {
    return ((this.flags[index] as number) & TransferFlag.linked) !== 0
  }

  /**
   * Where a call that would end at `to` (after `from`) should end so that it cuts no linked
   * chain: at `to`, or back at the start of the chain `to` would cut, or, when that chain starts at
   * `from`, on at its end.
   */
  chainSafeEnd(from: number, to: number): number {
    if (to >= this.count || !this.linked(to - 1)) return to
    let start = to - 1
    while (start > from && this.linked(start - 1)) start -= 1
    if (start > from) return start
    let end = to
    while (end < this.count && this.linked(end - 1)) end += 1
    return end
  }

  /**
   * Stamps ids (from `firstId`, in order, except where a transfer has its own) and the tick's
   * minute; returns views of [start, end).
   */
  seal(firstId: number, minute: number, start: number, end: number): TransferBatch {
    assert(start <= end && end <= this.count, 'a slice within the batch')
    for (let index = start; index < end; index++) this.id[index] = firstId + (index - start)
    for (let at = lowerBound(this.presetAt, this.presetAt.length, start); ; at++) {
      const position = this.presetAt[at]
      if (position === undefined || position >= end) break
      this.id[position] = this.presetId[at] as number
    }
    this.minute.fill(minute, start, end)
    return {
      count: end - start,
      id: this.id.subarray(start, end),
      debit: this.debit.subarray(start, end),
      credit: this.credit.subarray(start, end),
      amountFen: this.amountFen.subarray(start, end),
      kind: this.kind.subarray(start, end),
      flags: this.flags.subarray(start, end),
      pendingId: this.pendingId.subarray(start, end),
      timeoutMinutes: this.timeoutMinutes.subarray(start, end),
      minute: this.minute.subarray(start, end),
      channel: this.channel.subarray(start, end),
      detail: this.detail.subarray(start, end),
      heldFen: this.heldFen.subarray(start, end),
    }
  }

  private preset(position: number, id: number): void {
    if (id < 0) return
    this.presetAt.push(position)
    this.presetId.push(id)
  }

  private reserve(more: number): void {
    const needed = this.count + more
    if (needed <= this.capacity) return
    while (this.capacity < needed) this.capacity *= 2
    const used = this.count
    this.id = grown(this.id, this.capacity, used)
    this.debit = grown(this.debit, this.capacity, used)
    this.credit = grown(this.credit, this.capacity, used)
    this.amountFen = grown(this.amountFen, this.capacity, used)
    this.minute = grown(this.minute, this.capacity, used)
    this.kind = grown(this.kind, this.capacity, used)
    this.flags = grown(this.flags, this.capacity, used)
    this.pendingId = grown(this.pendingId, this.capacity, used)
    this.timeoutMinutes = grown(this.timeoutMinutes, this.capacity, used)
    this.channel = grown(this.channel, this.capacity, used)
    this.detail = grown(this.detail, this.capacity, used)
    this.heldFen = grown(this.heldFen, this.capacity, used)
  }
}

/** The first index below `length` whose value is at least `value` (`values` ascending). */
function lowerBound(values: ArrayLike<number>, length: number, value: number): number {
  let low = 0
  let high = length
  while (low < high) {
    const middle = (low + high) >> 1
    if ((values[middle] as number) < value) low = middle + 1
    else high = middle
  }
  return low
}
