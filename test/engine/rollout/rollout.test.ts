/**
 * A rollout on a small city, end to end on the memory ledger: each simulated day's wallets follow
 * the Bass curve given (within sampling error), every day's money is conserved, demand grows with
 * adoption, and the plan flags the month that passes a knee.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runRollout, type RolloutOutcome } from '../../../engine/rollout/index.js'
import { loadScenario, type LoadedScenario } from '../../../scenarios/loader.js'
import type { Rollout } from '../../../scenarios/rolloutSchema.js'
import { fakeNow, repoRoot } from '../../helpers/runs.js'

const residents = 20_000

async function smokeRollout(): Promise<LoadedScenario> {
  return loadScenario(path.join(repoRoot, 'scenarios', 'rollout-smoke.yaml'))
}

/** The smoke rollout with its adoption and its months replaced. */
function withRollout(loaded: LoadedScenario, change: Partial<Rollout>): LoadedScenario {
  const rollout = loaded.scenario.rollout as Rollout
  return { ...loaded, scenario: { ...loaded.scenario, rollout: { ...rollout, ...change } } }
}

describe('citytwin rollout on a small city', () => {
  let outcome: RolloutOutcome

  it('opens the wallets the curve gives, day by day, its money whole', async () => {
    // Proves: Bass parameters in, wallets out: each simulated day's adopted residents are the
    // curve's share of each district's residents within four binomial standard deviations; the
    // days' audits held (runRollout stops on one that does not).
    const loaded = withRollout(await smokeRollout(), {
      months: 2,
      sample: { workdays: 1, restDays: 1, peaks: false },
      adoption: {
        bass: { p: 1.5, q: 3, m: 0.9 },
        habitStart: 1,
        habitDays: 30,
        promotions: [],
      },
    })
    outcome = await runRollout(loaded, { workers: 2, now: fakeNow(), residents })
    expect(outcome.days).toHaveLength(4)
    for (const day of outcome.days) {
      expect(day.conservationOk && day.doubleEntryOk).toBe(true)
      const expected = day.adoption * residents
      const sigma = Math.sqrt(residents * day.adoption * (1 - day.adoption))
      expect(Math.abs(day.adopted - expected), day.date).toBeLessThan(4 * sigma + 2)
    }
    const shares = outcome.days.map((day) => day.adoption)
    expect(shares).toEqual([...shares].sort((a, b) => a - b))
    // 0.9 of the curve at about a month, then two months: the share at least doubles.
    expect((shares.at(-1) ?? 0) / (shares[0] ?? 1)).toBeGreaterThan(2)
  }, 120_000)

  it('makes demand follow adoption, and plans a month against a knee', () => {
    // Proves: payments grow with wallets; the plan's months hold their simulated days; a knee
    // between the two months' needs flags the second and names it first.
    const [first, second] = outcome.plan.months
    expect(first?.simulatedDays).toBe(2)
    expect(second?.payments ?? 0).toBeGreaterThan(first?.payments ?? 0)
    const lastDay = outcome.days.at(-1)
    expect(lastDay?.payments ?? 0).toBeGreaterThan((outcome.days[0]?.payments ?? 0) * 1.5)
    expect(outcome.plan.kneeTps).toBeUndefined()
  })

  it('names the first month that outgrows the knee given', async () => {
    // Proves: with a knee below the second month's need and above the first's, the outcome names
    // month 2, from the same city and seed (the days are the same: a rerun with the knee).
    const [first, second] = outcome.plan.months
    const knee = ((first?.neededTps ?? 0) + (second?.neededTps ?? 0)) / 2
    expect(second?.neededTps ?? 0).toBeGreaterThan(first?.neededTps ?? 0)
    const loaded = withRollout(await smokeRollout(), {
      months: 2,
      sample: { workdays: 1, restDays: 1, peaks: false },
      adoption: { bass: { p: 1.5, q: 3, m: 0.9 }, habitStart: 1, habitDays: 30, promotions: [] },
    })
    const planned = await runRollout(loaded, {
      workers: 1,
      now: fakeNow(),
      residents,
      kneeTps: knee,
    })
    expect(planned.days.map((day) => day.payments)).toEqual(outcome.days.map((day) => day.payments))
    expect(planned.plan.months.map((month) => month.exceedsKnee)).toEqual([false, true])
    expect(planned.plan.firstExceeding?.index).toBe(1)
  }, 120_000)
})
