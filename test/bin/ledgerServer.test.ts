import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../engine/report/index.js'
import { citytwin } from '../helpers/cli.js'
import { repoRoot, smokeScenario } from '../helpers/runs.js'
import { slowService } from '../helpers/slowLedger.js'

let folder = ''
beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-ledger-server-'))
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})

interface StartedServer {
  readonly url: string
  /** The token the server printed (made at start), or the one it was given. */
  readonly token: string
  /** Everything it wrote on stderr so far. */
  readonly stderr: () => string
  readonly stop: () => Promise<number | null>
}

/**
 * `citytwin ledger-server` on a free port, as a user starts it in another terminal; its URL and
 * token once it listens (the token it printed, unless `env` gives one).
 */
function startServer(
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<StartedServer> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      path.join(repoRoot, 'bin/citytwin.ts'),
      'ledger-server',
      '--port',
      '0',
      ...args,
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, CITYTWIN_LEDGER_TOKEN: '', ...env },
    },
  )
  return new Promise((resolve, reject) => {
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const match = /at (http:\/\/[0-9.:[\]]+:\d+); stop with Ctrl-C\n/.exec(stderr)
      const printed = /CITYTWIN_LEDGER_TOKEN=(\S+) citytwin run/.exec(stderr)?.[1]
      const token = env.CITYTWIN_LEDGER_TOKEN ?? printed
      if (match !== null && token !== undefined) {
        resolve({
          url: match[1] as string,
          token,
          stderr: () => stderr,
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
    // Proves the reference server end to end, as a user runs it: the smoke day over HTTP gives the
    // memory ledger's own digest (same transfers, same result codes), money is conserved, and the
    // server exits 0.
    const server = await startServer()
    // The token as the server printed it, in the environment as its ready line gives it.
    const overHttp = await citytwin(
      [
        'run',
        smokeScenario,
        '--ledger',
        'http',
        '--ledger-url',
        server.url,
        '--json',
        '--out',
        path.join(folder, 'http'),
      ],
      { env: { CITYTWIN_LEDGER_TOKEN: server.token } },
    )
    const embedded = await citytwin([
      'run',
      smokeScenario,
      '--json',
      '--out',
      path.join(folder, 'memory'),
    ])
    expect(overHttp.code).toBe(0)
    const http = JSON.parse(overHttp.stdout) as RunSummary
    const memory = JSON.parse(embedded.stdout) as RunSummary
    expect(http.ledger).toBe('http')
    expect(http.digest).toBe(memory.digest)
    expect(http.conservation.ok && http.doubleEntry.ok).toBe(true)
    expect(http.ledgerHealth).toEqual({
      faults: { timeout: 0, refused: 0, connection: 0, server: 0 },
      recovered: 0,
      longestRecoveryMs: 0,
    })
    expect(await server.stop()).toBe(0)
  })

  it.each([
    [['--ledger', 'http'], '--ledger-url: the http ledger needs the address'],
    [
      ['--ledger', 'http', '--ledger-url', 'ftp://example'],
      '--ledger-url: "ftp://example" must start with http://',
    ],
    [['--ledger', 'http', '--ledger-url', 'not a url'], '--ledger-url: "not a url" is not a URL'],
    [
      ['--ledger', 'http', '--ledger-url', 'http://127.0.0.1:8081/ledger'],
      "must be the service's origin only",
    ],
    [
      ['--ledger-url', 'http://127.0.0.1:1'],
      '--ledger-url: the memory ledger is embedded and takes no URL',
    ],
    [
      ['--ledger', 'http', '--ledger-url', 'http://127.0.0.1:1', '--ledger-token', 'short'],
      '--ledger-token: a token is 8 to 256 visible ASCII characters',
    ],
    [
      ['--ledger-token', 'a-long-enough-token'],
      '--ledger-token: only the http ledger takes a token',
    ],
    [
      ['--ledger', 'http', '--ledger-url', 'http://127.0.0.1:1', '--ledger-timeout', 'soon'],
      '--ledger-timeout: "soon" is not a duration',
    ],
    [
      ['--ledger', 'http', '--ledger-url', 'http://127.0.0.1:1', '--ledger-timeout', '2h'],
      '--ledger-timeout: at most 60 minutes',
    ],
    [['--ledger-timeout', '10s'], '--ledger-timeout: only for the http ledger'],
  ])('exits 2 on %j before building anything, naming the flag', async (args, message) => {
    // Proves the ledger's address, token and deadline are checked with the other flags, before the
    // city is built.
    const out = path.join(folder, 'bad')
    const result = await citytwin(['run', smokeScenario, ...args, '--out', out])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
  })

  it('exits 1 saying nothing listens at --ledger-url, before the city is built', async () => {
    // Proves an unreachable service is a failed run with a clear reason, found by a connection
    // tried before anything is built, not after the city and its retries.
    const result = await citytwin([
      'run',
      smokeScenario,
      '--ledger',
      'http',
      '--ledger-url',
      'http://127.0.0.1:1',
      '--out',
      path.join(folder, 'unreachable'),
    ])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      'cannot reach the http ledger at 127.0.0.1:1 (--ledger-url): connection refused; start its server, or fix the URL',
    )
    expect(result.stderr).not.toContain('building the city')
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
  })

  it('refuses a run without the token, or with a wrong one, at once, naming --ledger-token (exit 2, no retries)', async () => {
    // Proves the server made a token at start and holds every client to it: a run without it, or
    // with a wrong one, stops at its first call with the flag and the variable named, instead of
    // being served.
    const server = await startServer()
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    for (const token of [undefined, 'not-the-token-at-all']) {
      const result = await citytwin([
        'run',
        smokeScenario,
        '--ledger',
        'http',
        '--ledger-url',
        server.url,
        ...(token === undefined ? [] : ['--ledger-token', token]),
        '--out',
        path.join(folder, 'no-token'),
      ])
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(
        /citytwin: --ledger-token: the http ledger at http:\/\/127\.0\.0\.1:\d+ refused the call \(401\) .*CITYTWIN_LEDGER_TOKEN/,
      )
      expect(result.stderr).not.toMatch(/failed \d+ times/)
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
    }
    expect(await server.stop()).toBe(0)
  })

  it('takes its token from --token or CITYTWIN_LEDGER_TOKEN within bounds, and prints it only when it made it', async () => {
    // Proves a chosen token is never echoed, and a token out of bounds is refused before anything
    // listens.
    const chosen = await startServer([], { CITYTWIN_LEDGER_TOKEN: 'a-token-chosen-by-the-user' })
    expect(chosen.stderr()).not.toContain('a-token-chosen-by-the-user')
    expect(chosen.stderr()).toContain('every request needs the token of CITYTWIN_LEDGER_TOKEN')
    const run = await citytwin([
      'run',
      smokeScenario,
      '--ledger',
      'http',
      '--ledger-url',
      chosen.url,
      '--ledger-token',
      'a-token-chosen-by-the-user',
      '--json',
      '--out',
      path.join(folder, 'chosen'),
    ])
    expect(run.code).toBe(0)
    expect(await chosen.stop()).toBe(0)
    for (const [args, env, message] of [
      [['--token', 'short'], {}, '--token: a token is 8 to 256 visible ASCII characters'],
      [
        [],
        { CITYTWIN_LEDGER_TOKEN: 'x'.repeat(257) },
        'CITYTWIN_LEDGER_TOKEN: a token is 8 to 256',
      ],
    ] as const) {
      const refused = await citytwin(['ledger-server', '--port', '0', ...args], { env })
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain(message)
    }
  })

  it('binds 127.0.0.1 quietly, and says loudly what another --host exposes', async () => {
    // Proves a bind beyond this machine is never silent: what is exposed, that the token is the
    // only guard, that the traffic is plain HTTP.
    const local = await startServer()
    expect(local.stderr()).not.toContain('WARNING')
    expect(await local.stop()).toBe(0)
    const exposed = await startServer(['--host', '0.0.0.0'])
    expect(exposed.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/)
    expect(exposed.stderr()).toMatch(
      /citytwin: WARNING: this ledger server listens on 0\.0\.0\.0, every network interface: other machines can reach it/,
    )
    expect(exposed.stderr()).toContain('The token is its only guard')
    expect(exposed.stderr()).toContain('plain HTTP')
    expect(await exposed.stop()).toBe(0)
  })

  it('fails a run against a service that dribbles its answers, within its deadline, exit 1 and no stack trace', async () => {
    // Proves a slow loris cannot hold a run: a byte every 50 ms would take an hour and a half to
    // answer the first call; with --ledger-timeout 2s the run fails soon after its city is built,
    // naming the deadline.
    const slow = await slowService('dribble', 50)
    try {
      const startedMs = performance.now()
      const result = await citytwin([
        'run',
        smokeScenario,
        '--ledger',
        'http',
        '--ledger-url',
        slow.url,
        '--ledger-token',
        'any-token-will-do',
        '--ledger-timeout',
        '2s',
        '--out',
        path.join(folder, 'slow'),
      ])
      const tookMs = performance.now() - startedMs
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(
        /citytwin: the http ledger at http:\/\/127\.0\.0\.1:\d+ did not answer a call within 2 s, its deadline, --ledger-timeout \(\d+ attempts?, the last: timeout: [^)]*\)\. The run failed\./,
      )
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
      // Building the smoke city takes seconds; the call's 2 s come after. Far below the minutes of
      // the dribble.
      expect(tookMs).toBeLessThan(60_000)
    } finally {
      await slow.close()
    }
  })
})
