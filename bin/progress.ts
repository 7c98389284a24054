/** A run's progress on stderr, as it goes. */
import type { Subscription } from 'rxjs'
import {
  loadProgressLine,
  progressLine,
  type LoadProgress,
  type RunProgress,
} from '../engine/report/index.js'
import type { RunTelemetry } from '../engine/telemetry/index.js'
import { wallClock } from '../engine/time/index.js'

/** Progress redraws at most this often on a terminal. */
const progressIntervalMs = 100
/** Away from a terminal, a load run prints a progress line this often. */
const loadLineEverySeconds = 10

/**
 * Draws a run's progress; `done` ends the line being redrawn, `follow` draws what a run publishes.
 */
export type ProgressReporter = ReturnType<typeof progressReporter>

/**
 * A bar redrawn in place on a terminal; elsewhere, a line every tenth of the run. A load run
 * shows a line a second on a terminal, and one every `loadLineEverySeconds` elsewhere.
 */
export function progressReporter(quiet: boolean) {
  const stream = process.stderr
  const live = stream.isTTY === true
  let lastDrawMs = -Infinity
  let lastTenth = -1
  let drawn = false
  const reporter = {
    second: (progress: LoadProgress) => {
      if (live) {
        stream.write(`\r${loadProgressLine(progress)}\x1b[K`)
        drawn = true
        return
      }
      const shown = progress.second % loadLineEverySeconds === 0 || progress.second === 1
      if (!quiet && shown) stream.write(`${loadProgressLine(progress)}\n`)
    },
    update: (progress: RunProgress) => {
      if (live) {
        const nowMs = wallClock.nowMs()
        const phaseChange = progress.phase !== 'running' || progress.tick >= progress.ticks
        if (nowMs - lastDrawMs < progressIntervalMs && !phaseChange) return
        lastDrawMs = nowMs
        stream.write(`\r${progressLine(progress)}\x1b[K`)
        drawn = true
        return
      }
      if (quiet) return
      if (progress.phase !== 'running') {
        stream.write(`${progressLine(progress)}\n`)
        return
      }
      const tenth = Math.floor((progress.tick / progress.ticks) * 10)
      if (tenth > lastTenth) {
        lastTenth = tenth
        stream.write(`${progressLine(progress)}\n`)
      }
    },
    done: () => {
      if (drawn) stream.write('\n')
      drawn = false
    },
  }
  return {
    ...reporter,
    /** Draws what `telemetry` publishes until unsubscribed. */
    follow: (telemetry: RunTelemetry): Subscription => {
      const subscription = telemetry.progress$.subscribe(reporter.update)
      subscription.add(telemetry.seconds$.subscribe((closed) => reporter.second(closed.progress)))
      return subscription
    },
  }
}
