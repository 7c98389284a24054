/**
 * The city's payments as one stream: the only producer of tick batches. Ticks are made from the
 * simulation workers' chunks (60 ticks × 64 segments), a few chunks ahead in the pool, each tick's
 * segments joined in canonical order (0..63). Two kinds of consumer take from it:
 *
 *   pool ─▶ chunk ─▶ tick batches [t][t+1][t+2]… ─┬─▶ nextTick()      whole ticks, in order (flat out)
 *                                                  └─▶ take(from, to)  transfers by position (open model)
 *
 * Ids are stamped as transfers are taken, from the run's one sequence (TransferIds), so they are
 * in the order the ledger sees them whichever consumer takes them, the evenings' between.
 *
 * The institutions' evening reads balances after a day's payments are applied, so it runs beside
 * the stream: a flat-out consumer is told a tick ends its day; a positional one asks which days'
 * last payments have been taken (`eveningsDue`).
 */
import { assert } from '../assert.js'
import { unpackIntents, type AgentIndexBuffers, type PackedIntents } from '../behaviour/index.js'
import type { TransferBatch } from '../ledger/index.js'
import { joinBatches } from '../ledger/transferBatches.js'
import { chunksInFlightMax, segmentCount, ticksPerChunk } from '../limits.js'
import type { Plan } from '../plan/index.js'
import { isLastTickOfDay, isoMinute } from '../time/index.js'
import { Demand } from './demand.js'
import type { SimPool } from './simPool.js'
import { DeferredQueue } from './deferredQueue.js'
import { TickBatch } from './tickBatch.js'
import type { TransferIds } from './transferIds.js'

export interface CityStreamOptions {
  /** Ticks the stream may make (the scenario's period, or less). */
  readonly ticks: number
  readonly ids: TransferIds
  /**
   * Whether the stream should make another tick now, ahead of a positional consumer (asked after
   * each tick it makes). Without it, ticks are made only as they are asked for.
   */
  readonly wantMore?: (stream: CityStream) => boolean
  /** Each tick's payment count, in tick order, as the tick is made. */
  readonly onTick?: (tick: number, payments: number) => void
}

/** One tick's payments, whole, for a consumer that takes ticks in order. */
export interface MadeTick {
  readonly tick: number
  /** The simulated minute the tick's transfers carry. */
  readonly minute: number
  /** Its payments: seal them in order with `seal` before sending. */
  readonly batch: TickBatch
  /** The last tick of a simulated day (or of the period): the evening follows it. */
  readonly endsDay: boolean
}

interface Queued {
  readonly made: MadeTick
  /** Transfers of it already taken by position. */
  taken: number
}

