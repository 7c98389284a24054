/**
 * The consumer end of a ring for ring.test.ts: a thread that runs consumeRing and, for every call,
 * writes back something the caller can check came from its own call and in its own turn:
 *
 *   code[i] = (id[i] * 7) & 0xff     out0[i] = id[i] * 3 + debit[i]     per item
 *   out1[0] = sequence number        out1[1] = op        out1[2] = count        per call
 *
 * A `totals` call throws `ring echo consumer failed at call <sequence number>` (a consumer that
 * fails); after `close`, consumeRing has returned and the thread says how many calls it handled,
 * then ends. Only types may be imported from here: the module's body runs the consumer.
 */
import { parentPort, workerData } from 'node:worker_threads'
import {
  RingOp,
  RingView,
  consumeRing,
  type RingBuffers,
  type RingSlot,
} from '../../../../engine/ledger/memory/ring.js'

export interface RingEchoData {
  readonly ring: RingBuffers
}

export interface RingEchoClosed {
  readonly closedAfter: number
}

const { ring } = workerData as RingEchoData
let sequence = 0

function handle(op: number, count: number, slot: RingSlot): void {
  const n = sequence++
  if (op === RingOp.totals) throw new Error(`ring echo consumer failed at call ${n}`)
  for (let i = 0; i < count; i++) {
    const id = slot.id[i] as number
    slot.code[i] = (id * 7) & 0xff
    slot.out0[i] = id * 3 + (slot.debit[i] as number)
  }
  slot.out1[0] = n
  slot.out1[1] = op
  slot.out1[2] = count
}

consumeRing(new RingView(ring), handle)
parentPort?.postMessage({ closedAfter: sequence } satisfies RingEchoClosed)
