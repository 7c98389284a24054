/**
 * TickBatch (engine/stream/tickBatch.ts): a tick's transfers as the ledger sees them. Its specials
 * keep their flags and own ids when sealed, a call's end never cuts a linked chain, and a
 * healthcare pair made by the behaviour applies through the ledger all or nothing.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  IntentBuffer,
  unpackIntents,
  type PackedIntents,
  type SpecialFields,
} from '../../../engine/behaviour/index.js'
import {
  AccountFlag,
  ResultCode,
  TransferFlag,
  TransferKind,
  createLedger,
  type LedgerCore,
  type TransferBatch,
  type TransferResults,
} from '../../../engine/ledger/index.js'
import { pendingIdFirst, transferBatchMax } from '../../../engine/limits.js'
import { TransferCounters } from '../../../engine/metrics/transferCounters.js'
import { auditEntries } from '../../../engine/run/audit.js'
import { sendBatch } from '../../../engine/run/evening.js'
import { TickBatch } from '../../../engine/stream/tickBatch.js'
import { TransferIds } from '../../../engine/stream/transferIds.js'
import { mondayMinute, transfers } from '../../helpers/batches.js'

const plainSpecial: SpecialFields = {
  flags: 0,
  id: -1,
  pendingId: 0,
  timeoutMinutes: 0,
  heldFen: 0,
}
const linked: SpecialFields = { ...plainSpecial, flags: TransferFlag.linked }
const minute = mondayMinute + 600

/** One tick's intents, `write` filling it. */
function oneTick(write: (buffer: IntentBuffer) => void): PackedIntents {
  const buffer = new IntentBuffer(1)
  write(buffer)
  buffer.closeTick()
  return unpackIntents(buffer.pack())
}

/** A TickBatch of one segment's whole tick. */
function batchOf(intents: PackedIntents): TickBatch {
  const batch = new TickBatch(intents.count)
  batch.appendIntents(intents, 0, intents.count)
  return batch
}

/**
 * A tick of eight: a plain transfer, a pair, a plain one, a chain of three, a plain one.
 *   0 | 1 ─ 2 | 3 | 4 ─ 5 ─ 6 | 7
 */
function chains(): TickBatch {
  return batchOf(
    oneTick((buffer) => {
      buffer.push(10, 20, 100, TransferKind.retail)
      buffer.pushSpecial(11, 20, 100, TransferKind.health, 0, linked)
      buffer.push(3, 20, 100, TransferKind.health)
      buffer.push(12, 20, 100, TransferKind.retail)
      buffer.pushSpecial(13, 20, 100, TransferKind.health, 0, linked)
      buffer.pushSpecial(14, 20, 100, TransferKind.health, 0, linked)
      buffer.push(3, 20, 100, TransferKind.health)
      buffer.push(15, 20, 100, TransferKind.retail)
    }),
  )
}

describe('chainSafeEnd', () => {
  it('ends a call before a chain it would cut, at a chain’s start, middle or end', () => {
    // Proves each case on the tick drawn above: an end at a chain's start or after its end stays;
    // an end inside a chain moves back to the chain's start; a call that starts a chain and would
    // cut it goes on to the chain's end; the batch's end is always safe.
    const batch = chains()
    const cases: [from: number, to: number, safe: number][] = [
      [0, 1, 1], // at the pair's start
      [0, 2, 1], // in the pair's middle: back to its start
      [0, 3, 3], // at the pair's end
      [0, 4, 4], // at the three's start
      [0, 5, 4], // in the three's middle
      [0, 6, 4], // before the three's last
      [0, 7, 7], // at the three's end
      [1, 2, 3], // a call of the pair alone would cut it: on to its end
      [4, 5, 7],
      [4, 6, 7],
      [3, 6, 4],
      [0, 8, 8],
    ]
    for (const [from, to, safe] of cases)
      expect(batch.chainSafeEnd(from, to), `from ${from} to ${to}`).toBe(safe)
  })

  it('never ends a call after a linked transfer, whatever call a sender asks for', () => {
    // Proves the rule over every call a sender could make from a chain boundary: the end is past
    // the start, on a chain boundary, and within the call asked for unless the call begins a chain.
    const batch = chains()
    for (let from = 0; from < batch.count; from++) {
      if (from > 0 && batch.linked(from - 1)) continue
      for (let to = from + 1; to <= batch.count; to++) {
        const end = batch.chainSafeEnd(from, to)
        expect(end, `from ${from} to ${to}`).toBeGreaterThan(from)
        expect(batch.linked(end - 1), `from ${from} to ${to}`).toBe(false)
        if (!batch.linked(from)) expect(end).toBeLessThanOrEqual(to)
      }
    }
  })

  it('keeps a pair whole when a tick is sent in calls of transferBatchMax', async () => {
    // Proves the sender's own cut: a pair at positions transferBatchMax − 1 and transferBatchMax
    // would be split by a full first call; the first call ends before it and the second carries it
    // whole, and every transfer goes exactly once with ids in order.
    const count = transferBatchMax + 1
    const batch = batchOf(
      oneTick((buffer) => {
        for (let index = 0; index < count - 2; index++) buffer.push(10, 20, 1, TransferKind.retail)
        buffer.pushSpecial(11, 20, 100, TransferKind.health, 0, linked)
        buffer.push(3, 20, 100, TransferKind.health)
      }),
    )
    const calls: { count: number; lastFlags: number; firstId: number }[] = []
    const answering = {
      submit: async (sent: TransferBatch): Promise<TransferResults> => {
        calls.push({
          count: sent.count,
          lastFlags: sent.flags[sent.count - 1] as number,
          firstId: sent.id[0] as number,
        })
        return { code: new Uint8Array(sent.count) }
      },
    } as unknown as LedgerCore
    await sendBatch(answering, new TransferIds(), batch, minute)
    expect(calls).toEqual([
      { count: transferBatchMax - 1, lastFlags: 0, firstId: 0 },
      { count: 2, lastFlags: 0, firstId: transferBatchMax - 1 },
    ])
  })
})

