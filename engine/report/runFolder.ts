/**
 * Where a run's files go: `runs/<UTC timestamp>-seed<seed>/` unless the user names a folder.
 * Files are written to a temporary name and renamed, so a crash never leaves half a file.
 */
import { constants as fsConstants, promises as fs } from 'node:fs'
import path from 'node:path'
import { UserError } from '../errors.js'
import { runFolderAttemptsMax } from '../limits.js'
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

/** `folder`, or `folder-2`, `folder-3`, ... : two runs started in the same second keep their own files. */
export async function unusedFolder(folder: string): Promise<string> {
  for (let attempt = 1; attempt <= runFolderAttemptsMax; attempt++) {
    const candidate = attempt === 1 ? folder : `${folder}-${attempt}`
    const taken = await fs.stat(candidate).then(
      () => true,
      () => false,
    )
    if (!taken) return candidate
  }
  throw new UserError(`the run folder: ${folder} and ${runFolderAttemptsMax - 1} variants of it are taken; use --out`)
}

/**
 * Makes the run folder before the run, so a bad one fails at once, or explains why it cannot be
 * used, naming `flag` (the option, or what the folder is). Returns the first folder it made, if any.
 */
export async function prepareRunFolder(folder: string, flag: string): Promise<{ folder: string; created: string | undefined }> {
  if (folder.trim() === '') throw new UserError(`${flag}: must name a folder`)
  try {
    const created = await fs.mkdir(folder, { recursive: true })
    await fs.access(folder, fsConstants.W_OK)
    return { folder, created }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    const reason = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way' : code === 'EACCES' ? 'permission denied' : code
    throw new UserError(`${flag}: cannot write the run to "${folder}" (${reason})`)
  }
}

/** Takes away the folders `prepareRunFolder` made, from the run folder up to the first made; only empty ones. */
export async function removeEmptyFolders(folder: string, created: string | undefined): Promise<void> {
  if (created === undefined) return
  const top = path.resolve(created)
  for (let at = path.resolve(folder); at.startsWith(top); at = path.dirname(at)) {
    const removed = await fs.rmdir(at).then(
      () => true,
      () => false,
    )
    if (!removed || at === top) return
  }
}
