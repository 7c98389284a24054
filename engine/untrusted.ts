/**
 * Untrusted input: files read within bounds, and shape tests for what was parsed before a schema
 * has vouched for it.
 */
import { constants, promises as fs } from 'node:fs'
import { UserError } from './errors.js'

/** A plain object: not null, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A regular file's text, at most `bytesMax` bytes of UTF-8; every refusal a UserError naming the
 * file and what it is meant to be (`what`: scenario, map, summary…).
 */
export async function readBoundedText(
  file: string,
  bytesMax: number,
  what: string,
): Promise<string> {
  let handle: fs.FileHandle
  try {
    // Non-blocking, so a named pipe nobody writes to cannot hold the open; it is refused below.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    throw new UserError(`${file}: cannot read the ${what} file (${describeFsError(error)})`)
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new UserError(`${file}: the ${what} file is not a regular file`)
    if (stat.size > bytesMax) {
      throw new UserError(
        `${file}: the ${what} file is ${stat.size} bytes, more than the limit of ${bytesMax}`,
      )
    }
    // Read at most one byte past the limit, in case the file grew after stat.
    const buffer = Buffer.alloc(Math.min(stat.size, bytesMax) + 1)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    if (bytesRead > bytesMax)
      throw new UserError(`${file}: the ${what} file is larger than the limit of ${bytesMax} bytes`)
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, bytesRead))
    } catch {
      throw new UserError(`${file}: the ${what} file is not valid UTF-8 text`)
    }
  } finally {
    await handle.close()
  }
}

/** What a file-system error means, in a few words. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES') return 'permission denied'
  if (code === 'EISDIR') return 'it is a folder'
  if (code === 'ENOTDIR') return 'a file is in the way'
  return code ?? String(error)
}
