/**
 * The shared-memory ring (engine/ledger/memory/ring.ts) with its consumer in a thread of its own
 * (ringEcho.worker.ts: the consumer blocks in Atomics.wait, so it cannot share the test's thread),
 * and the memory ledger's use of it (memoryLedger.ts): results reach their own call, calls apply in
 * the order made, backpressure loses and reorders nothing, tickets wrap, a failing consumer fails
 * every call waiting and to come, close ends the consumer, and a dead thread never leaves a call
 * hanging.
 */
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { AssertionError } from '../../../../engine/assert.js'
import type { LedgerOptions, TransferBatch } from '../../../../engine/ledger/ledgerCore.js'
import { MemoryLedger } from '../../../../engine/ledger/memory/memoryLedger.js'
import {
  RingOp,
  RingProducer,
  RingView,
  allocateRing,
  type RingOpCode,
  type RingSlot,
} from '../../../../engine/ledger/memory/ring.js'
import { lookupBatchMax, ringSlots, transferBatchMax } from '../../../../engine/limits.js'
import type { RingEchoClosed, RingEchoData } from './ringEcho.worker.js'

const slotCapacity = 8
const echoEntry = new URL('./ringEcho.worker.ts', import.meta.url)

interface Echo {
  readonly view: RingView
  readonly producer: RingProducer
  readonly worker: Worker
  /** The exit code, once the thread has ended. */
  readonly exited: Promise<number>
  /** What the thread says after consumeRing returned. */
  readonly closed: Promise<RingEchoClosed>
}

/**
 * A ring whose consumer is ringEcho.worker.ts, wired as memoryLedger.ts wires its thread: the
 * thread's error and its exit abort the producer. From sources, as memoryLedger.ts does under the
 * test runner: an eval thread registers tsx, then imports the entry. `ticketStart` sets both ends'
 * first ticket (the producer's through a cast: its counters are private).
 */
