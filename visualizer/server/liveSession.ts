/**
 * The runs one `citytwin serve` makes: the city is built once, then runs are made on it, one at a
 * time, each on a fresh ledger, each steered by the same RunControl. When a run finishes its files
 * are written (summary, metrics, report, and for replay its timeline and city) and the session
 * waits for Start.
 *
 *   building ─▶ running ⇄ paused ─▶ finished ─(Start)─▶ running …
 *      └─ (--wait) ─▶ waiting ─(Start)─▶ running
 *   any run that throws ─▶ failed (Start tries again)
 */
import path from 'node:path'
import { RunFailed, UserError } from '../../engine/errors.js'
import { districtRows } from '../../engine/counting/districtRows.js'
import type { LedgerLease } from '../../engine/ledger/index.js'
import type { LoadSettings } from '../../engine/load/index.js'
import { wallClockPause } from '../../engine/load/index.js'
import type { LoadSecond, RunFolder, RunSummary } from '../../engine/report/index.js'
import { reportMapOf, runVerdictLine, writeRunFiles } from '../../engine/report/index.js'
import { RunControl, scenarioCity, type OpenedCity } from '../../engine/run/index.js'
import type { LivePace } from '../../engine/load/index.js'
import type { LoadedScenario } from '../../scenarios/loader.js'
import { map, type Observable, type SchedulerLike } from 'rxjs'
import {
  snapshotsPerSecond,
  type CityView,
  type Command,
  type History,
  type RunState,
  type Snapshot,
} from '../protocol.js'
import { cityView } from './cityView.js'
import { cityFile, timelineFile } from './runStore.js'
import { SnapshotFeed } from './snapshotFeed.js'

export interface LiveSessionOptions {
  readonly loaded: LoadedScenario
  readonly opened: OpenedCity
  readonly ledger: string
  readonly ledgerUrl?: string | undefined
  /**
   * Who the runs are to a ledger other runs can reach (`--take-over`: take over one whose holder is
   * gone).
   */
  readonly ledgerLease?: LedgerLease | undefined
  /** The http ledger's token and call deadline (`--ledger-token`, `--ledger-timeout`). */
  readonly ledgerToken?: string | undefined
  readonly ledgerCallMsMax?: number | undefined
  /**
   * Thresholds, the in-flight bound, the lateness tolerance; its profile names the pace in reports.
   */
  readonly settings: LoadSettings
  readonly pace: LivePace
  /** Each run ends by this time at the latest (Infinity: when the city's period is all sent). */
  readonly limitMs: number
  /**
   * The folder for the next run's files (prepared by the caller, so a bad --out fails before
   * anything).
   */
  readonly folderFor: (run: number) => Promise<RunFolder>
  readonly now: () => number
  /**
   * A run is over and its files are written (`summary`, `folder`), or it failed (`error` says why;
   * `summary` is there too when the run finished and only its files could not be written).
   */
  readonly onRunDone?: (
    run: number,
    outcome: { summary?: RunSummary; folder?: string; error?: Error },
  ) => void
}

export class LiveSession {
  readonly control: RunControl
  readonly city: CityView
  private readonly feed: SnapshotFeed
  private state: RunState = 'waiting'
  private run = 0
  private error: string | undefined
  /** The last run's, once its files are written: for the page's finished state. */
  private finished: Snapshot['finished']
  private running: Promise<void> | undefined
  private latestLook: Snapshot | undefined
  /** The folder the run going writes into, until its files are in place. */
  private folder: RunFolder | undefined

  constructor(private readonly options: LiveSessionOptions) {
    const { opened, loaded } = options
    const names = opened.plan.districts.map((district) => district.name)
    this.control = new RunControl(options.pace, options.limitMs, names)
    // What the page sees per district: those below the residents' floor only folded together.
    const rows = districtRows(opened.plan.districts)
    this.city = cityView(
      opened,
      scenarioCity(loaded),
      loaded.map,
      rows,
      new Map(
        loaded.scenario.city.districts.map((district) => [district.id, district.places ?? []]),
      ),
    )
    this.feed = new SnapshotFeed(this.control, opened.plan.clock, names, rows)
  }

  get runState(): RunState {
    if (this.state === 'running' && this.control.isPaused) return 'paused'
    return this.state
  }

  /** Starts a run unless one is going; the promise settles when it is over (files written). */
  start(): Promise<void> {
    if (this.running !== undefined) return this.running
    this.run += 1
    this.state = 'running'
    this.error = undefined
    this.finished = undefined
    this.control.begin()
    this.feed.reset(this.options.now())
    this.running = this.runOnce(this.run).finally(() => {
      this.running = undefined
    })
    return this.running
  }

