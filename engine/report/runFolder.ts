/**
 * Where a run's files go: `runs/<UTC timestamp>-seed<seed>/` unless the user names a folder.
 * Files are written to a temporary name and renamed, so a crash never leaves half a file.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { RunSummary } from './summary.js'

export function defaultRunFolder(root: string, date: Date, seed: number): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return path.join(root, `${stamp}-seed${seed}`)
}

export async function writeSummary(folder: string, summary: RunSummary): Promise<string> {
  const file = path.join(folder, 'summary.json')
  const temporary = `${file}.${process.pid}.tmp`
  await fs.writeFile(temporary, `${JSON.stringify(summary, null, 2)}\n`)
  await fs.rename(temporary, file)
  return file
}
