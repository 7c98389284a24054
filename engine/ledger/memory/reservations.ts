/**
 * What pending transfers hold back, per account: the sum it has reserved to pay and the sum it has
 * reserved to be paid, for the few accounts that have any. An open-addressing map keyed by
 * account, so memory follows the pending transfers held, not the accounts opened, and a
 * reservation touches a small hot table rather than a page of a city-wide column.
 *
 *   slot:  key = account + 1, u32 (0 = empty) │ debit fen (64-bit) │ credit fen (64-bit)
 *   find:  account ─mix─▶ probe ─▶ slot  (deletion shifts the run back, no tombstones)
 *
 * An entry lives exactly while one of its sums is above zero. Each pending transfer reserves on
 * two accounts, so there are at most twice as many entries as pending transfers; the table keeps
 * its load at one half or below, doubling as it fills.
 */
import { assert } from '../../assert.js'
import { fenWords, readFen, writeFen } from './fenWords.js'

const capacityMin = 256

export class Reservations {
  count = 0
  private keys = new Uint32Array(capacityMin)
  private debit = fenWords(capacityMin)
  private credit = fenWords(capacityMin)

  /** What `account` has reserved to pay, in fen. */
  debitOf(account: number): number {
    const slot = this.find(account)
    return slot < 0 ? 0 : readFen(this.debit.low, this.debit.high, slot * 2)
  }

  /** What `account` has reserved to be paid, in fen. */
  creditOf(account: number): number {
    const slot = this.find(account)
    return slot < 0 ? 0 : readFen(this.credit.low, this.credit.high, slot * 2)
  }

  /** Adds `deltaFen` (negative to release) to what `account` will pay; returns the new sum. */
  addDebit(account: number, deltaFen: number): number {
    const slot = this.slotFor(account)
    const debitFen = readFen(this.debit.low, this.debit.high, slot * 2) + deltaFen
    assert(debitFen >= 0, 'reservations never go below zero')
    writeFen(this.debit.low, this.debit.high, slot * 2, debitFen)
    if (debitFen === 0 && readFen(this.credit.low, this.credit.high, slot * 2) === 0)
      this.delete(slot)
    return debitFen
  }

  /** Adds `deltaFen` (negative to release) to what `account` will be paid; returns the new sum. */
  addCredit(account: number, deltaFen: number): number {
    const slot = this.slotFor(account)
    const creditFen = readFen(this.credit.low, this.credit.high, slot * 2) + deltaFen
    assert(creditFen >= 0, 'reservations never go below zero')
    writeFen(this.credit.low, this.credit.high, slot * 2, creditFen)
    if (creditFen === 0 && readFen(this.debit.low, this.debit.high, slot * 2) === 0)
      this.delete(slot)
    return creditFen
  }

  /** Puts back both sums of `account` as they were (a rollback); two zeros remove it. */
  set(account: number, debitFen: number, creditFen: number): void {
    if (debitFen === 0 && creditFen === 0) {
      const slot = this.find(account)
      if (slot >= 0) this.delete(slot)
      return
    }
    const slot = this.slotFor(account)
    writeFen(this.debit.low, this.debit.high, slot * 2, debitFen)
    writeFen(this.credit.low, this.credit.high, slot * 2, creditFen)
  }

  /** The slot of `account`, or -1. */
  private find(account: number): number {
    const { keys } = this
    const mask = keys.length - 1
    const key = account + 1
    for (let at = mix(account) & mask; ; at = (at + 1) & mask) {
      const held = keys[at] as number
      if (held === key) return at
      if (held === 0) return -1
    }
  }

  /** The slot of `account`, made (with both sums zero) if it has none. */
  private slotFor(account: number): number {
    const found = this.find(account)
    if (found >= 0) return found
    if ((this.count + 1) * 2 > this.keys.length) this.grow()
    const mask = this.keys.length - 1
    let at = mix(account) & mask
    while (this.keys[at] !== 0) at = (at + 1) & mask
    this.keys[at] = account + 1
    this.count++
    return at
  }

  /** Linear-probing deletion by shifting later entries of the run back into the hole. */
  private delete(slot: number): void {
    const { keys, debit, credit } = this
    const mask = keys.length - 1
    let hole = slot
    for (let at = (hole + 1) & mask; keys[at] !== 0; at = (at + 1) & mask) {
      const home = mix((keys[at] as number) - 1) & mask
      // Move the entry back if the hole lies on its probe path (cyclically between home and at).
      if (((at - home) & mask) >= ((at - hole) & mask)) {
        keys[hole] = keys[at] as number
        moveFen(debit, at, hole)
        moveFen(credit, at, hole)
        hole = at
      }
    }
    keys[hole] = 0
    writeFen(debit.low, debit.high, hole * 2, 0)
    writeFen(credit.low, credit.high, hole * 2, 0)
    this.count--
  }

  private grow(): void {
    const { keys, debit, credit } = this
    this.keys = new Uint32Array(keys.length * 2)
    this.debit = fenWords(keys.length * 2)
    this.credit = fenWords(keys.length * 2)
    this.count = 0
    for (let at = 0; at < keys.length; at++) {
      if (keys[at] === 0) continue
      const slot = this.slotFor((keys[at] as number) - 1)
      moveFenBetween(debit, at, this.debit, slot)
      moveFenBetween(credit, at, this.credit, slot)
    }
  }
}

type Fen = ReturnType<typeof fenWords>

function moveFen(words: Fen, from: number, to: number): void {
  moveFenBetween(words, from, words, to)
}

function moveFenBetween(source: Fen, from: number, target: Fen, to: number): void {
  target.low[to * 2] = source.low[from * 2] as number
  target.high[to * 2 + 1] = source.high[from * 2 + 1] as number
}

/** Spreads account numbers, which come dense, over the table (murmur3's finaliser). */
function mix(account: number): number {
  let h = Math.imul(account ^ (account >>> 16), 0x85eb_ca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35)
  return (h ^ (h >>> 16)) >>> 0
}
