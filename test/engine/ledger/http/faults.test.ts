/**
 * The http ledger when its service goes away mid-run: the run goes on, faults are counted by
 * class, retries are bounded, and nothing is applied twice after the service comes back (a retry
 * carries the same call number; the service answers it with the first attempt's answer).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { RunFailed } from '../../../../engine/errors.js'
import {
  HttpLedger,
  LedgerServer,
  ResultCode,
  createLedger,
  transferKinds,
  type LedgerCore,
  type LedgerOptions,
  type LedgerServerState,
  type TransferBatch,
  type TransferResults,
} from '../../../../engine/ledger/index.js'
import { loadSettings, wallClockPause } from '../../../../engine/load/index.js'
import { runScenario } from '../../../../engine/run/index.js'
import { wallClock } from '../../../../engine/time/index.js'
import { loadScenario } from '../../../../scenarios/index.js'
import {
  accounts,
  testLedgerToken as token,
  tiers,
  transfers,
  utcOffsetMinutes,
} from '../conformance/harness.js'
import { expectRecovered } from '../../../helpers/ledgerChecks.js'
import { smokeScenario } from '../../../helpers/runs.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const options: LedgerOptions = { accountsMax: 16, tiers, utcOffsetMinutes }

async function serve(
  resume?: LedgerServerState,
  port = 0,
  backend: (given: LedgerOptions) => LedgerCore = (given) => createLedger('memory', given),
): Promise<LedgerServer> {
  const server = await LedgerServer.start({
    host: '127.0.0.1',
    port,
    token,
    backend,
    ...(resume === undefined ? {} : { resume }),
  })
  cleanups.push(() => server.close())
  return server
}

/**
 * A memory ledger whose `submit` is `submit(memory, batch)`: a service that misbehaves on purpose.
 * Given one `opened` already, its open takes no time (a worker thread starting can take longer than
 * a test's short attempt deadline on a busy machine).
 */
function memoryWithSubmit(
  given: LedgerOptions,
  submit: (ledger: LedgerCore, batch: TransferBatch) => Promise<TransferResults>,
  opened?: LedgerCore,
): LedgerCore {
  const ledger = opened ?? createLedger('memory', given)
  return {
    name: 'memory-with-submit',
    open: () => (opened === undefined ? ledger.open() : Promise.resolve()),
    createAccounts: (batch) => ledger.createAccounts(batch),
    lookup: (ids) => ledger.lookup(ids),
    totals: () => ledger.totals(),
    close: () => ledger.close(),
    submit: (batch) => submit(ledger, batch),
  }
}

