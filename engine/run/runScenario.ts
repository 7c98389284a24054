/**
 * A run, end to end, composed of its stages:
 *
 *   scenario ─▶ plan ─▶ city (population, agent index: workers) ─▶ ledger opened, accounts
 *     ─▶ opening ─▶ executor (flat out | open model) taking ticks from the city stream
 *          └─ each call through the counting ledger ─▶ ledger;  evenings beside the stream
 *     ─▶ audit ─▶ summary;  telemetry out as it goes
 *
 * Files: openCity.ts builds the city; stream/ makes the ticks; executors/ drive the ledger;
 * counting/ counts every result once; evening.ts, audit.ts and summarize.ts are the other stages.
 */
import type { LoadedScenario } from '../../scenarios/loader.js'
import { openCity } from './openCity.js'
import type { RunOptions } from './runOptions.js'
import type { RunSummary } from './summary.js'

export type { CityOptions, RunOptions } from './runOptions.js'

export async function runScenario(
  loaded: LoadedScenario,
  options: RunOptions,
): Promise<RunSummary> {
  const city = await openCity(loaded, options)
  try {
    return await city.run(options)
  } finally {
    await city.close()
  }
}
