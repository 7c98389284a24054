/**
 * What a load run is asked to do, from the scenario's `load:` section and the flags together.
 * Flags win over the scenario for the profile, the in-flight bound and abortOnFail; thresholds from
 * both are checked (a flag cannot quietly drop a scenario's gate). No profile anywhere means a
 * flat-out run.
 *
 *   --profile ramp:10k..500k/120s          load.profile: "ramp:10k..500k/120s"
 *   --tps 200k --duration 60s              load.tps: 200000, load.duration: 60s (60s if left out)
 *   --threshold 'p99<50ms' (repeatable)    load.thresholds: ["p99<50ms"]
 *   --abort-on-fail                        load.abortOnFail: true
 *   --in-flight 64                         load.inFlight: 64
 *   --late-tolerance 10ms                  load.lateTolerance: 10ms
 */
import { UserError } from '../errors.js'
import { loadInFlightDefaultFor, thresholdsMax, thresholdTextMax } from '../limits.js'
import { parseAnyProfile, type AnyLoadProfile } from './profile.js'
import { parseThresholds, type Threshold } from './threshold.js'
import { parseDuration, parseRate } from './units.js'

export interface LoadFlags {
  readonly tps?: string | undefined
  readonly duration?: string | undefined
  readonly profile?: string | undefined
  readonly threshold?: readonly string[] | undefined
  readonly abortOnFail?: boolean | undefined
  readonly inFlight?: number | undefined
  readonly lateTolerance?: string | undefined
  /** The ledger the run drives: it sets the default bound on calls outstanding. */
  readonly ledger?: string | undefined
}

export interface ScenarioLoad {
  readonly profile?: string | undefined
  readonly tps?: number | string | undefined
  readonly duration?: string | undefined
  readonly thresholds?: readonly string[] | undefined
  readonly abortOnFail?: boolean | undefined
  readonly inFlight?: number | undefined
  readonly lateTolerance?: string | undefined
}

export interface LoadSettings {
  readonly profile: AnyLoadProfile
  /**
   * Where the profile was given, for errors found later (`--profile`, `scenario.yaml:
   * load.profile`).
   */
  readonly where: string
  readonly thresholds: readonly Threshold[]
  readonly abortOnFail: boolean
  readonly inFlightMax: number
  /** Send lateness p99 beyond which the run is invalid (absent: the engine's default, 10 ms). */
  readonly lateToleranceMs?: number
}

const durationDefault = '60s'

/**
 * The load run asked for, or undefined for a flat-out run. Errors name the flag or the scenario
 * field.
 */
