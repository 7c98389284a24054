import { describe, expect, it } from 'vitest'
import { AssertionError } from '../../../engine/assert.js'
import { IntentBuffer, unpackIntents, type SpecialFields } from '../../../engine/behaviour/index.js'
import { Channel, Provider, channelByte } from '../../../engine/ledger/channel.js'
import { TransferFlag, TransferKind } from '../../../engine/ledger/index.js'
import { pendingIdFirst } from '../../../engine/limits.js'
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

/** A special's fields, the rest left plain. */
const special = (fields: Partial<SpecialFields>): SpecialFields => ({
  flags: 0,
  id: -1,
  pendingId: 0,
  timeoutMinutes: 0,
  heldFen: 0,
  ...fields,
})
const linked = special({ flags: TransferFlag.linked })
/** Pending ids past 2^32, as the workers give them: Float64 columns must carry them exactly. */
const parkingId = pendingIdFirst + 2 ** 33 + 7
const escrowId = pendingIdFirst + 2 ** 33 + 8
const qrByBank = channelByte(Channel.qr, Provider.bankApp)
const autoDebit = channelByte(Channel.autoDebit, Provider.ecnyApp)

describe('specials and deferred intents', () => {
  it('pack and unpack whole: flags, own ids, pending ids, timeouts, held fen, channel and detail', () => {
    // Proves every column of the three parts crosses the thread boundary as written: a linked
    // pair, a reservation with its own id and timeout, a post naming an earlier reservation with
    // what it held; and three intents deferred to later ticks, a post, a void (amount 0) and a
    // metro ride's fare with its detail, whole. Plain intents stay plain (no special record).
    const buffer = new IntentBuffer(2)
    buffer.push(10, 20, 400, TransferKind.transit, channelByte(Channel.gate, Provider.card))
    buffer.pushSpecial(11, 21, 1_500, TransferKind.health, qrByBank, linked)
    buffer.push(3, 21, 1_500, TransferKind.health)
    buffer.closeTick()
    const reserve = special({ flags: TransferFlag.pending, id: parkingId, timeoutMinutes: 1_560 })
    buffer.pushSpecial(12, 4, 10_000, TransferKind.parking, autoDebit, reserve)
    const settle = special({ flags: TransferFlag.postPending, pendingId: escrowId, heldFen: 8_000 })
    buffer.pushSpecial(13, 5, 7_999, TransferKind.online, autoDebit, settle)
    buffer.closeTick()
    const exit = { debit: 12, credit: 4, kind: TransferKind.parking, channel: autoDebit, detail: 0 }
    buffer.defer(
      95,
      { ...exit, amountFen: 3_000 },
      special({ flags: TransferFlag.postPending, pendingId: parkingId, heldFen: 10_000 }),
    )
    buffer.defer(
      4_000,
      { ...exit, amountFen: 0 },
      special({ flags: TransferFlag.voidPending, pendingId: parkingId + 1, heldFen: 10_000 }),
    )
    const intents = unpackIntents(buffer.pack())
    expect([intents.count, intents.ticks, [...intents.tickEnd]]).toEqual([5, 2, [3, 5]])
    expect([...intents.channel]).toEqual([
      channelByte(Channel.gate, Provider.card),
      qrByBank,
      0,
      autoDebit,
      autoDebit,
    ])
    expect([...intents.amountFen]).toEqual([400, 1_500, 1_500, 10_000, 7_999])
    const { specials, deferred } = intents
    expect(specials.count).toBe(3)
    expect({
      at: [...specials.at],
      flags: [...specials.flags],
      id: [...specials.id],
      pendingId: [...specials.pendingId],
      timeoutMinutes: [...specials.timeoutMinutes],
      heldFen: [...specials.heldFen],
    }).toEqual({
      at: [1, 3, 4],
      flags: [TransferFlag.linked, TransferFlag.pending, TransferFlag.postPending],
      id: [-1, parkingId, -1],
      pendingId: [0, 0, escrowId],
      timeoutMinutes: [0, 1_560, 0],
      heldFen: [0, 0, 8_000],
    })
    expect(deferred.count).toBe(2)
    expect({
      tick: [...deferred.tick],
      debit: [...deferred.debit],
      credit: [...deferred.credit],
      amountFen: [...deferred.amountFen],
      kind: [...deferred.kind],
      channel: [...deferred.channel],
      detail: [...deferred.detail],
      flags: [...deferred.flags],
      id: [...deferred.id],
      pendingId: [...deferred.pendingId],
      timeoutMinutes: [...deferred.timeoutMinutes],
      heldFen: [...deferred.heldFen],
    }).toEqual({
      tick: [95, 4_000],
      debit: [12, 12],
      credit: [4, 4],
      amountFen: [3_000, 0],
      kind: [TransferKind.parking, TransferKind.parking],
      channel: [autoDebit, autoDebit],
      detail: [0, 0],
      flags: [TransferFlag.postPending, TransferFlag.voidPending],
      id: [-1, -1],
      pendingId: [parkingId, parkingId + 1],
      timeoutMinutes: [0, 0],
      heldFen: [10_000, 10_000],
    })
    expect(Number.isSafeInteger(deferred.pendingId[0])).toBe(true)
  })

  it('refuse a linked chain left open at the end of its tick', () => {
    // Proves a chain never spans ticks (so no call, which never spans ticks either, can cut one):
    // closing the tick after a linked intent throws; closing after the chain's last one does not.
    const open = new IntentBuffer(2)
    open.pushSpecial(11, 21, 1_500, TransferKind.health, qrByBank, linked)
    expect(() => open.closeTick()).toThrow(AssertionError)
    const closed = new IntentBuffer(1)
    closed.pushSpecial(11, 21, 1_500, TransferKind.health, qrByBank, linked)
    closed.pushSpecial(12, 21, 800, TransferKind.health, qrByBank, linked)
    closed.push(3, 21, 1_500, TransferKind.health)
    closed.closeTick()
    expect(unpackIntents(closed.pack()).specials.count).toBe(2)
  })

  it('refuse a deferred chain across ticks, or still open when packed', () => {
    // Proves deferred chains are whole in one tick too: a linked intent for tick 90 followed by one
    // for tick 91 throws; a linked one followed by nothing fails the packing; the same chain in
    // one tick packs.
    const transfer = { debit: 12, credit: 4, amountFen: 100, kind: TransferKind.parking }
    const plain = { ...transfer, channel: 0, detail: 0 }
    const across = new IntentBuffer(1)
    across.closeTick()
    across.defer(90, plain, linked)
    expect(() => across.defer(91, plain, special({}))).toThrow('a linked chain goes in one tick')
    const unfinished = new IntentBuffer(1)
    unfinished.closeTick()
    unfinished.defer(90, plain, linked)
    expect(() => unfinished.pack()).toThrow('every deferred chain is closed')
    const whole = new IntentBuffer(1)
    whole.closeTick()
    whole.defer(90, plain, linked)
    whole.defer(90, plain, special({}))
    expect(unpackIntents(whole.pack()).deferred.count).toBe(2)
  })

  it('refuse amounts and settlements that no ledger could apply', () => {
    // Proves the buffer's own checks: only a post or void may carry 0 fen; a post or void names
    // a pending id; a transfer moves money between two accounts; no more ticks than planned.
    const buffer = new IntentBuffer(1)
    const reserve = special({ flags: TransferFlag.pending, id: parkingId })
    expect(() => buffer.pushSpecial(12, 4, 0, TransferKind.parking, 0, reserve)).toThrow(
      'amounts are positive',
    )
    const voidNone = special({ flags: TransferFlag.voidPending, pendingId: -1 })
    expect(() => buffer.pushSpecial(12, 4, 0, TransferKind.parking, 0, voidNone)).toThrow(
      'a settling intent names its pending transfer',
    )
    expect(() => buffer.push(12, 12, 100, TransferKind.p2p)).toThrow(AssertionError)
    const voided = special({ flags: TransferFlag.voidPending, pendingId: parkingId })
    buffer.pushSpecial(12, 4, 0, TransferKind.parking, 0, voided)
    buffer.closeTick()
    expect(() => buffer.closeTick()).toThrow('no more ticks than planned')
    expect(unpackIntents(buffer.pack()).amountFen[0]).toBe(0)
  })
})
