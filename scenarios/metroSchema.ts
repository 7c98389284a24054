/**
 * The city's real metro (optional): a network file of stations and lines, the fare rule its
 * operator publishes, and the share of transit trips made by bus at a flat fare. Without it the
 * city keeps the district network (a station per district centre, Shenzhen's fare bands), as
 * before.
 */
import { z } from 'zod'
import { metroFareBandsMax, metroLinesMax, nameCharsMax } from '../engine/limits.js'
import { hasUnprintable } from '../engine/printable.js'
import { isObject } from '../engine/untrusted.js'

/** Longest distance a fare rule may name, km: further than any metro trip. */
const fareKmMax = 1000

/** A fare: whole fen, at most what the fare table's Uint16 holds. */
const fareFen = () =>
  z
    .number({ error: 'must be an integer amount of fen' })
    .int({ error: 'must be an integer amount of fen (1 yuan = 100 fen)' })
    .positive({ error: 'must be a positive amount of fen' })
    .max(0xffff, { error: 'must be at most 65535 fen (fares are kept as 16-bit fen)' })

const km = () =>
  z
    .number({ error: 'must be a distance in km, like 4' })
    .positive({ error: 'must be a distance above 0 km' })
    .max(fareKmMax, { error: `must be at most ${fareKmMax} km` })

const share = () =>
  z
    .number({ error: 'must be a share between 0 and 1' })
    .min(0, { error: 'must be a share between 0 and 1' })
    .max(1, { error: 'must be a share between 0 and 1' })

/** A band of the fare rule: up to `upToKm` (the last band: on without end). */
const fareBand = z.object({ upToKm: km().optional(), everyKm: km(), addFen: fareFen() }).strict()

export const metroSchema = z
  .object({
    /** The network's GeoJSON file (stations and lines), a path inside the scenario's folder. */
    network: z
      .string({ error: 'must be a path to a GeoJSON file, relative to the scenario' })
      .min(1, { error: 'must not be empty' })
      .max(255, { error: 'must be at most 255 characters' }),
    /** Lines of the file that are not part of the metro (a separate system, its own fare). */
    leaveOutLines: z
      .array(
        z
          .string({ error: 'must be the name of a line in the network file' })
          .min(1, { error: 'must not be empty' })
          .max(nameCharsMax, { error: `must be at most ${nameCharsMax} characters` })
          .refine((text) => !hasUnprintable(text), { error: 'must not hold control characters' }),
        { error: 'must be a list of line names' },
      )
      .max(metroLinesMax, { error: `must list at most ${metroLinesMax} lines` })
      .default([]),
    /** The published fare rule: a base fare for a base distance, then bands of distance. */
    fare: z
      .object({
        baseFen: fareFen(),
        baseKm: km(),
        bands: z
          .array(fareBand, { error: 'must be a list of { upToKm, everyKm, addFen }' })
          .min(1, { error: 'must list at least one band' })
          .max(metroFareBandsMax, { error: `must list at most ${metroFareBandsMax} bands` }),
      })
      .strict(),
    /** Share of transit trips made by bus rather than the metro (default 0: none). */
    busShare: share().default(0),
    /** The flat bus fare, within a district or between districts alike. */
    busFareFen: fareFen().optional(),
  })
  .strict()

export type ScenarioMetro = z.output<typeof metroSchema>

/**
 * The fare rule's bands in order, the last one open; a bus fare wherever buses carry trips. Looks
 * only at fields whose own shape is right.
 */
export function metroIssues(city: Record<string, unknown>): string[] {
  const metro = isObject(city.metro) ? city.metro : undefined
  if (metro === undefined) return []
  const issues: string[] = []
  const fare = isObject(metro.fare) ? metro.fare : {}
  const bands = Array.isArray(fare.bands) ? (fare.bands as unknown[]) : []
  let from = typeof fare.baseKm === 'number' ? fare.baseKm : undefined
  let fromField = 'baseKm'
  bands.forEach((raw, index) => {
    const at = `city.metro.fare.bands[${index}].upToKm`
    const upToKm = isObject(raw) ? raw.upToKm : undefined
    const last = index === bands.length - 1
    if (last && upToKm !== undefined) {
      issues.push(`${at}: the last band goes on without end: leave its upToKm out`)
    } else if (!last && upToKm === undefined) {
      issues.push(`${at}: required: only the last band goes on without end`)
    } else if (typeof upToKm === 'number') {
      if (from !== undefined && upToKm <= from)
        issues.push(`${at}: must be beyond ${fromField} (${from} km)`)
      from = upToKm
      fromField = `bands[${index}].upToKm`
    }
  })
  if (typeof metro.busShare === 'number' && metro.busShare > 0 && metro.busFareFen === undefined) {
    issues.push('city.metro.busShare: needs busFareFen, the bus fare, when above 0')
  }
  return issues
}
