/**
 * TransferIds (engine/stream/transferIds.ts): one sequence for the run, handed out in order, that
 * goes on past 2^32 and stops only where ids would no longer be exact integers.
 */
import { describe, expect, it } from 'vitest'
import { AssertionError } from '../../../engine/assert.js'
import { pendingIdFirst, transfersPerRunMax } from '../../../engine/limits.js'
import { TransferIds } from '../../../engine/stream/transferIds.js'

describe('TransferIds', () => {
  it('hands out ids in order, each batch after the last', () => {
    // Proves the sequence is dense and shared: the first id of each take follows the one before.
    const ids = new TransferIds()
    expect(ids.take(3)).toBe(0)
    expect(ids.take(0)).toBe(3)
    expect(ids.take(65_536)).toBe(3)
    expect(ids.taken).toBe(65_539)
  })

  it('goes on past 2^32 ids, the bound of 32-bit ids', () => {
    // Proves a run longer than 2^32 transfers still gets ids, each an exact integer: 2^32 + 5 is
    // not 5. (Takes are counts, not allocations: nothing is built for the ids skipped.)
    const ids = new TransferIds()
    expect(ids.take(2 ** 32 + 5)).toBe(0)
    expect(ids.take(10)).toBe(2 ** 32 + 5)
    expect(ids.take(1)).toBe(2 ** 32 + 15)
    expect(ids.taken).toBe(2 ** 32 + 16)
    expect(Number.isSafeInteger(ids.taken)).toBe(true)
  })

  it("stops where the pending transfers' own ids begin", () => {
    // Proves the sequence never reaches the ids workers give pending transfers (2^52 and up, below
    // Number.MAX_SAFE_INTEGER): an id names one transfer.
    expect(transfersPerRunMax).toBe(pendingIdFirst)
    expect(pendingIdFirst).toBeLessThan(Number.MAX_SAFE_INTEGER)
    const ids = new TransferIds()
    expect(ids.take(transfersPerRunMax - 1)).toBe(0)
    expect(ids.take(1)).toBe(transfersPerRunMax - 1)
    expect(() => ids.take(1)).toThrow(AssertionError)
    expect(() => new TransferIds().take(-1)).toThrow(AssertionError)
    expect(() => new TransferIds().take(1.5)).toThrow(AssertionError)
  })
})
