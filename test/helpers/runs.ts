/** Shared helpers for tests that run scenarios. */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RunSummary } from '../../engine/report/index.js'
import { runScenario, type RunOptions } from '../../engine/run/index.js'
import { loadScenario } from '../../scenarios/index.js'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const smokeScenario = path.join(repoRoot, 'scenarios/smoke.yaml')
export const defaultScenario = path.join(repoRoot, 'scenarios/shenzhen-day.yaml')

/** A fake clock: each read advances 1 ms, so durations are positive and nothing sleeps. */
export function fakeNow(): () => number {
  let ms = 0
  return () => (ms += 1)
}

export async function runSmoke(options: Partial<RunOptions> = {}, file = smokeScenario): Promise<RunSummary> {
  const loaded = await loadScenario(file)
  return runScenario(loaded, { workers: 2, now: fakeNow(), ...options })
}
