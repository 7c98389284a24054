/**
 * The pending (two-phase) transfers a ledger holds: columns in typed arrays, found by id through
 * an open-addressing index, and ordered by deadline in a binary heap.
 *
 *   slot:      0      1      2      3     …   (columns id, debit, credit, amount, kind, day, year, deadline)
 *   index:     id ─mixWide─▶ probe ─▶ slot + 1  (0 = empty; deletion shifts the run back, no tombstones)
 *   heap:      (deadline, id) pairs, earliest on top; an entry whose transfer has gone is skipped
 *
 * Ids are transfer ids, exact integers below 2^53, held in Float64Array columns. Slots of posted,
 * voided and expired transfers are reused (a free list); the columns grow by doubling up to the
 * ledger's bound.
 */
import { assert } from '../../assert.js'
import { grown } from '../../grown.js'
import { mixWide } from './idTable.js'

const capacityMin = 64

export interface PendingFields {
  id: number
  debit: number
  credit: number
  amountFen: number
  kind: number
  /** Local day of the payer's spending counters when it was reserved. */
  day: number
  year: number
  /** Simulated minute at which it expires; Infinity for never. */
  deadline: number
}

export class PendingStore {
  count = 0
  reservedFen = 0
  private capacity = capacityMin
  private used = 0
  private free: Int32Array = new Int32Array(capacityMin)
  private freeCount = 0
  id = new Float64Array(capacityMin)
  debit = new Uint32Array(capacityMin)
  credit = new Uint32Array(capacityMin)
  amountFen = new Uint32Array(capacityMin)
  kind = new Uint8Array(capacityMin)
  day = new Int32Array(capacityMin)
  year = new Uint16Array(capacityMin)
  deadline = new Float64Array(capacityMin)

  private indexKeys = new Float64Array(capacityMin * 2)
  private indexSlots = new Int32Array(capacityMin * 2)

  private heapDeadline = new Float64Array(capacityMin)
  private heapId = new Float64Array(capacityMin)
  private heapSize = 0

  constructor(private readonly max: number) {
    assert(Number.isInteger(max) && max >= 1, 'the pending bound is a positive count')
  }

  get full(): boolean {
    return this.count >= this.max
  }

  /** The slot holding pending transfer `id`, or -1. */
  find(id: number): number {
    const mask = this.indexKeys.length - 1
    for (let at = mixWide(id) & mask; ; at = (at + 1) & mask) {
      const slot1 = this.indexSlots[at] as number
      if (slot1 === 0) return -1
      if (this.indexKeys[at] === id) return slot1 - 1
    }
  }

  add(fields: PendingFields): number {
    assert(!this.full, 'the caller checks the bound first')
    assert(this.find(fields.id) < 0, 'one pending transfer per id')
    const slot = this.freeCount > 0 ? (this.free[--this.freeCount] as number) : this.newSlot()
    this.id[slot] = fields.id
    this.debit[slot] = fields.debit
    this.credit[slot] = fields.credit
    this.amountFen[slot] = fields.amountFen
    this.kind[slot] = fields.kind
    this.day[slot] = fields.day
    this.year[slot] = fields.year
    this.deadline[slot] = fields.deadline
    this.count += 1
    this.reservedFen += fields.amountFen
    // Posted and voided transfers leave stale entries behind; rebuild (from the index, before this
    // transfer joins it) before they outnumber the live ones.
    if (fields.deadline !== Infinity && this.heapSize >= 2 * this.count + capacityMin)
      this.rebuildHeap()
    if ((this.count + 1) * 2 > this.indexKeys.length) this.growIndex()
    this.indexInsert(fields.id, slot)
    if (fields.deadline !== Infinity) this.heapPush(fields.deadline, fields.id)
    return slot
  }

  /** The fields of `slot`, copied: what a rollback needs to put it back. */
  fields(slot: number): PendingFields {
    return {
      id: this.id[slot] as number,
      debit: this.debit[slot] as number,
      credit: this.credit[slot] as number,
      amountFen: this.amountFen[slot] as number,
      kind: this.kind[slot] as number,
      day: this.day[slot] as number,
      year: this.year[slot] as number,
      deadline: this.deadline[slot] as number,
    }
  }

  remove(slot: number): void {
    assert(Number.isInteger(slot) && slot >= 0 && slot < this.used, 'a slot of the store')
    const id = this.id[slot] as number
    assert(this.find(id) === slot, 'only a held pending transfer is removed')
    this.indexDelete(id)
    this.count -= 1
    this.reservedFen -= this.amountFen[slot] as number
    if (this.freeCount === this.free.length)
      this.free = grown(this.free, this.free.length * 2, this.freeCount)
    this.free[this.freeCount++] = slot
    assert(this.count >= 0 && this.reservedFen >= 0, 'what is reserved never goes below zero')
  }

