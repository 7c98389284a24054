/**
 * Money kept as 64-bit integers in typed arrays, two 32-bit words each: the low word at `at`
 * (unsigned), the high word at `at + 1` (signed), in a Uint32Array and an Int32Array viewing the
 * same buffer. No amount of money is ever stored in a float. Reading gives the exact integer of
 * fen; every write asserts it is one (|fen| < 2^53).
 *
 *   fen = high × 2^32 + low        e.g. -1 fen = high -1, low 0xffffffff
 */
import { assert } from '../../assert.js'

const wordFen = 0x1_0000_0000

/** Two views on one buffer of `count` 64-bit amounts, all zero. */
export function fenWords(count: number): { readonly low: Uint32Array; readonly high: Int32Array } {
  const buffer = new ArrayBuffer(count * 8)
  return { low: new Uint32Array(buffer), high: new Int32Array(buffer) }
}

export function readFen(low: Uint32Array, high: Int32Array, at: number): number {
  return (high[at + 1] as number) * wordFen + (low[at] as number)
}

/**
 * Adds `deltaFen` (|delta| ≤ 2^32) with a carry between the words, in integers only: for running
 * totals, which may grow past what readFen() gives back exactly (2^53) without ever wrapping.
 */
export function addFen(low: Uint32Array, high: Int32Array, at: number, deltaFen: number): void {
  assert(
    Number.isInteger(deltaFen) && Math.abs(deltaFen) <= wordFen,
    'a delta fits one word and its carry',
  )
  const sum = (low[at] as number) + deltaFen
  const carry = sum >= wordFen ? 1 : sum < 0 ? -1 : 0
  low[at] = sum - carry * wordFen
  high[at + 1] = (high[at + 1] as number) + carry
}

export function writeFen(low: Uint32Array, high: Int32Array, at: number, fen: number): void {
  assert(Number.isSafeInteger(fen), 'money stays an exact integer of fen')
  const lowWord = fen >>> 0
  low[at] = lowWord
  high[at + 1] = (fen - lowWord) / wordFen
}