  /**
   * A page's command, checked for shape already: the error for that page, or undefined once it is
   * queued.
   */
  command(command: Command): string | undefined {
    if (command.type === 'start') {
      if (this.running !== undefined)
        return 'start: a run is going; pause it, or wait for it to finish'
      void this.start()
      return undefined
    }
    if (this.running === undefined) return `${command.type}: no run is going; press Start`
    return this.control.request(command)
  }

  /**
   * The run's snapshots, `snapshotsPerSecond` a second on `scheduler`: rates over the last second,
   * one snapshot a second kept for the timeline. One subscriber (the server) drives them.
   */
  snapshots(scheduler: SchedulerLike): Observable<Snapshot> {
    return this.options.opened.telemetry
      .looks(1000 / snapshotsPerSecond, scheduler)
      .pipe(map(() => this.sample()))
  }

  /** Takes the run's next look now. */
  sample(): Snapshot {
    this.latestLook = this.feed.sample(
      this.options.now(),
      this.options.opened.telemetry.look(),
      this.runState,
      this.run,
      {
        ...(this.error === undefined ? {} : { error: this.error }),
        ...(this.finished === undefined || this.runState !== 'finished'
          ? {}
          : { finished: this.finished }),
      },
    )
    return this.latestLook
  }

  /**
   * The run so far, about a snapshot a second over the charts' window, for a page that has just
   * connected.
   */
  history(seconds: number): History {
    return { run: this.run, snapshots: this.feed.recent(seconds) }
  }

  /** The last look taken (one is taken if none was yet), for a page that has just connected. */
  get latest(): Snapshot {
    return this.latestLook ?? this.sample()
  }

  /**
   * Ends the run going, if any, as its schedule's end would: its files are written, and its summary
   * says it was stopped early, by `by` (SIGINT).
   */
  async stop(by = 'a stop request'): Promise<void> {
    if (this.running === undefined) return
    this.control.stop(by)
    await this.running
  }

  /** Waits for the run going, if any. */
  async settled(): Promise<void> {
    await this.running
  }

  /** The process quits at once (a second Ctrl-C): the run going leaves nothing half-written. */
  abandonSync(): void {
    this.folder?.discardSync()
  }

  private async runOnce(run: number): Promise<void> {
    const { opened, settings } = this.options
    let seconds: readonly LoadSecond[] | undefined
    let summary: RunSummary | undefined
    const windows = opened.telemetry.windows$.subscribe((all) => (seconds = all))
    try {
      const folder = await this.options.folderFor(run)
      this.folder = folder
      summary = await opened.run({
        ledger: this.options.ledger,
        ledgerUrl: this.options.ledgerUrl,
        ledgerLease: this.options.ledgerLease,
        ledgerToken: this.options.ledgerToken,
        ledgerCallMsMax: this.options.ledgerCallMsMax,
        load: {
          ...settings,
          pause: wallClockPause(),
          control: this.control,
        },
      })
      windows.unsubscribe()
      this.control.finished()
      this.state = 'finishing'
      // The last look, so the timeline ends where the run did; pages see 'finished' once the files
      // are there.
      this.feed.sample(this.options.now(), opened.telemetry.look(), 'finished', run, {
        last: true,
      })
      // Replay's files go in with the others, in one move: a run listed for replay is complete.
      const written = await writeRunFiles(
        folder,
        summary,
        seconds,
        {
          [timelineFile]: JSON.stringify({
            run: path.basename(folder.path),
            snapshots: this.feed.kept,
            events: this.feed.events(),
          }),
          [cityFile]: JSON.stringify(this.city),
        },
        reportMapOf(this.options.loaded.map, this.options.loaded.scenario.city.districts),
      )
      this.folder = undefined
      this.finished = { id: path.basename(written.folder), verdict: runVerdictLine(summary) }
      this.state = 'finished'
      this.options.onRunDone?.(run, { summary, folder: written.folder })
    } catch (error) {
      windows.unsubscribe()
      await this.folder?.discard()
      this.folder = undefined
      this.control.finished()
      this.state = 'failed'
      const failure = error instanceof Error ? error : new Error(String(error))
      this.error =
        error instanceof UserError || error instanceof RunFailed
          ? failure.message
          : 'the run stopped on an internal error (see the terminal)'
      this.options.onRunDone?.(
        run,
        summary === undefined ? { error: failure } : { summary, error: failure },
      )
    }
  }
}
