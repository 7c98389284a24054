/**
 * `npm run bench -- --compare <older.json>`: every figure of this run beside the same figure of an
 * earlier one, with the ratio new ÷ old, so a regression shows. Figures only one run has are listed
 * with a dash. Whether higher is better depends on the figure (transfers/s: higher; ms, s, bytes:
 * lower): the table says which way each one moved, not whether that is good.
 */
import { promises as fs } from 'node:fs'
import { UserError } from '../engine/errors.js'
import { isObject } from '../engine/untrusted.js'

export interface Figure {
  readonly name: string
  readonly median: number
  readonly unit: string
}

/** A results file is read whole: one far larger was not written by the bench. */
const resultsFileBytesMax = 16 * 1024 * 1024

/** The figures of an earlier results file (bench/results/*.json), checked. */
export async function readResults(file: string): Promise<{ figures: Figure[]; date: string }> {
  const stat = await fs.stat(file).catch(() => undefined)
  if (stat === undefined || !stat.isFile()) throw new UserError(`--compare: ${file} is not a file`)
  if (stat.size > resultsFileBytesMax)
    throw new UserError(`--compare: ${file} is larger than a results file can be`)
  let json: unknown
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'))
  } catch {
    throw new UserError(`--compare: ${file} is not JSON`)
  }
  if (!isObject(json) || !Array.isArray(json.results))
    throw new UserError(`--compare: ${file} has no "results" list: not a bench results file`)
  const figures: Figure[] = []
  json.results.forEach((result: unknown, index: number) => {
    if (
      !isObject(result) ||
      typeof result.name !== 'string' ||
      typeof result.median !== 'number' ||
      typeof result.unit !== 'string'
    ) {
      throw new UserError(
        `--compare: ${file}: results[${index}] is not a figure (name, median, unit)`,
      )
    }
    figures.push({ name: result.name, median: result.median, unit: result.unit })
  })
  const date =
    isObject(json.machine) && typeof json.machine.date === 'string'
      ? json.machine.date
      : 'unknown date'
  return { figures, date }
}

/** The comparison as text lines: name, old, new, new ÷ old. */
export function comparison(older: readonly Figure[], newer: readonly Figure[]): string[] {
  const old = new Map(older.map((figure) => [figure.name, figure]))
  const names = [
    ...new Set([...newer.map((figure) => figure.name), ...older.map((figure) => figure.name)]),
  ]
  const width = Math.max(6, ...names.map((name) => name.length))
  const lines = [
    `${'figure'.padEnd(width)}  ${'before'.padStart(14)}  ${'now'.padStart(14)}  ${'now/before'.padStart(10)}  unit`,
  ]
  const current = new Map(newer.map((figure) => [figure.name, figure]))
  for (const name of names) {
    const before = old.get(name)
    const now = current.get(name)
    const ratio =
      before !== undefined && now !== undefined && before.median !== 0
        ? (now.median / before.median).toFixed(3)
        : '–'
    lines.push(
      `${name.padEnd(width)}  ${show(before?.median).padStart(14)}  ${show(now?.median).padStart(14)}  ${ratio.padStart(10)}  ${(now ?? before)?.unit ?? ''}`,
    )
  }
  return lines
}

function show(value: number | undefined): string {
  if (value === undefined) return '–'
  return value < 100 ? value.toFixed(3) : Math.round(value).toLocaleString('en-US')
}
