/**
 * What may be asked of a running run from outside (the live map's controls). Types only, with no
 * imports: the browser's bundle takes them too (visualizer/protocol.ts), and RunControl applies
 * them.
 */
export type RunCommand =
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  /** Simulated minutes per wall second, following the city's rhythm. */
  | { readonly type: 'speed'; readonly minutesPerSecond: number }
  /** A constant target rate, transfers per second. */
  | { readonly type: 'targetTps'; readonly tps: number }
  /** Every ledger answer held back this long (0 ends the slowdown). */
  | { readonly type: 'slowdown'; readonly ms: number }
  /** A district (by its name in the scenario) cut off: its payments never reach the ledger. */
  | { readonly type: 'outage'; readonly district: string; readonly on: boolean }

/**
 * What was done to a run from outside, and when: an operator's command as it took effect, or the
 * run stopped before its end (Ctrl-C). Kept in the run's summary, drawn on its charts, named in
 * its verdict, so a run slowed on purpose is not read as a slow ledger.
 */
export interface RunEvent {
  /** Seconds of load since the first send (the report's time axis). */
  readonly second: number
  readonly kind: 'pause' | 'resume' | 'speed' | 'rate' | 'slowdown' | 'outage' | 'stop'
  /** In words, short: "paused", "speed 10 min/s", "ledger slowed by 50 ms", "Futian cut off". */
  readonly label: string
  /** Simulated time the sender had reached, ISO with the scenario's offset (in a summary). */
  readonly simulatedAt?: string
}
