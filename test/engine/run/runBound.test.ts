/**
 * A run's overall bound: derived from its schedule and its ledger work, and held. A ledger that
 * answers every call, only slowly, or one that stops answering after the payments, fails the run
 * at its bound with a message naming it, and the ledger is closed.
 */
import { describe, expect, it } from 'vitest'
import { RunFailed } from '../../../engine/errors.js'
import { createLedger, type LedgerCore, type LedgerOptions } from '../../../engine/ledger/index.js'
import { runBoundAllowanceMs, runLedgerItemsPerSecondMin } from '../../../engine/limits.js'
import { gracefulStopMsDefault, loadSettings, wallClockPause } from '../../../engine/load/index.js'
import { planScenario, runScenario, type RunOptions } from '../../../engine/run/index.js'
import { runBound } from '../../../engine/run/runBound.js'
import type { LoadRunOptions } from '../../../engine/run/executors/index.js'
import { wallClock } from '../../../engine/time/index.js'
import { loadScenario } from '../../../scenarios/index.js'
import { smokeScenario } from '../../helpers/runs.js'

/**
 * The memory ledger with every call held `holdMs` (Infinity: lookups never answered), noting when
 * it was asked to open (where the bound starts) and whether it was closed.
 */
function heldLedger(
  given: LedgerOptions,
  holdMs: { calls: number; lookups: number },
  noted: { openedMs?: number; closed?: boolean },
): LedgerCore {
  const ledger = createLedger('memory', given)
  const held = async <T>(call: () => Promise<T>, ms: number): Promise<T> => {
    const answer = await call()
    await new Promise((resolve) => (Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined))
    return answer
  }
  return {
    name: 'held',
    open: async () => {
      noted.openedMs = wallClock.nowMs()
      await ledger.open()
    },
    createAccounts: (batch) => ledger.createAccounts(batch),
    submit: (batch) => held(() => ledger.submit(batch), holdMs.calls),
    lookup: (ids) => held(() => ledger.lookup(ids), holdMs.lookups),
    totals: () => ledger.totals(),
    close: async () => {
      noted.closed = true
      await ledger.close()
    },
  }
}

/** The smoke run on a held ledger; how it failed, and how long after the ledger opened. */
async function run(
  options: Partial<RunOptions>,
  holdMs: { calls: number; lookups: number },
): Promise<{ error: unknown; afterOpenMs: number }> {
  const loaded = await loadScenario(smokeScenario)
  const noted: { openedMs?: number; closed?: boolean } = {}
  let error: unknown
  try {
    await runScenario(loaded, {
      workers: 1,
      now: wallClock.nowMs,
      ...options,
      ledgerFactory: (given) => heldLedger(given, holdMs, noted),
    })
  } catch (caught) {
    error = caught
  }
  expect(noted.closed).toBe(true)
  return { error, afterOpenMs: wallClock.nowMs() - (noted.openedMs ?? Number.NaN) }
}

async function smokeLoad(profile: string): Promise<LoadRunOptions> {
  const loaded = await loadScenario(smokeScenario)
  const settings = loadSettings(loaded.scenario.load, { profile }, smokeScenario)
  if (settings === undefined) throw new Error('a load run')
  return { ...settings, pause: wallClockPause() }
}

describe("a run's overall bound", () => {
  it('fails a flat-out run on a ledger that answers every call, slowly, at its bound, naming it', async () => {
    // Proves the bound holds a run whose every call is within its own deadline: 150 ms a call makes
    // the smoke day last minutes; with a bound of 3 s the run fails soon after 3 s of ledger time,
    // saying why.
    const { error, afterOpenMs } = await run({ boundMs: 3_000 }, { calls: 150, lookups: 150 })
    expect(error).toBeInstanceOf(RunFailed)
    expect(String(error)).toMatch(
      /the run passed its bound of 3 s \(as given\): the ledger is far too slow to finish it/,
    )
    expect(afterOpenMs).toBeGreaterThanOrEqual(2_900)
    expect(afterOpenMs).toBeLessThan(3_000 + 3_000)
  }, 60_000)

  it('fails a load run whose ledger stops answering after the payments, at its bound, with the calls under way cut', async () => {
    // Proves a call that never ends cannot hold a run past its bound: the evenings' lookups are
    // never answered.
    const load = await smokeLoad('constant:200/1s')
    const { error, afterOpenMs } = await run(
      { load, boundMs: 4_000 },
      { calls: 0, lookups: Infinity },
    )
    expect(String(error)).toMatch(/the run passed its bound of 4 s/)
    expect(afterOpenMs).toBeLessThan(4_000 + 3_000)
  }, 60_000)

  it('is derived from the schedule and the ledger work: allowance, then the profile and its drain, then the work at the slowest rate', async () => {
    // Proves what the bound is made of, so a legitimate run is never near it: a load run's bound is
    // the same work's flat-out bound plus its planned duration and drain; more residents, more
    // work, a longer bound.
    const loaded = await loadScenario(smokeScenario)
    const { plan } = planScenario(loaded)
    const flat = runBound(plan, undefined, undefined)
    if (flat === undefined) throw new Error('a flat-out run has a bound')
    expect(flat.ms).toBeGreaterThan(runBoundAllowanceMs)
    expect(flat.why).toContain(`at ${runLedgerItemsPerSecondMin.toLocaleString('en-US')} a second`)
    const load = await smokeLoad('constant:1k/60s')
    const loadBound = runBound(plan, load, 50_000)
    const sameWork = runBound(plan, undefined, 50_000)
    expect((loadBound?.ms ?? 0) - (sameWork?.ms ?? 0)).toBe(60_000 + gracefulStopMsDefault)
    expect(loadBound?.why).toContain("the schedule's 90 s with its drain")
    const bigger = planScenario(loaded, { residents: plan.residents * 2 }).plan
    expect(runBound(bigger, undefined, undefined)?.ms ?? 0).toBeGreaterThan(flat.ms)
    // A run steered from the live map has no schedule known ahead: no bound (its calls keep
    // theirs).
    expect(
      runBound(plan, { ...load, control: {} as NonNullable<LoadRunOptions['control']> }, 50_000),
    ).toBeUndefined()
  })
})
