/**
 * Payment intents of one segment over one chunk of ticks, as growable columns, packed into one
 * ArrayBuffer to cross the thread boundary without a copy.
 *
 * packed layout (little-endian, 4-byte aligned): [count u32][ticks u32][tickEnd u32 × ticks][debit
 * u32 × n][credit u32 × n][amountFen u32 × n][kind u8 × n] tickEnd[t] is one past the last intent
 * of tick t: intents of a tick are contiguous.
 */
import { assert } from '../assert.js'
import { grown } from '../grown.js'

export interface PackedIntents {
  readonly count: number
  readonly ticks: number
  readonly tickEnd: Uint32Array
  readonly debit: Uint32Array
  readonly credit: Uint32Array
  readonly amountFen: Uint32Array
  readonly kind: Uint8Array
}

/** Intents a buffer holds before its first growth; growth doubles. */
const initialCapacity = 4096

export class IntentBuffer {
  count = 0
  private capacity: number
  debit: Uint32Array
  credit: Uint32Array
  amountFen: Uint32Array
  kind: Uint8Array
  private readonly tickEnd: Uint32Array
  private ticksClosed = 0

  constructor(
    private readonly ticks: number,
    expected = initialCapacity,
  ) {
    this.capacity = Math.max(initialCapacity, expected)
    this.debit = new Uint32Array(this.capacity)
    this.credit = new Uint32Array(this.capacity)
    this.amountFen = new Uint32Array(this.capacity)
    this.kind = new Uint8Array(this.capacity)
    this.tickEnd = new Uint32Array(ticks)
  }

  push(debit: number, credit: number, amountFen: number, kind: number): void {
    assert(debit !== credit, 'a transfer moves money between two accounts')
    assert(Number.isInteger(amountFen) && amountFen > 0, 'amounts are whole fen and positive')
    if (this.count === this.capacity) this.grow()
    const index = this.count++
    this.debit[index] = debit
    this.credit[index] = credit
    this.amountFen[index] = amountFen
    this.kind[index] = kind
  }

  /** Marks the end of the current tick's intents. */
  closeTick(): void {
    assert(this.ticksClosed < this.ticks, 'no more ticks than planned')
    this.tickEnd[this.ticksClosed++] = this.count
  }

  pack(): ArrayBuffer {
    assert(this.ticksClosed === this.ticks, 'every tick is closed before packing')
    const n = this.count
    const words = 2 + this.ticks + 3 * n
    const buffer = new ArrayBuffer(words * 4 + n)
    const header = new Uint32Array(buffer, 0, 2 + this.ticks)
    header[0] = n
    header[1] = this.ticks
    header.set(this.tickEnd, 2)
    let offset = (2 + this.ticks) * 4
    for (const column of [this.debit, this.credit, this.amountFen]) {
      new Uint32Array(buffer, offset, n).set(column.subarray(0, n))
      offset += n * 4
    }
    new Uint8Array(buffer, offset, n).set(this.kind.subarray(0, n))
    return buffer
  }

  private grow(): void {
    this.capacity *= 2
    this.debit = grown(this.debit, this.capacity, this.count)
    this.credit = grown(this.credit, this.capacity, this.count)
    this.amountFen = grown(this.amountFen, this.capacity, this.count)
    this.kind = grown(this.kind, this.capacity, this.count)
  }
}

export function unpackIntents(buffer: ArrayBuffer): PackedIntents {
  const header = new Uint32Array(buffer, 0, 2)
  const count = header[0] as number
  const ticks = header[1] as number
  let offset = 8
  const tickEnd = new Uint32Array(buffer, offset, ticks)
  offset += ticks * 4
  const debit = new Uint32Array(buffer, offset, count)
  offset += count * 4
  const credit = new Uint32Array(buffer, offset, count)
  offset += count * 4
  const amountFen = new Uint32Array(buffer, offset, count)
  offset += count * 4
  const kind = new Uint8Array(buffer, offset, count)
  assert(offset + count === buffer.byteLength, 'the packed intents fill their buffer exactly')
  return { count, ticks, tickEnd, debit, credit, amountFen, kind }
}
