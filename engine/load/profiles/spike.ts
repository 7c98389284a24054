/**
 * `spike:50k..500k/60s@20s+5s`: a base rate for the whole duration, with a burst to the peak rate
 * starting at 20 s and lasting 5 s (a flash sale, a red-envelope lottery at the stroke of a
 * minute).
 */
import { UserError } from '../../errors.js'
import type { RateSegment } from '../rateSchedule.js'
import { parseDuration, parseRate } from '../units.js'
import type { ProfileKind } from './profileKind.js'

const pattern = /^([^.]+)\.\.([^/]+)\/([^@]+)@([^+]+)\+(.+)$/

export const spike: ProfileKind = {
  name: 'spike',
  usage: 'spike:<base tps>..<peak tps>/<duration>@<spike start>+<spike length>',
  parse(spec, where) {
    const match = pattern.exec(spec)
    if (match === null)
      throw new UserError(`${where}: write ${this.usage}, like spike:50k..500k/60s@20s+5s`)
    const [, base, peak, duration, start, length] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ]
    const baseTps = parseRate(base, where)
    const peakTps = parseRate(peak, where)
    const durationMs = parseDuration(duration, where)
    const startMs = parseDuration(start, where, true)
    const lengthMs = parseDuration(length, where)
    if (startMs + lengthMs > durationMs)
      throw new UserError(
        `${where}: the spike (${start} + ${length}) must end within the ${duration}`,
      )
    const segments: RateSegment[] = []
    if (startMs > 0) segments.push({ durationMs: startMs, fromTps: baseTps, toTps: baseTps })
    segments.push({ durationMs: lengthMs, fromTps: peakTps, toTps: peakTps })
    if (startMs + lengthMs < durationMs)
      segments.push({
        durationMs: durationMs - startMs - lengthMs,
        fromTps: baseTps,
        toTps: baseTps,
      })
    return segments
  },
}
