/**
 * CityStream (engine/stream/cityStream.ts) over hand-made chunks: ticks joined segment by segment
 * with the intents deferred to them, taken by position with ids stamped, and calls that never cut
 * a linked chain, whether they end in the tick they began in or a later one; the open model's
 * sender, given the stream's chainSafeEnd, sends no call that ends on a linked transfer.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  IntentBuffer,
  type AgentIndexBuffers,
  type SpecialFields,
} from '../../../engine/behaviour/index.js'
import {
  ResultCode,
  TransferFlag,
  TransferKind,
  type LedgerCore,
  type TransferBatch,
  type TransferResults,
} from '../../../engine/ledger/index.js'
import { parseProfile, runOpenLoad, type OpenLoadResult } from '../../../engine/load/index.js'
import { pendingIdFirst, segmentCount } from '../../../engine/limits.js'
import type { Plan } from '../../../engine/plan/index.js'
import { CityStream } from '../../../engine/stream/cityStream.js'
import type { SimPool } from '../../../engine/stream/simPool.js'
import { TransferIds } from '../../../engine/stream/transferIds.js'
import { FakeClock, openClockedLedger } from '../../helpers/clockedLoad.js'
import { mondayMinute } from '../../helpers/batches.js'

const plain: SpecialFields = { flags: 0, id: -1, pendingId: 0, timeoutMinutes: 0, heldFen: 0 }
const linked: SpecialFields = { ...plain, flags: TransferFlag.linked }
const reservation = pendingIdFirst + 11
const ticks = 3

/** The central bank (0) pays account 1 + n % 8: every transfer applies on the clocked ledger. */
function write(buffer: IntentBuffer, shape: string): void {
  for (const [index, mark] of [...shape].entries()) {
    const credit = 1 + (index % 8)
    if (mark === '-') buffer.pushSpecial(0, credit, 10, TransferKind.health, 0, linked)
    else if (mark === 'r')
      buffer.pushSpecial(0, credit, 500, TransferKind.parking, 0, {
        ...plain,
        flags: TransferFlag.pending,
        id: reservation,
      })
    else buffer.push(0, credit, 10, TransferKind.retail)
  }
}

/**
 * Segment 0 and 1's intents by tick ('.' plain, '-' linked to the next, 'r' a reservation of its
 * own id); segment 1 also defers the reservation's post to tick 2. The other segments are empty.
 * In the stream (a tick's segments in order, each followed by what was deferred to the tick):
 *
 *   tick 0   0 1 2─3 4 5 | 6 r7              seg 0 ". . - . . .", seg 1 ". r"
 *   tick 1   8─9 10 11 | 12─13─14            seg 0 "- . . .",     seg 1 "- - ."
 *   tick 2   15 16 | post 17                 seg 0 ". .",          seg 1 deferred post
 */
const shapes: readonly (readonly string[])[] = [
  ['..-...', '-...', '..'],
  ['.r', '--.', ''],
]
const streamCount = 18

function chunkOf(segment: number): ArrayBuffer {
  const buffer = new IntentBuffer(ticks)
  shapes[segment]?.forEach((shape) => {
    write(buffer, shape)
    buffer.closeTick()
  })
  if (segment === 1) {
    buffer.defer(
      2,
      { debit: 0, credit: 2, amountFen: 300, kind: TransferKind.parking, channel: 0, detail: 0 },
      { ...plain, flags: TransferFlag.postPending, pendingId: reservation, heldFen: 500 },
    )
  }
  if (shapes[segment] === undefined) for (let tick = 0; tick < ticks; tick++) buffer.closeTick()
  return buffer.pack()
}

/** A stream of the chunk above, its ticks all made. */
async function stream(): Promise<CityStream> {
  const plan = {
    clock: { startMinute: mondayMinute + 600, ticks, utcOffsetMinutes: 480 },
    segments: Array.from({ length: segmentCount }, (_, index) => ({ index })),
  } as unknown as Plan
  const pool = { generate: async (segment: number) => chunkOf(segment) } as unknown as SimPool
  const made = new CityStream(plan, pool, {} as AgentIndexBuffers, {
    ticks,
    ids: new TransferIds(),
  })
  await made.makeUntil(ticks)
  expect(made.queued).toBe(streamCount)
  return made
}