  /** The earliest deadline held (Infinity when none); stale heap entries are dropped on the way. */
  nextDeadline(): number {
    while (this.heapSize > 0) {
      const id = this.heapId[0] as number
      const slot = this.find(id)
      if (slot >= 0 && this.deadline[slot] === this.heapDeadline[0])
        return this.heapDeadline[0] as number
      this.heapPop()
    }
    return Infinity
  }

  /**
   * Takes the earliest-deadline transfer off the heap and returns its slot; call after
   * nextDeadline().
   */
  popEarliest(): number {
    const slot = this.find(this.heapId[0] as number)
    assert(this.heapSize > 0 && slot >= 0, 'nextDeadline() found a live entry')
    this.heapPop()
    return slot
  }

  private newSlot(): number {
    if (this.used === this.capacity) {
      const capacity = Math.min(this.max, this.capacity * 2)
      assert(capacity > this.capacity, 'room below the bound')
      this.id = grown(this.id, capacity, this.used)
      this.debit = grown(this.debit, capacity, this.used)
      this.credit = grown(this.credit, capacity, this.used)
      this.amountFen = grown(this.amountFen, capacity, this.used)
      this.kind = grown(this.kind, capacity, this.used)
      this.day = grown(this.day, capacity, this.used)
      this.year = grown(this.year, capacity, this.used)
      this.deadline = grown(this.deadline, capacity, this.used)
      this.capacity = capacity
    }
    return this.used++
  }

  private indexInsert(id: number, slot: number): void {
    const mask = this.indexKeys.length - 1
    let at = mixWide(id) & mask
    while (this.indexSlots[at] !== 0) at = (at + 1) & mask
    this.indexKeys[at] = id
    this.indexSlots[at] = slot + 1
  }

  /** Linear-probing deletion by shifting later entries of the run back into the hole. */
  private indexDelete(id: number): void {
    const mask = this.indexKeys.length - 1
    let hole = mixWide(id) & mask
    while (this.indexKeys[hole] !== id || this.indexSlots[hole] === 0) hole = (hole + 1) & mask
    for (let at = (hole + 1) & mask; this.indexSlots[at] !== 0; at = (at + 1) & mask) {
      const home = mixWide(this.indexKeys[at] as number) & mask
      // Move the entry back if the hole lies on its probe path (cyclically between home and at).
      if (((at - home) & mask) >= ((at - hole) & mask)) {
        this.indexKeys[hole] = this.indexKeys[at] as number
        this.indexSlots[hole] = this.indexSlots[at] as number
        hole = at
      }
    }
    this.indexSlots[hole] = 0
    this.indexKeys[hole] = 0
  }

  private growIndex(): void {
    const keys = this.indexKeys
    const slots = this.indexSlots
    this.indexKeys = new Float64Array(keys.length * 2)
    this.indexSlots = new Int32Array(slots.length * 2)
    for (let at = 0; at < keys.length; at++) {
      if (slots[at] !== 0) this.indexInsert(keys[at] as number, (slots[at] as number) - 1)
    }
  }

  private rebuildHeap(): void {
    this.heapSize = 0
    for (let at = 0; at < this.indexSlots.length; at++) {
      const slot1 = this.indexSlots[at] as number
      if (slot1 === 0) continue
      const deadline = this.deadline[slot1 - 1] as number
      if (deadline !== Infinity) this.heapPush(deadline, this.id[slot1 - 1] as number)
    }
  }

  private heapPush(deadline: number, id: number): void {
    if (this.heapSize === this.heapDeadline.length) {
      this.heapDeadline = grown(this.heapDeadline, this.heapSize * 2, this.heapSize)
      this.heapId = grown(this.heapId, this.heapSize * 2, this.heapSize)
    }
    let at = this.heapSize++
    while (at > 0) {
      const parent = (at - 1) >> 1
      if ((this.heapDeadline[parent] as number) <= deadline) break
      this.heapDeadline[at] = this.heapDeadline[parent] as number
      this.heapId[at] = this.heapId[parent] as number
      at = parent
    }
    this.heapDeadline[at] = deadline
    this.heapId[at] = id
  }

  private heapPop(): void {
    const size = --this.heapSize
    const deadline = this.heapDeadline[size] as number
    const id = this.heapId[size] as number
    let at = 0
    for (;;) {
      let child = at * 2 + 1
      if (child >= size) break
      if (
        child + 1 < size &&
        (this.heapDeadline[child + 1] as number) < (this.heapDeadline[child] as number)
      )
        child += 1
      if ((this.heapDeadline[child] as number) >= deadline) break
      this.heapDeadline[at] = this.heapDeadline[child] as number
      this.heapId[at] = this.heapId[child] as number
      at = child
    }
    this.heapDeadline[at] = deadline
    this.heapId[at] = id
  }
}
