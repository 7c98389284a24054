import type { LoadPause, LoadSettings } from '../../load/index.js'
import type { LatencyBuckets } from '../../metrics/latencyBuckets.js'
import type { RunControl } from '../runControl.js'

/**
 * A load run: what was asked (LoadSettings: the profile, thresholds, abortOnFail, the in-flight
 * bound, the lateness tolerance) and how it is driven. What it reports as it goes comes out on the
 * run's telemetry.
 */
export interface LoadRunOptions extends LoadSettings {
  /** Waits until the next send (see wallClockPause). */
  readonly pause: LoadPause
  readonly gracefulStopMs?: number
  /**
   * A warm-up left out of the latency figures and thresholds (a capacity trial's first seconds).
   */
  readonly warmupMs?: number
  /**
   * Also count each payment's latency into these buckets (a live histogram export, `--prometheus`).
   */
  readonly buckets?: LatencyBuckets
  /**
   * A run steered as it goes (the live map): its schedule is the control's LiveSchedule over the
   * whole period instead of the profile's, and its commands apply between the sender's steps.
   */
  readonly control?: RunControl
}
