/**
 * How a live run (`citytwin serve`) starts and when it ends, from the flags and the scenario's
 * load section. Without a pace given anywhere, it follows the city's own rhythm at the clock speed
 * (--speed) for the whole period; a constant rate (--tps, constant:…) or a realistic profile sets
 * the first stretch instead. Other profiles change their rate on a fixed plan, which the map's
 * controls would fight, so they are refused.
 */
import { UserError } from '../errors.js'
import { minutesPerDay } from '../limits.js'
import type { LivePace } from './liveSchedule.js'
import { loadSettings, type LoadFlags, type LoadSettings, type ScenarioLoad } from './settings.js'

/** The default pace of the live map: two simulated minutes a wall second (a day in 12 minutes). */
export const liveSpeedDefault = 2

/** The flags of a live run's pace: a load run's, and the clock speed. */
export interface LivePaceFlags extends LoadFlags {
  readonly speed?: number | undefined
}

/** How a live run starts: its load settings, its first pace, and when it ends at the latest. */
export interface LiveStart {
  readonly settings: LoadSettings
  readonly pace: LivePace
  /** Wall ms after which the run ends; Infinity: once the period's payments are all sent. */
  readonly limitMs: number
}

/**
 * The realistic profile of a whole day of the city's rhythm at `speed` simulated minutes a second.
 */
export function cityRhythmProfile(speed: number): string {
  return `realistic:1d/${Math.round((minutesPerDay * 1000) / speed)}ms`
}

/** The first pace of a live run and when it ends; errors name the flag or scenario field. */
export function liveStart(
  scenario: ScenarioLoad | undefined,
  flags: LivePaceFlags,
  file: string,
): LiveStart {
  const flagPaced = flags.tps !== undefined || flags.profile !== undefined
  const scenarioPaced =
    !flagPaced && (scenario?.profile !== undefined || scenario?.tps !== undefined)
  const paced = flagPaced || scenarioPaced
  const speed = flags.speed ?? liveSpeedDefault
  const given = paced ? flags : { ...flags, profile: cityRhythmProfile(speed) }
  const settings = loadSettings(scenario, given, file)
  if (settings === undefined) throw new UserError('--profile: the live map needs a pace')
  const { profile } = settings
  if (profile.sort === 'realistic') {
    const pace: LivePace = { sort: 'clock', tickMs: profile.durationMs / profile.simulatedMinutes }
    return { settings, pace, limitMs: paced ? profile.durationMs : Infinity }
  }
  const segment = profile.schedule.segments[0]
  if (profile.name !== 'constant' || segment === undefined) {
    throw new UserError(
      `${settings.where}: the live map starts at a constant rate (--tps) or at the city's rhythm (--speed, or realistic:…); ${profile.name} profiles are for \`citytwin run\``,
    )
  }
  // --tps alone runs the whole period; with --duration (or a profile's own), that long.
  const scenarioEnds = scenario?.profile !== undefined || scenario?.duration !== undefined
  const endGiven =
    flags.profile !== undefined || flags.duration !== undefined || (scenarioPaced && scenarioEnds)
  const pace: LivePace = { sort: 'rate', tps: segment.fromTps }
  return { settings, pace, limitMs: endGiven ? profile.schedule.durationMs : Infinity }
}
