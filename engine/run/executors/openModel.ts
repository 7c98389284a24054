/**
 * The open model: the city's payments, made by the stream as they are needed, sent on the
 * schedule's intended times (load/openLoad.ts) through the counting ledger; the evenings start
 * once a day's last payment has gone, in order, beside the stream; each second's figures go out on
 * the telemetry; thresholds are checked each second when they may stop the run, and at the end.
 *
 *   pacing ─▶ schedule ─┐
 *   CityStream ─────────┴▶ runOpenLoad ─▶ counting ledger (payments) ─▶ ledger
 *        └ eveningsDue ─▶ Evening (institutions)        └▶ telemetry: seconds$, windows$, look()
 */
import { RunFailed } from '../../errors.js'
import {
  evaluateThresholds,
  gracefulStopMsDefault,
  runOpenLoad,
  type LoadSoFar,
  type LoadWindow,
  type OpenLoadResult,
} from '../../load/index.js'
import type { LatencyHistogram } from '../../metrics/latencyHistogram.js'
import type { CityStream } from '../../stream/cityStream.js'
import type { SecondLatency, SenderPosition } from '../../telemetry/index.js'
import type { Evening } from '../evening.js'
import type { LoadSecond, LoadSection } from '../summary.js'
import {
  stopReason,
  type Executor,
  type ExecutorContext,
  type ExecutorOutcome,
} from './executor.js'
import { loadSection, type LoadEnding } from './loadSection.js'
import type { LoadRunOptions } from './loadRunOptions.js'
import { OpenModelPacing } from './pacing.js'

export class OpenModelExecutor implements Executor {
  readonly mode = 'load'

  constructor(private readonly load: LoadRunOptions) {}

  async run(context: ExecutorContext): Promise<ExecutorOutcome> {
    const { plan, now } = context
    const startedMs = now()
    const streamRef: { stream?: CityStream } = {}
    const stream = () => streamRef.stream as CityStream
    const pacing = new OpenModelPacing(plan, this.load, stream, now)
    streamRef.stream = context.openStream({
      ticks: pacing.ticks,
      wantMore: (made) => pacing.wantMore(made),
      onTick: (_, payments) => pacing.addTick(payments),
    })
    const sending = new Sending(context, this.load, pacing, stream())
    // The first ticks are made before the clock starts, so the sender starts with payments in hand.
    pacing.startMs = now()
    stream().kick()
    await stream().stop()
    pacing.startMs = now()
    context.showPosition(() => sending.position())
    const result = await sending.send()
    return await sending.end(result, startedMs)
  }
}

/** One load run's sending, from its first send to its figures. */
class Sending {
  private readonly evenings: EveningQueue
  private readonly seen: LoadSecond[] = []
  private abortedBy: string | undefined
  private cityBehindSeconds = 0
  private elapsedMs = 0
  private behind = 0
  private lastSecond: SecondLatency = { p50Ms: 0, p99Ms: 0, p999Ms: 0 }

  constructor(
    private readonly context: ExecutorContext,
    private readonly load: LoadRunOptions,
    private readonly pacing: OpenModelPacing,
    private readonly stream: CityStream,
  ) {
    this.evenings = new EveningQueue(context.evening)
  }

  send(): Promise<OpenLoadResult> {
    const { load, stream, context } = this
    const control = load.control
    return runOpenLoad({
      schedule: this.pacing.schedule,
      ledger: context.counting.payments,
      source: (from, to) => {
        const batch = stream.take(from, to)
        // Started after this call is sent: the evening's first look at balances comes after it.
        this.evenings.start(stream.eveningsDue())
        return batch
      },
      available: () => stream.available(),
      chainSafeEnd: (from, to) => stream.chainSafeEnd(from, to),
      now: context.now,
      pause: load.pause,
      inFlightMax: load.inFlightMax,
      ...(load.gracefulStopMs === undefined ? {} : { gracefulStopMs: load.gracefulStopMs }),
      ...(load.warmupMs === undefined ? {} : { measureFromMs: load.warmupMs }),
      ...(load.buckets === undefined ? {} : { buckets: load.buckets }),
      onSecond: (window, soFar) => this.second(window, soFar),
      shouldStop: () => this.abortedBy !== undefined || context.stop?.aborted === true,
      onStep: (elapsedMs: number) => {
        this.elapsedMs = elapsedMs
        control?.step(elapsedMs)
      },
    })
  }

  /** The section with the run's events, each at the simulated time its second reached. */
  private withEvents(section: LoadSection): LoadSection {
    const events = this.load.control?.events
    if (events === undefined || events.kept.length + events.dropped === 0) return section
    return {
      ...section,
      events: events.kept.map((event) => ({
        ...event,
        simulatedAt: this.seen[Math.floor(event.second)]?.simulatedAt ?? this.stream.simulatedAt(),
      })),
      ...(events.dropped > 0 ? { eventsDropped: events.dropped } : {}),
    }
  }

  /** Where the sender is, for the telemetry's looks. */
  position(): SenderPosition {
    return {
      tick: this.stream.tickReached(),
      targetTps: this.pacing.schedule.rateAt(this.elapsedMs),
      lastSecond: this.lastSecond,
      elapsedMs: this.elapsedMs,
      behind: this.behind,
    }
  }