function startEcho(ticketStart = 0): Echo {
  const buffers = allocateRing(slotCapacity)
  const view = new RingView(buffers)
  const producer = new RingProducer(view)
  if (ticketStart !== 0) {
    Atomics.store(view.control, 0, ticketStart)
    Atomics.store(view.control, 1, ticketStart)
    Object.assign(producer as unknown as { nextTicket: number; released: number }, {
      nextTicket: ticketStart,
      released: ticketStart,
    })
  }
  const worker = new Worker(
    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(echoEntry.href)}) })`,
    { eval: true, workerData: { ring: buffers } satisfies RingEchoData },
  )
  worker.once('error', (error: Error) => producer.abort(error))
  const exited = new Promise<number>((resolve) => {
    worker.once('exit', (code) => {
      producer.abort(new Error(`the echo thread ended (exit code ${code})`))
      resolve(code)
    })
  })
  const closed = new Promise<RingEchoClosed>((resolve) =>
    worker.once('message', (message: RingEchoClosed) => resolve(message)),
  )
  return { view, producer, worker, exited, closed }
}

interface Echoed {
  readonly sequence: number
  readonly op: number
  readonly count: number
  readonly code: number[]
  readonly out0: number[]
}

function readEcho(slot: RingSlot, count: number): Echoed {
  return {
    sequence: slot.out1[0] as number,
    op: slot.out1[1] as number,
    count: slot.out1[2] as number,
    code: Array.from(slot.code.subarray(0, count)),
    out0: Array.from(slot.out0.subarray(0, count)),
  }
}

/** Call `k`: `count` ids of its own (none shared with another call), debits all `k`. */
function payload(k: number, count: number): { ids: number[]; debit: number } {
  return {
    ids: Array.from(
      { length: count },
      (_, i) => Math.imul(k * slotCapacity + i + 1, 0x9e37_79b9) >>> 0,
    ),
    debit: k,
  }
}

function echoCall(
  producer: RingProducer,
  op: RingOpCode,
  k: number,
  count: number,
): Promise<Echoed> {
  const { ids, debit } = payload(k, count)
  return producer.call(
    op,
    count,
    (slot) => {
      slot.id.set(ids)
      slot.debit.fill(debit, 0, count)
    },
    (slot) => readEcho(slot, count),
  )
}

/** What the echo thread answers to call `k`, made `sequence`-th on its ring. */
function expectedEcho(op: number, k: number, count: number, sequence: number): Echoed {
  const { ids, debit } = payload(k, count)
  return {
    sequence,
    op,
    count,
    code: ids.map((id) => (id * 7) & 0xff),
    out0: ids.map((id) => id * 3 + debit),
  }
}

const echoOps: readonly RingOpCode[] = [
  RingOp.submit,
  RingOp.lookup,
  RingOp.createAccounts,
  RingOp.open,
]

async function closeEcho(echo: Echo): Promise<void> {
  // The thread ends as soon as it has handled the close, and its exit aborts the producer: that may
  // come before the close call's own completion is read, failing it. A clean exit (0) is what
  // counts.
  await echo.producer
    .call(
      RingOp.close,
      0,
      () => undefined,
      () => undefined,
    )
    .catch(() => undefined)
  expect(await echo.exited).toBe(0)
}

// A call left hanging fails its test in seconds rather than at the runner's two minutes.
describe('ring between a producer and a consumer thread', { timeout: 10_000 }, () => {
  it('brings every call its own results, with 1,000 calls in flight at once', async () => {
    // Proves slots are not mixed up or overwritten before being read: each call gets what its own
    // payload produced.
    const echo = startEcho()
    const calls = Array.from({ length: 1_000 }, (_, k) => {
      const op = echoOps[k % echoOps.length] as RingOpCode
      const count = (k * 5) % (slotCapacity + 1)
      return { op, count, result: echoCall(echo.producer, op, k, count) }
    })
    const results = await Promise.all(calls.map((call) => call.result))
    results.forEach((result, k) => {
      const call = calls[k] as (typeof calls)[number]
      expect(result).toEqual(expectedEcho(call.op, k, call.count, k))
    })
    await closeEcho(echo)
  })

  it('applies calls in the order they are made, calls made from settling calls included', async () => {
    // Proves the order of application is the order of call(): the consumer's sequence number of
    // each call is its rank.
    const echo = startEcho()
    const made: number[] = []
    const pending: Promise<{ k: number; echoed: Echoed }>[] = []
    let k = 0
    const make = (): void => {
      const call = k++
      made.push(call)
      const count = call % (slotCapacity + 1)
      pending.push(
        echoCall(echo.producer, RingOp.submit, call, count).then((echoed) => {
          // Some settling calls make more calls while others still wait for a slot.
          if (call % 3 === 0 && k < 600) make()
          return { k: call, echoed }
        }),
      )
    }
    for (let burst = 0; burst < 40; burst++) {
      for (let i = 0; i < 1 + (burst % 9); i++) make()
      // Sometimes wait for the latest call, so the producer goes idle and starts again.
      if (burst % 4 === 3) await pending[pending.length - 1]
    }
    // Settling calls make more: wait until a round of waiting made none.
    for (let awaited = 0; awaited < pending.length;) {
      const upTo = pending.length
      await Promise.all(pending.slice(awaited, upTo))
      awaited = upTo
    }
    const settled = await Promise.all(pending)
    expect(settled.length).toBe(made.length)
    for (const { k: call, echoed } of settled) {
      expect(echoed).toEqual(
        expectedEcho(RingOp.submit, call, call % (slotCapacity + 1), made.indexOf(call)),
      )
    }
    await closeEcho(echo)
  })

  it('holds calls back while every slot is in flight, losing and reordering none', async () => {
    // Proves backpressure: at most ringSlots calls are written and unread, and a slot is rewritten
    // only after its last call was read.
    const echo = startEcho()
    const events: string[] = []
    let written = 0
    let read = 0
    let mostInFlight = 0
    const total = 500
    const results = Array.from({ length: total }, (_, k) => {
      const { ids, debit } = payload(k, slotCapacity)
      return echo.producer.call(
        RingOp.submit,
        slotCapacity,
        (slot) => {
          written += 1
          mostInFlight = Math.max(mostInFlight, written - read)
          events.push(`write ${k}`)
          slot.id.set(ids)
          slot.debit.fill(debit)
        },
        (slot) => {
          read += 1
          events.push(`read ${k}`)
          return readEcho(slot, slotCapacity)
        },
      )
    })
    // Only ringSlots calls could be written at once; the rest wait for a slot.
    expect(written).toBe(ringSlots)
    const echoed = await Promise.all(results)
    echoed.forEach((result, k) =>
      expect(result).toEqual(expectedEcho(RingOp.submit, k, slotCapacity, k)),
    )
    expect(written).toBe(total)
    expect(read).toBe(total)
    expect(mostInFlight).toBe(ringSlots)
    for (let k = 0; k + ringSlots < total; k++) {
      expect(events.indexOf(`write ${k + ringSlots}`)).toBeGreaterThan(events.indexOf(`read ${k}`))
    }
    await closeEcho(echo)
  })

  it('carries on across the wrap of its ticket counters past 2^31 - 1', async () => {
    // Proves the wrapping arithmetic on both ends: tickets start at 2^31 - 3 (set through a cast)
    // and run past it.
    const echo = startEcho(0x7fff_fffd)
    const results = Array.from({ length: 50 }, (_, k) =>
      echoCall(echo.producer, RingOp.lookup, k, k % (slotCapacity + 1)),
    )
    const echoed = await Promise.all(results)
    echoed.forEach((result, k) =>
      expect(result).toEqual(expectedEcho(RingOp.lookup, k, k % (slotCapacity + 1), k)),
    )
    expect(Atomics.load(echo.view.control, 1)).toBe((0x7fff_fffd + 50) | 0)
    await closeEcho(echo)
  })

  it('refuses a call that does not fit a slot', async () => {
    // Proves the producer's own bound: more items than a slot holds is a programmer error, thrown
    // at once.
    const echo = startEcho()
    expect(() =>
      echo.producer.call(
        RingOp.submit,
        slotCapacity + 1,
        () => undefined,
        () => undefined,
      ),
    ).toThrow(AssertionError)
    expect(() =>
      echo.producer.call(
        RingOp.submit,
        -1,
        () => undefined,
        () => undefined,
      ),
    ).toThrow(AssertionError)
    expect(await echoCall(echo.producer, RingOp.submit, 0, slotCapacity)).toEqual(
      expectedEcho(RingOp.submit, 0, slotCapacity, 0),
    )
    await closeEcho(echo)
  })

  it('fails every call waiting and every call to come with the error of a consumer that throws', async () => {
    // Proves abort: calls before the failing one resolve; the failing one, those in flight or
    // queued behind it and later ones all reject with the very error the thread threw (delivered by
    // the Worker's 'error' event).
    const echo = startEcho()
    const calls: Promise<unknown>[] = []
    for (let k = 0; k < 20; k++)
      calls.push(
        echoCall(
          echo.producer,
          k === 10 ? RingOp.totals : RingOp.submit,
          k,
          k % (slotCapacity + 1),
        ),
      )
    const settled = await Promise.allSettled(calls)
    settled.slice(0, 10).forEach((outcome, k) => {
      expect(outcome).toEqual({
        status: 'fulfilled',
        value: expectedEcho(RingOp.submit, k, k % (slotCapacity + 1), k),
      })
    })
    const failure = settled[10]
    expect(failure?.status).toBe('rejected')
    const error = (failure as PromiseRejectedResult).reason as Error
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toBe('ring echo consumer failed at call 10')
    for (const outcome of settled.slice(10)) {
      expect(outcome.status).toBe('rejected')
      expect((outcome as PromiseRejectedResult).reason).toBe(error)
    }
    await expect(echoCall(echo.producer, RingOp.submit, 99, 1)).rejects.toBe(error)
    expect(await echo.exited).toBe(1)
    await expect(echoCall(echo.producer, RingOp.submit, 100, 1)).rejects.toBe(error)
  })

  it('fails only the call whose own read or write throws; the calls around it are served', async () => {
    // Proves a throwing callback is that call's failure alone: the slot is still released, the ring
    // carries on, nothing hangs.
    const echo = startEcho()
    const before = echoCall(echo.producer, RingOp.submit, 1, 3)
    const badRead = echo.producer.call(
      RingOp.submit,
      2,
      () => undefined,
      () => {
        throw new Error('read failed')
      },
    )
    // Its rejection may come at once, before anything awaits it: caught here so it is not reported
    // unhandled.
    const badWrite = echo.producer
      .call(
        RingOp.submit,
        2,
        () => {
          throw new Error('write failed')
        },
        () => 'never read',
      )
      .then(
        () => 'resolved',
        (error: unknown) => (error as Error).message,
      )
    const after = Array.from({ length: 10 }, (_, k) =>
      echoCall(echo.producer, RingOp.lookup, 10 + k, 2),
    )
    await expect(badRead).rejects.toThrow('read failed')
    expect(await badWrite).toBe('write failed')
    expect(await before).toEqual(expectedEcho(RingOp.submit, 1, 3, 0))
    // The unwritten call was never published: the next ones follow the bad read in the consumer's
    // sequence.
    expect(await Promise.all(after)).toEqual(
      Array.from({ length: 10 }, (_, k) => expectedEcho(RingOp.lookup, 10 + k, 2, 2 + k)),
    )
    await closeEcho(echo)
  })

  it('ends the consumer loop with the close op', async () => {
    // Proves close: it resolves, consumeRing returns having handled every call before it, and the
    // thread ends on its own.
    const echo = startEcho()
    const before = await Promise.all(
      Array.from({ length: 7 }, (_, k) => echoCall(echo.producer, RingOp.submit, k, 1)),
    )
    expect(before.map((echoed) => echoed.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6])
    await echo.producer.call(
      RingOp.close,
      0,
      () => undefined,
      () => undefined,
    )
    // Made after close: no consumer reads it any more; the thread's exit fails it rather than
    // leaving it hanging.
    const late = echoCall(echo.producer, RingOp.submit, 8, 1)
    expect(await echo.closed).toEqual({ closedAfter: 8 })
    expect(await echo.exited).toBe(0)
    await expect(late).rejects.toThrow('the echo thread ended (exit code 0)')
  })
})

const ledgerOptions: LedgerOptions = {
  accountsMax: 16,
  tiers: [{ balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 }],
  utcOffsetMinutes: 8 * 60,
}

/** A batch of `count` transfers between accounts never created: each is answered, none applies. */
function batchOf(count: number): TransferBatch {
  return {
    count,
    id: Float64Array.from({ length: count }, (_, i) => i + 1),
    debit: new Uint32Array(count).fill(3),
    credit: new Uint32Array(count).fill(4),
    amountFen: new Uint32Array(count).fill(100),
    kind: new Uint8Array(count),
    flags: new Uint8Array(count),
    pendingId: new Float64Array(count),
    timeoutMinutes: new Uint32Array(count),
    minute: new Uint32Array(count).fill(29_000_000),
  }
}

/** The ledger's thread: a private field, reached through a cast to simulate its death. */
function threadOf(ledger: MemoryLedger): Worker {
  const worker = (ledger as unknown as { worker: Worker | null }).worker
  if (worker === null) throw new Error('the ledger is not open')
  return worker
}

describe('memory ledger over the ring', { timeout: 10_000 }, () => {
  it('refuses a batch bigger than transferBatchMax by an assertion, and still serves the next call', async () => {
    // Proves the bounds of a call are checked before anything is written: a full-size batch goes,
    // one more does not.
    const ledger = new MemoryLedger(ledgerOptions)
    await ledger.open()
    try {
      // The ledger's own check, not only the ring's (a slot holds transferBatchMax): the message
      // names the batch.
      const tooBig = ledger.submit(batchOf(transferBatchMax + 1))
      await expect(tooBig).rejects.toThrow(AssertionError)
      await expect(tooBig).rejects.toThrow('a batch holds at most transferBatchMax transfers')
      await expect(ledger.lookup(new Uint32Array(lookupBatchMax + 1))).rejects.toThrow(
        'a lookup holds at most lookupBatchMax ids',
      )
      const full = await ledger.submit(batchOf(transferBatchMax))
      expect(full.code.length).toBe(transferBatchMax)
      expect((await ledger.totals()).pendingCount).toBe(0)
    } finally {
      await ledger.close()
    }
  })

  it('closes twice without harm, one after the other or both at once', async () => {
    // Proves close() is idempotent: the second finds nothing to close, and the thread has ended.
    const one = new MemoryLedger(ledgerOptions)
    await one.open()
    const thread = threadOf(one)
    await one.close()
    await one.close()
    expect(thread.threadId).toBe(-1) // a thread that has ended has no id
    await expect(one.totals()).rejects.toThrow(AssertionError) // closed: "open before use"

    const two = new MemoryLedger(ledgerOptions)
    await two.open()
    await Promise.all([two.close(), two.close()])
    await two.close()
  })

  it('fails calls after its thread died instead of leaving them hanging', async () => {
    // Proves the thread's exit aborts the ring: calls made before and after the death settle, later
    // ones reject. The death is simulated by terminating the thread, reached through a cast
    // (threadOf).
    const ledger = new MemoryLedger(ledgerOptions)
    await ledger.open()
    const inFlight = ledger.submit(batchOf(1_000))
    const exitCode = await threadOf(ledger).terminate()
    expect(exitCode).toBe(1)
    await Promise.allSettled([inFlight])
    await expect(ledger.submit(batchOf(1))).rejects.toThrow(
      "the memory ledger's thread ended (exit code 1)",
    )
    await expect(ledger.totals()).rejects.toThrow("the memory ledger's thread ended (exit code 1)")
    await ledger.close()
    await ledger.close()
  })

  it('ends its thread on close even when its ring failed while the thread still waits on it', async () => {
    // Proves close() cannot hang on a ring that can no longer carry the close op: the thread is
    // ended instead. The failure is forced on the producer through a cast; the thread itself is
    // healthy and asleep in Atomics.wait.
    const ledger = new MemoryLedger(ledgerOptions)
    await ledger.open()
    const thread = threadOf(ledger)
    ;(ledger as unknown as { ring: { abort(error: Error): void } }).ring.abort(
      new Error('ring broken'),
    )
    await expect(ledger.totals()).rejects.toThrow('ring broken')
    await ledger.close()
    expect(thread.threadId).toBe(-1)
  })
})
