/**
 * What the live map's server and page say to each other. Shared by visualizer/server (Node) and
 * visualizer/client (the browser bundle): plain types and constants; its one import is of types
 * that import nothing themselves.
 *
 *   GET  /api/city                 CityView of the live run (404 when serving replays only)
 *   GET  /api/runs                 RunListing[]: finished runs that can be replayed
 *   GET  /api/runs/:id/city        CityView of a finished run
 *   GET  /api/runs/:id/timeline    Timeline of a finished run
 *   GET  /runs/:id/report.html     a finished run's report
 *   socket.io  server → page  'hello'     Hello, once on connecting
 *              server → page  'history'   History: the run so far, once on connecting (before its latest snapshot)
 *              server → page  'snapshot'  Snapshot, a few times a second
 *              server → page  'closing'   Closing: the server is closing this page's connection, and why
 *              page → server  'command'   Command, answered through the acknowledgement with CommandAnswer
 *              page → server  'presence'  Presence: on connecting, every Hello.presenceIntervalMs while shown, and when that changes
 *
 * Everything is aggregated by district and by kind: nothing on the wire describes one resident.
 */
import type { RunCommand, RunEvent } from '../engine/run/runCommand.js'

/** The live charts show this many seconds of the run; a page joining late is sent as much. */
export const chartWindowS = 120

/** Snapshots a second on the socket. */
export const snapshotsPerSecond = 4
/**
 * A command message, serialised, is at most this many bytes; socket.io's own buffer bound is set
 * from it.
 */
export const commandBytesMax = 1024

export const stateNames = [
  'building',
  'waiting',
  'running',
  'paused',
  'finishing',
  'finished',
  'failed',
] as const
export type RunState = (typeof stateNames)[number]

/** The measures a district can be filled by. */
export const measureNames = ['tps', 'adoption', 'rejections', 'ticket', 'qr'] as const
export type MeasureName = (typeof measureNames)[number]

/** The city as drawn: sent once, by HTTP, not on the socket. */
export interface CityView {
  readonly scenario: string
  /**
   * GeoJSON geometries (Polygon or MultiPolygon), coordinates [lon, lat]. Districts below the
   * residents' floor are one entry, id 'other', drawn as one shape of them all: every per-district
   * array (Snapshot.districts, flows) follows this order.
   */
  readonly districts: readonly {
    readonly id: string
    readonly name: string
    readonly residents: number
    /** Share of residents with a wallet in use (0..1). */
    readonly adoption: number
    readonly geometry: { readonly type: 'Polygon' | 'MultiPolygon'; readonly coordinates: unknown }
    /** The district's centre: its metro station. */
    readonly centre: readonly [number, number]
    /** Places the map draws inside it (a district it predates), named where they lie [lon, lat]. */
    readonly places?: readonly { readonly name: string; readonly at: readonly [number, number] }[]
  }[]
  /**
   * Metro links between district stations (indices into `districts`): the district network of a
   * scenario without city.metro. Empty when `network` is there.
   */
  readonly metro: readonly { readonly from: number; readonly to: number; readonly km: number }[]
  /**
   * The real metro (city.metro), drawn instead of `metro`: its stations where they stand
   * ([lon, lat]) and its lines in their colours, each listing its stations by index in the order
   * it runs. At most `networkStationsMax` stations and `networkLinesMax` lines. Absent for the
   * district network, and in the city.json of runs made before it.
   */
  readonly network?: {
    readonly stations: readonly { readonly name: string; readonly at: readonly [number, number] }[]
    readonly lines: readonly {
      readonly name: string
      /** `#rrggbb`. */
      readonly colour: string
      readonly stations: readonly number[]
    }[]
  }
  /**
   * Merchants counted on a grid (engine/limits.ts merchantCellMetres): [lon, lat of the cell's
   * centre, its most common category index, merchants in it]; cells of fewer merchants than
   * merchantCellMerchantsMin are left out, and at most `merchantCellsMax` cells are sent. (A
   * city.json of an older run may hold [lon, lat, category] of single merchants: a count of one.)
   */
  readonly merchants: readonly (readonly [number, number, number, number?])[]
  readonly categories: readonly string[]
  /** Transfer kinds, in the order Snapshot.kinds uses. */
  readonly kinds: readonly string[]
  /** How payments are paid (engine/ledger/channel.ts): Snapshot.channels' order. */
  readonly channels?: readonly string[]
  readonly clock: {
    readonly from: string
    readonly to: string
    readonly ticks: number
    readonly utcOffsetMinutes: number
  }
  readonly agents: {
    readonly residents: number
    readonly adopted: number
    readonly merchants: number
    readonly riders: number
  }
}

export const merchantCellsMax = 1500
/** What CityView.network holds at most: the engine's bounds on a network (engine/limits.ts). */
export const networkStationsMax = 1024
export const networkLinesMax = 64
export const networkLineStationsMax = 256

/** Sent once to each page as it connects. */
export interface Hello {
  /** Whether there is a live run (false: the server only serves replays). */
  readonly live: boolean
  /** Controls need a token (`--token`); the page asks for it. */
  readonly tokenRequired: boolean
  readonly bounds: CommandBounds
  /** How often a shown page says so ('presence'); a page that stops may be closed to make room. */
  readonly presenceIntervalMs: number
}

