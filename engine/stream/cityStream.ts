/**
 * The city's payments as one stream for the open model: ticks made by the simulation workers on
 * demand, a few ahead of the sender, each stamped with ids in the order sent and kept as its own
 * batch until taken. The sender takes transfers by position (`take(from, to)`); the simulated
 * clock is wherever the stream has reached, so in target mode it runs as fast as the target rate
 * consumes the city's payments.
 *
 *   pool ─▶ chunk (60 ticks × 64 segments) ─▶ tick batches [t][t+1][t+2]… ─▶ take(from, to) ─▶ ledger
 *                                                    └ at a day's last tick: the evening's institutions
 *
 * Only the payments are in the stream. The institutions' evening (redemptions, nightly top-ups)
 * reads balances after a day's payments are applied, so it runs beside the stream, once the day's
 * last payment has been sent (`eveningsDue`).
 */
import { assert } from '../assert.js'
import { unpackIntents, type AgentIndexBuffers, type PackedIntents } from '../behaviour/index.js'
import type { TransferBatch } from '../ledger/index.js'
import { joinBatches, sliceBatch } from '../ledger/transferBatches.js'
import { chunksInFlightMax, segmentCount, ticksPerChunk } from '../limits.js'
import { isLastTickOfDay, isoMinute } from '../time/index.js'
import type { Plan } from '../plan/plan.js'
import type { SimPool } from './simPool.js'
import { TickBatch } from './tickBatch.js'

export interface CityStreamOptions {
  /** Ticks the stream may make (the scenario's period, or less). */
  readonly ticks: number
  /** Whether the stream should make another tick now (asked after each one it makes). */
  readonly wantMore: (stream: CityStream) => boolean
  /** Ids for `count` transfers, in order: the first of them. */
  readonly allocateIds: (count: number) => number
  /** Each tick's payments, in tick order, as they are made (stamped; not to be changed). */
  readonly onTick?: (tick: number, batch: TransferBatch) => void
}

export class CityStream {
  /** Transfers made and not yet taken. */
  queued = 0
  /** Transfers taken so far: the position of the next. */
  taken = 0
  /** Ticks made so far. */
  ticksMade = 0
  private readonly queue: TransferBatch[] = []
  /** Transfers of queue[0] already taken. */
  private headTaken = 0
  /** Transfers made before each tick (ticksMade + 1 entries are set). */
  private readonly madeBefore: Float64Array
  private readonly chunks = new Map<number, Promise<PackedIntents[]>>()
  private current: { chunk: number; segments: PackedIntents[] } | undefined
  private pumping: Promise<void> | undefined
  private failure: Error | undefined
  /** Last ticks of days whose payments have all been taken, not yet handed out. */
  private readonly evenings: number[] = []
  private eveningsHandedOut = 0
  /** The next tick to look at for a day's end. */
  private eveningScan = 0

  constructor(
    private readonly plan: Plan,
    private readonly pool: SimPool,
    private readonly index: AgentIndexBuffers,
    private readonly options: CityStreamOptions,
  ) {
    assert(options.ticks >= 1 && options.ticks <= plan.clock.ticks, 'the stream covers part of the period')
    this.madeBefore = new Float64Array(options.ticks + 1)
  }

  /** Every tick of the stream has been made. */
  get exhausted(): boolean {
    return this.ticksMade >= this.options.ticks
  }

  /** Transfers the sender may take now. Starts making more if the stream wants them. */
  available(): number {
    if (this.failure !== undefined) throw this.failure
    this.kick()
    return this.queued
  }

  /** Makes ticks until `wantMore` says enough (or the stream is exhausted); at most one pump runs. */
  kick(): void {
    if (this.pumping !== undefined || this.exhausted || !this.options.wantMore(this)) return
    this.pumping = this.pump().then(
      () => {
        this.pumping = undefined
      },
      (error: unknown) => {
        this.failure = error instanceof Error ? error : new Error(String(error))
        this.pumping = undefined
      },
    )
  }

  /** Makes every tick up to `ticks` (those the sender has not reached are still queued). */
  async makeUntil(ticks: number): Promise<void> {
    while (this.ticksMade < Math.min(ticks, this.options.ticks)) {
      if (this.pumping !== undefined) await this.pumping
      else await this.makeTick()
      if (this.failure !== undefined) throw this.failure
    }
  }

