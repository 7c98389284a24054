/**
 * The counting ledger counts each answered call once, in order, from the batch as it was sent:
 * an institution that fills its batch again as soon as its call is answered (the evening's
 * slices) must not change what was counted for that call.
 */
import { describe, expect, it } from 'vitest'
import { CountingLedger } from '../../../engine/counting/countingLedger.js'
import { OutcomeDigest } from '../../../engine/counting/digests.js'
import type { DistrictCounters } from '../../../engine/counting/districtCounters.js'
import {
  ResultCode,
  type LedgerCore,
  type TransferBatch,
  type TransferResults,
} from '../../../engine/ledger/index.js'
import { TransferCounters } from '../../../engine/metrics/transferCounters.js'
import { TickBatch } from '../../../engine/stream/tickBatch.js'

const issuer = 0
const topup = 1

/** A ledger whose calls answer, all ok, only when the test says, in the order they were made. */
function heldLedger(): { ledger: LedgerCore; answerNext(code?: number): void } {
  const waiting: { count: number; resolve: (results: TransferResults) => void }[] = []
  const ledger = {
    name: 'held',
    open: async () => undefined,
    createAccounts: async () => ({ code: new Uint8Array(0) }),
    submit: (batch: TransferBatch) =>
      new Promise<TransferResults>((resolve) => waiting.push({ count: batch.count, resolve })),
    lookup: async () => ({ balanceFen: new Float64Array(0) }),
    totals: async () => ({}),
    close: async () => undefined,
  } as unknown as LedgerCore
  const answerNext = (code = ResultCode.ok as number) => {
    const call = waiting.shift()
    if (call === undefined) throw new Error('no call waits for an answer')
    call.resolve({ code: new Uint8Array(call.count).fill(code) })
  }
  return { ledger, answerNext }
}

describe('the counting ledger', () => {
  it('counts an institution call from its batch as sent, though the batch is refilled once answered', async () => {
    // Proves the evening's reuse of one batch cannot move money between kinds in the tallies:
    // with a payments call counted ahead of it, the institution hears its answer only once counted.
    const held = heldLedger()
    const { ledger } = held
    const counters = new TransferCounters(issuer)
    // District counting is not what this test is about: it only has to accept the calls.
    const districts = { count: () => undefined } as unknown as DistrictCounters
    const counting = new CountingLedger(ledger, counters, districts, new OutcomeDigest())
    const payments = new TickBatch(4)
    payments.push(5, 6, 100, 2)
    const paid = counting.payments.submit(payments.seal(1, 0, 0, 1))
    const evening = new TickBatch(4)
    evening.push(1, 7, 3_000, topup)
    const topped = counting.institutions.submit(evening.seal(2, 0, 0, 1))
    held.answerNext()
    held.answerNext()
    await Promise.all([paid, topped])
    // As the evening does: the same batch, filled with the next slice once its call is answered.
    evening.reset()
    evening.push(1, 8, 999_999, 3)
    await counting.settled()
    const byKind = counters.byKind()
    expect(counters.submitted).toBe(2)
    expect(byKind.topup.amountFen).toBe(3_000)
    expect(Object.values(byKind).reduce((sum, kind) => sum + kind.amountFen, 0)).toBe(3_100)
  })
  it("counts the city's payments by result code apart from the institutions' transfers", async () => {
    // Proves the live page's one denominator: a rejected payment is counted among the payments,
    // a rejected top-up is not, and every transfer is still in the run's own tallies.
    const held = heldLedger()
    const counters = new TransferCounters(issuer)
    const districts = { count: () => undefined } as unknown as DistrictCounters
    const counting = new CountingLedger(held.ledger, counters, districts, new OutcomeDigest())
    const payments = new TickBatch(4)
    payments.push(5, 6, 100, 2)
    payments.push(5, 7, 200, 2)
    const paid = counting.payments.submit(payments.seal(1, 0, 0, 2))
    const evening = new TickBatch(4)
    evening.push(1, 7, 3_000, topup)
    const topped = counting.institutions.submit(evening.seal(3, 0, 0, 1))
    held.answerNext(ResultCode.insufficient_funds)
    held.answerNext(ResultCode.insufficient_funds)
    await Promise.all([paid, topped])
    await counting.settled()
    expect(counting.paymentsAnswered).toBe(2)
    const paymentCodes = counting.paymentCodes()
    expect(paymentCodes[ResultCode.insufficient_funds]).toBe(2)
    expect(paymentCodes.reduce((sum, count) => sum + count, 0)).toBe(2)
    expect(counters.submitted).toBe(3)
    expect(counters.rejected).toBe(3)
  })
})
