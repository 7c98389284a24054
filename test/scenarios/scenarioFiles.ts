/**
 * Helpers for the scenario loader tests: the shipped files, a throw-away folder to write broken
 * and hostile scenarios into, edits of the smoke scenario by field path, and a bounded wait for
 * the loader's rejection.
 */
import { readFileSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { parse, stringify } from 'yaml'
import { UserError } from '../../engine/errors.js'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const smokeFile = path.join(repoRoot, 'scenarios', 'smoke.yaml')
export const shenzhenDayFile = path.join(repoRoot, 'scenarios', 'shenzhen-day.yaml')
export const shenzhenMapFile = path.join(repoRoot, 'scenarios', 'maps', 'shenzhen.geojson')
export const suzhouDayFile = path.join(repoRoot, 'scenarios', 'suzhou-day.yaml')
export const suzhouMapFile = path.join(repoRoot, 'scenarios', 'maps', 'suzhou.geojson')
export const chengduDayFile = path.join(repoRoot, 'scenarios', 'chengdu-day.yaml')
export const chengduMapFile = path.join(repoRoot, 'scenarios', 'maps', 'chengdu.geojson')
export const smokeText = readFileSync(smokeFile, 'utf8')
export const shenzhenMapText = readFileSync(shenzhenMapFile, 'utf8')

/** The eight district ids of the Shenzhen map, in the order the scenarios list them. */
export const shenzhenIds = [
  '440303',
  '440304',
  '440305',
  '440306',
  '440307',
  '440308',
  '440310',
  '440309',
]
/** Shenzhen's resident population in the 2020 (seventh national) census. */
export const shenzhenPopulation2020 = 17_494_398
/** Suzhou's and Chengdu's resident populations in the 2020 census: their bulletins' totals. */
export const suzhouPopulation2020 = 12_748_262
export const chengduPopulation2020 = 20_937_757

/** Hostile input must be turned down within this wall time. */
export const hostileBoundMs = 2000

export interface TempFolder {
  /** The folder itself (the scenario's folder). */
  readonly dir: string
  /** Writes `content` to `name` inside the folder (creating sub-folders) and returns its path. */
  write(name: string, content: string | Uint8Array): Promise<string>
  /** Writes a copy of the Shenzhen map at `maps/shenzhen.geojson` (or `name`). */
  copyMap(name?: string): Promise<string>
  remove(): Promise<void>
}

/** A fresh folder under the OS temp folder. */
export async function makeTempFolder(): Promise<TempFolder> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-scenario-'))
  const write = async (name: string, content: string | Uint8Array): Promise<string> => {
    const file = path.join(dir, name)
    await fs.mkdir(path.dirname(file), { recursive: true })
    await fs.writeFile(file, content)
    return file
  }
  return {
    dir,
    write,
    copyMap: (name = path.join('maps', 'shenzhen.geojson')) => write(name, shenzhenMapText),
    remove: () => fs.rm(dir, { recursive: true, force: true }),
  }
}

type Container = Record<string | number, unknown>

/** `city.districts[3].population` → ['city', 'districts', 3, 'population']. */
function splitPath(fieldPath: string): (string | number)[] {
  return fieldPath
    .split(/\.|\[(\d+)\]/)
    .filter((key): key is string => key !== undefined && key !== '')
    .map((key) => (/^\d+$/.test(key) ? Number(key) : key))
}

/**
 * The smoke scenario with some fields changed, as YAML text. Keys are field paths like
 * `city.districts[3].population`; the value `undefined` removes the field.
 */
export function smokeWith(edits: Record<string, unknown>, base: string = smokeText): string {
  const document = parse(base) as Container
  for (const [fieldPath, value] of Object.entries(edits)) {
    const keys = splitPath(fieldPath)
    const last = keys.pop()
    if (last === undefined) throw new Error(`empty field path`)
    let node: Container = document
    for (const key of keys) {
      const next = node[key]
      if (typeof next !== 'object' || next === null)
        throw new Error(`${fieldPath}: no such field in the smoke scenario`)
      node = next as Container
    }
    if (value === undefined) delete node[last]
    else node[last] = value
  }
  return stringify(document)
}

/** The 1-based line of the first line of `text` that contains `needle`. */
export function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle))
  if (index < 0) throw new Error(`"${needle}" is not in the text`)
  return index + 1
}

export interface Rejection {
  readonly error: UserError
  readonly ms: number
}

/**
 * Runs `load` and expects it to reject with a UserError within `boundMs`. A load that hangs
 * fails the test after `boundMs` (plus a margin) instead of waiting for the test timeout.
 */
export async function expectUserError(
  load: () => Promise<unknown>,
  boundMs = hostileBoundMs,
): Promise<Rejection> {
  const start = performance.now()
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), boundMs + 3000)
  })
  const outcome = await Promise.race([
    load().then(
      (value) => ({ settled: 'resolved' as const, value }),
      (error: unknown) => ({ settled: 'rejected' as const, error }),
    ),
    hung,
  ])
  clearTimeout(timer)
  const ms = performance.now() - start
  expect(outcome, 'the load must settle').not.toBe('hung')
  if (outcome === 'hung' || outcome.settled === 'resolved') {
    throw new Error('expected the load to be rejected, it succeeded')
  }
  if (!(outcome.error instanceof UserError)) {
    throw new Error(`expected a UserError, got ${String(outcome.error)}`, { cause: outcome.error })
  }
  expect(ms, 'rejected in bounded time').toBeLessThan(boundMs)
  return { error: outcome.error, ms }
}

/** Escapes a string for use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
