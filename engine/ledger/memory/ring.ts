/**
 * The ring between a ledger's caller and its thread: shared memory, one producer (the caller)
 * and one consumer (the ledger), `ringSlots` batch slots, a power of two.
 *
 *   control  [published, completed, sleeping]  Int32; tickets counted up forever (wrapping), slot = ticket & mask
 *
 *            ticket:  … t-2   t-1 │ t     t+1 │ t+2 …
 *                      released   │ in flight  │ free to write
 *
 *   producer: waits until fewer than `ringSlots` tickets are in flight, writes slot t,
 *             stores published = t + 1 and notifies ─────────────▶ consumer: waits while completed == published,
 * applies slot t, stores completed = t + 1,
 *   producer: once completed > t, reads slot t's results ◀─────── notifies
 *             and releases it
 *
 * Calls are published in the order they are made, so the ledger applies them in that order. The
 * producer never blocks its thread (Atomics.waitAsync); the consumer sleeps in Atomics.wait.
 * Each slot has room for `slotCapacity` transfers (or accounts) in columns:
 *
 *   u32: account debit credit amountFen timeoutMinutes minute   u8: kind flags code
 *   f64: id pendingId (transfer ids, integers below 2^53)   out0 out1 out2 (outputs)
 *
 * `account` carries the account ids of createAccounts and lookup, which stay Uint32. Other calls
 * lend the transfer columns (memoryLedger.ts says which goes where): createAccounts a restricted
 * account's restriction and owner (debit, credit) and a merchant's place (minute);
 * createRestrictions a restriction's columns; stageMerchants (restriction, merchant) pairs.
 */
import { assert } from '../../assert.js'
import { ringCallsQueuedMax, ringSlots } from '../../limits.js'

export const RingOp = {
  open: 1,
  createAccounts: 2,
  submit: 3,
  lookup: 4,
  totals: 5,
  close: 6,
  createRestrictions: 7,
  stageMerchants: 8,
} as const
export type RingOpCode = (typeof RingOp)[keyof typeof RingOp]

const published = 0
const completed = 1
/** 1 while the consumer sleeps (or is about to): only then does publishing need to wake it. */
const consumerSleeping = 2
const headerFields = 2
const op = 0
const count = 1

const u32Columns = 6
const u8Columns = 3
const f64Columns = 5

export interface RingBuffers {
  readonly slotCapacity: number
  readonly control: SharedArrayBuffer
  readonly header: SharedArrayBuffer
  readonly u32: SharedArrayBuffer
  readonly u8: SharedArrayBuffer
  readonly f64: SharedArrayBuffer
}

/** One slot's columns: views on the shared buffers. */
export interface RingSlot {
  /** Account ids of createAccounts and lookup. */
  readonly account: Uint32Array
  readonly id: Float64Array
  readonly debit: Uint32Array
  readonly credit: Uint32Array
  readonly amountFen: Uint32Array
  readonly pendingId: Float64Array
  readonly timeoutMinutes: Uint32Array
  readonly minute: Uint32Array
  readonly kind: Uint8Array
  readonly flags: Uint8Array
  readonly code: Uint8Array
  readonly out0: Float64Array
  readonly out1: Float64Array
  readonly out2: Float64Array
}

export function allocateRing(slotCapacity: number): RingBuffers {
  assert(Number.isInteger(slotCapacity) && slotCapacity > 0, 'a slot holds at least one transfer')
  return {
    slotCapacity,
    control: new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT),
    header: new SharedArrayBuffer(ringSlots * headerFields * Int32Array.BYTES_PER_ELEMENT),
    u32: new SharedArrayBuffer(ringSlots * u32Columns * slotCapacity * 4),
    u8: new SharedArrayBuffer(ringSlots * u8Columns * slotCapacity),
    f64: new SharedArrayBuffer(ringSlots * f64Columns * slotCapacity * 8),
  }
}

/** What both ends see: the control words, each slot's header and columns. */
export class RingView {
  readonly control: Int32Array
  readonly header: Int32Array
  readonly slots: readonly RingSlot[]

  constructor(readonly buffers: RingBuffers) {
    const capacity = buffers.slotCapacity
    this.control = new Int32Array(buffers.control)
    this.header = new Int32Array(buffers.header)
    const u32 = (slot: number, column: number) =>
      new Uint32Array(buffers.u32, (slot * u32Columns + column) * capacity * 4, capacity)
    const u8 = (slot: number, column: number) =>
      new Uint8Array(buffers.u8, (slot * u8Columns + column) * capacity, capacity)
    const f64 = (slot: number, column: number) =>
      new Float64Array(buffers.f64, (slot * f64Columns + column) * capacity * 8, capacity)
    this.slots = Array.from({ length: ringSlots }, (_, slot) => ({
      account: u32(slot, 0),
      debit: u32(slot, 1),
      credit: u32(slot, 2),
      amountFen: u32(slot, 3),
      timeoutMinutes: u32(slot, 4),
      minute: u32(slot, 5),
      kind: u8(slot, 0),
      flags: u8(slot, 1),
      code: u8(slot, 2),
      id: f64(slot, 0),
      pendingId: f64(slot, 1),
      out0: f64(slot, 2),
      out1: f64(slot, 3),
      out2: f64(slot, 4),
    }))
  }

