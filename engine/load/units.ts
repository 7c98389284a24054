/**
 * Rates and durations as people write them in flags and scenarios: `200000`, `200k`, `1.5M`
 * transfers per second; `500ms`, `90s`, `2m`, `1h`. Errors name where the text came from.
 */
import { UserError } from '../errors.js'
import { loadDurationMsMax, loadTpsMax } from '../limits.js'

const ratePattern = /^(\d+(?:\.\d+)?)([kM]?)$/
const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/
const rateScale: Record<string, number> = { '': 1, k: 1_000, M: 1_000_000 }
const durationScaleMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }

/** Transfers per second, 0 to `loadTpsMax`; a whole number once scaled. */
export function parseRate(text: string, where: string): number {
  const match = ratePattern.exec(text.trim())
  if (match === null)
    throw new UserError(
      `${where}: "${text}" is not a rate (write 200000, 200k or 1.5M transfers per second)`,
    )
  const tps = Number(match[1]) * (rateScale[match[2] ?? ''] as number)
  if (!Number.isInteger(tps))
    throw new UserError(`${where}: "${text}" is not a whole number of transfers per second`)
  if (tps > loadTpsMax)
    throw new UserError(
      `${where}: ${text} is more than the ${loadTpsMax} transfers per second a profile may ask for`,
    )
  return tps
}

/** Milliseconds, above 0 (or 0 too, for an offset) and at most `loadDurationMsMax`. */
export function parseDuration(text: string, where: string, zeroAllowed = false): number {
  const match = durationPattern.exec(text.trim())
  if (match === null)
    throw new UserError(`${where}: "${text}" is not a duration (write 500ms, 90s, 2m or 1h)`)
  const ms = Number(match[1]) * (durationScaleMs[match[2] ?? ''] as number)
  if (!Number.isInteger(ms) || ms < 0 || (ms === 0 && !zeroAllowed)) {
    throw new UserError(
      `${where}: "${text}" must be a ${zeroAllowed ? 'whole' : 'positive whole'} number of milliseconds`,
    )
  }
  if (ms > loadDurationMsMax)
    throw new UserError(
      `${where}: ${text} is longer than the ${loadDurationMsMax / 3_600_000} hours a profile may last`,
    )
  return ms
}
