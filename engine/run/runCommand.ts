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
