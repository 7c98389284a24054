import { describe, expect, it } from 'vitest'
import { IntentBuffer, unpackIntents } from '../../../engine/behaviour/index.js'
import { TickBatch } from '../../../engine/stream/tickBatch.js'

describe('growable columns', () => {
  it('keep every intent, in order and per tick, across several growths of an IntentBuffer', () => {
    // Proves growth copies what was there and packing reads back exactly what was pushed.
    const buffer = new IntentBuffer(3, 1)
    const pushed: number[][] = []
    for (let tick = 0; tick < 3; tick++) {
      for (let index = 0; index < 5000 * (tick + 1); index++) {
        const row = [index + 1, index + 2, 100 + (index % 7), tick]
        pushed.push(row)
        buffer.push(row[0] as number, row[1] as number, row[2] as number, row[3] as number)
      }
      buffer.closeTick()
    }
    const intents = unpackIntents(buffer.pack())
    expect(intents.count).toBe(30_000)
    expect([...intents.tickEnd]).toEqual([5000, 15_000, 30_000])
    const read = Array.from({ length: intents.count }, (_, index) => [
      intents.debit[index],
      intents.credit[index],
      intents.amountFen[index],
      intents.kind[index],
    ])
    expect(read).toEqual(pushed)
  })

  it('keep every transfer across growths of a TickBatch', () => {
    // Proves the batch the ledger reads holds what was written, with ids stamped in order.
    const batch = new TickBatch(1)
    for (let index = 0; index < 70_000; index++)
      batch.push(index, index + 1, 1 + (index % 1000), index % 9)
    const sealed = batch.seal(500, 42, 0, batch.count)
    expect(sealed.count).toBe(70_000)
    for (const index of [0, 1, 65_535, 65_536, 69_999]) {
      expect([
        sealed.id[index],
        sealed.debit[index],
        sealed.credit[index],
        sealed.amountFen[index],
        sealed.kind[index],
        sealed.minute[index],
      ]).toEqual([500 + index, index, index + 1, 1 + (index % 1000), index % 9, 42])
    }
  })
})
