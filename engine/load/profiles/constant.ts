/** `constant:200k/60s`: one rate held for the whole duration. */
import { UserError } from '../../errors.js'
import { parseDuration, parseRate } from '../units.js'
import type { ProfileKind } from './profileKind.js'

export const constant: ProfileKind = {
  name: 'constant',
  usage: 'constant:<tps>/<duration>',
  parse(spec, where) {
    const [tps, duration, ...rest] = spec.split('/')
    if (tps === undefined || duration === undefined || rest.length > 0)
      throw new UserError(`${where}: write ${this.usage}, like constant:200k/60s`)
    const rate = parseRate(tps, where)
    return [{ durationMs: parseDuration(duration, where), fromTps: rate, toTps: rate }]
  },
}
