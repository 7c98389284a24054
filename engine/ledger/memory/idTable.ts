/**
 * The ids a ledger has applied, each with a 32-bit value (a fingerprint of the transfer's body and
 * its state), without one allocation per id. Ids are transfer ids: exact integers below 2^53.
 *
 * Ids are grouped in blocks of 16 consecutive ids, and each block has a row of 16 values (one cache
 * line). Rows are handed out in the order blocks first appear, in pages of 4096 rows that never
 * move; an open-addressing table (linear probing) maps a block number, up to 49 bits, to its row:
 *
 *     block             = floor(id / 16)       exact: a power-of-two division of an exact integer
 *     blockKey[slot]    = block + 1            float64, exact below 2^53; 0 marks an empty slot
 *     rowOf[slot]       = row                  the block's row, in order of first appearance
 *     pages[row >> 12][(row & 4095) * 16 + (id & 15)] = value      0 marks an id not held
 *
 * The home slot hashes both 32-bit halves of the block (mixWide), so ids that differ only above
 * bit 32 land apart, and the whole key is compared, so they never share a row. When the table
 * grows, only the 12 bytes of each slot move, never the rows.
 *
 * Callers that number transfers densely (every run does) fill whole rows, one after another, and
 * the last row found is remembered, so fifteen ids in sixteen cost no probe at all: about 5 to 6
 * bytes per id (4 of them the values). Scattered ids cost a row each (about 80 bytes per id) and
 * still work. A value is forgotten by writing 0 (a linked chain rolled back); blocks are never
 * removed.
 */
import { assert } from '../../assert.js'

const rowShift = 4
const rowLength = 1 << rowShift
const rowMask = rowLength - 1
const pageShift = 12
const pageRows = 1 << pageShift
const pageRowMask = pageRows - 1
/** Grow when blocks exceed this share of the slots. */
const loadMax = 0.75
const capacityMin = 1 << 4
/**
 * Most slots: about 3.2 billion densely numbered ids (some 18 GB); a ledger asked to hold more
 * fails with a message that says so, rather than a RangeError.
 */
const capacityMax = 2 ** 28
/** Most transfer ids the table holds, densely numbered: a run's bound on the memory ledger. */
export const idTableIdsMax = capacityMax * loadMax * rowLength
/** 2^32, to split a block number into its two 32-bit halves. */
const wordSpan = 0x1_0000_0000

export class IdTable {
  private capacity: number
  private blocks = 0
  private blockKey: Float64Array
  private rowOf: Uint32Array
  private readonly pages: Uint32Array[] = []
  /** The last block found (its key, 0 for none), its page and the index of its row there. */
  private lastKey = 0
  private lastPage: Uint32Array = new Uint32Array(0)
  private lastIndex = 0

  constructor(idsExpected: number) {
    assert(Number.isInteger(idsExpected) && idsExpected >= 0, 'idsExpected is a count')
    this.capacity = capacityMin
    // A hint past what the table can hold sizes it to the most; it fails only if that fills.
    while (this.capacity < capacityMax && this.capacity * loadMax < idsExpected / rowLength)
      this.capacity *= 2
    this.blockKey = new Float64Array(this.capacity)
    this.rowOf = new Uint32Array(this.capacity)
  }

  /** The value held for `id`, or 0. */
  get(id: number): number {
    // `& rowMask` takes the low bits of the id's low 32-bit word: the low 4 bits of the id.
    return this.find(blockOf(id)) ? (this.lastPage[this.lastIndex + (id & rowMask)] as number) : 0
  }

  /** Holds `value` (not 0) for `id`; returns the value held before, 0 if none. */
  set(id: number, value: number): number {
    assert(value !== 0, '0 means "not held"')
    const block = blockOf(id)
    if (!this.find(block)) this.addRow(block)
    const page = this.lastPage
    const index = this.lastIndex + (id & rowMask)
    const before = page[index] as number
    page[index] = value
    return before
  }

  /** Forgets `id`, which must be held. */
  forget(id: number): void {
    const found = this.find(blockOf(id))
    const index = this.lastIndex + (id & rowMask)
    assert(found && this.lastPage[index] !== 0, 'only a held id is forgotten')
    this.lastPage[index] = 0
  }

  get bytes(): number {
    return (
      this.blockKey.byteLength +
      this.rowOf.byteLength +
      this.pages.reduce((sum, page) => sum + page.byteLength, 0)
    )
  }

  /** Slots of the block table (for tests of its growth). */
  get slots(): number {
    return this.capacity
  }

  /** Whether the block has a row; if so, it is the one remembered (lastPage, lastIndex). */
  private find(block: number): boolean {
    const key = block + 1
    if (key === this.lastKey) return true
    const mask = this.capacity - 1
    for (
      let slot = mixWide(block) & mask, probes = 0;
      probes < this.capacity;
      slot = (slot + 1) & mask, probes++
    ) {
      const found = this.blockKey[slot] as number
      if (found === key) {
        this.remember(key, this.rowOf[slot] as number)
        return true
      }
      if (found === 0) return false
    }
    return false
  }

  private remember(key: number, row: number): void {
    this.lastKey = key
    this.lastPage = this.pages[row >>> pageShift] as Uint32Array
    this.lastIndex = (row & pageRowMask) << rowShift
  }

  /** Gives the block the next row and remembers it. */
  private addRow(block: number): void {
    assert(
      Number.isSafeInteger(block) && block >= 0,
      'a transfer id is an integer in [0, 2^53), so its block is too',
    )
    if (this.blocks + 1 > this.capacity * loadMax) this.grow()
    const row = this.blocks
    if ((row & pageRowMask) === 0) this.pages.push(new Uint32Array(pageRows * rowLength))
    const slot = emptySlot(block, this.blockKey, this.capacity)
    this.blockKey[slot] = block + 1
    this.rowOf[slot] = row
    this.blocks += 1
    this.remember(block + 1, row)
  }

  /** Doubles the block table; the rows stay where they are. */
  private grow(): void {
    assert(
      this.capacity < capacityMax,
      `the memory ledger holds at most ${capacityMax * loadMax * rowLength} transfer ids`,
    )
    const capacity = this.capacity * 2
    const blockKey = new Float64Array(capacity)
    const rowOf = new Uint32Array(capacity)
    for (let slot = 0; slot < this.capacity; slot++) {
      const key = this.blockKey[slot] as number
      if (key === 0) continue
      const to = emptySlot(key - 1, blockKey, capacity)
      blockKey[to] = key
      rowOf[to] = this.rowOf[slot] as number
    }
    this.capacity = capacity
    this.blockKey = blockKey
    this.rowOf = rowOf
  }
}

function emptySlot(block: number, keys: Float64Array, capacity: number): number {
  const mask = capacity - 1
  let slot = mixWide(block) & mask
  while (keys[slot] !== 0) slot = (slot + 1) & mask
  return slot
}

/** The block of 16 ids holding `id`, an integer below 2^53 (`id >>> 4` would drop bits 32 up). */
function blockOf(id: number): number {
  return Math.floor(id / rowLength)
}

/**
 * A 32-bit hash of an integer below 2^53: mix() of its low 32-bit word, with the high word folded
 * in first. For values below 2^32 it is mix(value).
 */
export function mixWide(value: number): number {
  const high = (value / wordSpan) >>> 0
  return mix((value >>> 0) ^ Math.imul(high, 0x9e37_79b9))
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
