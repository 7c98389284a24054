/**
 * Replay through links: a run folder under the runs folder whose timeline.json is a link to
 * /etc/passwd, or which is itself a link to a folder elsewhere, is neither listed nor served; a
 * plain run beside them is.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { wallClock } from '../../engine/time/index.js'
import { startLiveServer, type RunningLiveServer } from '../../visualizer/server/liveServer.js'
import { RunStore } from '../../visualizer/server/runStore.js'
import type { RunListing } from '../../visualizer/protocol.js'

const summary = JSON.stringify({ scenario: 'links', transfers: { submitted: 1 } })
const timeline = JSON.stringify({ run: 'x', snapshots: [] })

async function runFolder(folder: string): Promise<void> {
  await fs.mkdir(folder, { recursive: true })
  await fs.writeFile(path.join(folder, 'summary.json'), summary)
  await fs.writeFile(path.join(folder, 'timeline.json'), timeline)
  await fs.writeFile(path.join(folder, 'city.json'), '{}')
}

describe('replay reads only regular files inside the runs folder', () => {
  let root = ''
  let elsewhere = ''
  let server: RunningLiveServer

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-replay-links-'))
    elsewhere = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-replay-elsewhere-'))
    await runFolder(path.join(root, 'plain'))
    // timeline.json is a link to a file outside: the one the finding served.
    await runFolder(path.join(root, 'passwd'))
    await fs.rm(path.join(root, 'passwd', 'timeline.json'))
    await fs.symlink('/etc/passwd', path.join(root, 'passwd', 'timeline.json'))
    // The run folder itself is a link to a good run elsewhere.
    await runFolder(path.join(elsewhere, 'outside'))
    await fs.symlink(path.join(elsewhere, 'outside'), path.join(root, 'linked'))
    server = await startLiveServer({
      host: '127.0.0.1',
      port: 0,
      store: new RunStore(root),
      publicDir: elsewhere,
      now: wallClock.nowMs,
    })
  })
  afterAll(async () => {
    await server.close()
    await fs.rm(root, { recursive: true, force: true })
    await fs.rm(elsewhere, { recursive: true, force: true })
  })

  it('serves the plain run and refuses a linked timeline.json and a linked run folder', async () => {
    // Proves GET /api/runs/<id>/timeline cannot be made to read /etc/passwd or any file outside the
    // runs folder.
    const get = (what: string) => fetch(new URL(what, server.url))
    const plain = await get('/api/runs/plain/timeline')
    expect(plain.status).toBe(200)
    expect(await plain.text()).toBe(timeline)
    const passwd = await get('/api/runs/passwd/timeline')
    expect(passwd.status).toBe(404)
    expect(await passwd.text()).not.toContain('root:')
    expect((await get('/api/runs/linked/timeline')).status).toBe(404)
    expect((await get('/api/runs/linked/city')).status).toBe(404)
    const listed = (await (await get('/api/runs')).json()) as RunListing[]
    expect(listed.map((run) => run.id)).toEqual(['plain'])
  })
})