describe('sealing', () => {
  it('stamps the run’s ids in order but keeps a pending transfer’s own, and its specials', () => {
    // Proves a reservation keeps the id its post will name, made in a worker, and that the
    // deferred post appended after the segment's intents carries its pending id and held fen;
    // every other transfer takes the next id of the sequence. A slice is stamped the same way.
    const reservation = pendingIdFirst + 5
    const buffer = new IntentBuffer(1)
    buffer.push(10, 20, 100, TransferKind.retail)
    buffer.pushSpecial(11, 4, 10_000, TransferKind.parking, 0, {
      ...plainSpecial,
      flags: TransferFlag.pending,
      id: reservation,
      timeoutMinutes: 1_500,
    })
    buffer.push(12, 20, 100, TransferKind.retail)
    buffer.closeTick()
    buffer.defer(
      30,
      { debit: 11, credit: 4, amountFen: 2_000, kind: TransferKind.parking, channel: 0, detail: 0 },
      { ...plainSpecial, flags: TransferFlag.postPending, pendingId: reservation, heldFen: 10_000 },
    )
    const intents = unpackIntents(buffer.pack())
    const batch = new TickBatch(1)
    batch.appendIntents(intents, 0, intents.count)
    batch.appendDeferred(intents.deferred, 0)
    const sealed = batch.seal(100, minute, 0, batch.count)
    expect({
      id: [...sealed.id],
      flags: [...sealed.flags],
      pendingId: [...sealed.pendingId],
      timeoutMinutes: [...sealed.timeoutMinutes],
      heldFen: [...(sealed.heldFen ?? [])],
      minute: [...sealed.minute],
    }).toEqual({
      id: [100, reservation, 102, 103],
      flags: [0, TransferFlag.pending, 0, TransferFlag.postPending],
      pendingId: [0, 0, 0, reservation],
      timeoutMinutes: [0, 1_500, 0, 0],
      heldFen: [0, 0, 0, 10_000],
      minute: [minute, minute, minute, minute],
    })
    expect([...batch.seal(7, minute, 1, 3).id]).toEqual([reservation, 8])
  })

  it('forgets specials and own ids on reset, for the plain transfers pushed after', () => {
    // Proves a reused batch (the evening's) carries no flag or own id of what it held before.
    const batch = chains()
    batch.reset()
    for (let index = 0; index < 3; index++) batch.push(1, 10 + index, 100, TransferKind.topup)
    const sealed = batch.seal(50, minute, 0, 3)
    expect([...sealed.id]).toEqual([50, 51, 52])
    expect([...sealed.flags]).toEqual([0, 0, 0])
    expect([0, 1, 2].map((index) => batch.linked(index))).toEqual([false, false, false])
  })
})

/**
 * Accounts: 0 issuer | 1 bank | 2 insurance fund | 3 hospital | 4 a patient with 100 fen |
 * 5 a patient with 10,000 fen.
 */
const fund = 2
const hospital = 3
const poor = 4
const rich = 5
const accountIds = Uint32Array.from({ length: 6 }, (_, id) => id)

