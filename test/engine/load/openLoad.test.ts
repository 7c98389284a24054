import { afterEach, describe, expect, it } from 'vitest'
import type { LedgerCore } from '../../../engine/ledger/index.js'
import { FakeClock, openClockedLedger, payees, source } from '../../helpers/clockedLoad.js'
import {
  pacingErrorPct,
  parseProfile,
  runOpenLoad,
  type OpenLoadResult,
} from '../../../engine/load/index.js'

const open: { ledger: LedgerCore; result?: OpenLoadResult }[] = []
afterEach(async () => {
  for (const entry of open.splice(0)) {
    entry.result?.latency.destroy()
    entry.result?.lateness.destroy()
    await entry.ledger.close()
  }
})

async function load(
  profile: string,
  heldUntil: (madeAtMs: number) => number,
  inFlightMax = 10_000,
  timing: { stepMs?: number; coalesceMs?: number; lightWakeMs?: number; wakes?: number[] } = {},
): Promise<{ result: OpenLoadResult; balances: number[]; callSizes: number[] }> {
  const clock = new FakeClock(timing.stepMs ?? 1)
  const wakes = timing.wakes
  // A pause that honours light waits as a timer would (the wait, at least a millisecond), and
  // records each wake.
  const pause = async (waitMs: number, light: boolean) => {
    await (light ? clock.advance(Math.max(1, waitMs)) : clock.pause())
    wakes?.push(clock.ms)
  }
  const ledger = await openClockedLedger(clock, heldUntil)
  const entry: { ledger: LedgerCore; result?: OpenLoadResult } = { ledger }
  open.push(entry)
  const result = await runOpenLoad({
    schedule: parseProfile(profile, 'test').schedule,
    ledger,
    source,
    now: clock.now,
    pause: wakes === undefined ? clock.pause : pause,
    inFlightMax,
    coalesceMs: timing.coalesceMs ?? 0,
    lightWakeMs: timing.lightWakeMs ?? 0,
  })
  entry.result = result
  const balances = [
    ...(await ledger.lookup(Uint32Array.from({ length: payees + 1 }, (_, id) => id))).balanceFen,
  ]
  return { result, balances, callSizes: ledger.callSizes }
}

