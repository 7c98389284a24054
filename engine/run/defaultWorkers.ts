/** How many worker threads make the city when the command line is not told. */
import os from 'node:os'
import { workersMax } from '../limits.js'

/** A run drives its ledger flat out (as fast as it answers) or at a target rate (load). */
export type RunMode = 'flat-out' | 'load'

/**
 * Flat out, one worker per core. Under load the city needs only the target rate (a worker makes
 * millions of payments a second), while the sender and the ledger's thread each want a core for
 * their latency: the workers get what is left, at least one.
 */
export function defaultWorkers(mode: RunMode, cores: number = os.availableParallelism()): number {
  return Math.min(workersMax, mode === 'flat-out' ? cores : Math.max(1, cores - 2))
}
