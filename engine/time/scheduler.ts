/**
 * Waits, as the engine sees them: every timer the engine sets goes through a Scheduler passed in,
 * never through `setTimeout` or `setInterval` directly, so tests can drive time and a run's waits
 * are one seam. `wallScheduler` (wallClock.ts) is the one on real time; `ManualScheduler` moves
 * only when a test says so.
 */

/** Cancels a timer; cancelling twice, or after it ran, does nothing. */
export type Cancel = () => void

export interface Scheduler {
  /** Monotonic milliseconds. */
  now(): number
  /** Runs `run` once, `ms` from now. */
  timer(ms: number, run: () => void): Cancel
  /** Runs `run` every `ms` until cancelled. */
  every(ms: number, run: () => void): Cancel
  /** Resolves `ms` from now, or at once (with no error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** Resolves on the next turn of the event loop, after pending I/O. */
  yieldTurn(): Promise<void>
}

/** `sleep` and `every` from a one-shot timer: what a scheduler needs to write only `timer`. */
export function sleepOn(
  timer: Scheduler['timer'],
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted === true) {
      resolve()
      return
    }
    const done = () => {
      cancel()
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const cancel = timer(ms, done)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * Time that moves only when told (`advance`): timers due by then run in order of their due time,
 * then of setting. For tests of code that waits.
 */
export class ManualScheduler implements Scheduler {
  private nowMs = 0
  private sequence = 0
  private readonly due = new Map<number, { atMs: number; run: () => void }>()

  now(): number {
    return this.nowMs
  }

  timer(ms: number, run: () => void): Cancel {
    const id = this.sequence++
    this.due.set(id, { atMs: this.nowMs + Math.max(0, ms), run })
    return () => {
      this.due.delete(id)
    }
  }

  every(ms: number, run: () => void): Cancel {
    let cancel: Cancel = () => undefined
    const arm = () => {
      cancel = this.timer(ms, () => {
        arm()
        run()
      })
    }
    arm()
    return () => cancel()
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn((delay, run) => this.timer(delay, run), ms, signal)
  }

  yieldTurn(): Promise<void> {
    return new Promise<void>((resolve) => setImmediate(resolve))
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.due.size
  }

  /** Moves time on by `ms`, running every timer due on the way (and those they set, if due). */
  advance(ms: number): void {
    const until = this.nowMs + ms
    for (;;) {
      let nextId = -1
      let next: { atMs: number; run: () => void } | undefined
      for (const [id, entry] of this.due) {
        if (entry.atMs <= until && (next === undefined || entry.atMs < next.atMs)) {
          next = entry
          nextId = id
        }
      }
      if (next === undefined) break
      this.due.delete(nextId)
      this.nowMs = Math.max(this.nowMs, next.atMs)
      next.run()
    }
    this.nowMs = until
  }
}
