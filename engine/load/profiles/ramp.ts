/** `ramp:10k..500k/120s`: the rate moves in a straight line from one rate to another. */
import { UserError } from '../../errors.js'
import { parseDuration, parseRate } from '../units.js'
import type { ProfileKind } from './profileKind.js'

export const ramp: ProfileKind = {
  name: 'ramp',
  usage: 'ramp:<from tps>..<to tps>/<duration>',
  parse(spec, where) {
    const [rates, duration, ...rest] = spec.split('/')
    const [from, to, ...more] = (rates ?? '').split('..')
    if (
      from === undefined ||
      to === undefined ||
      duration === undefined ||
      rest.length > 0 ||
      more.length > 0
    ) {
      throw new UserError(`${where}: write ${this.usage}, like ramp:10k..500k/120s`)
    }
    return [
      {
        durationMs: parseDuration(duration, where),
        fromTps: parseRate(from, where),
        toTps: parseRate(to, where),
      },
    ]
  },
}
