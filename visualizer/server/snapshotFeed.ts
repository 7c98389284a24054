/**
 * Snapshots of a run for the page: made from the run's looks (its telemetry) a few times a second,
 * turned into rates over the last second, per district and per kind. Cumulative counts come from
 * the run; rates are differences between this sample and the one a second before. One snapshot a
 * second is kept for the run's timeline (replay). Per-district figures go out in the city view's
 * rows: districts below the residents' floor summed into one "other districts" row.
 *
 *   look (telemetry) ──sample()──▶ Snapshot ──▶ every page (the same object, serialised once)
 *                                   └─ 1 in snapshotsPerSecond ─▶ timeline
 */
import { timelineSnapshotsMax } from '../../engine/limits.js'
import {
  ResultCode,
  resultCodes,
  transferKindCount,
  transferKinds,
} from '../../engine/ledger/index.js'
import {
  foldByRow,
  foldMatrixByRow,
  type DistrictRows,
} from '../../engine/counting/districtRows.js'
import type { RunControl } from '../../engine/run/index.js'
import type { RunLook } from '../../engine/telemetry/index.js'
import { isoMinute, type SimClock } from '../../engine/time/index.js'
import { snapshotsPerSecond, type EventShown, type RunState, type Snapshot } from '../protocol.js'

/** Cumulative figures at one moment, to take rates from. */
interface Sample {
  readonly atMs: number
  readonly answered: number
  readonly tick: number
  readonly byKind: Float64Array
  readonly byDistrict: Float64Array
  readonly flows: Float64Array
}

export class SnapshotFeed {
  /** The last second's samples, oldest first (snapshotsPerSecond + 1 of them). */
  private samples: Sample[] = []
  private readonly timeline: Snapshot[] = []
  /** Keep one sample in `keepEvery` for the timeline: grows ×2 whenever the timeline fills. */
  private keepEvery = snapshotsPerSecond
  private sampled = 0
  private runStartedMs = 0
  /** When the load's clock started, on the snapshots' clock (Infinity until it has). */
  private loadStartS = Number.POSITIVE_INFINITY
  /** The last second's latency the run showed: kept once the run is over. */
  private lastSecond = { p50Ms: 0, p99Ms: 0, p999Ms: 0 }

  constructor(
    private readonly control: RunControl,
    private readonly clock: SimClock,
    private readonly districtNames: readonly string[],
    private readonly rows: DistrictRows,
  ) {}

  /** A new run starts: rates and the timeline start again. */
  reset(nowMs: number): void {
    this.samples = []
    this.timeline.length = 0
    this.keepEvery = snapshotsPerSecond
    this.sampled = 0
    this.runStartedMs = nowMs
    this.loadStartS = Number.POSITIVE_INFINITY
    this.lastSecond = { p50Ms: 0, p99Ms: 0, p999Ms: 0 }
  }

  /**
   * The run as `look` shows it at `nowMs` (no look: between runs, or a run not sending yet). `last`
   * keeps it in the timeline whatever the turn (the run's final look); `error` says why the run
   * failed, `finished` which run's files are written.
   */
  sample(
    nowMs: number,
    look: RunLook | undefined,
    state: RunState,
    run: number,
    told: { error?: string; finished?: Snapshot['finished']; last?: boolean } = {},
  ): Snapshot {
    const { control } = this
    const { error, finished, last = false } = told
    const counters = look?.counters
    const current = this.cumulative(nowMs, look)
    if (look !== undefined) this.lastSecond = look.lastSecond
    const t = Math.round(nowMs - this.runStartedMs) / 1000
    // The load's clock starts after the ledger opens: its events are placed on this one by the
    // least gap seen between the two (the sender's step is at most a little stale).
    if (look !== undefined && look.elapsedMs > 0)
      this.loadStartS = Math.min(this.loadStartS, t - look.elapsedMs / 1000)
    const previous = this.samples[this.samples.length - 1] ?? current
    const oldest = this.samples[0] ?? current
    this.samples.push(current)
    while (this.samples.length > snapshotsPerSecond + 1) this.samples.shift()
    const seconds = (current.atMs - oldest.atMs) / 1000
    const perSecond = (now: number, then: number) =>
      seconds > 0 ? Math.max(0, Math.round((now - then) / seconds)) : 0
    const snapshot: Snapshot = {
      t,
      state,
      run,
      simulatedAt: isoMinute(this.clock, Math.floor(current.tick)),
      tick: Math.round(current.tick * 100) / 100,
      pace: paceShown(control.pace),
      targetTps: state === 'running' ? Math.round(look?.targetTps ?? 0) : 0,
      achievedTps: perSecond(current.answered, oldest.answered),
      speed: seconds > 0 ? Math.round(((current.tick - oldest.tick) / seconds) * 100) / 100 : 0,
      submitted: counters?.submitted ?? 0,
      payments: look?.paymentsAnswered ?? 0,
      institutional: look === undefined ? 0 : look.counters.submitted - look.paymentsAnswered,
      settled: paymentsWith(look, (code) => code === ResultCode.ok),
      rejected: paymentsWith(look, (code) => code !== ResultCode.ok),
      latency: {
        p50: round2(this.lastSecond.p50Ms),
        p99: round2(this.lastSecond.p99Ms),
        p999: round2(this.lastSecond.p999Ms),
      },
      reasons: paymentReasons(look),
      kinds: Array.from(current.byKind, (count, index) =>
        perSecond(count, oldest.byKind[index] as number),
      ),
      ...(look?.channelPayments === undefined
        ? {}
        : { channels: Array.from(look.channelPayments) }),
      ...(look?.stationTaps === undefined ? {} : { stations: Array.from(look.stationTaps) }),
      ...(look?.visitorsArrived === undefined ? {} : { visitors: look.visitorsArrived }),
      districts: this.districtFigures(look, current, oldest, perSecond),
      flows: Array.from(current.flows, (count, index) => count - (previous.flows[index] as number)),
      faults: {
        slowdownMs: control.faults.slowdownMs,
        outages: this.districtNames.filter((_, index) => control.faults.outage[index] === 1),
      },
      ...(error === undefined ? {} : { error }),
      events: this.events(),
      behind: state === 'running' ? (look?.behind ?? 0) : 0,
      ...(finished === undefined ? {} : { finished }),
    }
    // The timeline holds the run, not the waits around it; its events are kept once, beside it.
    const inRun = state === 'running' || state === 'paused'
    if ((inRun && this.sampled++ % this.keepEvery === 0) || last)
      this.keep({ ...snapshot, events: [] })
    return snapshot
  }

