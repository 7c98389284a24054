/** Shared helpers for tests that run scenarios. */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RunSummary } from '../../engine/report/index.js'
import { runScenario, type RunOptions } from '../../engine/run/index.js'
import { parse, stringify } from 'yaml'
import { loadScenario } from '../../scenarios/index.js'
import type { Scenario } from '../../scenarios/schema.js'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const smokeScenario = path.join(repoRoot, 'scenarios/smoke.yaml')
export const defaultScenario = path.join(repoRoot, 'scenarios/shenzhen-day.yaml')
export const suzhouDayScenario = path.join(repoRoot, 'scenarios/suzhou-day.yaml')
export const chengduDayScenario = path.join(repoRoot, 'scenarios/chengdu-day.yaml')

/** A fake clock: each read advances 1 ms, so durations are positive and nothing sleeps. */
export function fakeNow(): () => number {
  let ms = 0
  return () => (ms += 1)
}

export async function runSmoke(
  options: Partial<RunOptions> = {},
  file = smokeScenario,
): Promise<RunSummary> {
  const loaded = await loadScenario(file)
  return runScenario(loaded, { workers: 2, now: fakeNow(), ...options })
}

/** A temporary folder holding a copy of the Shenzhen map, for scenarios a test writes. */
export interface ScenarioFolder {
  readonly dir: string
  /** Writes `text` as `name` in the folder; returns its path. */
  write(name: string, text: string): Promise<string>
  /** Writes the smoke scenario, parsed and changed by `edit`, as `name`; returns its path. */
  writeSmoke(name: string, edit: (scenario: Scenario) => void): Promise<string>
  remove(): Promise<void>
}

export async function scenarioFolder(prefix: string): Promise<ScenarioFolder> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `citytwin-${prefix}-`))
  await fs.mkdir(path.join(dir, 'maps'))
  // Shenzhen's districts and its metro network, as the day scenario reads them.
  for (const map of ['shenzhen.geojson', 'shenzhen-metro.geojson']) {
    await fs.copyFile(path.join(repoRoot, 'scenarios/maps', map), path.join(dir, 'maps', map))
  }
  return {
    dir,
    write: async (name, text) => {
      const file = path.join(dir, name)
      await fs.writeFile(file, text)
      return file
    },
    writeSmoke: async (name, edit) => {
      const scenario = parse(await fs.readFile(smokeScenario, 'utf8')) as Scenario
      edit(scenario)
      const file = path.join(dir, name)
      await fs.writeFile(file, stringify(scenario))
      return file
    },
    remove: () => fs.rm(dir, { recursive: true, force: true }),
  }
}
