/**
 * `citytwin run --ledger postgres|redis` as a user types it: the smoke day on each gives the memory
 * ledger's own digest (the same transfers and the same result codes), money conserved; a bad
 * `--ledger-url` is refused before anything is built, naming the flag; a server that is not there
 * fails the run with exit 1, saying so.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../engine/report/index.js'
import { citytwin } from '../helpers/cli.js'
import { smokeScenario } from '../helpers/runs.js'
import { dropKeys, reachable } from '../engine/ledger/conformance/redisTarget.js'

const redisUrl = process.env.CITYTWIN_REDIS_URL ?? 'redis://127.0.0.1:6379'

const redisHere = await reachable(redisUrl)
if (!redisHere) {
  if (process.env.CI === 'true')
    throw new Error(`no Redis server at ${redisUrl} (CI runs every suite)`)
  console.warn(
    `redis ledger: the CLI test is skipped: no Redis server at ${redisUrl}; to run it: apt-get install -y redis-server, or set CITYTWIN_REDIS_URL`,
  )
}

let folder = ''
let memory: RunSummary
beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-ledgers-'))
  const run = await citytwin(['run', smokeScenario, '--json', '--out', path.join(folder, 'memory')])
  expect(run.code).toBe(0)
  memory = JSON.parse(run.stdout) as RunSummary
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})

describe('citytwin run --ledger postgres and redis', () => {
  it("runs the smoke day on an embedded PostgreSQL with the memory ledger's digest", async () => {
    // Proves the newcomer's path: no URL, no server installed; the rules match the memory ledger
    // code for code.
    const run = await citytwin([
      'run',
      smokeScenario,
      '--ledger',
      'postgres',
      '--json',
      '--out',
      path.join(folder, 'postgres'),
    ])
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/)
    expect(run.code).toBe(0)
    const summary = JSON.parse(run.stdout) as RunSummary
    expect(summary.ledger).toBe('postgres')
    expect(summary.digest).toBe(memory.digest)
    expect(summary.conservation.ok && summary.doubleEntry.ok).toBe(true)
  })

  it.skipIf(!redisHere)("runs the smoke day on Redis with the memory ledger's digest", async () => {
    // Proves the redis ledger end to end from the command line, code for code with the memory
    // ledger.
    const run = await citytwin([
      'run',
      smokeScenario,
      '--ledger',
      'redis',
      '--ledger-url',
      `${redisUrl}/0?key=citytwin-cli-test-${process.pid}`,
      '--json',
      '--out',
      path.join(folder, 'redis'),
    ])
    expect(run.code).toBe(0)
    const summary = JSON.parse(run.stdout) as RunSummary
    expect(summary.ledger).toBe('redis')
    expect(summary.digest).toBe(memory.digest)
    expect(summary.conservation.ok && summary.doubleEntry.ok).toBe(true)
    await dropKeys(redisUrl, `citytwin-cli-test-${process.pid}`)
  })

  it.each([
    [['--ledger', 'postgres', '--ledger-url', 'http://127.0.0.1:5432/test'], '--ledger-url'],
    [
      ['--ledger', 'postgres', '--ledger-url', 'postgres://127.0.0.1/test?search=1'],
      '--ledger-url: unknown parameter "search"',
    ],
    [
      ['--ledger', 'postgres', '--ledger-url', 'postgres://user:s3cret@127.0.0.1:99999/test'],
      '--ledger-url',
    ],
    [
      ['--ledger', 'postgres', '--ledger-url', 'postgres://127.0.0.1/test?schema=Bad'],
      '--ledger-url: schema',
    ],
    [['--ledger', 'redis', '--ledger-url', 'postgres://127.0.0.1/test'], '--ledger-url'],
    [
      ['--ledger', 'memory', '--ledger-url', 'postgres://127.0.0.1/test'],
      '--ledger-url: the memory ledger is embedded',
    ],
  ])('exits 2 on %j before building anything, naming the flag', async (flags, message) => {
    // Proves bad ledger addresses are user errors: exit 2, the flag named, no stack trace, no
    // password shown, no run folder.
    const out = path.join(folder, `bad-${flags.join('-').replace(/[^a-z0-9]/gi, '')}`)
    const run = await citytwin(['run', smokeScenario, ...flags, '--out', out])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(message)
    expect(run.stderr).not.toContain('s3cret')
    expect(run.stderr).not.toMatch(/^\s+at /m)
    await expect(fs.access(out)).rejects.toThrow()
  })

  it('exits 1 saying PostgreSQL cannot be reached when nothing listens at --ledger-url', async () => {
    // Proves a missing server is a failed run, not a crash: one line naming the server and the
    // flag.
    const run = await citytwin([
      'run',
      smokeScenario,
      '--ledger',
      'postgres',
      '--ledger-url',
      'postgres://postgres@127.0.0.1:1/test',
      '--out',
      path.join(folder, 'unreachable'),
    ])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('cannot reach PostgreSQL at 127.0.0.1:1/test (--ledger-url)')
    // Found by the connection tried before anything is built.
    expect(run.stderr).not.toContain('building the city')
    expect(run.stderr).not.toMatch(/^\s+at /m)
  })
})
