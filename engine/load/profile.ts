/**
 * Arrival profiles by name, one file each under profiles/, written `name:spec` on the command line
 * (`--profile ramp:10k..500k/120s`) or in a scenario. `--tps 200k --duration 60s` is the constant
 * profile. An unknown name or a malformed spec is a user error naming where it came from.
 */
import { UserError } from '../errors.js'
import { profileQuotedCharsMax, profileTextMax } from '../limits.js'
import { clipped } from '../printable.js'
import { constant } from './profiles/constant.js'
import type { ProfileKind } from './profiles/profileKind.js'
import { ramp } from './profiles/ramp.js'
import { spike } from './profiles/spike.js'
import { steps } from './profiles/steps.js'
import { parseRealistic, realisticUsage } from './profiles/realistic.js'
import { RateSchedule } from './rateSchedule.js'

const kinds: readonly ProfileKind[] = [constant, ramp, steps, spike]

export const profileNames: readonly string[] = [...kinds.map((kind) => kind.name), 'realistic']

export interface LoadProfile {
  readonly name: string
  /** As written, for reports. */
  readonly text: string
  readonly schedule: RateSchedule
}

/**
 * A profile of either sort: a rate over wall time, or the city's own curve at a clock speed
 * (whose rate is known only as the city makes it).
 */
export type AnyLoadProfile =
  | ({ readonly sort: 'rate' } & LoadProfile)
  | {
      readonly sort: 'realistic'
      readonly name: 'realistic'
      readonly text: string
      readonly simulatedMinutes: number
      readonly durationMs: number
    }

export function parseAnyProfile(text: string, where: string): AnyLoadProfile {
  if (text.length > profileTextMax)
    throw new UserError(`${where}: a profile is at most ${profileTextMax} characters`)
  if (text === 'realistic' || text.startsWith('realistic:')) {
    if (text === 'realistic')
      throw new UserError(`${where}: write ${realisticUsage}, like realistic:1d/10m`)
    return {
      sort: 'realistic',
      name: 'realistic',
      text,
      ...parseRealistic(
        text.slice('realistic:'.length),
        `${where} "${clipped(text, profileQuotedCharsMax)}"`,
      ),
    }
  }
  return { sort: 'rate', ...parseProfile(text, where) }
}

/** A rate profile (constant, ramp, steps, spike). */
export function parseProfile(text: string, where: string): LoadProfile {
  if (text.length > profileTextMax)
    throw new UserError(`${where}: a profile is at most ${profileTextMax} characters`)
  const colon = text.indexOf(':')
  const name = colon < 0 ? text : text.slice(0, colon)
  const kind = kinds.find((candidate) => candidate.name === name)
  if (kind === undefined) {
    throw new UserError(
      `${where}: unknown profile "${clipped(name, profileQuotedCharsMax)}" (known: ${[...kinds.map((known) => known.usage), realisticUsage].join('; ')})`,
    )
  }
  if (colon < 0) throw new UserError(`${where}: write ${kind.usage}`)
  // A message quotes the profile clipped, so what is wrong with it stays in view however long it
  // is.
  const quoted = `${where} "${clipped(text, profileQuotedCharsMax)}"`
  const segments = kind.parse(text.slice(colon + 1), quoted)
  const schedule = new RateSchedule(segments)
  if (schedule.transfers === 0)
    throw new UserError(`${quoted}: the profile sends no transfer at all`)
  return { name: kind.name, text, schedule }
}