export function loadSettings(
  scenario: ScenarioLoad | undefined,
  flags: LoadFlags,
  file: string,
): LoadSettings | undefined {
  if (flags.profile !== undefined && flags.tps !== undefined)
    throw new UserError(
      '--profile and --tps: give one of them (--tps 200k --duration 60s is constant:200k/60s)',
    )
  if (flags.duration !== undefined && flags.tps === undefined)
    throw new UserError('--duration: goes with --tps (a --profile carries its own duration)')
  let profile: AnyLoadProfile | undefined
  let where = ''
  if (flags.profile !== undefined) {
    where = '--profile'
    profile = parseAnyProfile(flags.profile, where)
  } else if (flags.tps !== undefined) {
    where = '--tps'
    profile = constantProfile(flags.tps, flags.duration ?? durationDefault, '--tps', '--duration')
  } else if (scenario?.profile !== undefined) {
    where = `${file}: load.profile`
    profile = parseAnyProfile(scenario.profile, where)
  } else if (scenario?.tps !== undefined) {
    where = `${file}: load.tps`
    profile = constantProfile(
      String(scenario.tps),
      scenario.duration ?? durationDefault,
      where,
      `${file}: load.duration`,
    )
  }
  if (profile === undefined) {
    if ((flags.threshold ?? []).length > 0)
      throw new UserError('--threshold: thresholds gate a load run; give --tps or --profile too')
    if (flags.abortOnFail === true)
      throw new UserError('--abort-on-fail: goes with a load run; give --tps or --profile too')
    if (flags.inFlight !== undefined)
      throw new UserError("--in-flight: bounds a load run's calls; give --tps or --profile too")
    if (flags.lateTolerance !== undefined)
      throw new UserError(
        "--late-tolerance: judges a load run's sends; give --tps or --profile too",
      )
    return undefined
  }
  const flagged = flags.threshold ?? []
  const long = flagged.find((text) => text.length > thresholdTextMax)
  if (long !== undefined)
    throw new UserError(
      `--threshold: "${long.slice(0, 40)}…" is longer than ${thresholdTextMax} characters`,
    )
  if ((scenario?.thresholds ?? []).length + flagged.length > thresholdsMax)
    throw new UserError(
      `--threshold: the scenario's and the flags' thresholds together are more than ${thresholdsMax}`,
    )
  const thresholds = [
    ...parseThresholds(scenario?.thresholds ?? [], `${file}: load.thresholds`),
    ...parseThresholds(flagged, '--threshold'),
  ]
  return {
    profile,
    where,
    thresholds,
    abortOnFail: flags.abortOnFail ?? scenario?.abortOnFail ?? false,
    inFlightMax: flags.inFlight ?? scenario?.inFlight ?? loadInFlightDefaultFor(flags.ledger),
    ...lateTolerance(
      flags.lateTolerance ?? scenario?.lateTolerance,
      flags.lateTolerance !== undefined ? '--late-tolerance' : `${file}: load.lateTolerance`,
    ),
  }
}

function lateTolerance(text: string | undefined, where: string): { lateToleranceMs?: number } {
  return text === undefined ? {} : { lateToleranceMs: parseDuration(text, where) }
}

function constantProfile(
  tps: string,
  duration: string,
  tpsWhere: string,
  durationWhere: string,
): AnyLoadProfile {
  const rate = parseRate(tps, tpsWhere)
  if (rate === 0) throw new UserError(`${tpsWhere}: the rate must be above 0`)
  parseDuration(duration, durationWhere)
  return parseAnyProfile(`constant:${tps.trim()}/${duration.trim()}`, tpsWhere)
}

/**
 * The scenario's load section checked as text (the schema checks its shape): `field: message`
 * lines, as the scenario loader reports them with their line numbers.
 */
export function loadSettingIssues(raw: Record<string, unknown>): string[] {
  const issues: string[] = []
  const check = (field: string, parse: (where: string) => unknown) => {
    try {
      parse(field)
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      issues.push(
        `${field}: ${error.message
          .slice(field.length)
          .replace(/^\s*"[^"]*"\s*/, '')
          .replace(/^:\s*/, '')}`,
      )
    }
  }
  if (typeof raw.profile === 'string')
    check('load.profile', (where) => parseAnyProfile(raw.profile as string, where))
  if (raw.profile !== undefined && raw.tps !== undefined)
    issues.push('load.tps: give either load.profile or load.tps, not both')
  if (raw.duration !== undefined && raw.tps === undefined)
    issues.push('load.duration: goes with load.tps (a profile carries its own duration)')
  if (typeof raw.tps === 'string' || typeof raw.tps === 'number') {
    check('load.tps', (where) => {
      if (parseRate(String(raw.tps), where) === 0)
        throw new UserError(`${where}: the rate must be above 0`)
    })
  }
  if (typeof raw.duration === 'string')
    check('load.duration', (where) => parseDuration(raw.duration as string, where))
  if (typeof raw.lateTolerance === 'string')
    check('load.lateTolerance', (where) => parseDuration(raw.lateTolerance as string, where))
  if (Array.isArray(raw.thresholds)) {
    raw.thresholds.forEach((text, index) => {
      if (typeof text === 'string')
        check(`load.thresholds[${index}]`, (where) => parseThresholds([text], where))
    })
  }
  return issues
}
