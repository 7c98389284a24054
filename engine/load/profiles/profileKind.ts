import type { RateSegment } from '../rateSchedule.js'

/** One arrival profile: how it is written after `name:` and how that becomes rate segments. */
export interface ProfileKind {
  readonly name: string
  /** How it is written, e.g. `ramp:<from>..<to>/<duration>`; shown in errors and help. */
  readonly usage: string
  /** `spec` is what follows `name:`; errors start with `where`. */
  parse(spec: string, where: string): RateSegment[]
}
