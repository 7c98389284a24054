/**
 * The ids a ledger has applied, each with a 32-bit value (a fingerprint of the transfer's body and
 * its state), without one allocation per id.
 *
 * Ids are grouped in blocks of 16 consecutive ids. An open-addressing table (linear probing) maps a
 * block number to a row of 16 values, one cache line:
 *
 *     blockKey[slot] = (id >>> 4) + 1      0 marks an empty slot
 *     rows[slot * 16 + (id & 15)] = value  0 marks an id not held
 *
 * Callers that number transfers densely (every run does) fill whole rows, and the last row found is
 * remembered, so fifteen ids in sixteen cost no probe at all: 6 to 11 bytes per id, with the table
 * between full and just doubled. Scattered ids cost a row each (about 90 bytes per id) and still
 * work. A value is forgotten by writing 0 (a linked chain rolled back); blocks are never removed.
 */
import { assert } from '../../assert.js'

const rowShift = 4
const rowLength = 1 << rowShift
const rowMask = rowLength - 1
/** Grow when blocks exceed this share of the slots. */
const loadMax = 0.75
const capacityMin = 1 << 4

export class IdTable {
  private capacity: number
  private blocks = 0
  private blockKey: Uint32Array
  private rows: Uint32Array
  private lastKey = 0
  private lastRow = 0

  constructor(idsExpected: number) {
    assert(Number.isInteger(idsExpected) && idsExpected >= 0, 'idsExpected is a count')
    this.capacity = capacityMin
    while (this.capacity * loadMax < idsExpected / rowLength) this.capacity *= 2
    this.blockKey = new Uint32Array(this.capacity)
    this.rows = new Uint32Array(this.capacity * rowLength)
  }

  /** The value held for `id`, or 0. */
  get(id: number): number {
    const row = this.findRow(id >>> rowShift)
    return row < 0 ? 0 : (this.rows[row + (id & rowMask)] as number)
  }

  /** Holds `value` (not 0) for `id`; returns the value held before, 0 if none. */
  set(id: number, value: number): number {
    assert(value !== 0, '0 means "not held"')
    let row = this.findRow(id >>> rowShift)
    if (row < 0) row = this.addRow(id >>> rowShift)
    const index = row + (id & rowMask)
    const before = this.rows[index] as number
    this.rows[index] = value
    return before
  }

  /** Forgets `id`, which must be held. */
  forget(id: number): void {
    const row = this.findRow(id >>> rowShift)
    assert(row >= 0 && this.rows[row + (id & rowMask)] !== 0, 'only a held id is forgotten')
    this.rows[row + (id & rowMask)] = 0
  }

  get bytes(): number {
    return this.blockKey.byteLength + this.rows.byteLength
  }

  /** The row's first index in `rows`, or -1 when the block has none. */
  private findRow(block: number): number {
    const key = block + 1
    if (key === this.lastKey) return this.lastRow
    const mask = this.capacity - 1
    for (
      let slot = mix(block) & mask, probes = 0;
      probes < this.capacity;
      slot = (slot + 1) & mask, probes++
    ) {
      const found = this.blockKey[slot] as number
      if (found === key) {
        this.lastKey = key
        this.lastRow = slot << rowShift
        return this.lastRow
      }
      if (found === 0) return -1
    }
    return -1
  }

  private addRow(block: number): number {
    if (this.blocks + 1 > this.capacity * loadMax) this.grow()
    const slot = this.emptySlot(block, this.blockKey, this.capacity)
    this.blockKey[slot] = block + 1
    this.blocks += 1
    this.lastKey = block + 1
    this.lastRow = slot << rowShift
    return this.lastRow
  }

  private emptySlot(block: number, keys: Uint32Array, capacity: number): number {
    const mask = capacity - 1
    let slot = mix(block) & mask
    while (keys[slot] !== 0) slot = (slot + 1) & mask
    return slot
  }

  private grow(): void {
    const capacity = this.capacity * 2
    const blockKey = new Uint32Array(capacity)
    const rows = new Uint32Array(capacity * rowLength)
    for (let slot = 0; slot < this.capacity; slot++) {
      const key = this.blockKey[slot] as number
      if (key === 0) continue
      const to = this.emptySlot(key - 1, blockKey, capacity)
      blockKey[to] = key
      rows.set(this.rows.subarray(slot << rowShift, (slot + 1) << rowShift), to << rowShift)
    }
    this.capacity = capacity
    this.blockKey = blockKey
    this.rows = rows
    this.lastKey = 0
  }
}

/** A 32-bit mix (murmur3's finaliser): neighbouring blocks land far apart. */
export function mix(value: number): number {
  let h = value | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85eb_ca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2_ae35)
  h ^= h >>> 16
  return h >>> 0
}
