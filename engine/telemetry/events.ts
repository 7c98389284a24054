/**
 * What a run streams out as it goes (engine/telemetry/runTelemetry.ts): its progress, each second
 * of a load run, and looks at its live figures. Plain data, copied to whoever subscribes.
 */

/** One second of a load run: a row of metrics.csv and a point of the report's charts. */
export interface LoadSecond {
  readonly second: number
  readonly targetTps: number
  readonly sentTps: number
  readonly completedTps: number
  readonly rejected: number
  readonly errors: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  readonly lateP99Ms: number
  /** Local simulated time the stream had reached at the end of the second. */
  readonly simulatedAt: string
}

/** Once a second during a load run. */
export interface LoadProgress {
  readonly second: number
  readonly plannedSeconds: number
  readonly window: LoadSecond
  /** Over the run so far. */
  readonly p99Ms: number
  readonly completed: number
  readonly rejected: number
  readonly errors: number
  /** Due and not yet sent. */
  readonly behind: number
  /** Simulated seconds per wall second, over the run so far. */
  readonly speed: number
}

export interface RunProgress {
  /**
   * building: population synthesis; opening: accounts and first top-ups; running: the ticks;
   * auditing: the conservation check.
   */
  readonly phase: 'building' | 'opening' | 'running' | 'auditing'
  readonly tick: number
  readonly ticks: number
  /** Local simulated time reached, ISO 8601. */
  readonly simulatedAt: string
  readonly submitted: number
  readonly accepted: number
  readonly rejected: number
  readonly wallSeconds: number
}
