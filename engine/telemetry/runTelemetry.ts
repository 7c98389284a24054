/**
 * One telemetry stream per run, on rxjs: the run publishes, the views subscribe. The loops that
 * touch every transfer stay plain loops over typed arrays; only their results come out here, a
 * few times a second at most.
 *
 *   run ─▶ progress$ ─▶ the terminal's progress line (progressEvery: throttled on a scheduler)
 *       ─▶ seconds$  ─▶ the terminal's load line, the Prometheus exporter, the live page's latency
 *       ─▶ windows$  ─▶ metrics.csv and the report (every second's final figures, once at the end)
 *       ─▶ look()    ─▶ looks(ms): the live page's snapshots, sampled on a scheduler
 *
 * Time comes from the scheduler passed in (rxjs's asyncScheduler on real time, a TestScheduler in
 * tests), never from a timer of the engine's own.
 */
import { Subject, interval, map, throttleTime, type Observable, type SchedulerLike } from 'rxjs'
import type { DistrictCounters } from '../counting/districtCounters.js'
import type { LoadSoFar } from '../load/index.js'
import type { TransferCounters } from '../metrics/transferCounters.js'
import type { LoadProgress, LoadSecond, RunProgress } from './events.js'

/** A second of a load run closed. */
export interface SecondClosed {
  /** The terminal's view of it. */
  readonly progress: LoadProgress
  readonly second: LoadSecond
  /** The open model's running figures (counts by code, latency so far). */
  readonly soFar: LoadSoFar
  /** Simulated minutes reached since the period began. */
  readonly simulatedMinutes: number
}

/** Latency of the last closed second. */
export interface SecondLatency {
  readonly p50Ms: number
  readonly p99Ms: number
  readonly p999Ms: number
}

/** Where the sender is: given by the executor while it sends. */
export interface SenderPosition {
  /** Simulated minutes since the period began, at the next payment to send. */
  readonly tick: number
  /** The schedule's rate now, transfers a second. */
  readonly targetTps: number
  readonly lastSecond: SecondLatency
  /** Load ms since the first send, at the sender's last step (0 before it sends). */
  readonly elapsedMs: number
  /** Transfers due by the schedule at the last closed second but not sent yet. */
  readonly behind: number
}

/** The run's live figures at one moment: what a snapshot is made from. */
export interface RunLook extends SenderPosition {
  readonly counters: TransferCounters
  readonly districts: DistrictCounters
  /** The city's payments answered so far (not the institutions' transfers). */
  readonly paymentsAnswered: number
  /** Those payments by result code (indexed by ResultCode). */
  readonly paymentCodes: Float64Array
  /** The payments by channel (indexed by Channel), and by QR code by the payer's district. */
  readonly channelPayments?: Float64Array
  readonly qrByDistrict?: Float64Array
  /** Cross-border visitors arrived so far (a scenario with visitors). */
  readonly visitorsArrived?: number
  /** Metro taps by station, in the network's order (a city with its real metro). */
  readonly stationTaps?: Float64Array
}

export class RunTelemetry {
  private readonly progressEvents = new Subject<RunProgress>()
  private readonly secondEvents = new Subject<SecondClosed>()
  private readonly windowEvents = new Subject<readonly LoadSecond[]>()
  private source: (() => RunLook) | undefined

  /** Each phase's start and each step of the flat-out clock (a chunk), as the run makes them. */
  readonly progress$: Observable<RunProgress> = this.progressEvents.asObservable()
  /** Each second of a load run, as it closes. */
  readonly seconds$: Observable<SecondClosed> = this.secondEvents.asObservable()
  /**
   * Every second's final figures, once, as a load run ends (results come in after a second closes).
   */
  readonly windows$: Observable<readonly LoadSecond[]> = this.windowEvents.asObservable()

  /** The progress at most once every `ms`: the first of a burst at once, the last at its end. */
  progressEvery(ms: number, scheduler: SchedulerLike): Observable<RunProgress> {
    return this.progress$.pipe(throttleTime(ms, scheduler, { leading: true, trailing: true }))
  }

  /**
   * A look at the run every `ms` on `scheduler`; undefined before the first run opens its ledger.
   */
  looks(ms: number, scheduler: SchedulerLike): Observable<RunLook | undefined> {
    return interval(ms, scheduler).pipe(map(() => this.look()))
  }

  /**
   * The run's live figures now (the last run's, until the next opens its ledger); undefined before
   * the first.
   */
  look(): RunLook | undefined {
    return this.source?.()
  }

  // The run's side.

  publishProgress(progress: RunProgress): void {
    this.progressEvents.next(progress)
  }

  publishSecond(second: SecondClosed): void {
    this.secondEvents.next(second)
  }

  publishWindows(windows: readonly LoadSecond[]): void {
    this.windowEvents.next(windows)
  }

  /** A run has opened its ledger: looks read `source` until the next run's. */
  attach(source: () => RunLook): void {
    this.source = source
  }

  /** No more runs: every subscription completes. */
  complete(): void {
    this.progressEvents.complete()
    this.secondEvents.complete()
    this.windowEvents.complete()
  }
}