  /** Transfers [from, to) of the stream: `from` is the next untaken one, and all are queued. */
  take(from: number, to: number): TransferBatch {
    assert(from === this.taken && to - from <= this.queued && to > from, 'transfers are taken in order, from what is queued')
    const parts: TransferBatch[] = []
    let wanted = to - from
    while (wanted > 0) {
      const head = this.queue[0] as TransferBatch
      const length = Math.min(wanted, head.count - this.headTaken)
      parts.push(sliceBatch(head, this.headTaken, this.headTaken + length))
      this.headTaken += length
      wanted -= length
      if (this.headTaken === head.count) {
        this.queue.shift()
        this.headTaken = 0
      }
    }
    this.taken = to
    this.queued -= to - from
    this.noteEvenings()
    this.kick()
    return parts.length === 1 ? (parts[0] as TransferBatch) : joinBatches(parts)
  }

  /** Days whose last payment has been taken since the last call: each day's last tick. */
  eveningsDue(): number[] {
    const due = this.evenings.slice(this.eveningsHandedOut)
    this.eveningsHandedOut = this.evenings.length
    return due
  }

  /** The simulated minute (tick, fractional) the stream has reached after `taken` transfers. */
  tickReached(): number {
    // The tick holding the next untaken transfer (the first whose end is beyond it), and how far into it.
    let low = 0
    let high = this.ticksMade
    while (low < high) {
      const middle = (low + high) >> 1
      if ((this.madeBefore[middle + 1] as number) <= this.taken) low = middle + 1
      else high = middle
    }
    const tick = low
    if (tick >= this.ticksMade) return this.ticksMade
    const count = (this.madeBefore[tick + 1] as number) - (this.madeBefore[tick] as number)
    return tick + (count === 0 ? 0 : (this.taken - (this.madeBefore[tick] as number)) / count)
  }

  simulatedAt(): string {
    return isoMinute(this.plan.clock, Math.floor(this.tickReached()))
  }

  /** Waits for the pump, if one runs; generation still under way is left to finish in the pool. */
  async stop(): Promise<void> {
    await this.pumping
  }

  private async pump(): Promise<void> {
    while (!this.exhausted && this.options.wantMore(this)) await this.makeTick()
  }

  private async makeTick(): Promise<void> {
    const tick = this.ticksMade
    const chunk = Math.floor(tick / ticksPerChunk)
    if (this.current?.chunk !== chunk) {
      for (let ahead = 0; ahead < chunksInFlightMax; ahead++) this.request(chunk + ahead)
      const segments = await (this.chunks.get(chunk) as Promise<PackedIntents[]>)
      this.chunks.delete(chunk)
      assert(segments.length === segmentCount, 'one result per segment')
      this.current = { chunk, segments }
    }
    const inChunk = tick - chunk * ticksPerChunk
    const { segments } = this.current
    let count = 0
    for (const intents of segments) count += (intents.tickEnd[inChunk] as number) - (inChunk === 0 ? 0 : (intents.tickEnd[inChunk - 1] as number))
    const batch = new TickBatch(count)
    for (const intents of segments) batch.appendIntents(intents, inChunk === 0 ? 0 : (intents.tickEnd[inChunk - 1] as number), intents.tickEnd[inChunk] as number)
    const sealed = batch.seal(this.options.allocateIds(count), this.plan.clock.startMinute + tick, 0, count)
    if (count > 0) this.queue.push(sealed)
    this.queued += count
    this.madeBefore[tick + 1] = (this.madeBefore[tick] as number) + count
    this.ticksMade = tick + 1
    this.options.onTick?.(tick, sealed)
    this.noteEvenings()
  }

  private request(chunk: number): void {
    if (chunk * ticksPerChunk >= this.options.ticks || this.chunks.has(chunk) || this.current?.chunk === chunk) return
    const work = Promise.all(this.plan.segments.map((segment) => this.pool.generate(segment.index, chunk, this.index).then(unpackIntents)))
    work.catch(() => undefined) // awaited in makeTick; this only keeps an early failure from going unhandled
    this.chunks.set(chunk, work)
  }

  /** A day ends once its last tick is made and every payment up to it has been taken. */
  private noteEvenings(): void {
    for (; this.eveningScan < this.ticksMade; this.eveningScan++) {
      const tick = this.eveningScan
      if (!isLastTickOfDay(this.plan.clock, tick) && tick !== this.plan.clock.ticks - 1) continue
      if ((this.madeBefore[tick + 1] as number) > this.taken) return
      this.evenings.push(tick)
    }
  }
}
