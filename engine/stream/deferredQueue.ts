/**
 * Intents made in one chunk for a later tick (a parking exit, a delivery, a visitor's purchase),
 * kept per segment until their tick is made: then each segment's own intents of the tick go
 * first, and its deferred ones after, oldest chunk first, each chunk's in the order made. The order
 * depends only on ticks and segments, never on which worker made what.
 */
import { assert } from '../assert.js'
import type { PackedDeferred, PackedIntents } from '../behaviour/index.js'
import type { TickBatch } from './tickBatch.js'

/** A segment's intents deferred from one chunk, by tick, and how far they are taken. */
interface DeferredSource {
  readonly deferred: PackedDeferred
  /** Indices into `deferred`, by tick then as made. */
  readonly order: Uint32Array
  next: number
}

function copied(deferred: PackedDeferred): PackedDeferred {
  return {
    count: deferred.count,
    tick: deferred.tick.slice(),
    debit: deferred.debit.slice(),
    credit: deferred.credit.slice(),
    amountFen: deferred.amountFen.slice(),
    kind: deferred.kind.slice(),
    channel: deferred.channel.slice(),
    detail: deferred.detail.slice(),
    flags: deferred.flags.slice(),
    id: deferred.id.slice(),
    pendingId: deferred.pendingId.slice(),
    timeoutMinutes: deferred.timeoutMinutes.slice(),
    heldFen: deferred.heldFen.slice(),
  }
}

export class DeferredQueue {
  private readonly sources: DeferredSource[][]

  constructor(segments: number) {
    this.sources = Array.from({ length: segments }, () => [])
  }

  /** A chunk's segments, in order, as they arrive (chunks in order). */
  add(segments: readonly PackedIntents[]): void {
    segments.forEach((intents, segment) => {
      if (intents.deferred.count === 0) return
      // Copied out of the chunk's buffer, so that the chunk is let go once its own ticks are made
      // (a parking stay or a visit may keep its deferred intents for hours).
      const deferred = copied(intents.deferred)
      const order = Uint32Array.from({ length: deferred.count }, (_, index) => index)
      order.sort((a, b) => (deferred.tick[a] as number) - (deferred.tick[b] as number) || a - b)
      ;(this.sources[segment] as DeferredSource[]).push({ deferred, order, next: 0 })
    })
  }

  /** Appends the segment's intents deferred to `tick` (every earlier tick's are taken). */
  appendDue(batch: TickBatch, segment: number, tick: number): void {
    const sources = this.sources[segment] as DeferredSource[]
    if (sources.length === 0) return
    for (const source of sources) {
      const { deferred, order } = source
      for (; source.next < deferred.count; source.next++) {
        const at = order[source.next] as number
        const due = deferred.tick[at] as number
        assert(due >= tick, 'a deferred intent goes in a later tick than the one it was made in')
        if (due > tick) break
        batch.appendDeferred(deferred, at)
      }
    }
    if (sources.some((source) => source.next >= source.deferred.count))
      this.sources[segment] = sources.filter((source) => source.next < source.deferred.count)
  }
}