const opened: LedgerCore[] = []
afterEach(async () => {
  for (const ledger of opened.splice(0)) await ledger.close()
})

async function clinic(
  fundFen: number,
): Promise<{ ledger: LedgerCore; counters: TransferCounters }> {
  const ledger = createLedger('memory', {
    accountsMax: accountIds.length,
    tiers: [{ balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 }],
    utcOffsetMinutes: 480,
  })
  opened.push(ledger)
  await ledger.open()
  await ledger.createAccounts({
    count: accountIds.length,
    id: accountIds,
    tier: new Uint8Array(accountIds.length),
    flags: Uint8Array.from(accountIds, (id) => (id === 0 ? AccountFlag.issuer : 0)),
  })
  const counters = new TransferCounters(0)
  const funding = transfers([
    { id: 1, kind: TransferKind.issue, debit: 0, credit: 1, amountFen: 1_000_000 },
    { id: 2, kind: TransferKind.topup, debit: 1, credit: fund, amountFen: fundFen },
    { id: 3, kind: TransferKind.topup, debit: 1, credit: poor, amountFen: 100 },
    { id: 4, kind: TransferKind.topup, debit: 1, credit: rich, amountFen: 10_000 },
  ])
  counters.count(funding, (await ledger.submit(funding)).code)
  return { ledger, counters }
}

/** A visit as health.ts makes it: the patient's part linked to the fund's, at the hospital. */
function visit(buffer: IntentBuffer, patient: number, patientFen: number, fundFen: number): void {
  buffer.pushSpecial(patient, hospital, patientFen, TransferKind.health, 0, linked)
  buffer.push(fund, hospital, fundFen, TransferKind.health)
}

async function sendVisits(
  ledger: LedgerCore,
  counters: TransferCounters,
  write: (buffer: IntentBuffer) => void,
): Promise<number[]> {
  const batch = batchOf(oneTick(write))
  const sealed = batch.seal(100, minute, 0, batch.count)
  const { code } = await ledger.submit(sealed)
  counters.count(sealed, code)
  return [...code]
}

const balances = async (ledger: LedgerCore) => [...(await ledger.lookup(accountIds)).balanceFen]

describe('a healthcare pair through the ledger', () => {
  it('moves neither part when the patient cannot pay theirs, and both when they can', async () => {
    // Proves all or nothing from the behaviour's intents to the ledger's balances: the patient with
    // 100 fen cannot pay 300, so the fund's 700 does not move either (linked_event_failed); the
    // patient with 10,000 fen pays 300 and the fund 700 in the same call. Only the second pair is
    // counted as health money, and the ledger's totals agree with the counters.
    const { ledger, counters } = await clinic(50_000)
    const before = await balances(ledger)
    const codes = await sendVisits(ledger, counters, (buffer) => {
      visit(buffer, poor, 300, 700)
      visit(buffer, rich, 300, 700)
    })
    const { ok, insufficient_funds: short, linked_event_failed: failed } = ResultCode
    expect(codes).toEqual([short, failed, ok, ok])
    const after = await balances(ledger)
    expect(after[poor]).toBe(before[poor])
    expect(after[rich]).toBe((before[rich] as number) - 300)
    expect(after[fund]).toBe((before[fund] as number) - 700)
    expect(after[hospital]).toBe((before[hospital] as number) + 1_000)
    expect(counters.byKind().health).toEqual({
      submitted: 4,
      accepted: 2,
      rejected: 2,
      amountFen: 1_000,
    })
    const audit = auditEntries(await ledger.totals(), counters)
    expect(audit.ok).toBe(true)
    expect(audit.byKind.health).toEqual({ debitsFen: 1_000, creditsFen: 1_000, acceptedFen: 1_000 })
  })

  it('moves neither part when the fund cannot pay its share, though the patient could', async () => {
    // Proves the chain fails whole from its second part too: the fund holds 500 fen and owes 700,
    // so the patient's 300, which would apply alone, is not taken.
    const { ledger, counters } = await clinic(500)
    const before = await balances(ledger)
    const codes = await sendVisits(ledger, counters, (buffer) => visit(buffer, rich, 300, 700))
    expect(codes).toEqual([ResultCode.linked_event_failed, ResultCode.insufficient_funds])
    expect(await balances(ledger)).toEqual(before)
    expect(counters.byKind().health.amountFen).toBe(0)
    expect(auditEntries(await ledger.totals(), counters).ok).toBe(true)
  })
})