describe('the stream of hand-made ticks', () => {
  it('joins each tick’s segments in order with their deferred intents, ids stamped as taken', async () => {
    // Proves the order the ledger sees: segment 0's intents, then segment 1's, then the post
    // deferred to tick 2 after segment 1's own; the reservation keeps its own id and its post
    // names it; every other transfer takes the sequence's next id.
    const city = await stream()
    const all = city.take(0, streamCount)
    expect([...all.flags]).toEqual([0, 0, 1, 0, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 0, 0, 4])
    expect(all.id[7]).toBe(reservation)
    expect(all.pendingId[17]).toBe(reservation)
    expect(all.heldFen?.[17]).toBe(500)
    expect([...all.id].filter((_, index) => index !== 7)).toEqual(
      Array.from({ length: streamCount }, (_, index) => index).filter((index) => index !== 7),
    )
    expect([...all.minute.subarray(0, 8)].every((minute) => minute === mondayMinute + 600)).toBe(
      true,
    )
    expect(all.minute[17]).toBe(mondayMinute + 602)
  })

  it('ends a take before a chain it would cut, in the tick it began in or a later one', async () => {
    // Proves CityStream.chainSafeEnd by stream position: within tick 0 a cut pair ends the take at
    // the pair's start; a take from tick 0 that would cut the pair opening tick 1 ends at tick 1's
    // start, and one that would cut the three of tick 1 at the three's start: never beyond what
    // was asked. Only a take that starts a chain runs on to its end.
    const city = await stream()
    const cases: [to: number, safe: number][] = [
      [2, 2],
      [3, 2],
      [4, 4],
      [8, 8],
      [9, 8],
      [10, 10],
      [13, 12],
      [14, 12],
      [15, 15],
      [18, 18],
    ]
    for (const [to, safe] of cases) expect(city.chainSafeEnd(0, to), `0 to ${to}`).toBe(safe)
    city.take(0, 5)
    expect(city.chainSafeEnd(5, 9)).toBe(8)
    city.take(5, 8)
    expect(city.chainSafeEnd(8, 9)).toBe(10)
    city.take(8, 12)
    expect(city.chainSafeEnd(12, 13)).toBe(15)
  })
})

/** The clocked ledger, noting each call's flags. */
function noting(ledger: LedgerCore): LedgerCore & { readonly calls: number[][] } {
  const calls: number[][] = []
  return {
    name: ledger.name,
    calls,
    open: () => ledger.open(),
    createAccounts: (batch) => ledger.createAccounts(batch),
    lookup: (ids) => ledger.lookup(ids),
    totals: () => ledger.totals(),
    close: () => ledger.close(),
    submit(batch: TransferBatch): Promise<TransferResults> {
      calls.push([...batch.flags])
      return ledger.submit(batch)
    },
  }
}

const results: OpenLoadResult[] = []
afterEach(() => {
  for (const result of results.splice(0)) {
    result.latency.destroy()
    result.lateness.destroy()
  }
})

/** The stream sent by the open model in calls of at most 4, with or without chainSafeEnd. */
async function sendAll(safe: boolean): Promise<{ calls: number[][]; result: OpenLoadResult }> {
  const city = await stream()
  const clock = new FakeClock()
  const ledger = noting(await openClockedLedger(clock, (madeAtMs) => madeAtMs))
  const result = await runOpenLoad({
    // 18 transfers due by the first millisecond: the source, not the schedule, sets the pace.
    schedule: parseProfile('constant:20k/1s', 'test').schedule,
    ledger,
    source: (from, to) => city.take(from, to),
    available: () => city.available(),
    ...(safe ? { chainSafeEnd: (from: number, to: number) => city.chainSafeEnd(from, to) } : {}),
    now: clock.now,
    pause: clock.pause,
    inFlightMax: 100,
    batchMax: 4,
    coalesceMs: 0,
    lightWakeMs: 0,
  })
  results.push(result)
  await ledger.close()
  return { calls: ledger.calls, result }
}

const endsLinked = (flags: readonly number[]) =>
  ((flags[flags.length - 1] as number) & TransferFlag.linked) !== 0

describe('the open model over the stream', () => {
  it('sends no call that ends on a linked transfer, and every transfer once, in at most 4', async () => {
    // Proves openLoad honours the stream's chainSafeEnd: with calls of at most 4 (the first, at
    // 0 ms, of the one transfer then due), the third, 5 to 9, would cut the pair opening tick 1
    // and ends at tick 1's start instead; none is larger than 4; all 18 are sent and accepted,
    // linked ones included. Without chainSafeEnd the same sending cuts that pair, so the check can
    // see a cut.
    const { calls, result } = await sendAll(true)
    expect(calls.filter(endsLinked)).toEqual([])
    expect(calls.map((flags) => flags.length)).toEqual([1, 4, 3, 4, 4, 2])
    expect(Math.max(...calls.map((flags) => flags.length))).toBeLessThanOrEqual(4)
    expect(calls.flat()).toHaveLength(streamCount)
    expect([result.sent, result.completed, result.byCode[ResultCode.ok]]).toEqual([18, 18, 18])
    const cutting = await sendAll(false)
    expect(cutting.calls.some(endsLinked)).toBe(true)
    expect(cutting.result.byCode[ResultCode.linked_chain_open]).toBeGreaterThan(0)
  })
})
