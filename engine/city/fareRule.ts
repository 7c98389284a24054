/**
 * A city's published metro fare rule, as data: a base fare for a base distance, then bands of
 * distance, in each of which every further `everyKm` begun adds `addFen`. The last band has no end.
 *
 *   fen                                 Shenzhen Metro: 200 fen up to 4 km, then
 *   600 ┤                   ┌─── …     +100 each 4 km begun up to 12 km,
 *   500 ┤             ┌─────┘          +100 each 6 km begun up to 24 km,
 *   400 ┤       ┌─────┘                +100 each 8 km begun beyond.
 *   300 ┤   ┌───┘
 *   200 ┼───┘
 *       0   4   8     12    18    24   km
 *
 * Money is integer fen; distances are kilometres along the network's shortest path (the published
 * rules of the cities here all charge by the shortest path between the two stations).
 */
import { assert } from '../assert.js'

export interface FareBand {
  /** Where the band ends, km; the last band has none and goes on without end. */
  readonly upToKm?: number | undefined
  /** Each further stretch of this length begun within the band adds `addFen`. */
  readonly everyKm: number
  readonly addFen: number
}

export interface FareRule {
  /** The fare of any trip up to `baseKm`, the shortest included. */
  readonly baseFen: number
  readonly baseKm: number
  readonly bands: readonly FareBand[]
}

/** The fare of a trip of `km` along the network under `rule`, in fen. */
export function fareOfKm(rule: FareRule, km: number): number {
  assert(km >= 0 && Number.isFinite(km), 'a trip has a finite length')
  let fen = rule.baseFen
  let from = rule.baseKm
  for (const band of rule.bands) {
    if (km <= from) break
    const to = band.upToKm ?? Infinity
    fen += Math.ceil((Math.min(km, to) - from) / band.everyKm) * band.addFen
    from = to
  }
  return fen
}

/** What the schema checked, asserted where a rule is used: bands in order, the last one open. */
export function assertFareRule(rule: FareRule): void {
  assert(Number.isInteger(rule.baseFen) && rule.baseFen >= 0, 'a base fare in whole fen')
  assert(rule.baseKm > 0 && rule.bands.length >= 1, 'a base distance and at least one band')
  let from = rule.baseKm
  rule.bands.forEach((band, index) => {
    const last = index === rule.bands.length - 1
    assert(last === (band.upToKm === undefined), 'only the last band goes on without end')
    assert(band.upToKm === undefined || band.upToKm > from, 'bands end further and further out')
    assert(band.everyKm > 0 && Number.isInteger(band.addFen) && band.addFen > 0, 'a band adds fen')
    from = band.upToKm ?? from
  })
}
