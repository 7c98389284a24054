import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fenWords, readFen, writeFen } from '../../../engine/ledger/memory/fenWords.js'

describe('money in two 32-bit words', () => {
  it('reads back every safe integer of fen it was given, negative ones included', () => {
    // Proves the split into an unsigned low word and a signed high word is exact across the whole
    // safe range.
    const words = fenWords(2)
    const edges = [
      0,
      1,
      -1,
      0xffff_ffff,
      0x1_0000_0000,
      -0x1_0000_0000,
      -0x1_0000_0001,
      2 ** 51,
      -(2 ** 51),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ]
    for (const fen of edges) {
      writeFen(words.low, words.high, 2, fen)
      expect(readFen(words.low, words.high, 2)).toBe(fen)
      expect(readFen(words.low, words.high, 0)).toBe(0)
    }
    fc.assert(
      fc.property(fc.maxSafeInteger(), (fen) => {
        writeFen(words.low, words.high, 0, fen)
        return readFen(words.low, words.high, 0) === fen
      }),
      { numRuns: 2000 },
    )
  })

  it('holds -1 fen as high -1 and low 0xffffffff, and refuses a fraction or an unsafe integer', () => {
    // Proves the layout is two's complement across the pair and that no non-integer is ever stored.
    const words = fenWords(1)
    writeFen(words.low, words.high, 0, -1)
    expect([words.low[0], words.high[1]]).toEqual([0xffff_ffff, -1])
    expect(() => writeFen(words.low, words.high, 0, 0.5)).toThrow(/exact integer/)
    expect(() => writeFen(words.low, words.high, 0, 2 ** 53)).toThrow(/exact integer/)
  })
})
