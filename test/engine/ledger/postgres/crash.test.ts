/**
 * The postgres ledger when its server dies mid-run: the server process is killed (SIGKILL, as a
 * crash), comes back on the same cluster after crash recovery, and the run goes on. A retried
 * call is answered from the database, so nothing applies twice; the database itself is checked
 * afterwards: money conserved, no payer below zero, one row per accepted transfer.
 */
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedServer } from '../../../../engine/ledger/index.js'
import { loadSettings, wallClockPause } from '../../../../engine/load/index.js'
import { runScenario } from '../../../../engine/run/index.js'
import { wallClock } from '../../../../engine/time/index.js'
import { loadScenario } from '../../../../scenarios/index.js'
import { smokeScenario } from '../../../helpers/runs.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const schema = 'crash_test'

/** Runs `check` every 50 ms on its own connection until it is true; a refused connection counts as false. */
async function until(url: string, check: (client: pg.Client) => Promise<boolean>, stop: () => boolean): Promise<void> {
  while (!stop()) {
    const client = new pg.Client({ connectionString: url })
    client.on('error', () => undefined)
    try {
      await client.connect()
      if (await check(client)) return
    } catch {
      // Not up yet, or the schema is not made yet.
    } finally {
      await client.end().catch(() => undefined)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function count(client: pg.Client, sql: string): Promise<number> {
  const { rows } = await client.query<{ value: string | null }>(sql)
  return Number(rows[0]?.value ?? 0)
}

describe('the postgres ledger when its server is killed mid-run', () => {
  it('goes on after a crash and a restart, applies nothing twice, and the database balances', async () => {
    const server = await EmbeddedServer.start()
    cleanups.push(() => server.stop())
    const url = `${server.url}?schema=${schema}`
    const loaded = await loadScenario(smokeScenario)
    const settings = loadSettings(loaded.scenario.load, { profile: 'constant:1k/4s' }, smokeScenario)
    if (settings === undefined) throw new Error('a load run')

    // One second after the first payments are in the database, the server is killed; half a second
    // later it starts again on the same cluster.
    let finished = false
    let killedAt = 0
    const crash = until(server.url, async (client) => (await count(client, `select count(*)::text as value from ${schema}.transfers where kind = 2`)) > 0, () => finished).then(async () => {
      if (finished) return
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      killedAt = wallClock.nowMs()
      await server.kill()
      await new Promise((resolve) => setTimeout(resolve, 500))
      await server.restart()
    })
    cleanups.push(async () => {
      finished = true
      await crash
    })

    const summary = await runScenario(loaded, {
      workers: 1,
      now: wallClock.nowMs,
      ledger: 'postgres',
      ledgerUrl: url,
      load: { ...settings, pause: wallClockPause(), lateToleranceMs: 30_000 },
    })
    finished = true
    await crash
    expect(killedAt).toBeGreaterThan(0)

    expect(summary.load?.sent).toBe(4_000)
    expect(summary.load?.completed).toBe(4_000)
    expect(summary.load?.errors).toBe(0)
    expect(summary.conservation.ok).toBe(true)
    expect(summary.doubleEntry.ok).toBe(true)
    const health = summary.ledgerHealth
    expect(health?.recovered).toBeGreaterThan(0)
    expect(Object.values(health?.faults ?? {}).reduce((sum, value) => sum + value, 0)).toBeGreaterThan(0)
    expect(health?.longestRecoveryMs).toBeGreaterThan(300)

    // The database itself, after the run.
    const client = new pg.Client({ connectionString: server.url })
    await client.connect()
    try {
      expect(await count(client, `select coalesce(sum(balance), 0)::text as value from ${schema}.accounts`)).toBe(0)
      expect(await count(client, `select count(*)::text as value from ${schema}.accounts where balance < 0 and flags & 1 = 0`)).toBe(0)
      expect(await count(client, `select count(*)::text as value from ${schema}.transfers`)).toBe(summary.transfers.accepted)
      const posted = await count(client, `select coalesce(sum(amount), 0)::text as value from ${schema}.transfers`)
      expect(await count(client, `select coalesce(sum(debited), 0)::text as value from ${schema}.moves`)).toBe(posted)
      expect(await count(client, `select coalesce(sum(credited), 0)::text as value from ${schema}.moves`)).toBe(posted)
      const acceptedFen = Object.values(summary.transfers.byKind).reduce((sum, kind) => sum + kind.amountFen, 0)
      expect(posted).toBe(acceptedFen)
    } finally {
      await client.end()
    }
  })
})
