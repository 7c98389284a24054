/**
 * Where a run's files go, and how they get there: complete or not at all. A run writes into a
 * staging folder beside its own, hidden (`.<name>.partial-<pid>`), and renames it into
 * place once every file is written; a run that stops before (a signal, a full disk, a crash of
 * the run) takes the staging folder away, so no reader ever sees half a run.
 *
 *   prepare:  runs/<name>/                   made empty before the run: the name is taken, a bad
 *             runs/.<name>.partial-<pid>/    --out fails at once, an unwritable parent too
 *   write:    runs/.<name>.partial-…/summary.json, metrics.csv, report.html, …
 *   commit:   rename(runs/.<name>.partial-…, runs/<name>)   one step: the empty folder is replaced
 *   discard:  rm -r runs/.<name>.partial-…; rmdir runs/<name> (and any parents prepare made)
 *
 * A folder that holds anything is never written into: no run destroys another's files. If one
 * appears at the name while the run goes, the run is kept beside it, under `<name>-2`, ….
 */
import { constants as fsConstants, promises as fs, rmdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { assert } from '../assert.js'
import { RunFailed, UserError } from '../errors.js'
import { runFolderAttemptsMax, runFolderEntriesShownMax } from '../limits.js'

export function defaultRunFolder(root: string, date: Date, seed: number): string {
  const stamp = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  return path.join(root, `${stamp}-seed${seed}`)
}

/**
 * `folder`, or `folder-2`, `folder-3`, ... : two runs started in the same second keep their own
 * files.
 */
export async function unusedFolder(folder: string): Promise<string> {
  for (let attempt = 1; attempt <= runFolderAttemptsMax; attempt++) {
    const candidate = attempt === 1 ? folder : `${folder}-${attempt}`
    if (!(await exists(candidate))) return candidate
  }
  throw new UserError(
    `the run folder: ${folder} and ${runFolderAttemptsMax - 1} variants of it are taken; use --out`,
  )
}

/** The prefix of a staging folder's name: hidden, so no listing of runs takes it for one. */
export const stagingPrefix = '.'
const stagingMark = '.partial-'

/**
 * Whether `name` (a folder's own name) is the staging folder of a run still being written, or left
 * by one killed.
 */
export function isStagingFolder(name: string): boolean {
  return name.startsWith(stagingPrefix) && name.includes(stagingMark)
}

/**
 * A write to a run folder failed at the file system (a full disk, a quota, a read-only mount, a
 * permission taken away): a run failure, not the user's input, named in one line.
 */
export class RunFolderWriteFailed extends RunFailed {
  constructor(
    readonly folder: string,
    readonly reason: string,
  ) {
    super(`cannot write the run's files to "${folder}" (${reason}); nothing of them was kept`)
  }
}

/** The file system's reasons in words, for the codes a write can meet. */
const writeErrorReasons: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'the folder was removed while the run went',
  EIO: 'input/output error',
}

/** The file system's reason for a failed write in words; any other code as it is. */
export function describeWriteError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === undefined) return error instanceof Error ? error.message : String(error)
  return writeErrorReasons[code] ?? code
}

/**
 * One run's folder: prepared before the run, written into while it is hidden, renamed into place
 * at the end (commit) or taken away (discard, or discardSync from a signal handler).
 */
export class RunFolder {
  private state: 'open' | 'committed' | 'discarded' = 'open'
  private readonly written = new Set<string>()

  private constructor(
    /** The folder as the user named it (or as made under runs/): where the run will be. */
    readonly path: string,
    /** The hidden sibling the files are written into until commit. */
    readonly staging: string,
    /**
     * The first folder `prepare` made (the run folder itself or a parent of it), if it made any.
     */
    private readonly created: string | undefined,
  ) {}

  /**
   * Makes `folder` (empty, taking its name) and its staging sibling, or explains why it cannot be
   * used, naming `flag` (the option, or what the folder is): a file in the way, a folder that
   * holds something, no permission, a full disk. Everything is checked before the run, so a bad
   * --out fails at once rather than after it.
   */
  static async prepare(folder: string, flag: string): Promise<RunFolder> {
    if (folder.trim() === '') throw new UserError(`${flag}: must name a folder`)
    const resolved = path.resolve(folder)
    const name = path.basename(resolved)
    if (name === '' || resolved === path.parse(resolved).root)
      throw new UserError(
        `${flag}: "${folder}" is the root of the file system; name a folder in it`,
      )
    let created: string | undefined
    try {
      created = await fs.mkdir(resolved, { recursive: true })
      await fs.access(resolved, fsConstants.W_OK)
    } catch (error) {
      throw new UserError(
        `${flag}: cannot write the run to "${folder}" (${describePrepareError(error)})`,
      )
    }
    if (created === undefined) {
      // The folder was there: a run goes into it only if it is empty.
      const entries = await fs.readdir(resolved).catch((error: unknown) => {
        throw new UserError(
          `${flag}: cannot write the run to "${folder}" (${describePrepareError(error)})`,
        )
      })
      if (entries.length > 0) {
        const shown = entries
          .slice(0, runFolderEntriesShownMax)
          .map((entry) => entry.replace(/\p{Cc}/gu, '?'))
          .join(', ')
        const more =
          entries.length > runFolderEntriesShownMax
            ? ` and ${entries.length - runFolderEntriesShownMax} more`
            : ''
        throw new UserError(
          `${flag}: "${folder}" is not empty (it holds ${shown}${more}); a run never writes over another's files: name a new or an empty folder`,
        )
      }
    }
    let staging: string
    try {
      staging = await makeStaging(
        path.join(path.dirname(resolved), `${stagingPrefix}${name}${stagingMark}${process.pid}`),
      )
    } catch (error) {
      await removeMade(resolved, created)
      throw new UserError(
        `${flag}: cannot write the run beside "${folder}" (${describePrepareError(error)}): its files are written in a hidden folder next to it, then moved into place`,
      )
    }
    return new RunFolder(folder, staging, created === undefined ? undefined : path.resolve(created))
  }