describe('the http ledger and a service that goes away', () => {
  it('retries a refused call until the service is back, applies it once, and reports the fault and the recovery', async () => {
    // Proves the retry path end to end: the service stops between two calls and comes back on the
    // same port 300 ms later over the same ledger; the call made meanwhile is refused, retried, and
    // lands exactly once.
    const first = await serve()
    const port = Number(new URL(first.url).port)
    const client = new HttpLedger(options, first.url, {
      token,
      retryPauseMs: 50,
      now: wallClock.nowMs,
    })
    cleanups.push(() => client.close())
    await client.open()
    await client.createAccounts(accounts([{ id: 0, flags: 1 }, { id: 1 }]))
    expect(
      (await client.submit(transfers([{ id: 1, debit: 0, credit: 1, amountFen: 500 }]))).code,
    ).toEqual(Uint8Array.of(0))
    const state = await first.detach()
    let second: LedgerServer | undefined
    setTimeout(() => {
      void serve(state, port).then((server) => {
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
    // Applied once: 500 + 700 on the payee, the issuer the negative of it, through the client and
    // in the ledger itself.
    expect(Array.from((await client.lookup(Uint32Array.of(0, 1))).balanceFen)).toEqual([
      -1_200, 1_200,
    ])
    expect(
      Array.from(
        (await (state as LedgerServerState).ledger.lookup(Uint32Array.of(0, 1))).balanceFen,
      ),
    ).toEqual([-1_200, 1_200])
  })

  it("answers a retry of a call still being applied with that call's own answer, applying it once", async () => {
    // Proves the call number: the first attempt times out while the service is still applying it;
    // the retry, same number, waits for it and gets its answer (ok), not `exists`, and the payee is
    // credited once.
    let slowCalls = 0
    const warm = createLedger('memory', options)
    await warm.open()
    const slow = (given: LedgerOptions) =>
      memoryWithSubmit(
        given,
        async (ledger, batch) => {
          const results = await ledger.submit(batch)
          if (slowCalls++ === 0) await new Promise((resolve) => setTimeout(resolve, 1_200))
          return results
        },
        warm,
      )
    const server = await serve(undefined, 0, slow)
    // Generous against a busy machine: only the held call should ever time out.
    const client = new HttpLedger(options, server.url, {
      token,
      retryPauseMs: 20,
      attemptMsMax: 400,
      attemptsMax: 12,
      now: wallClock.nowMs,
    })
    cleanups.push(() => client.close())
    await client.open()
    await client.createAccounts(accounts([{ id: 0, flags: 1 }, { id: 1 }]))
    const results = await client.submit(transfers([{ id: 9, debit: 0, credit: 1, amountFen: 300 }]))
    expect(results.code).toEqual(Uint8Array.of(0))
    expect(client.health().faults.timeout).toBeGreaterThanOrEqual(1)
    // At least that call recovered (a later call may find its kept-alive connection closed, and
    // retry too).
    expect(client.health().recovered).toBeGreaterThanOrEqual(1)
    expect(Array.from((await client.lookup(Uint32Array.of(1))).balanceFen)).toEqual([300])
    // A duplicate id in a later call is still reported as such: the retry changed nothing.
    expect(
      (await client.submit(transfers([{ id: 9, debit: 0, credit: 1, amountFen: 300 }]))).code,
    ).toEqual(Uint8Array.of(ResultCode.exists))
    expect(Array.from((await client.lookup(Uint32Array.of(1))).balanceFen)).toEqual([300])
  })

  it('fails the ledger for good once a call whose outcome is unknown has spent its attempts', async () => {
    // Proves an unknown outcome stops the run rather than letting it audit a ledger that may or may
    // not have applied the call: the service fails every transfers call after applying it; later
    // calls fail at once.
    const failing = (given: LedgerOptions) =>
      memoryWithSubmit(given, async (ledger, batch) => {
        await ledger.submit(batch)
        throw new Error('the service failed after applying the call')
      })
    const server = await serve(undefined, 0, failing)
    const client = new HttpLedger(options, server.url, { token, attemptsMax: 3, retryPauseMs: 10 })
    cleanups.push(() => client.close())
    await client.open()
    await client.createAccounts(accounts([{ id: 0, flags: 1 }, { id: 1 }]))
    await expect(
      client.submit(transfers([{ id: 9, debit: 0, credit: 1, amountFen: 300 }])),
    ).rejects.toThrow(RunFailed)
    // The retries were answered from the first attempt, not applied again.
    expect(client.health().faults.server).toBe(3)
    await expect(client.lookup(Uint32Array.of(1))).rejects.toThrow(/failed 3 times \(server/)
  })

  it('fails a call once its attempts are spent, so the run counts it as errors instead of waiting for ever', async () => {
    // Proves retries are bounded: with nothing listening, a call fails after its attempts, each
    // counted as refused.
    const server = await serve()
    const url = server.url
    await server.close()
    const client = new HttpLedger(options, url, { token, attemptsMax: 3, retryPauseMs: 10 })
    cleanups.push(() => client.close())
    await expect(client.open()).rejects.toThrow(/failed 3 times \(refused/)
    expect(client.health().faults.refused).toBe(3)
  })

  it('goes on through a load run while the service is down for half a second, and conserves money', async () => {
    // Proves the run survives an outage: the service stops 1 s into the payments and is back half a
    // second later over the same ledger; the transfers of the gap are late, not lost; the audit
    // balances; the summary reports the faults.
    const loaded = await loadScenario(smokeScenario)
    const settings = loadSettings(
      loaded.scenario.load,
      { profile: 'constant:1k/3s' },
      smokeScenario,
    )
    if (settings === undefined) throw new Error('a load run')
    // The outage starts 1 s after the first payments reach the service, whatever the setup before
    // took: the first call holding a retail payment, not the opening's issues and top-ups.
    const retail = transferKinds.indexOf('retail')
    let outage: ReturnType<typeof setTimeout> | undefined
    const goAway = (): void => {
      void server.detach().then((state) => {
        setTimeout(() => {
          void serve(state, port).then((back) => {
            server = back
          })
        }, 500)
      })
    }
    let server = await serve(undefined, 0, (given) =>
      memoryWithSubmit(given, (ledger, batch) => {
        if (batch.kind.includes(retail)) outage ??= setTimeout(goAway, 1_000)
        return ledger.submit(batch)
      }),
    )
    const port = Number(new URL(server.url).port)
    cleanups.push(async () => clearTimeout(outage))
    const summary = await runScenario(loaded, {
      workers: 1,
      now: wallClock.nowMs,
      ledger: 'http',
      ledgerUrl: server.url,
      ledgerToken: token,
      load: { ...settings, pause: wallClockPause(), lateToleranceMs: 5_000 },
    })
    expectRecovered(summary, 3_000)
    expect(
      (summary.ledgerHealth?.faults.refused ?? 0) + (summary.ledgerHealth?.faults.connection ?? 0),
    ).toBeGreaterThan(0)
  })
})