  slotOf(ticket: number): RingSlot {
    return this.slots[ticket & (ringSlots - 1)] as RingSlot
  }

  opOf(ticket: number): number {
    return this.header[(ticket & (ringSlots - 1)) * headerFields + op] as number
  }

  countOf(ticket: number): number {
    return this.header[(ticket & (ringSlots - 1)) * headerFields + count] as number
  }

  setHeader(ticket: number, opCode: RingOpCode, itemCount: number): void {
    this.header[(ticket & (ringSlots - 1)) * headerFields + op] = opCode
    this.header[(ticket & (ringSlots - 1)) * headerFields + count] = itemCount
  }
}

interface Job {
  readonly op: RingOpCode
  readonly count: number
  readonly write: (slot: RingSlot) => void
  readonly read: (slot: RingSlot) => unknown
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

/** The caller's end. */
export class RingProducer {
  private nextTicket = 0
  private released = 0
  private readonly queued: Job[] = []
  private readonly inFlight: (Job & { ticket: number })[] = []
  private pumping = false
  private failure: Error | null = null

  constructor(private readonly view: RingView) {}

  /** Queues a call; it is published as soon as a slot is free, after every call made before it. */
  call<T>(
    opCode: RingOpCode,
    itemCount: number,
    write: (slot: RingSlot) => void,
    read: (slot: RingSlot) => T,
  ): Promise<T> {
    assert(
      itemCount >= 0 && itemCount <= this.view.buffers.slotCapacity,
      'a call fits one ring slot',
    )
    assert(
      this.queued.length < ringCallsQueuedMax,
      'callers keep at most ringCallsQueuedMax calls waiting for a slot',
    )
    if (this.failure !== null) return Promise.reject(this.failure)
    return new Promise<T>((resolve, reject) => {
      this.queued.push({
        op: opCode,
        count: itemCount,
        write,
        read,
        resolve: resolve as (value: unknown) => void,
        reject,
      })
      this.publish()
      void this.pump()
    })
  }

  /** The consumer is gone: every call made and every call to come fails with `error`. */
  abort(error: Error): void {
    if (this.failure !== null) return
    this.failure = error
    for (const job of [...this.inFlight, ...this.queued]) job.reject(error)
    this.inFlight.length = 0
    this.queued.length = 0
    // Wakes a completion wait, which then sees the failure.
    Atomics.notify(this.view.control, completed)
  }

  private publish(): void {
    const { control } = this.view
    while (
      this.queued.length > 0 &&
      ((this.nextTicket - this.released) | 0) < this.view.slots.length
    ) {
      const job = this.queued.shift() as Job
      const ticket = this.nextTicket
      try {
        job.write(this.view.slotOf(ticket))
      } catch (error) {
        // Nothing was published: only this call fails.
        job.reject(error)
        continue
      }
      this.view.setHeader(ticket, job.op, job.count)
      this.nextTicket = (ticket + 1) | 0
      this.inFlight.push({ ...job, ticket })
      Atomics.store(control, published, this.nextTicket)
      // Waking costs a system call; a consumer that is busy finds the new call without one.
      if (Atomics.load(control, consumerSleeping) === 1) Atomics.notify(control, published)
    }
  }

  /** Reads results in ticket order, releasing each slot and publishing what waited for one. */
  private async pump(): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    try {
      while (this.inFlight.length > 0 && this.failure === null) {
        const job = this.inFlight[0] as Job & { ticket: number }
        await this.completion(job.ticket)
        if (this.failure !== null) return
        this.inFlight.shift()
        try {
          job.resolve(job.read(this.view.slotOf(job.ticket)))
        } catch (error) {
          job.reject(error)
        }
        this.released = (this.released + 1) | 0
        this.publish()
      }
    } catch (error) {
      this.abort(error instanceof Error ? error : new Error(String(error)))
    } finally {
      this.pumping = false
    }
  }

  private async completion(ticket: number): Promise<void> {
    const { control } = this.view
    for (;;) {
      if (this.failure !== null) throw this.failure
      const done = Atomics.load(control, completed)
      if (((done - ticket) | 0) > 0) return
      const wait = Atomics.waitAsync(control, completed, done)
      if (wait.async) await wait.value
    }
  }
}

/** The ledger's end: sleeps until a call is published, hands it to `handle`, marks it complete. */
export function consumeRing(
  view: RingView,
  handle: (op: number, count: number, slot: RingSlot) => void,
): void {
  const { control } = view
  let ticket = Atomics.load(control, completed)
  for (;;) {
    while (Atomics.load(control, published) === ticket) {
      // Say so before sleeping, then look once more: a producer that published in between either is
      // seen here or sees the flag and wakes us (both sides store, then load: one sees the other).
      Atomics.store(control, consumerSleeping, 1)
      if (Atomics.load(control, published) === ticket) Atomics.wait(control, published, ticket)
      Atomics.store(control, consumerSleeping, 0)
    }
    const opCode = view.opOf(ticket)
    handle(opCode, view.countOf(ticket), view.slotOf(ticket))
    ticket = (ticket + 1) | 0
    Atomics.store(control, completed, ticket)
    Atomics.notify(control, completed)
    if (opCode === RingOp.close) return
  }
}
