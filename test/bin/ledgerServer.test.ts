import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../engine/report/index.js'
import { citytwin } from '../helpers/cli.js'
import { repoRoot, smokeScenario } from '../helpers/runs.js'

let folder = ''
beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-ledger-server-'))
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})

/** `citytwin ledger-server` on a free port, as a user starts it in another terminal; its URL once it listens. */
function startServer(): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'bin/citytwin.ts'), 'ledger-server', '--port', '0'], { cwd: repoRoot })
  return new Promise((resolve, reject) => {
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)
      if (match !== null) {
        resolve({
          url: match[1] as string,
          stop: () =>
            new Promise((done) => {
              child.once('close', (code) => done(code))
              child.kill('SIGTERM')
            }),
        })
      }
    })
    child.once('error', reject)
    child.once('close', (code) => reject(new Error(`the server stopped (${code}): ${stderr}`)))
  })
}

describe('citytwin ledger-server and --ledger http', () => {
  it('serves a run over HTTP with the same results as the embedded ledger, and stops cleanly on SIGTERM', async () => {
    // Proves the reference server end to end, as a user runs it: the smoke day over HTTP gives the memory
    // ledger's own digest (same transfers, same result codes), money is conserved, and the server exits 0.
    const server = await startServer()
    const overHttp = await citytwin(['run', smokeScenario, '--ledger', 'http', '--ledger-url', server.url, '--json', '--out', path.join(folder, 'http')])
    const embedded = await citytwin(['run', smokeScenario, '--json', '--out', path.join(folder, 'memory')])
    expect(overHttp.code).toBe(0)
    const http = JSON.parse(overHttp.stdout) as RunSummary
    const memory = JSON.parse(embedded.stdout) as RunSummary
    expect(http.ledger).toBe('http')
    expect(http.digest).toBe(memory.digest)
    expect(http.conservation.ok && http.doubleEntry.ok).toBe(true)
    expect(http.ledgerHealth).toEqual({ faults: { timeout: 0, refused: 0, connection: 0, server: 0 }, recovered: 0, longestRecoveryMs: 0 })
    expect(await server.stop()).toBe(0)
  })

  it.each([
    [['--ledger', 'http'], '--ledger-url: the http ledger needs the address'],
    [['--ledger', 'http', '--ledger-url', 'ftp://example'], '--ledger-url: "ftp://example" must start with http://'],
    [['--ledger', 'http', '--ledger-url', 'not a url'], '--ledger-url: "not a url" is not a URL'],
    [['--ledger', 'http', '--ledger-url', 'http://127.0.0.1:8081/ledger'], 'must be the service\'s origin only'],
    [['--ledger-url', 'http://127.0.0.1:1'], '--ledger-url: the memory ledger is embedded and takes no URL'],
  ])('exits 2 on %j before building anything, naming --ledger-url', async (args, message) => {
    // Proves the ledger's address is checked with the other flags, before the city is built.
    const out = path.join(folder, 'bad')
    const result = await citytwin(['run', smokeScenario, ...args, '--out', out])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
  })

  it('exits 1 saying the ledger failed when nothing listens at --ledger-url', async () => {
    // Proves an unreachable service is a failed run with a clear reason, after bounded retries, not a hang.
    const result = await citytwin(['run', smokeScenario, '--ledger', 'http', '--ledger-url', 'http://127.0.0.1:1', '--out', path.join(folder, 'unreachable')])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/the http ledger at http:\/\/127\.0\.0\.1:1 failed 10 times \(refused/)
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
  })
})
