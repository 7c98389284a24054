/**
 * The http ledger when its service dies mid-run: `citytwin ledger-server --backend postgres` is
 * killed (SIGKILL) in the middle of a load run and started again with `--resume` over the same
 * database. The run goes on; the service answers the retried call from the database; the
 * database itself balances afterwards, one row per accepted transfer.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedServer, HttpLedger } from '../../engine/ledger/index.js'
import { loadSettings, wallClockPause } from '../../engine/load/index.js'
import { runScenario } from '../../engine/run/index.js'
import { wallClock } from '../../engine/time/index.js'
import { loadScenario } from '../../scenarios/index.js'
import { expectDatabaseBalances, expectRecovered, untilRows } from '../helpers/ledgerChecks.js'
import { repoRoot, smokeScenario } from '../helpers/runs.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const schema = 'http_crash_test'
/** Both servers, the killed one and the one that takes over, hold the client to the same token. */
const token = 'crash-test-token'

/** `citytwin ledger-server` with `args`; resolves with its URL once it listens. */
function startServer(args: readonly string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      path.join(repoRoot, 'bin/citytwin.ts'),
      'ledger-server',
      ...args,
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, CITYTWIN_LEDGER_TOKEN: token },
    },
  )
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = new Promise((resolve) => child.once('close', resolve))
      child.kill('SIGKILL')
      await closed
    }
  })
  return new Promise((resolve, reject) => {
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)
      if (match !== null) resolve({ url: match[1] as string, child })
    })
    child.once('error', reject)
    child.once('close', (code) => reject(new Error(`the server stopped (${code}): ${stderr}`)))
  })
}

describe('the http ledger when its service is killed mid-run', () => {
  it('goes on after the service is killed and started again with --resume, and the database balances', async () => {
    const database = await EmbeddedServer.start()
    cleanups.push(() => database.stop())
    const ledgerUrl = `${database.url}?schema=${schema}`
    const first = await startServer([
      '--backend',
      'postgres',
      '--ledger-url',
      ledgerUrl,
      '--port',
      '0',
    ])
    const port = new URL(first.url).port

    // One second after the first payments are in the database, the service is killed; half a second
    // later another takes up the ledger and the client's session on the same port.
    let finished = false
    let killed = false
    const watch = async (): Promise<void> => {
      await untilRows(
        database.url,
        `select count(*)::text as value from ${schema}.transfers where kind = 2`,
        () => finished,
      )
      if (finished) return
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      const closed = new Promise((resolve) => first.child.once('close', resolve))
      first.child.kill('SIGKILL')
      await closed
      killed = true
      await new Promise((resolve) => setTimeout(resolve, 500))
      await startServer([
        '--backend',
        'postgres',
        '--ledger-url',
        ledgerUrl,
        '--port',
        port,
        '--resume',
      ])
    }
    const outage = watch()
    cleanups.push(async () => {
      finished = true
      await outage.catch(() => undefined)
    })

    const loaded = await loadScenario(smokeScenario)
    const settings = loadSettings(
      loaded.scenario.load,
      { profile: 'constant:1k/4s' },
      smokeScenario,
    )
    if (settings === undefined) throw new Error('a load run')
    const summary = await runScenario(loaded, {
      workers: 1,
      now: wallClock.nowMs,
      // The client as the registry makes it, with more attempts: on a busy machine a server started
      // from source (tsx) can take longer than the default attempts' 9 s to listen again.
      ledgerFactory: (options) =>
        new HttpLedger(options, first.url, { token, attemptsMax: 20, now: wallClock.nowMs }),
      load: { ...settings, pause: wallClockPause(), lateToleranceMs: 30_000, inFlightMax: 4_096 },
    })
    finished = true
    await outage
    expect(killed).toBe(true)

    expectRecovered(summary, 4_000)
    await expectDatabaseBalances(database.url, schema, summary)
  })
})
