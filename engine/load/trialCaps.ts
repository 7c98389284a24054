/**
 * The bounds of a capacity search (`citytwin capacity`), checked before the city is built: the
 * rates it ramps through, how many trials that takes, how long each trial lasts; and, once the
 * city is planned, the highest rate its period's payments can feed for a whole trial.
 */
import { UserError } from '../errors.js'
import { capacityTrialsMax, loadDurationMsMax } from '../limits.js'

/**
 * A capacity trial uses at most this share of the period's expected payments (the city's draws vary
 * around it).
 */
export const periodShareMax = 0.9

/** What a capacity search is asked for: its rates, its ramp factor and each trial's timing. */
export interface TrialBounds {
  readonly startTps: number
  readonly maxTps: number
  readonly growth: number
  readonly warmupMs: number
  readonly windowMs: number
}

/** Checks a search's rates: a first of at least 1 transfer a second, and a highest no lower. */
export function checkTrialRates(startTps: number, maxTps: number): void {
  if (startTps < 1) throw new UserError('--start: must be at least 1 transfer per second')
  if (maxTps < startTps) throw new UserError(`--max: must be at least --start (${startTps})`)
}

/** How many trials the ramp takes from `startTps`, ×`growth` each, to reach `maxTps`. */
export function rampTrials(startTps: number, maxTps: number, growth: number): number {
  return Math.ceil(Math.log(maxTps / startTps) / Math.log(growth)) + 1
}

/**
 * Checks a search fits its bounds: its ramp leaves room for bisecting within the trials a search
 * may run, and a trial (its warm-up and its window) lasts no longer than a load run may.
 */
export function checkTrialSpan(bounds: TrialBounds): void {
  const { startTps, maxTps, growth } = bounds
  const trials = rampTrials(startTps, maxTps, growth)
  if (trials >= capacityTrialsMax) {
    throw new UserError(
      `--growth: ramping ×${growth} from ${startTps} to ${maxTps} would take ${trials} trials, more than the ${capacityTrialsMax - 1} a search may run; raise --growth or --start, or lower --max`,
    )
  }
  if (bounds.warmupMs + bounds.windowMs > loadDurationMsMax) {
    throw new UserError(
      `--window: with --warmup, a trial may last at most ${loadDurationMsMax / 3_600_000} hours`,
    )
  }
}

/**
 * What the period's payments allow a search: a trial needs rate × (warm-up + window) payments.
 * `too-few`: not even the first rate; `capped`: rates up to `maxTps`, below the one asked for;
 * `within`: every rate asked for.
 */
export type PeriodCap =
  | { readonly sort: 'too-few'; readonly periodTps: number }
  | { readonly sort: 'capped'; readonly maxTps: number }
  | { readonly sort: 'within'; readonly maxTps: number }

/** The highest rate worth trying, given about how many payments the city's period makes. */
export function periodCap(payments: number, bounds: TrialBounds): PeriodCap {
  const trialSeconds = (bounds.warmupMs + bounds.windowMs) / 1000
  const periodTps = Math.floor((payments * periodShareMax) / trialSeconds)
  if (periodTps < bounds.startTps) return { sort: 'too-few', periodTps }
  if (periodTps < bounds.maxTps) return { sort: 'capped', maxTps: periodTps }
  return { sort: 'within', maxTps: bounds.maxTps }
}
