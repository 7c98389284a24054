/** What a city and a run on it are given. */
import type { LedgerCore, LedgerLease, LedgerOptions } from '../ledger/index.js'
import type { RunTelemetry } from '../telemetry/index.js'
import type { NowMs, Scheduler } from '../time/index.js'
import type { LoadRunOptions } from './executors/index.js'
import type { MinuteFigures } from '../counting/minuteBreakdown.js'

export interface CityOptions {
  readonly seed?: number | undefined
  readonly residents?: number | undefined
  readonly workers: number
  /** Wall clock for durations; the engine reads no clock of its own. */
  readonly now: NowMs
  /**
   * Where the run's own waits (its bound, a steered slowdown, the ledger's retries) wait: real
   * timers unless given.
   */
  readonly scheduler?: Scheduler | undefined
  /** Where the city's and its runs' progress is published; one of its own if none is given. */
  readonly telemetry?: RunTelemetry | undefined
}

export interface RunOptions extends CityOptions {
  readonly ledger?: string | undefined
  /** Where the ledger lives, for one that is not embedded (`--ledger-url`). */
  readonly ledgerUrl?: string | undefined
  /**
   * Who the run is to a ledger other runs can reach, and whether to take over one whose holder is
   * gone (`--take-over`).
   */
  readonly ledgerLease?: LedgerLease | undefined
  /**
   * The http ledger's token (`--ledger-token`), and its deadline for one call (`--ledger-timeout`).
   */
  readonly ledgerToken?: string | undefined
  readonly ledgerCallMsMax?: number | undefined
  /**
   * The run's overall bound, ms, instead of the one its schedule gives (runBound.ts): for embedding
   * and tests.
   */
  readonly boundMs?: number | undefined
  /** Builds the ledger instead of looking `ledger` up in the registry: for embedding and tests. */
  readonly ledgerFactory?: ((options: LedgerOptions) => LedgerCore) | undefined
  /** Drive the ledger with the open model instead of running the period flat out. */
  readonly load?: LoadRunOptions | undefined
  /**
   * Once aborted (its reason: what stopped it, like 'SIGINT'), the run ends early: flat out before
   * its next tick, in load mode as its next second closes. What was sent is settled and audited as
   * at the end, and the summary says it stopped early (`stoppedEarly`), and where.
   */
  readonly stop?: AbortSignal | undefined
  /**
   * Given the payments of each simulated minute once the run has settled, all of them and by
   * district and kind (a rollout's capacity plan reads its peaks and percentiles from them).
   * Counting them by district and kind costs memory by the minute: for runs of a few days.
   */
  readonly onMinutes?: ((minutes: MinuteFigures) => void) | undefined
}
