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

export function writeFen(low: Uint32Array, high: Int32Array, at: number, fen: number): void {
  assert(Number.isSafeInteger(fen), 'money stays an exact integer of fen')
  const lowWord = fen >>> 0
  low[at] = lowWord
  high[at + 1] = (fen - lowWord) / wordFen
}