  /** The path `file` will have once the run is in place. */
  fileAt(file: string): string {
    return path.join(this.path, file)
  }

  /**
   * Writes `text` to `file` (a plain name) in the staging folder. A failure is a
   * RunFolderWriteFailed; the caller discards.
   */
  async write(file: string, text: string): Promise<void> {
    assert(
      this.state === 'open',
      'a run folder is written only before it is committed or discarded',
    )
    assert(
      file === path.basename(file) && file !== '' && !file.startsWith('.'),
      'a run file is a plain name',
    )
    assert(!this.written.has(file), 'each file of a run is written once')
    this.written.add(file)
    try {
      await fs.writeFile(path.join(this.staging, file), text)
    } catch (error) {
      throw new RunFolderWriteFailed(this.path, describeWriteError(error))
    }
  }

  /**
   * Moves the staging folder into place, in one rename over the empty folder prepare made; returns
   * where the run now is. If something was put at the name meanwhile, it is left alone and the run
   * goes to the first free `<name>-N` beside it.
   */
  async commit(): Promise<string> {
    assert(this.state === 'open', 'a run folder is committed once')
    assert(this.written.size > 0, 'a run folder holds files when it is committed')
    for (let attempt = 1; attempt <= runFolderAttemptsMax; attempt++) {
      const target = attempt === 1 ? this.path : `${this.path}-${attempt}`
      try {
        await fs.rename(this.staging, target)
        this.state = 'committed'
        return target
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        // Taken by something else (a folder with files in it, or a file): try the next name.
        if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR')
          continue
        throw new RunFolderWriteFailed(this.path, describeWriteError(error))
      }
    }
    throw new RunFolderWriteFailed(
      this.path,
      `it and ${runFolderAttemptsMax - 1} variants of its name were taken while the run went`,
    )
  }

  /**
   * Takes away the staging folder and the empty folders prepare made. Safe to call more than once.
   */
  async discard(): Promise<void> {
    if (this.state !== 'open') return
    this.state = 'discarded'
    await fs.rm(this.staging, { recursive: true, force: true }).catch(() => undefined)
    await removeMade(path.resolve(this.path), this.created)
  }

  /** discard, synchronously: for a second signal, after which the process exits at once. */
  discardSync(): void {
    if (this.state !== 'open') return
    this.state = 'discarded'
    try {
      rmSync(this.staging, { recursive: true, force: true })
    } catch {
      // Nothing more can be done as the process quits; the folder is hidden and named as partial.
    }
    removeMadeSync(path.resolve(this.path), this.created)
  }
}

/**
 * `base`, or `base-2`, ...: made with the usual mode (a killed run of the same pid may have left
 * one).
 */
async function makeStaging(base: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const candidate = attempt === 1 ? base : `${base}-${attempt}`
    try {
      await fs.mkdir(candidate)
      return candidate
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= runFolderAttemptsMax)
        throw error
    }
  }
}

function describePrepareError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EEXIST' || code === 'ENOTDIR') return 'a file is in the way'
  return describeWriteError(error)
}

async function exists(at: string): Promise<boolean> {
  return fs.lstat(at).then(
    () => true,
    () => false,
  )
}

/** The empty folders made for a run: the run folder itself, then up to the first made. */
function madeFolders(folder: string, created: string | undefined): string[] {
  // A folder that was there before the run (empty, as prepare checked) is left as it was found.
  if (created === undefined) return []
  const folders = [folder]
  for (
    let at = path.dirname(folder);
    at.startsWith(created) && at !== folder;
    at = path.dirname(at)
  ) {
    folders.push(at)
    if (at === created) break
  }
  return folders
}

/**
 * Removes the run folder (only if empty: never another's files) and the parents prepare made, while
 * they are empty.
 */
async function removeMade(folder: string, created: string | undefined): Promise<void> {
  for (const at of madeFolders(folder, created)) {
    const removed = await fs.rmdir(at).then(
      () => true,
      () => false,
    )
    if (!removed) return
  }
}

function removeMadeSync(folder: string, created: string | undefined): void {
  for (const at of madeFolders(folder, created)) {
    try {
      rmdirSync(at)
    } catch {
      return
    }
  }
}
