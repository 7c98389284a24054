/**
 * The only place that reads real time or sets a real timer. The engine never calls these itself:
 * the CLI and benchmarks pass `wallClock.nowMs` into a run as its `now` and `wallScheduler` as
 * its scheduler, and tests pass fakes.
 */
import { performance } from 'node:perf_hooks'
import { sleepOn, type Scheduler } from './scheduler.js'

export type NowMs = () => number

export const wallClock = {
  /** Monotonic milliseconds, for durations. */
  nowMs: (): number => performance.now(),
  /** The calendar date, for naming run folders. */
  date: (): Date => new Date(),
}

/** Real timers. A timer never keeps the process alive by itself (`unref`). */
export const wallScheduler: Scheduler = {
  now: wallClock.nowMs,
  timer(ms, run) {
    const handle = setTimeout(run, Math.max(0, ms))
    handle.unref()
    return () => clearTimeout(handle)
  },
  every(ms, run) {
    const handle = setInterval(run, ms)
    handle.unref()
    return () => clearInterval(handle)
  },
  sleep(ms, signal) {
    return sleepOn(
      (delay, run) => {
        // A sleep is awaited: it keeps the process alive as a plain timer would.
        const handle = setTimeout(run, Math.max(0, delay))
        return () => clearTimeout(handle)
      },
      ms,
      signal,
    )
  },
  yieldTurn() {
    return new Promise<void>((resolve) => setImmediate(resolve))
  },
}
