/**
 * Finished runs the page can replay: folders under the runs folder holding a timeline.json and a
 * city.json (written by `citytwin serve`). A run is named by its folder's name, checked before it
 * touches the file system, so a request never reads outside the runs folder; and every file is
 * read through readInsideFolder, so neither a run folder that is a link nor a file in it that is
 * one (to /etc/passwd, say) is followed out of the runs folder.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { UserError } from '../../engine/errors.js'
import { isFolderInside, readInsideFolder } from '../../engine/insideFolder.js'
import { reportFile } from '../../engine/report/index.js'
import { isObject } from '../../engine/untrusted.js'
import type { RunListing } from '../protocol.js'

/** A run id: a folder name as citytwin makes them, nothing that could climb out. */
const runIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
/** Runs listed at most, newest first. */
const listedRunsMax = 200
/** A replay file is read whole: anything larger was not written by citytwin. */
const replayFileBytesMax = 64 * 1024 * 1024

export const timelineFile = 'timeline.json'
export const cityFile = 'city.json'

export class RunStore {
  constructor(readonly root: string) {}

  /** Runs that can be replayed, newest first. */
  async list(): Promise<RunListing[]> {
    const names = await fs.readdir(this.root).catch(() => [] as string[])
    const listed: RunListing[] = []
    for (const id of names
      .filter((name) => runIdPattern.test(name))
      .sort()
      .reverse()) {
      if (listed.length >= listedRunsMax) break
      if (!(await isFolderInside(this.root, id))) continue
      const stat = await fs.lstat(path.join(this.root, id, timelineFile)).catch(() => undefined)
      const city = await fs.lstat(path.join(this.root, id, cityFile)).catch(() => undefined)
      if (stat?.isFile() !== true || city?.isFile() !== true) continue
      const summary = await this.readJson(id, 'summary.json').catch(() => undefined)
      if (
        !isObject(summary) ||
        typeof summary.scenario !== 'string' ||
        !isObject(summary.transfers) ||
        typeof summary.transfers.submitted !== 'number'
      )
        continue
      listed.push({
        id,
        scenario: summary.scenario,
        finishedAt: stat.mtime.toISOString(),
        submitted: summary.transfers.submitted,
      })
    }
    return listed
  }

  /** The text of one of a run's files, or undefined when there is no such run or file. */
  async read(
    id: string,
    file: typeof timelineFile | typeof cityFile | typeof reportFile,
  ): Promise<string | undefined> {
    if (!runIdPattern.test(id)) return undefined
    return this.readInside(id, file)
  }

  private async readJson(id: string, file: string): Promise<unknown> {
    const text = await this.readInside(id, file)
    return text === undefined ? undefined : (JSON.parse(text) as unknown)
  }

  /**
   * A file of run `id` that is a regular file inside the runs folder, or undefined (missing, a
   * link, too large: not a run to serve).
   */
  private async readInside(id: string, file: string): Promise<string | undefined> {
    try {
      return await readInsideFolder(this.root, path.join(id, file), replayFileBytesMax, 'replay')
    } catch (error) {
      if (error instanceof UserError) return undefined
      throw error
    }
  }
}