  private second(window: LoadWindow, soFar: LoadSoFar): void {
    const { stream, pacing } = this
    // The realistic schedule only knows the ticks the city has made: a city behind the clock shows
    // here.
    const realistic = pacing.realistic
    if (
      realistic !== undefined &&
      stream.ticksMade < Math.min(realistic.ticks, Math.floor(soFar.elapsedMs / realistic.tickMs))
    )
      this.cityBehindSeconds += 1
    const second = loadSecond(window, stream.simulatedAt())
    this.seen[window.second] = second
    this.behind = Math.max(0, soFar.intended - soFar.sent)
    this.lastSecond = {
      p50Ms: window.latency.p50Ms,
      p99Ms: window.latency.p99Ms,
      p999Ms: window.latency.p999Ms,
    }
    // Every kind merged once a second: for the progress line and for the thresholds.
    const all = soFar.latency.overall()
    try {
      this.report(window, second, soFar, all)
    } finally {
      all.destroy()
    }
  }

  /** The second's figures out on the telemetry, and the thresholds judged under abortOnFail. */
  private report(
    window: LoadWindow,
    second: LoadSecond,
    soFar: LoadSoFar,
    all: LatencyHistogram,
  ): void {
    const { stream, pacing, load } = this
    const overall = all.summary()
    const progress = {
      second: window.second + 1,
      plannedSeconds: pacing.schedule.durationMs / 1000,
      window: second,
      p99Ms: overall.p99Ms,
      completed: soFar.completed,
      rejected: soFar.rejected,
      errors: soFar.errors,
      behind: soFar.intended - soFar.sent,
      speed: (stream.tickReached() * 60) / (soFar.elapsedMs / 1000),
    }
    this.context.telemetry.publishSecond({
      progress,
      second,
      soFar,
      simulatedMinutes: stream.tickReached(),
    })
    if (load.abortOnFail && this.abortedBy === undefined) {
      // A transfer is known dropped only at the end: mid-run, `dropped` thresholds are not judged.
      const figures = {
        latency: all,
        intended: soFar.intended,
        sent: soFar.sent,
        errors: soFar.errors,
        rejected: soFar.rejected,
        dropped: 0,
      }
      this.abortedBy = evaluateThresholds(load.thresholds, figures).find(
        (check) => !check.ok,
      )?.threshold
    }
  }

  /** After the last send: every answer counted, the evenings run, the figures made. */
  async end(result: OpenLoadResult, startedMs: number): Promise<ExecutorOutcome> {
    const { stream, load, context } = this
    try {
      await stream.finish()
      if (result.unanswered > 0) {
        // Those calls may still be applied at any time: no audit of the ledger's balances could be
        // trusted.
        throw new RunFailed(
          `${result.unanswered} transfers were still unanswered ${(load.gracefulStopMs ?? gracefulStopMsDefault) / 1000} s after the schedule ended: the ledger stopped answering, so the run cannot be audited`,
        )
      }
      // Every call is counted before the audit: the ledger applied what it answered, even late.
      await context.counting.settled()
      // A day whose last payments went in the final call, or whose last ticks were empty, ends
      // here.
      this.evenings.start(stream.eveningsDue())
      await this.evenings.done()
      // The final counts of every second (results come in after a second is reported), with the
      // simulated time it reached.
      const windows = result.windows.map((window) =>
        loadSecond(window, this.seen[window.second]?.simulatedAt ?? stream.simulatedAt()),
      )
      context.telemetry.publishWindows(windows)
      const ending: LoadEnding = {
        result,
        windows,
        cityBehindSeconds: this.cityBehindSeconds,
        abortedBy: this.abortedBy,
        evenings: this.evenings.count,
      }
      const section = this.withEvents(loadSection(context.plan, load, this.pacing, stream, ending))
      // A threshold's stop is told as abortedBy; any other early stop was asked from outside: by a
      // signal to the run, or through the live map's control (whose schedule then ends there, so
      // its planned length is the length run: it is not said).
      const controlStop = load.control?.stoppedBy
      const by = controlStop ?? stopReason(context.stop)
      const stopped =
        (result.stoppedEarly || controlStop !== undefined) && this.abortedBy === undefined
      const planned = controlStop === undefined ? ` of ${section.plannedSeconds.toFixed(1)}` : ''
      const reason = `stopped by ${by} after ${section.durationSeconds.toFixed(1)}${planned} s of load (simulated until ${section.simulated.to})`
      return {
        demand: stream.demand,
        simulated: { to: section.simulated.to, minutes: section.simulated.minutes },
        startedMs,
        load: section,
        ...(stopped ? { stoppedEarly: { by, reason } } : {}),
      }
    } finally {
      result.latency.destroy()
      result.lateness.destroy()
    }
  }
}

/** The evenings of a load run, one after another in day order, beside the stream. */
class EveningQueue {
  count = 0
  private chain: Promise<void> = Promise.resolve()

  constructor(private readonly evening: Evening) {}

  start(ticks: readonly number[]): void {
    for (const tick of ticks) {
      this.count += 1
      this.chain = this.chain.then(() => this.evening.run(tick))
      // Awaited by done(); this only keeps a failure meanwhile from going unhandled.
      this.chain.catch(() => undefined)
    }
  }

  done(): Promise<void> {
    return this.chain
  }
}

/**
 * A second of the open model as metrics.csv and the report show it, with the simulated time
 * reached.
 */
export function loadSecond(window: LoadWindow, simulatedAt: string): LoadSecond {
  return {
    second: window.second,
    targetTps: window.target,
    sentTps: window.sent,
    completedTps: window.completed,
    rejected: window.rejected,
    errors: window.errors,
    p50Ms: window.latency.p50Ms,
    p99Ms: window.latency.p99Ms,
    maxMs: window.latency.maxMs,
    lateP99Ms: window.latenessP99Ms,
    simulatedAt,
  }
}
