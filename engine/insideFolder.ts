/**
 * Files read back from a folder citytwin wrote (a run folder, the runs folder): regular files that
 * are inside the folder once every link is resolved. A run folder may have been edited by anyone
 * who can write there; a `timeline.json` that is a link to /etc/passwd, or a run folder that is a
 * link to somewhere else, must not turn the replay server or `citytwin report` into a reader of
 * the rest of the disk.
 *
 *   realpath(root) ─ join(relative) ─ realpath(its folder) must be itself: no link on the way
 *                                   └ open with O_NOFOLLOW: the file itself is not a link
 *                                   └ fstat of what was opened: a regular file, at most bytesMax
 *                                   └ its folder checked again: not swapped for a link meanwhile
 */
import { constants, promises as fs } from 'node:fs'
import path from 'node:path'
import { UserError } from './errors.js'
import { describeFsError } from './untrusted.js'

/**
 * 0 where the platform has no O_NOFOLLOW: the lstat before opening is then the only check of the
 * last step.
 */
const noFollow = constants.O_NOFOLLOW ?? 0

/**
 * The text of `relative` under `root`, at most `bytesMax` bytes of UTF-8. Every refusal is a
 * UserError naming the file as `root` spells it and what it is meant to be (`what`: summary,
 * metrics, replay…): missing, not a regular file, a link, reached through a link, too large.
 */
export async function readInsideFolder(
  root: string,
  relative: string,
  bytesMax: number,
  what: string,
): Promise<string> {
  const shown = path.join(root, relative)
  let realRoot: string
  try {
    realRoot = await fs.realpath(root)
  } catch (error) {
    throw new UserError(`${shown}: cannot read the ${what} file (${describeFsError(error)})`)
  }
  const target = path.resolve(realRoot, relative)
  const inside = path.relative(realRoot, target)
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside))
    throw new UserError(`${shown}: the ${what} file is not inside ${root}`)
  const folder = path.dirname(target)
  await folderIsItself(folder, shown, what)
  const link = await fs.lstat(target).catch(() => undefined)
  if (link?.isSymbolicLink() === true) throw linkRefused(shown, what)

  let handle: fs.FileHandle
  try {
    // Non-blocking, so a named pipe nobody writes to cannot hold the open; it is refused below.
    handle = await fs.open(target, constants.O_RDONLY | constants.O_NONBLOCK | noFollow)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw linkRefused(shown, what)
    throw new UserError(`${shown}: cannot read the ${what} file (${describeFsError(error)})`)
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new UserError(`${shown}: the ${what} file is not a regular file`)
    if (stat.size > bytesMax)
      throw new UserError(
        `${shown}: the ${what} file is ${stat.size} bytes, more than the limit of ${bytesMax}`,
      )
    // The folder might have been swapped for a link between the check and the open.
    await folderIsItself(folder, shown, what)
    // Read at most one byte past the limit, in case the file grew after stat.
    const buffer = Buffer.alloc(Math.min(stat.size, bytesMax) + 1)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    if (bytesRead > bytesMax)
      throw new UserError(
        `${shown}: the ${what} file is larger than the limit of ${bytesMax} bytes`,
      )
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, bytesRead))
    } catch {
      throw new UserError(`${shown}: the ${what} file is not valid UTF-8 text`)
    }
  } finally {
    await handle.close()
  }
}

/**
 * Whether `entry` directly under `root` is a folder of its own there, not a link to one elsewhere.
 */
export async function isFolderInside(root: string, entry: string): Promise<boolean> {
  const stat = await fs.lstat(path.join(root, entry)).catch(() => undefined)
  return stat !== undefined && stat.isDirectory() && !stat.isSymbolicLink()
}

/** `folder` (already under a resolved root) resolves to itself: no link anywhere on its way. */
async function folderIsItself(folder: string, shown: string, what: string): Promise<void> {
  let real: string
  try {
    real = await fs.realpath(folder)
  } catch (error) {
    throw new UserError(`${shown}: cannot read the ${what} file (${describeFsError(error)})`)
  }
  if (real !== folder)
    throw new UserError(
      `${shown}: the ${what} file is reached through a link out of its folder; citytwin reads only files inside it`,
    )
}

function linkRefused(shown: string, what: string): UserError {
  return new UserError(
    `${shown}: the ${what} file is a link; citytwin reads only regular files inside the folder`,
  )
}
