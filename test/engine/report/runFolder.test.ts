/**
 * RunFolder: a run's files are written into a hidden staging folder and moved into place in one
 * rename, so a folder is a whole run or no run; nothing that holds files is written over; what a
 * run made is taken away when it keeps nothing.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { UserError } from '../../../engine/errors.js'
import { isStagingFolder, RunFolder, writeRunFiles } from '../../../engine/report/index.js'
import { RunStore, cityFile, timelineFile } from '../../../visualizer/server/runStore.js'
import { flatOutSummary } from '../../helpers/summaries.js'

let dir: string
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-runfolder-'))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

/** The refusal `prepare` gives, as its message. */
async function refusal(folder: string): Promise<string> {
  const error: unknown = await RunFolder.prepare(folder, '--out').then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(UserError)
  return (error as Error).message
}

describe('RunFolder', () => {
  it('writes into a hidden staging folder the run list does not show, then moves it into place whole', async () => {
    // Proves a reader never sees a run being written: not in the folder, not in the live server's
    // list of replays.
    const out = path.join(dir, 'run')
    const folder = await RunFolder.prepare(out, '--out')
    expect(await fs.readdir(out)).toEqual([])
    expect(path.dirname(folder.staging)).toBe(dir)
    expect(isStagingFolder(path.basename(folder.staging))).toBe(true)
    await folder.write('summary.json', JSON.stringify(flatOutSummary))
    await folder.write(timelineFile, '{"snapshots":[]}')
    await folder.write(cityFile, '{}')
    expect(await fs.readdir(out)).toEqual([])
    expect(await new RunStore(dir).list()).toEqual([])

    expect(await folder.commit()).toBe(out)
    expect((await fs.readdir(out)).sort()).toEqual([cityFile, 'summary.json', timelineFile])
    expect(await fs.readdir(dir)).toEqual(['run'])
    expect((await new RunStore(dir).list()).map((run) => run.id)).toEqual(['run'])
  })

  it('keeps another run that took the name meanwhile, and goes beside it', async () => {
    // Proves no run destroys another's files, even one that appeared while this one ran.
    const out = path.join(dir, 'run')
    const folder = await RunFolder.prepare(out, '--out')
    await fs.writeFile(path.join(out, 'summary.json'), 'the other run')
    await folder.write('summary.json', 'this run')
    expect(await folder.commit()).toBe(`${out}-2`)
    expect(await fs.readFile(path.join(out, 'summary.json'), 'utf8')).toBe('the other run')
    expect(await fs.readFile(path.join(`${out}-2`, 'summary.json'), 'utf8')).toBe('this run')
  })

  it('discard takes away the staging folder and the folders prepare made, not a folder that was there', async () => {
    // Proves a run that keeps nothing leaves nothing, and that an empty --out given by the user
    // stays.
    const made = await RunFolder.prepare(path.join(dir, 'a/b/run'), '--out')
    await made.write('summary.json', '{}')
    await made.discard()
    expect(await fs.readdir(dir)).toEqual([])

    await fs.mkdir(path.join(dir, 'given'))
    const given = await RunFolder.prepare(path.join(dir, 'given'), '--out')
    given.discardSync()
    expect(await fs.readdir(dir)).toEqual(['given'])
    expect(await fs.readdir(path.join(dir, 'given'))).toEqual([])
  })

  it('refuses a folder holding anything, a file in the way and the root, naming --out', async () => {
    // Proves the checks come before the run, as UserErrors naming the flag.
    await fs.mkdir(path.join(dir, 'full'))
    await fs.writeFile(path.join(dir, 'full', 'summary.json'), '{}')
    expect(await refusal(path.join(dir, 'full'))).toBe(
      `--out: "${path.join(dir, 'full')}" is not empty (it holds summary.json); a run never writes over another's files: name a new or an empty folder`,
    )
    await fs.writeFile(path.join(dir, 'file'), '')
    expect(await refusal(path.join(dir, 'file'))).toBe(
      `--out: cannot write the run to "${path.join(dir, 'file')}" (a file is in the way)`,
    )
    expect(await refusal('/')).toContain('the root of the file system')
    expect(await refusal(' ')).toBe('--out: must name a folder')
    expect((await fs.readdir(dir)).sort()).toEqual(['file', 'full'])
  })

  it('writeRunFiles keeps nothing when a write fails', async () => {
    // Proves a failure mid-way (here the staging folder taken away under the run) leaves no partial
    // run.
    const out = path.join(dir, 'run')
    const folder = await RunFolder.prepare(out, '--out')
    await fs.rm(folder.staging, { recursive: true })
    await expect(writeRunFiles(folder, flatOutSummary, undefined)).rejects.toThrow(
      `cannot write the run's files to "${out}" (the folder was removed while the run went)`,
    )
    expect(await fs.readdir(dir)).toEqual([])
  })
})
