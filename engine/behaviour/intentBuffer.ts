/**
 * Payment intents of one segment over one chunk of ticks, as growable columns, packed into one
 * ArrayBuffer to cross the thread boundary without a copy.
 *
 * Three parts:
 *   intents    every intent of the chunk, tick by tick: debit, credit, amount, kind, and a column
 *              the ledger never sees: the channel byte (how it was paid: engine/ledger/channel.ts)
 *   specials   the few intents that are not plain transfers, by their index among the intents: their
 *              flags (linked, pending, post, void), an id of their own (a pending transfer's, so that
 *              a later post can name it), the pending id they settle, a timeout, and the amount the
 *              pending they settle reserved (for the counters)
 *   deferred   intents for a later tick than this chunk's own: a post or void settling a pending made
 *              now (a parking exit, a parcel delivered), a metro ride's fare at its tap-out, a
 *              visitor's purchase, whole, with the tick they go in and a detail (for a metro ride,
 *              its stations and line)
 *
 * tickEnd[t] is one past the last intent of tick t: intents of a tick are contiguous. Deferred
 * intents are in the order made; the stream files them under their ticks.
 */
import { assert } from '../assert.js'
import { grown } from '../grown.js'
import { TransferFlag } from '../ledger/ledgerCore.js'

/** How a column is stored. */
type Column = Uint8Array | Uint16Array | Uint32Array | Float64Array

/** The fields of an intent beyond a plain transfer's. */
export interface SpecialFields {
  /** TransferFlag bits. */
  readonly flags: number
  /** An id of its own (below 2^53), or -1 to take the next of the run's sequence. */
  readonly id: number
  /** For a post or void: the pending transfer's id; otherwise 0. */
  readonly pendingId: number
  /** For a pending transfer: simulated minutes until it expires (0: never). */
  readonly timeoutMinutes: number
  /** For a post or void: what the pending transfer reserved, fen. */
  readonly heldFen: number
}

/** The special fields as columns. */
export interface SpecialColumns {
  readonly flags: Uint8Array
  readonly id: Float64Array
  readonly pendingId: Float64Array
  readonly timeoutMinutes: Uint32Array
  readonly heldFen: Uint32Array
}

export interface PackedSpecials extends SpecialColumns {
  readonly count: number
  /** Index of each special among the intents, ascending. */
  readonly at: Uint32Array
}

/** Intents made now for a later tick: whole, with their tick. */
export interface PackedDeferred extends SpecialColumns {
  readonly count: number
  /** The tick of the period each goes in. */
  readonly tick: Uint32Array
  readonly debit: Uint32Array
  readonly credit: Uint32Array
  readonly amountFen: Uint32Array
  readonly kind: Uint8Array
  readonly channel: Uint8Array
  readonly detail: Uint32Array
}

export interface PackedIntents {
  readonly count: number
  readonly ticks: number
  readonly tickEnd: Uint32Array
  readonly debit: Uint32Array
  readonly credit: Uint32Array
  readonly amountFen: Uint32Array
  readonly kind: Uint8Array
  readonly channel: Uint8Array
  readonly specials: PackedSpecials
  readonly deferred: PackedDeferred
}

/** The plain fields of a deferred transfer. */
export interface DeferredTransfer {
  readonly debit: number
  readonly credit: number
  readonly amountFen: number
  readonly kind: number
  readonly channel: number
  readonly detail: number
}

/** Intents a buffer holds before its first growth; growth doubles. */
const initialCapacity = 4096
const recordCapacity = 64

const intentColumns = ['debit', 'credit', 'amountFen', 'kind', 'channel'] as const
const specialColumns = ['at', 'flags', 'id', 'pendingId', 'timeoutMinutes', 'heldFen'] as const
const deferredColumns = [
  'tick',
  'debit',
  'credit',
  'amountFen',
  'kind',
  'channel',
  'detail',
  'flags',
  'id',
  'pendingId',
  'timeoutMinutes',
  'heldFen',
] as const
type ColumnName = (typeof deferredColumns)[number] | (typeof intentColumns)[number] | 'at'

const columnType: Record<ColumnName, new (length: number) => Column> = {
  tick: Uint32Array,
  at: Uint32Array,
  debit: Uint32Array,
  credit: Uint32Array,
  amountFen: Uint32Array,
  kind: Uint8Array,
  channel: Uint8Array,
  detail: Uint32Array,
  flags: Uint8Array,
  id: Float64Array,
  pendingId: Float64Array,
  timeoutMinutes: Uint32Array,
  heldFen: Uint32Array,
}

