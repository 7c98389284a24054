/**
 * The http ledger when its service dies mid-run: `citytwin ledger-server --backend postgres` is
 * killed (SIGKILL) in the middle of a load run and started again with `--resume` over the same
 * database. The run goes on; the service answers the retried call from the database; the
 * database itself balances afterwards, one row per accepted transfer.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedServer } from '../../engine/ledger/index.js'
import { loadSettings, wallClockPause } from '../../engine/load/index.js'
import { runScenario } from '../../engine/run/index.js'
import { wallClock } from '../../engine/time/index.js'
import { loadScenario } from '../../scenarios/index.js'
import { repoRoot, smokeScenario } from '../helpers/runs.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const schema = 'http_crash_test'

/** `citytwin ledger-server` with `args`; resolves with its URL once it listens. */
function startServer(args: readonly string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'bin/citytwin.ts'), 'ledger-server', ...args], { cwd: repoRoot })
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

async function sqlNumber(client: pg.Client, sql: string): Promise<number> {
  const { rows } = await client.query<{ value: string | null }>(sql)
  return Number(rows[0]?.value ?? 0)
}

describe('the http ledger when its service is killed mid-run', () => {
  it('goes on after the service is killed and started again with --resume, and the database balances', async () => {
    const database = await EmbeddedServer.start()
    cleanups.push(() => database.stop())
    const ledgerUrl = `${database.url}?schema=${schema}`
    const first = await startServer(['--backend', 'postgres', '--ledger-url', ledgerUrl, '--port', '0'])
    const port = new URL(first.url).port

    // One second after the first payments are in the database, the service is killed; half a second
    // later another takes up the ledger and the client's session on the same port.
    let finished = false
    let killed = false
    const watch = async (): Promise<void> => {
      const client = new pg.Client({ connectionString: database.url })
      await client.connect()
      try {
        while (!finished) {
          const payments = await sqlNumber(client, `select count(*)::text as value from ${schema}.transfers where kind = 2`).catch(() => 0)
          if (payments > 0) break
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      } finally {
        await client.end()
      }
      if (finished) return
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      const closed = new Promise((resolve) => first.child.once('close', resolve))
      first.child.kill('SIGKILL')
      await closed
      killed = true
      await new Promise((resolve) => setTimeout(resolve, 500))
      await startServer(['--backend', 'postgres', '--ledger-url', ledgerUrl, '--port', port, '--resume'])
    }
    const outage = watch()
    cleanups.push(async () => {
      finished = true
      await outage.catch(() => undefined)
    })

    const loaded = await loadScenario(smokeScenario)
    const settings = loadSettings(loaded.scenario.load, { profile: 'constant:1k/4s' }, smokeScenario)
    if (settings === undefined) throw new Error('a load run')
    const summary = await runScenario(loaded, {
      workers: 1,
      now: wallClock.nowMs,
      ledger: 'http',
      ledgerUrl: first.url,
      load: { ...settings, pause: wallClockPause(), lateToleranceMs: 30_000, inFlightMax: 4_096 },
    })
    finished = true
    await outage
    expect(killed).toBe(true)

    expect(summary.load?.sent).toBe(4_000)
    expect(summary.load?.completed).toBe(4_000)
    expect(summary.load?.errors).toBe(0)
    expect(summary.conservation.ok).toBe(true)
    expect(summary.doubleEntry.ok).toBe(true)
    const health = summary.ledgerHealth
    expect(health?.recovered).toBeGreaterThan(0)
    expect((health?.faults.refused ?? 0) + (health?.faults.connection ?? 0)).toBeGreaterThan(0)
    expect(health?.longestRecoveryMs).toBeGreaterThan(300)

    // The database itself, after the run.
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      expect(await sqlNumber(client, `select coalesce(sum(balance), 0)::text as value from ${schema}.accounts`)).toBe(0)
      expect(await sqlNumber(client, `select count(*)::text as value from ${schema}.accounts where balance < 0 and flags & 1 = 0`)).toBe(0)
      expect(await sqlNumber(client, `select count(*)::text as value from ${schema}.transfers`)).toBe(summary.transfers.accepted)
      const posted = await sqlNumber(client, `select coalesce(sum(amount), 0)::text as value from ${schema}.transfers`)
      expect(posted).toBe(Object.values(summary.transfers.byKind).reduce((sum, kind) => sum + kind.amountFen, 0))
      expect(await sqlNumber(client, `select coalesce(sum(debited), 0)::text as value from ${schema}.moves`)).toBe(posted)
      expect(await sqlNumber(client, `select coalesce(sum(credited), 0)::text as value from ${schema}.moves`)).toBe(posted)
    } finally {
      await client.end()
    }
  })
})
