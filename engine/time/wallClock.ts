/**
 * The only place that reads real time. The engine never calls it: the CLI and benchmarks pass
 * `wallClock.nowMs` into a run as its `now`, and tests pass a fake.
 */
import { performance } from 'node:perf_hooks'

export type NowMs = () => number

export const wallClock = {
  /** Monotonic milliseconds, for durations. */
  nowMs: (): number => performance.now(),
  /** The calendar date, for naming run folders. */
  date: (): Date => new Date(),
}
