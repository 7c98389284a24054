/**
 * Capacity search: the highest target rate a ledger sustains within its SLO. It ramps (each trial
 * `growth` times the last) until a trial fails, then bisects between the last rate that held and
 * the first that did not, until they are within `precision` of each other. Every trial is kept, so
 * the answer comes with its evidence: a table of rate against latency, pass or fail.
 *
 *   rate ▲              ✗
 *        │          ✓ ✗         ramp: ×2 until ✗
 *        │        ✓ ✓           bisect: between the last ✓ and the first ✗
 *        │    ✓
 *        │ ✓
 *        └──────────────────▶ trial
 *
 * A trial is a function the caller gives: run a sustained window at a rate and say whether the
 * SLO held. The search itself reads no clock.
 */
import { assert } from '../assert.js'
import { capacityTrialsMax } from '../limits.js'

export interface CapacityTrial {
  readonly tps: number
  /** The SLO held over the whole window. */
  readonly ok: boolean
  /** What was reached: completed transfers per second over the window. */
  readonly achievedTps: number
  readonly p99Ms: number
}

export interface CapacitySearchOptions {
  readonly startTps: number
  readonly maxTps: number
  /** Ramp factor between trials, above 1. */
  readonly growth: number
  /** Stop bisecting when the bracket is narrower than this share of its lower end. */
  readonly precision: number
  readonly trial: (tps: number) => Promise<CapacityTrial>
}

export interface CapacityResult {
  /**
   * found: the highest rate that held, with a failing one just above it; limit: every rate up to
   * maxTps held; none: even startTps failed.
   */
  readonly outcome: 'found' | 'limit' | 'none'
  /** The highest rate that held (0 when none did). */
  readonly kneeTps: number
  /** The lowest rate that failed (Infinity when none did). */
  readonly failedTps: number
  /** In the order run. */
  readonly trials: readonly CapacityTrial[]
}

export async function searchCapacity(options: CapacitySearchOptions): Promise<CapacityResult> {
  const { startTps, maxTps, growth, precision } = options
  assert(
    Number.isInteger(startTps) && startTps >= 1 && startTps <= maxTps,
    'start at a whole rate within the limit',
  )
  assert(growth > 1 && precision > 0, 'the ramp grows and the bisection stops')
  const trials: CapacityTrial[] = []
  const attempt = async (tps: number) => {
    assert(trials.length < capacityTrialsMax, 'the search stays within capacityTrialsMax trials')
    const trial = await options.trial(tps)
    assert(trial.tps === tps, 'a trial reports the rate it ran')
    trials.push(trial)
    return trial.ok
  }

  // Ramp.
  let held = 0
  let failed = Infinity
  for (let tps = startTps; ; tps = Math.min(maxTps, Math.ceil(tps * growth))) {
    if (!(await attempt(tps))) {
      failed = tps
      break
    }
    held = tps
    if (tps === maxTps) return { outcome: 'limit', kneeTps: held, failedTps: Infinity, trials }
  }
  if (held === 0) return { outcome: 'none', kneeTps: 0, failedTps: failed, trials }

  // Bisect.
  while (
    (failed - held) / held > precision &&
    failed - held > 1 &&
    trials.length < capacityTrialsMax
  ) {
    const tps = Math.floor((held + failed) / 2)
    if (await attempt(tps)) held = tps
    else failed = tps
  }
  return { outcome: 'found', kneeTps: held, failedTps: failed, trials }
}
