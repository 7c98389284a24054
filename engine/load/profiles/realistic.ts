/**
 * `realistic:1d/10m`: the city's own demand curve, a simulated span played in a wall-clock time
 * (here a day in ten minutes, 144 times real time). The rate is not given: it is what the city
 * makes minute by minute (see tickSchedule.ts). The span is written 90m, 12h or 1d, whole minutes.
 */
import { UserError } from '../../errors.js'
import { minutesPerDay, simulatedDaysMax } from '../../limits.js'
import { parseDuration } from '../units.js'

export interface RealisticProfile {
  readonly simulatedMinutes: number
  readonly durationMs: number
}

export const realisticUsage = 'realistic:<simulated span>/<duration>'
const spanPattern = /^(\d{1,7})(m|h|d)$/
const spanMinutes: Record<string, number> = { m: 1, h: 60, d: 1_440 }

export function parseRealistic(spec: string, where: string): RealisticProfile {
  const [span, duration, ...rest] = spec.split('/')
  if (span === undefined || duration === undefined || rest.length > 0)
    throw new UserError(
      `${where}: write ${realisticUsage}, like realistic:1d/10m (a day in ten minutes)`,
    )
  const match = spanPattern.exec(span.trim())
  if (match === null)
    throw new UserError(
      `${where}: "${span}" is not a simulated span (write whole minutes, hours or days: 90m, 12h, 1d)`,
    )
  const simulatedMinutes = Number(match[1]) * (spanMinutes[match[2] as string] as number)
  if (simulatedMinutes < 1)
    throw new UserError(`${where}: the simulated span must be at least a minute`)
  if (simulatedMinutes > simulatedDaysMax * minutesPerDay)
    throw new UserError(`${where}: the simulated span must be at most ${simulatedDaysMax} days`)
  const durationMs = parseDuration(duration, where)
  return { simulatedMinutes, durationMs }
}