/** Whether the page's tab is shown (document.visibilityState). */
export interface Presence {
  readonly visible: boolean
}

/** Why the server closes a page's connection; the page offers to reconnect. */
export interface Closing {
  readonly reason: string
}

export interface CommandBounds {
  readonly tpsMax: number
  readonly speedMax: number
  readonly slowdownMsMax: number
}

/**
 * The run as it stands, a few times a second. Counts are cumulative; rates are over the last
 * second.
 */
export interface Snapshot {
  /** Wall seconds since the run started (the load's clock). */
  readonly t: number
  readonly state: RunState
  /** The run, counted from 1 (a new one starts with Start after the last finished). */
  readonly run: number
  /**
   * Simulated time reached, ISO with the scenario's offset, and simulated minutes since the start.
   */
  readonly simulatedAt: string
  readonly tick: number
  /**
   * How the sending is paced: at a target rate, or at a clock speed following the city's rhythm.
   */
  readonly pace: { readonly mode: 'rate' | 'clock'; readonly tps: number; readonly speed: number }
  /** The schedule's target rate now, transfers a second (0 when paused). */
  readonly targetTps: number
  /** Results a second over the last second. */
  readonly achievedTps: number
  /** Simulated minutes per wall second over the last second. */
  readonly speed: number
  /** Every transfer answered so far: the city's payments and the institutions' transfers. */
  readonly submitted: number
  /** The city's payments answered so far; of them settled (accepted) and rejected. */
  readonly payments: number
  readonly settled: number
  readonly rejected: number
  /** The institutions' transfers answered so far (issuance, top-ups, payroll, redemptions). */
  readonly institutional: number
  /** Latency from the intended send time over the last whole second, ms. */
  readonly latency: { readonly p50: number; readonly p99: number; readonly p999: number }
  /** The city's payments rejected, by reason, cumulative (reasons that happened only). */
  readonly reasons: Readonly<Record<string, number>>
  /** Payments a second by kind, in CityView.kinds order. */
  readonly kinds: readonly number[]
  /** Cross-border visitors arrived so far (a scenario with visitors). */
  readonly visitors?: number
  /** The city's payments so far by channel, in CityView.channels order. */
  readonly channels?: readonly number[]
  /** Metro taps so far by station, in CityView.network.stations order (the real metro only). */
  readonly stations?: readonly number[]
  /**
   * Per district, in CityView.districts order (payments by the payer's district): payments a
   * second; and cumulative, payments, of them rejected and accepted, and the accepted amount in
   * fen.
   */
  readonly districts: {
    readonly tps: readonly number[]
    readonly payments: readonly number[]
    readonly rejected: readonly number[]
    readonly amountFen: readonly number[]
    readonly accepted: readonly number[]
    /** Of the payments, those paid by scanning a QR code (residents' home districts). */
    readonly qr?: readonly number[]
  }
  /**
   * Accepted retail payments since the last snapshot (a quarter of a second; in a replay's
   * timeline, the quarter before each kept snapshot) from home district i to the merchant's
   * district j, row-major.
   */
  readonly flows: readonly number[]
  /** Outages by district name (CityView.districts[i].name). */
  readonly faults: { readonly slowdownMs: number; readonly outages: readonly string[] }
  /** Why the run failed, when it did. */
  readonly error?: string
  /** What was done to the run so far (its controls, a stop), on this clock (`t`), oldest first. */
  readonly events: readonly EventShown[]
  /**
   * Payments due by the schedule but not sent yet: the generator is behind (a clock speed asking
   * more than the city can make, say). Past a second of the target, the page warns: a run that
   * stays behind is declared invalid at its end.
   */
  readonly behind: number
  /** Once the run is finished and its files are written: its id (for its report and replay). */
  readonly finished?: { readonly id: string; readonly verdict: string }
}

/** A run's event (engine/run/runCommand.ts RunEvent) at the snapshots' time `t`. */
export interface EventShown {
  readonly t: number
  readonly kind: RunEvent['kind']
  readonly label: string
}

/** The run so far for a page that joins it late: about one snapshot a second, oldest first. */
export interface History {
  readonly run: number
  readonly snapshots: readonly Snapshot[]
}

/** A finished run's timeline: one snapshot a second, for replay. */
export interface Timeline {
  readonly run: string
  /** Its snapshots hold no events of their own: the run's are here (absent in older timelines). */
  readonly snapshots: readonly Snapshot[]
  readonly events?: readonly EventShown[]
}

export interface RunListing {
  readonly id: string
  readonly scenario: string
  /** When its files were written, ISO. */
  readonly finishedAt: string
  /** Transfers the run submitted, from its summary. */
  readonly submitted: number
}

/**
 * Commands a page may send, checked by the server's schema (visualizer/server/commands.ts): Start
 * (a new run, the session's) or one of the run's own. An outage names a district as
 * CityView.districts[i].name does.
 */
export type Command = { readonly type: 'start' } | RunCommand

/** A command, with the token when the server asks for one. */
export interface CommandMessage {
  readonly command: Command
  readonly token?: string
}

export type CommandAnswer = { readonly ok: true } | { readonly ok: false; readonly error: string }
