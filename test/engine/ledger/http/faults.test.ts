/**
 * The http ledger when its service goes away mid-run: the run goes on, faults are counted by
 * class, retries are bounded, and nothing is applied twice after the service comes back (the
 * same ids are sent again; the ledger's idempotency answers `exists`, reported as applied).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { HttpLedger, LedgerServer, createLedger, type LedgerCore, type LedgerOptions } from '../../../../engine/ledger/index.js'
import { loadSettings, wallClockPause } from '../../../../engine/load/index.js'
import { runScenario } from '../../../../engine/run/index.js'
import { wallClock } from '../../../../engine/time/index.js'
import { loadScenario } from '../../../../scenarios/index.js'
import { accounts, tiers, transfers, utcOffsetMinutes } from '../conformance/harness.js'
import { smokeScenario } from '../../../helpers/runs.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const options: LedgerOptions = { accountsMax: 16, tiers, utcOffsetMinutes }

async function serve(ledger?: LedgerCore, port = 0): Promise<LedgerServer> {
  const server = await LedgerServer.start({ host: '127.0.0.1', port, backend: (given) => createLedger('memory', given), ...(ledger === undefined ? {} : { ledger }) })
  cleanups.push(() => server.close())
  return server
}

describe('the http ledger and a service that goes away', () => {
  it('retries a refused call until the service is back, applies it once, and reports the fault and the recovery', async () => {
    // Proves the retry path end to end: the service stops between two calls and comes back on the same port
    // 300 ms later over the same ledger; the call made meanwhile is refused, retried, and lands exactly once.
    const first = await serve()
    const port = Number(new URL(first.url).port)
    const client = new HttpLedger(options, first.url, { retryPauseMs: 50, now: wallClock.nowMs })
    cleanups.push(() => client.close())
    await client.open()
    await client.createAccounts(accounts([{ id: 0, flags: 1 }, { id: 1 }]))
    expect((await client.submit(transfers([{ id: 1, debit: 0, credit: 1, amountFen: 500 }]))).code).toEqual(Uint8Array.of(0))
    const ledger = await first.detach()
    let second: LedgerServer | undefined
    setTimeout(() => {
      void serve(ledger, port).then((server) => {
        second = server
      })
    }, 300)
    const during = await client.submit(transfers([{ id: 2, debit: 0, credit: 1, amountFen: 700 }]))
    expect(during.code).toEqual(Uint8Array.of(0))
    expect(second).toBeDefined()
    const health = client.health()
    expect((health.faults.refused ?? 0) + (health.faults.connection ?? 0)).toBeGreaterThan(0)
    expect(health.recovered).toBe(1)
    expect(health.longestRecoveryMs).toBeGreaterThanOrEqual(250)
    // Applied once: 500 + 700 on the payee, the issuer the negative of it, through the client and in the ledger itself.
    expect(Array.from((await client.lookup(Uint32Array.of(0, 1))).balanceFen)).toEqual([-1_200, 1_200])
    expect(Array.from((await (ledger as LedgerCore).lookup(Uint32Array.of(0, 1))).balanceFen)).toEqual([-1_200, 1_200])
  })

  it('reports a transfer applied by an attempt whose answer was lost as applied, not as exists', async () => {
    // Proves the idempotent retry: the service applies the call, then the connection drops before the answer;
    // the retry with the same id finds it applied (`exists`), and the client reports ok, once.
    const server = await serve()
    const client = new HttpLedger(options, server.url, { retryPauseMs: 20, now: wallClock.nowMs })
    cleanups.push(() => client.close())
    await client.open()
    await client.createAccounts(accounts([{ id: 0, flags: 1 }, { id: 1 }]))
    // A service that applies the first transfers call and then hangs up without answering.
    const ledger = (await server.detach()) as LedgerCore
    let dropped = false
    const flaky: LedgerCore = {
      name: 'flaky',
      open: () => ledger.open(),
      createAccounts: (batch) => ledger.createAccounts(batch),
      lookup: (ids) => ledger.lookup(ids),
      totals: () => ledger.totals(),
      close: () => ledger.close(),
      submit: async (batch) => {
        const results = await ledger.submit(batch)
        if (!dropped) {
          dropped = true
          throw new Error('the service failed after applying the call')
        }
        return results
      },
    }
    await serve(flaky, Number(new URL(server.url).port))
    const results = await client.submit(transfers([{ id: 9, debit: 0, credit: 1, amountFen: 300 }]))
    expect(results.code).toEqual(Uint8Array.of(0))
    expect(client.health().faults.server).toBe(1)
    expect(Array.from((await client.lookup(Uint32Array.of(1))).balanceFen)).toEqual([300])
    expect((await ledger.totals()).creditsFen.reduce((sum, fen) => sum + fen, 0)).toBe(300)
  })

  it('fails a call once its attempts are spent, so the run counts it as errors instead of waiting for ever', async () => {
    // Proves retries are bounded: with nothing listening, a call fails after its attempts, each counted as refused.
    const server = await serve()
    const url = server.url
    await server.close()
    const client = new HttpLedger(options, url, { attemptsMax: 3, retryPauseMs: 10 })
    cleanups.push(() => client.close())
    await expect(client.open()).rejects.toThrow(/failed 3 times \(refused/)
    expect(client.health().faults.refused).toBe(3)
  })

  it('goes on through a load run while the service is down for half a second, and conserves money', async () => {
    // Proves the run survives an outage: the service stops at 1 s and is back at 1.5 s over the same ledger;
    // the transfers of the gap are late, not lost; the audit balances; the summary reports the faults.
    const loaded = await loadScenario(smokeScenario)
    const settings = loadSettings(loaded.scenario.load, { profile: 'constant:1k/3s' }, smokeScenario)
    if (settings === undefined) throw new Error('a load run')
    let server = await serve()
    const port = Number(new URL(server.url).port)
    const outage = setTimeout(() => {
      void server.detach().then((ledger) => {
        setTimeout(() => {
          void serve(ledger, port).then((back) => {
            server = back
          })
        }, 500)
      })
    }, 1_000)
    cleanups.push(async () => clearTimeout(outage))
    const summary = await runScenario(loaded, {
      workers: 1,
      now: wallClock.nowMs,
      ledger: 'http',
      ledgerUrl: server.url,
      load: { ...settings, pause: wallClockPause(), lateToleranceMs: 5_000 },
    })
    expect(summary.load?.sent).toBe(3_000)
    expect(summary.load?.completed).toBe(3_000)
    expect(summary.load?.errors).toBe(0)
    expect(summary.conservation.ok).toBe(true)
    expect(summary.doubleEntry.ok).toBe(true)
    const health = summary.ledgerHealth
    expect(health?.recovered).toBeGreaterThan(0)
    expect((health?.faults.refused ?? 0) + (health?.faults.connection ?? 0)).toBeGreaterThan(0)
    expect(health?.longestRecoveryMs).toBeGreaterThan(300)
    // The outage shows in latency from the intended send time.
    expect(summary.load?.latencyMs.overall.maxMs).toBeGreaterThan(300)
  })
})