/** Growable columns of one record type. */
class Records {
  count = 0
  readonly columns: Record<string, Column> = {}
  private capacity: number

  constructor(
    private readonly names: readonly ColumnName[],
    capacity: number,
  ) {
    this.capacity = Math.max(1, capacity)
    for (const name of names) this.columns[name] = new columnType[name](this.capacity)
  }

  /** Room for one more record; its index. */
  add(): number {
    if (this.count === this.capacity) {
      this.capacity *= 2
      for (const name of this.names) {
        this.columns[name] = grown(this.columns[name] as Column, this.capacity, this.count)
      }
    }
    return this.count++
  }

  set(name: ColumnName, index: number, value: number): void {
    ;(this.columns[name] as Column)[index] = value
  }
}

function checkPlain(debit: number, credit: number, amountFen: number): void {
  assert(debit !== credit, 'a transfer moves money between two accounts')
  assert(
    Number.isInteger(amountFen) && amountFen >= 0 && amountFen <= 0xffff_ffff,
    'amounts are whole fen',
  )
}

function checkSpecial(amountFen: number, special: SpecialFields): void {
  const settles = (special.flags & (TransferFlag.postPending | TransferFlag.voidPending)) !== 0
  // A post or void may carry 0 (void); anything else moves at least a fen.
  assert(settles || amountFen > 0, 'amounts are positive')
  assert(!settles || special.pendingId >= 0, 'a settling intent names its pending transfer')
}

export class IntentBuffer {
  count = 0
  private capacity: number
  debit: Uint32Array
  credit: Uint32Array
  amountFen: Uint32Array
  kind: Uint8Array
  channel: Uint8Array
  private readonly specials = new Records(specialColumns, recordCapacity)
  private readonly deferred = new Records(deferredColumns, recordCapacity)
  private readonly tickEnd: Uint32Array
  private ticksClosed = 0
  /** The last intent pushed is linked to the next: a chain is open. */
  private chainOpen = false
  /** The tick of the last deferred intent when it is linked to the next, else -1. */
  private deferredChainTick = -1

  constructor(
    private readonly ticks: number,
    expected = initialCapacity,
  ) {
    this.capacity = Math.max(initialCapacity, expected)
    this.debit = new Uint32Array(this.capacity)
    this.credit = new Uint32Array(this.capacity)
    this.amountFen = new Uint32Array(this.capacity)
    this.kind = new Uint8Array(this.capacity)
    this.channel = new Uint8Array(this.capacity)
    this.tickEnd = new Uint32Array(ticks)
  }

  /** A plain transfer. */
  push(debit: number, credit: number, amountFen: number, kind: number, channel = 0) {
    checkPlain(debit, credit, amountFen)
    assert(amountFen > 0, 'amounts are positive')
    this.chainOpen = false
    this.write(debit, credit, amountFen, kind, channel)
  }

  /** A linked, pending, post or void transfer in this tick. */
  pushSpecial(
    debit: number,
    credit: number,
    amountFen: number,
    kind: number,
    channel: number,
    special: SpecialFields,
  ): void {
    checkPlain(debit, credit, amountFen)
    checkSpecial(amountFen, special)
    this.chainOpen = (special.flags & TransferFlag.linked) !== 0
    const at = this.write(debit, credit, amountFen, kind, channel)
    const index = this.specials.add()
    this.specials.set('at', index, at)
    this.writeSpecial(this.specials, index, special)
  }

  /** A transfer for a later tick of the period (`tick`, counted from the period's start). */
  defer(tick: number, transfer: DeferredTransfer, special: SpecialFields): void {
    checkPlain(transfer.debit, transfer.credit, transfer.amountFen)
    checkSpecial(transfer.amountFen, special)
    assert(
      this.deferredChainTick < 0 || this.deferredChainTick === tick,
      'a linked chain goes in one tick',
    )
    this.deferredChainTick = (special.flags & TransferFlag.linked) !== 0 ? tick : -1
    const records = this.deferred
    const index = records.add()
    records.set('tick', index, tick)
    records.set('debit', index, transfer.debit)
    records.set('credit', index, transfer.credit)
    records.set('amountFen', index, transfer.amountFen)
    records.set('kind', index, transfer.kind)
    records.set('channel', index, transfer.channel)
    records.set('detail', index, transfer.detail)
    this.writeSpecial(records, index, special)
  }

