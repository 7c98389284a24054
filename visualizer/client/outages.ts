/**
 * Which districts are cut off. An outage command names its district by the scenario's name for
 * it (visualizer/server/commands.ts, engine/run/runControl.ts), and Snapshot.faults.outages lists
 * names too; reading the list, the page also accepts ids, in case a server ever sends those.
 */
import type { CityView } from '../protocol.js'

type District = CityView['districts'][number]

/** How an outage command names a district. */
export function outageKey(district: District): string {
  return district.name
}

export function cutOffFlags(city: CityView, outages: readonly string[]): boolean[] {
  const named = new Set(outages)
  return city.districts.map((district) => named.has(district.name) || named.has(district.id))
}
