/**
 * The postgres ledger when its server dies mid-run: the server process is killed (SIGKILL, as a
 * crash), comes back on the same cluster after crash recovery, and the run goes on. A retried
 * call is answered from the database, so nothing applies twice; the database itself is checked
 * afterwards: money conserved, no payer below zero, one row per accepted transfer.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedServer } from '../../../../engine/ledger/index.js'
import { loadSettings, wallClockPause } from '../../../../engine/load/index.js'
import { runScenario } from '../../../../engine/run/index.js'
import { wallClock } from '../../../../engine/time/index.js'
import { loadScenario } from '../../../../scenarios/index.js'
import {
  expectDatabaseBalances,
  expectRecovered,
  untilRows,
} from '../../../helpers/ledgerChecks.js'
import { smokeScenario } from '../../../helpers/runs.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const schema = 'crash_test'

describe('the postgres ledger when its server is killed mid-run', () => {
  it('goes on after a crash and a restart, applies nothing twice, and the database balances', async () => {
    const server = await EmbeddedServer.start()
    cleanups.push(() => server.stop())
    const url = `${server.url}?schema=${schema}`
    const loaded = await loadScenario(smokeScenario)
    const settings = loadSettings(
      loaded.scenario.load,
      { profile: 'constant:1k/4s' },
      smokeScenario,
    )
    if (settings === undefined) throw new Error('a load run')

    // One second after the first payments are in the database, the server is killed; half a second
    // later it starts again on the same cluster.
    let finished = false
    let killedAt = 0
    const crash = untilRows(
      server.url,
      `select count(*)::text as value from ${schema}.transfers where kind = 2`,
      () => finished,
    ).then(async () => {
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

    expectRecovered(summary, 4_000)
    await expectDatabaseBalances(server.url, schema, summary)
  })
})