export class CityStream {
  /** Transfers made and not yet taken. */
  queued = 0
  /** Transfers taken so far: the position of the next. */
  taken = 0
  /** Ticks made so far. */
  ticksMade = 0
  readonly demand: Demand
  private readonly queue: Queued[] = []
  /** Transfers made before each tick (ticksMade + 1 entries are set). */
  private readonly madeBefore: Float64Array
  private readonly chunks = new Map<number, Promise<PackedIntents[]>>()
  private current: { chunk: number; segments: PackedIntents[] } | undefined
  /** The deferred intents still to come. */
  private readonly deferred = new DeferredQueue(segmentCount)
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
    assert(
      options.ticks >= 1 && options.ticks <= plan.clock.ticks,
      'the stream covers part of the period',
    )
    this.madeBefore = new Float64Array(options.ticks + 1)
    this.demand = new Demand(plan.clock.ticks)
  }

  /** Every tick of the stream has been made. */
  get exhausted(): boolean {
    return this.ticksMade >= this.options.ticks
  }

  /**
   * The next tick, whole, made now if it is not yet (undefined past the stream's last). For a
   * consumer that takes whole ticks only: it never mixes with `take`.
   */
  async nextTick(): Promise<MadeTick | undefined> {
    if (this.queue.length === 0) {
      if (this.exhausted) return undefined
      await this.makeTick()
    }
    const head = this.queue.shift() as Queued
    assert(head.taken === 0, 'whole ticks are not also taken by position')
    this.queued -= head.made.batch.count
    this.taken += head.made.batch.count
    return head.made
  }

  /** Transfers a positional consumer may take now. Starts making more if the stream wants them. */
  available(): number {
    if (this.failure !== undefined) throw this.failure
    this.kick()
    return this.queued
  }

  /**
   * Makes ticks until `wantMore` says enough (or the stream is exhausted); at most one pump runs.
   */
  kick(): void {
    const wantMore = this.options.wantMore
    if (this.pumping !== undefined || this.exhausted || wantMore === undefined || !wantMore(this))
      return
    this.pumping = this.pump(wantMore).then(
      () => {
        this.pumping = undefined
      },
      (error: unknown) => {
        this.failure = error instanceof Error ? error : new Error(String(error))
        this.pumping = undefined
      },
    )
  }

  /** Makes every tick up to `ticks` (those the consumer has not reached are still queued). */
  async makeUntil(ticks: number): Promise<void> {
    while (this.ticksMade < Math.min(ticks, this.options.ticks)) {
      if (this.pumping !== undefined) await this.pumping
      else await this.makeTick()
      if (this.failure !== undefined) throw this.failure
    }
  }

  /**
   * Transfers [from, to) of the stream, ids stamped: `from` is the next untaken one, and all are
   * queued.
   */
  take(from: number, to: number): TransferBatch {
    assert(
      from === this.taken && to - from <= this.queued && to > from,
      'transfers are taken in order, from what is queued',
    )
    const parts: TransferBatch[] = []
    for (let wanted = to - from; wanted > 0;) {
      const head = this.queue[0] as Queued
      const { batch, minute } = head.made
      const length = Math.min(wanted, batch.count - head.taken)
      parts.push(batch.seal(this.options.ids.take(length), minute, head.taken, head.taken + length))
      head.taken += length
      wanted -= length
      if (head.taken === batch.count) this.queue.shift()
    }
    this.taken = to
    this.queued -= to - from
    this.noteEvenings()
    this.kick()
    return parts.length === 1 ? (parts[0] as TransferBatch) : joinBatches(parts)
  }

  /**
   * Where a take from `from` (the next untaken transfer) that would end at `to` should end so as
   * not to cut a linked chain (chains never span ticks: tickBatch.ts says where). It runs on past
   * `to` only when it starts the chain itself: a take begun in an earlier tick ends at the start
   * of the chain that opens this one, so it never holds more than was asked.
   */
  chainSafeEnd(from: number, to: number): number {
    assert(from === this.taken && to > from && to - from <= this.queued, 'a take of what is queued')
    let first = from
    for (const entry of this.queue) {
      const zero = first - entry.taken
      const end = zero + entry.made.batch.count
      if (to <= end) {
        const safe = zero + entry.made.batch.chainSafeEnd(first - zero, to - zero)
        return safe > to && first > from ? first : safe
      }
      first = end
    }
    return to
  }

  /** Days whose last payment has been taken since the last call: each day's last tick. */
  eveningsDue(): number[] {
    const due = this.evenings.slice(this.eveningsHandedOut)
    this.eveningsHandedOut = this.evenings.length
    return due
  }

  /** The simulated minute (tick, fractional) the stream has reached after `taken` transfers. */
  tickReached(): number {
    // The tick holding the next untaken transfer (the first whose end is beyond it), and how far
    // into it.
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

  /** Waits for the pump, if one runs. */
  async stop(): Promise<void> {
    await this.pumping
  }

  /**
   * Waits for the pump and for every chunk asked of the workers: nothing is left running in the
   * pool when the run goes on to its audit (or its failure).
   */
  async finish(): Promise<void> {
    await this.pumping
    await Promise.allSettled(this.chunks.values())
  }

  private async pump(wantMore: (stream: CityStream) => boolean): Promise<void> {
    while (!this.exhausted && wantMore(this)) await this.makeTick()
  }

  private async makeTick(): Promise<void> {
    const tick = this.ticksMade
    const segments = await this.segmentsFor(Math.floor(tick / ticksPerChunk))
    const inChunk = tick % ticksPerChunk
    let count = 0
    for (const intents of segments)
      count += (intents.tickEnd[inChunk] as number) - tickStart(intents, inChunk)
    const batch = new TickBatch(count)
    segments.forEach((intents, segment) => {
      batch.appendIntents(intents, tickStart(intents, inChunk), intents.tickEnd[inChunk] as number)
      this.deferred.appendDue(batch, segment, tick)
    })
    count = batch.count
    const endsDay = isLastTickOfDay(this.plan.clock, tick) || tick === this.plan.clock.ticks - 1
    this.queue.push({
      made: { tick, minute: this.plan.clock.startMinute + tick, batch, endsDay },
      taken: 0,
    })
    this.queued += count
    this.madeBefore[tick + 1] = (this.madeBefore[tick] as number) + count
    this.ticksMade = tick + 1
    this.demand.note(tick, count)
    this.options.onTick?.(tick, count)
    this.noteEvenings()
  }

  /** The chunk's segments, in order; the next chunks are asked of the workers meanwhile. */
  private async segmentsFor(chunk: number): Promise<PackedIntents[]> {
    if (this.current?.chunk === chunk) return this.current.segments
    for (let ahead = 0; ahead < chunksInFlightMax; ahead++) this.request(chunk + ahead)
    const segments = await (this.chunks.get(chunk) as Promise<PackedIntents[]>)
    this.chunks.delete(chunk)
    assert(segments.length === segmentCount, 'one result per segment')
    this.current = { chunk, segments }
    this.deferred.add(segments)
    return segments
  }

  private request(chunk: number): void {
    if (
      chunk * ticksPerChunk >= this.options.ticks ||
      this.chunks.has(chunk) ||
      this.current?.chunk === chunk
    )
      return
    const work = Promise.all(
      this.plan.segments.map((segment) =>
        this.pool.generate(segment.index, chunk, this.index).then(unpackIntents),
      ),
    )
    // Awaited in segmentsFor; this only keeps an early failure from going unhandled.
    work.catch(() => undefined)
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

/** Where a tick starts in a segment's chunk of intents. */
function tickStart(intents: PackedIntents, inChunk: number): number {
  return inChunk === 0 ? 0 : (intents.tickEnd[inChunk - 1] as number)
}