describe('the open model', () => {
  it('sends on schedule: every second gets exactly its target, and each transfer applies once', async () => {
    // Proves the sender follows the schedule, not the answers: a constant 1,000/s for 5 s sends
    // 1,000 in each second, none dropped; money is conserved.
    const { result, balances } = await load('constant:1k/5s', (at) => at)
    expect(result.windows.map((window) => [window.target, window.sent])).toEqual(
      Array.from({ length: 5 }, () => [1_000, 1_000]),
    )
    expect(pacingErrorPct(result.windows)).toBe(0)
    expect([
      result.intended,
      result.sent,
      result.dropped,
      result.completed,
      result.errors,
      result.unanswered,
      result.rejected,
    ]).toEqual([5_000, 5_000, 0, 5_000, 0, 0, 0])
    expect(balances.reduce((sum, balance) => sum + balance, 0)).toBe(0)
    expect(balances[0]).toBe(-5_000)
    expect(result.lateness.summary().maxMs).toBeLessThanOrEqual(1)
  })

  it('follows a ramp second by second', async () => {
    // Proves a changing rate is paced too: 0 → 2,000/s over 4 s wants 250, 750, 1,250 and 1,750;
    // the sender, stepping whole milliseconds, may carry a transfer due in a second's last fraction
    // of a millisecond into the next.
    const { result } = await load('ramp:0..2k/4s', (at) => at)
    expect(result.windows.map((window) => window.target)).toEqual([250, 750, 1_250, 1_750])
    result.windows.forEach((window) =>
      expect(Math.abs(window.sent - window.target)).toBeLessThanOrEqual(1),
    )
    expect(result.sent).toBe(4_000)
    expect(pacingErrorPct(result.windows)).toBeLessThan(0.2)
  })

  it('shows a stalled ledger in p99, not as a lower rate with good latency', async () => {
    // Proves there is no coordinated omission: the ledger answers nothing between 2 s and 3 s, yet
    // the sender keeps the rate, and the transfers that waited carry their wait from their intended
    // time.
    const stallFrom = 2_000
    const stallTo = 3_000
    const { result } = await load('constant:1k/5s', (at) =>
      at >= stallFrom && at < stallTo ? stallTo : at,
    )
    expect(result.windows.map((window) => window.sent)).toEqual([1_000, 1_000, 1_000, 1_000, 1_000])
    expect(result.dropped).toBe(0)
    const latency = result.latency.summary().overall
    // A fifth of the transfers waited 0..1,000 ms: p90 near 500 ms, p99 near 900 ms.
    expect(latency.p50Ms).toBeLessThan(50)
    expect(latency.p90Ms).toBeGreaterThan(400)
    expect(latency.p99Ms).toBeGreaterThan(850)
    expect(latency.maxMs).toBeGreaterThan(990)
    // The windows of completions show the stall: nothing done in second 2, a burst in second 3.
    expect(result.windows.map((window) => window.completed)).toEqual([
      1_000, 1_000, 0, 2_000, 1_000,
    ])
  })

  it('counts what it could not send as late and then dropped, never hiding it', async () => {
    // Proves overload is a metric: with 2 calls at most outstanding, a ledger that stalls from 3 s
    // to 3.5 s makes due transfers wait (sent about 0.5 s late, and measured so), and one that
    // stops answering at 4.5 s leaves what is unsent at the end dropped.
    const { result } = await load(
      'constant:1k/5s',
      (at) => (at >= 4_500 ? 60_000 : at >= 3_000 && at < 3_500 ? 3_500 : at),
      2,
    )
    expect(result.sent + result.dropped).toBe(5_000)
    // Calls made at 4,500 and 4,501 ms fill both places for good: everything due after them is
    // dropped.
    expect(result.sent).toBe(4_502)
    expect(result.dropped).toBe(498)
    expect(result.lateness.count).toBe(result.sent)
    const lateness = result.lateness.summary()
    expect(lateness.maxMs).toBeGreaterThan(490)
    expect(lateness.maxMs).toBeLessThan(505)
    expect(lateness.p50Ms).toBe(0)
    expect(result.windows.map((window) => window.sent)).toEqual([1_000, 1_000, 1_000, 1_000, 502])
    expect(pacingErrorPct(result.windows)).toBeCloseTo(49.8, 6)
    // The two calls never answered are counted as such once the graceful stop (30 s) has passed,
    // and the run ends.
    expect([result.completed, result.unanswered, result.errors]).toEqual([4_500, 2, 0])
    expect(result.wallMs).toBe(35_000)
  })

  it('sends due transfers together, each waiting at most the coalescing time', async () => {
    // Proves coalescing: at 10,000/s with the clock read every 0.1 ms, calls carry about 5
    // transfers, none sent more than 0.6 ms late.
    const { result, callSizes } = await load('constant:10k/1s', (at) => at, 10_000, {
      stepMs: 0.1,
      coalesceMs: 0.5,
    })
    expect(result.sent).toBe(10_000)
    expect(callSizes.reduce((sum, size) => sum + size, 0)).toBe(10_000)
    expect(callSizes.length).toBeLessThan(2_100)
    expect(callSizes.length).toBeGreaterThan(1_500)
    expect(result.lateness.summary().maxMs).toBeLessThanOrEqual(0.61)
  })

  it('at light load wakes with a timer tick, sends what is due, and is late by at most that tick', async () => {
    // Proves the light-load sender sleeps instead of spinning: at 2,000/s it wakes about once a
    // millisecond (not at every 0.1 ms the clock could be read), each call carries the two or so
    // transfers due, none later than the tick.
    const wakes: number[] = []
    const { result, callSizes } = await load('constant:2k/2s', (at) => at, 10_000, {
      stepMs: 0.1,
      coalesceMs: 0.5,
      lightWakeMs: 1,
      wakes,
    })
    expect(result.sent).toBe(4_000)
    expect(result.dropped).toBe(0)
    expect(wakes.length).toBeLessThan(2_100)
    expect(wakes.length).toBeGreaterThan(1_900)
    expect(callSizes.reduce((sum, size) => sum + size, 0)).toBe(4_000)
    expect(callSizes.length).toBeLessThanOrEqual(2_001)
    expect(result.lateness.summary().maxMs).toBeLessThanOrEqual(1.01)
  })

  it('above light load stays awake and coalesces, as without it', async () => {
    // Proves the light mode leaves heavy load alone: at 100,000/s (100 due a millisecond) calls
    // still wait for company up to the coalescing time, and the sender looks at every step of the
    // clock.
    const wakes: number[] = []
    const { result, callSizes } = await load('constant:100k/1s', (at) => at, 10_000, {
      stepMs: 0.1,
      coalesceMs: 0.5,
      lightWakeMs: 1,
      wakes,
    })
    expect(result.sent).toBe(100_000)
    expect(wakes.length).toBeGreaterThan(9_000)
    expect(callSizes.length).toBeLessThan(2_100)
    expect(result.lateness.summary().maxMs).toBeLessThanOrEqual(0.61)
  })
})
