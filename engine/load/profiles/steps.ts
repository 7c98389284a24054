/** `steps:10k/30s,50k/30s,100k/30s`: rates held one after the other. */
import { UserError } from '../../errors.js'
import { profileSegmentsMax } from '../../limits.js'
import type { RateSegment } from '../rateSchedule.js'
import { parseDuration, parseRate } from '../units.js'
import type { ProfileKind } from './profileKind.js'

export const steps: ProfileKind = {
  name: 'steps',
  usage: 'steps:<tps>/<duration>,<tps>/<duration>,...',
  parse(spec, where) {
    const parts = spec.split(',')
    if (parts.length > profileSegmentsMax)
      throw new UserError(`${where}: at most ${profileSegmentsMax} steps`)
    return parts.map((part, index): RateSegment => {
      const [tps, duration, ...rest] = part.split('/')
      if (tps === undefined || duration === undefined || rest.length > 0) {
        throw new UserError(
          `${where}: step ${index + 1} "${part}": write ${this.usage}, like steps:10k/30s,50k/30s`,
        )
      }
      const rate = parseRate(tps, `${where} step ${index + 1}`)
      return {
        durationMs: parseDuration(duration, `${where} step ${index + 1}`),
        fromTps: rate,
        toTps: rate,
      }
    })
  },
}
