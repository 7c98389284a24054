/**
 * The open model's pace: which schedule gives each payment its intended send time, and how far
 * ahead of the sender the city stream makes ticks for it.
 *   steered (the live map)  the control's LiveSchedule over the whole period
 *   realistic               the city's own rhythm: a TickSchedule that learns each minute as made
 *   a rate profile          the profile's RateSchedule; the stream keeps half a second of its peak made
 */
import { TickSchedule, type LiveSchedule, type LoadSchedule } from '../../load/index.js'
import { transferBatchMax } from '../../limits.js'
import type { Plan } from '../../plan/index.js'
import type { CityStream } from '../../stream/cityStream.js'
import type { NowMs } from '../../time/index.js'
import type { LoadRunOptions } from './loadRunOptions.js'

/** A rate profile keeps at least this much of its peak rate made ahead of the sender. */
const madeAheadSeconds = 0.5
/** The realistic profile keeps the city at least this far ahead of the wall clock. */
const madeAheadMs = 1_000

export interface Pacing {
  readonly schedule: LoadSchedule
  /** Set for the realistic profile: it knows only the ticks the city has made. */
  readonly realistic?: TickSchedule
  /** The profile's peak rate, for a rate profile (0 otherwise). */
  readonly peakTps: number
  /** Ticks the stream may make. */
  readonly ticks: number
}

/**
 * The pacing for `load` on `plan`: `stream` is the city stream (made after, so asked for lazily),
 * `startMs` when sending starts.
 */
export class OpenModelPacing implements Pacing {
  readonly schedule: LoadSchedule
  readonly realistic?: TickSchedule
  readonly peakTps: number
  readonly ticks: number
  private readonly live: LiveSchedule | undefined
  startMs = 0

  constructor(
    plan: Plan,
    load: LoadRunOptions,
    stream: () => CityStream,
    private readonly now: NowMs,
  ) {
    const { profile, control } = load
    this.ticks =
      profile.sort === 'realistic' && control === undefined
        ? profile.simulatedMinutes
        : plan.clock.ticks
    if (control !== undefined) {
      this.live = control.scheduleFor(plan.clock.ticks, (ticks) => stream().makeUntil(ticks))
      this.schedule = this.live
      this.peakTps = 0
    } else if (profile.sort === 'realistic') {
      this.realistic = new TickSchedule(
        profile.durationMs / profile.simulatedMinutes,
        profile.simulatedMinutes,
        (ticks) => stream().makeUntil(ticks),
      )
      this.schedule = this.realistic
      this.peakTps = 0
    } else {
      this.schedule = profile.schedule
      this.peakTps = Math.max(
        ...profile.schedule.segments.map((segment) => Math.max(segment.fromTps, segment.toTps)),
      )
    }
  }

  /** Whether the stream should make another tick now. */
  wantMore(made: CityStream): boolean {
    const elapsedMs = this.now() - this.startMs
    if (this.live !== undefined) return this.live.wantsMore(made.queued, elapsedMs)
    if (this.realistic === undefined)
      return made.queued < Math.max(2 * transferBatchMax, this.peakTps * madeAheadSeconds)
    return (
      made.ticksMade * this.realistic.tickMs <
      elapsedMs + Math.max(madeAheadMs, 2 * this.realistic.tickMs)
    )
  }

  /** A tick was made: the schedules that learn from the city learn it. */
  addTick(payments: number): void {
    this.realistic?.addTick(payments)
    this.live?.addTick(payments)
  }
}