  /** The run's events so far, on the snapshots' clock. */
  events(): EventShown[] {
    const offset = Number.isFinite(this.loadStartS) ? this.loadStartS : 0
    return this.control.events.kept.map((event) => ({
      t: Math.round((event.second + offset) * 1000) / 1000,
      kind: event.kind,
      label: event.label,
    }))
  }

  /**
   * The kept snapshots of the last `seconds` before the newest, oldest first: the history a page
   * joining the run late starts its charts from.
   */
  recent(seconds: number): Snapshot[] {
    const newest = this.timeline.at(-1)
    if (newest === undefined) return []
    let first = this.timeline.length - 1
    while (first > 0 && newest.t - (this.timeline[first - 1] as Snapshot).t <= seconds) first--
    return this.timeline.slice(first)
  }

  /** The run's cumulative figures in `look`, folded into rows (the last ones again without it). */
  private cumulative(nowMs: number, look: RunLook | undefined): Sample {
    const districts = this.districtNames.length
    const byKindNow = new Float64Array(transferKindCount)
    const kinds = look?.counters.byKind()
    if (kinds !== undefined)
      transferKinds.forEach((kind, index) => (byKindNow[index] = kinds[kind].submitted))
    return {
      atMs: nowMs,
      answered: look?.paymentsAnswered ?? previousOr(this.samples, 'answered'),
      tick: look?.tick ?? previousOr(this.samples, 'tick'),
      byKind: byKindNow,
      byDistrict: Float64Array.from(
        foldByRow(look?.districts.paymentsByDistrict ?? new Float64Array(districts), this.rows),
      ),
      flows: Float64Array.from(
        foldMatrixByRow(
          look?.districts.flows ?? new Float64Array(districts * districts),
          this.rows,
        ),
      ),
    }
  }

  /**
   * Each row's payments so far and their rate since `oldest`, how many were accepted and
   * rejected, and the amount paid.
   */
  private districtFigures(
    look: RunLook | undefined,
    current: Sample,
    oldest: Sample,
    perSecond: (now: number, then: number) => number,
  ): Snapshot['districts'] {
    const districts = this.districtNames.length
    const payments = Array.from(current.byDistrict)
    const accepted = foldByRow(
      look?.districts.acceptedByDistrict ?? new Float64Array(districts),
      this.rows,
    )
    return {
      tps: payments.map((count, index) => perSecond(count, oldest.byDistrict[index] as number)),
      payments,
      rejected: payments.map((count, index) => count - (accepted[index] as number)),
      amountFen: foldByRow(
        look?.districts.amountFenByDistrict ?? new Float64Array(districts),
        this.rows,
      ),
      accepted,
      ...(look?.qrByDistrict === undefined ? {} : { qr: foldByRow(look.qrByDistrict, this.rows) }),
    }
  }

  /** The run's timeline so far: about one snapshot a second. */
  get kept(): readonly Snapshot[] {
    return this.timeline
  }

  /**
   * Keeps `snapshot` in the timeline; a full timeline drops every other snapshot and keeps half as
   * often.
   */
  private keep(snapshot: Snapshot): void {
    if (this.timeline.length >= timelineSnapshotsMax) {
      const thinned = this.timeline.filter((_, index) => index % 2 === 0)
      this.timeline.length = 0
      this.timeline.push(...thinned)
      this.keepEvery *= 2
    }
    this.timeline.push(snapshot)
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}

/** The newest sample's figure, once the run has stopped giving looks (0 before any). */
function previousOr(samples: readonly Sample[], figure: 'answered' | 'tick'): number {
  return samples[samples.length - 1]?.[figure] ?? 0
}

/** The run's pace as the page shows it: a target rate, or a clock speed (minutes a second). */
function paceShown(pace: RunControl['pace']): Snapshot['pace'] {
  return {
    mode: pace.sort === 'rate' ? 'rate' : 'clock',
    tps: pace.sort === 'rate' ? pace.tps : 0,
    speed: pace.sort === 'clock' ? Math.round((1000 / pace.tickMs) * 100) / 100 : 0,
  }
}

/** The city's payments answered so far whose result code passes `which` (0 with no look). */
function paymentsWith(look: RunLook | undefined, which: (code: number) => boolean): number {
  let count = 0
  look?.paymentCodes.forEach((answered, code) => {
    if (which(code)) count += answered
  })
  return count
}

/** The city's payments rejected so far, by reason (reasons that happened only). */
function paymentReasons(look: RunLook | undefined): Record<string, number> {
  const reasons: Record<string, number> = {}
  look?.paymentCodes.forEach((answered, code) => {
    if (code !== ResultCode.ok && answered > 0) reasons[resultCodes[code] as string] = answered
  })
  return reasons
}