  /** Marks the end of the current tick's intents. */
  closeTick(): void {
    assert(this.ticksClosed < this.ticks, 'no more ticks than planned')
    assert(!this.chainOpen, 'a linked chain ends within its tick')
    this.tickEnd[this.ticksClosed++] = this.count
  }

  pack(): ArrayBuffer {
    assert(this.ticksClosed === this.ticks, 'every tick is closed before packing')
    assert(this.deferredChainTick < 0, 'every deferred chain is closed')
    const n = this.count
    const header = [n, this.ticks, this.specials.count, this.deferred.count]
    const parts: Column[] = [Uint32Array.from(header), this.tickEnd]
    for (const name of intentColumns) parts.push(this[name].subarray(0, n))
    const add = (records: Records, names: readonly ColumnName[]) => {
      for (const name of names) parts.push(records.columns[name]!.subarray(0, records.count))
    }
    add(this.specials, specialColumns)
    add(this.deferred, deferredColumns)
    let bytes = 0
    for (const part of parts) bytes = aligned(bytes) + part.byteLength
    const buffer = new ArrayBuffer(aligned(bytes))
    let offset = 0
    for (const part of parts) {
      offset = aligned(offset)
      new (part.constructor as new (b: ArrayBuffer, o: number, n: number) => Column)(
        buffer,
        offset,
        part.length,
      ).set(part)
      offset += part.byteLength
    }
    return buffer
  }

  private write(
    debit: number,
    credit: number,
    amountFen: number,
    kind: number,
    channel: number,
  ): number {
    if (this.count === this.capacity) this.grow()
    const index = this.count++
    this.debit[index] = debit
    this.credit[index] = credit
    this.amountFen[index] = amountFen
    this.kind[index] = kind
    this.channel[index] = channel
    return index
  }

  private grow(): void {
    this.capacity *= 2
    for (const name of intentColumns) {
      const column = grown(this[name], this.capacity, this.count)
      ;(this as unknown as Record<string, Column>)[name] = column
    }
  }

  private writeSpecial(records: Records, index: number, special: SpecialFields): void {
    records.set('flags', index, special.flags)
    records.set('id', index, special.id)
    records.set('pendingId', index, special.pendingId)
    records.set('timeoutMinutes', index, special.timeoutMinutes)
    records.set('heldFen', index, special.heldFen)
  }
}

/** Columns start on 8-byte boundaries, so a Float64Array view of any of them is valid. */
function aligned(offset: number): number {
  return Math.ceil(offset / 8) * 8
}

/** Reads the columns of a packed buffer, in the order `pack` wrote them. */
class Reader {
  private offset = 0
  constructor(private readonly buffer: ArrayBuffer) {}

  read<T extends Column>(type: new (b: ArrayBuffer, o: number, n: number) => T, length: number): T {
    this.offset = aligned(this.offset)
    const column = new type(this.buffer, this.offset, length)
    this.offset += column.byteLength
    return column
  }

  get end(): number {
    return aligned(this.offset)
  }
}

export function unpackIntents(buffer: ArrayBuffer): PackedIntents {
  const reader = new Reader(buffer)
  const header = reader.read(Uint32Array, 4)
  const [count, ticks, specialCount, deferredCount] = header as unknown as number[]
  const tickEnd = reader.read(Uint32Array, ticks as number)
  const take = (names: readonly ColumnName[], length: number) => {
    const out: Record<string, Column> = {}
    for (const name of names) out[name] = reader.read(columnType[name] as never, length)
    return out
  }
  const intents = take(intentColumns, count as number)
  const specials = take(specialColumns, specialCount as number)
  const deferred = take(deferredColumns, deferredCount as number)
  assert(reader.end === buffer.byteLength, 'the packed intents fill their buffer exactly')
  return {
    count: count as number,
    ticks: ticks as number,
    tickEnd,
    ...(intents as unknown as Pick<PackedIntents, (typeof intentColumns)[number]>),
    specials: { count: specialCount as number, ...specials } as unknown as PackedSpecials,
    deferred: { count: deferredCount as number, ...deferred } as unknown as PackedDeferred,
  }
}
