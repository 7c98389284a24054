/**
 * The memory ledger's thread: the single writer. It owns the ledger's state and applies what the
 * ring brings, in order, until it is told to close. An assertion failing here is a bug: the
 * thread ends with the error, and every call waiting on it fails with it.
 */
import { workerData } from 'node:worker_threads'
import { assert, unreachable } from '../engine/assert.js'
import type { LedgerWorkerData } from '../engine/ledger/memory/memoryLedger.js'
import { LedgerState } from '../engine/ledger/memory/ledgerState.js'
import { RingOp, RingView, consumeRing, type RingSlot } from '../engine/ledger/memory/ring.js'
import { transferKindCount } from '../engine/ledger/transferKind.js'

const { options, ring } = workerData as LedgerWorkerData
let state: LedgerState | null = null

function opened(): LedgerState {
  assert(state !== null, 'the ledger is opened before use')
  return state
}

function handle(op: number, count: number, slot: RingSlot): void {
  switch (op) {
    case RingOp.open:
      assert(state === null, 'open once')
      state = new LedgerState(options)
      return
    case RingOp.createAccounts:
      opened().createAccounts(
        count,
        slot.account,
        slot.kind,
        slot.flags,
        { restriction: slot.debit, owner: slot.credit, place: slot.minute },
        slot.code,
      )
      return
    case RingOp.stageMerchants:
      opened().stageMerchants(count, slot.account, slot.debit)
      return
    case RingOp.createRestrictions:
      opened().createRestrictions(
        count,
        {
          id: slot.account,
          issuer: slot.debit,
          categories: slot.credit,
          districts: slot.amountFen,
          minSpendFen: slot.timeoutMinutes,
          validFrom: slot.minute,
          validUntil: slot.pendingId,
        },
        slot.code,
      )
      return
    case RingOp.submit:
      opened().submit(slot, count, slot.code)
      return
    case RingOp.lookup:
      opened().lookup(count, slot.account, slot.out0, slot.out1, slot.out2)
      return
    case RingOp.totals: {
      const totals = opened().totals()
      assert(slot.out0.length >= transferKindCount + 2, 'a slot holds the totals')
      slot.out0.set(totals.debitsFen, 0)
      slot.out1.set(totals.creditsFen, 0)
      slot.out2[0] = totals.pendingCount
      slot.out2[1] = totals.pendingFen
      return
    }
    case RingOp.close:
      state = null
      return
    default:
      return unreachable(op as never)
  }
}

consumeRing(new RingView(ring), handle)
