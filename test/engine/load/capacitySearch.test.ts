import { describe, expect, it } from 'vitest'
import {
  evaluateThresholds,
  parseProfile,
  parseThreshold,
  runOpenLoad,
  searchCapacity,
  type CapacityTrial,
} from '../../../engine/load/index.js'
import { FakeClock, openClockedLedger, source } from '../../helpers/clockedLoad.js'

/** A trial against a rule: the SLO holds up to `capacityTps` and fails above it. */
function ruled(capacityTps: number) {
  return async (tps: number): Promise<CapacityTrial> => ({
    tps,
    ok: tps <= capacityTps,
    achievedTps: Math.min(tps, capacityTps),
    p99Ms: tps <= capacityTps ? 5 : 500,
  })
}

describe('capacity search', () => {
  it('ramps, then bisects to the highest rate that holds, within the precision asked', async () => {
    // Proves the bracket: the knee held, the rate above it failed, and they are within 2% of each
    // other.
    const result = await searchCapacity({
      startTps: 1_000,
      maxTps: 10_000_000,
      growth: 2,
      precision: 0.02,
      trial: ruled(37_500),
    })
    expect(result.outcome).toBe('found')
    expect(result.kneeTps).toBeLessThanOrEqual(37_500)
    expect(result.kneeTps).toBeGreaterThanOrEqual(37_500 / 1.02)
    expect(result.failedTps).toBeGreaterThan(37_500)
    expect((result.failedTps - result.kneeTps) / result.kneeTps).toBeLessThanOrEqual(0.02)
    // The ramp: 1k, 2k, 4k … 64k (the first failure), then bisection only.
    expect(result.trials.slice(0, 7).map((trial) => trial.tps)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000,
    ])
    expect(result.trials.length).toBeLessThan(15)
  })

  it('says when even the first rate fails, and when every rate up to the limit holds', async () => {
    // Proves the two edges are reported as such, not as a knee.
    expect(
      await searchCapacity({
        startTps: 1_000,
        maxTps: 100_000,
        growth: 2,
        precision: 0.05,
        trial: ruled(500),
      }),
    ).toMatchObject({ outcome: 'none', kneeTps: 0, failedTps: 1_000 })
    const limit = await searchCapacity({
      startTps: 1_000,
      maxTps: 100_000,
      growth: 2,
      precision: 0.05,
      trial: ruled(1_000_000),
    })
    expect(limit).toMatchObject({ outcome: 'limit', kneeTps: 100_000, failedTps: Infinity })
    expect(limit.trials.at(-1)?.tps).toBe(100_000)
  })

  it('finds the knee of a ledger with a known capacity within 10%, through the open model', async () => {
    // Proves the search end to end: a ledger that serves 20,000 transfers/s in order (a queue),
    // driven at each trial's rate for 3 s with the SLO p99<50ms and nothing dropped, is found to
    // hold about 20,000/s.
    const capacityTps = 20_000
    const slo = [parseThreshold('p99<50ms', 'test')]
    const trial = async (tps: number): Promise<CapacityTrial> => {
      const clock = new FakeClock()
      let busyUntilMs = 0
      const ledger = await openClockedLedger(clock, (madeAtMs, count) => {
        busyUntilMs = Math.max(madeAtMs, busyUntilMs) + (count / capacityTps) * 1000
        return busyUntilMs
      })
      const result = await runOpenLoad({
        schedule: parseProfile(`constant:${tps}/3s`, 'test').schedule,
        ledger,
        source,
        now: clock.now,
        pause: clock.pause,
        inFlightMax: 1_000_000,
        coalesceMs: 0,
      })
      const latency = result.latency.summary().overall
      const all = result.latency.overall()
      const [held] = evaluateThresholds(slo, {
        latency: all,
        intended: result.intended,
        sent: result.sent,
        errors: result.errors,
        rejected: result.rejected,
        dropped: result.dropped,
      })
      all.destroy()
      result.latency.destroy()
      result.lateness.destroy()
      await ledger.close()
      return {
        tps,
        ok: (held?.ok ?? false) && result.dropped === 0,
        achievedTps: result.completed / 3,
        p99Ms: latency.p99Ms,
      }
    }
    const result = await searchCapacity({
      startTps: 1_000,
      maxTps: 1_000_000,
      growth: 2,
      precision: 0.02,
      trial,
    })
    expect(result.outcome).toBe('found')
    expect(Math.abs(result.kneeTps - capacityTps) / capacityTps).toBeLessThanOrEqual(0.1)
    // The evidence: below the knee latency is small; the first failure above it shows the queue in
    // its p99.
    const passing = result.trials.filter((candidate) => candidate.ok)
    const failing = result.trials.filter((candidate) => !candidate.ok)
    expect(Math.max(...passing.map((candidate) => candidate.p99Ms))).toBeLessThan(50)
    expect(Math.min(...failing.map((candidate) => candidate.p99Ms))).toBeGreaterThanOrEqual(50)
  })
})
