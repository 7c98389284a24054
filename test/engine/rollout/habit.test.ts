/**
 * Each adopter's own habit: the table of habits by adoption level averages to the cohorts' mean,
 * earlier adopters pay more of their payments in e-CNY than later ones, and in a built city each
 * adopter's payments are thinned by their own habit, not by the city's mean.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateChunk, segmentAgents, unpackIntents } from '../../../engine/behaviour/index.js'
import { TransferKind } from '../../../engine/ledger/transferKind.js'
import {
  adoptionLevels,
  adoptionLevelShare,
  ResidentFlag,
} from '../../../engine/population/index.js'
import { adoptionShare, habitByLevel, habitShare } from '../../../engine/rollout/adoption.js'
import { dayAdoption, dayScenario } from '../../../engine/rollout/dayScenario.js'
import { openCity } from '../../../engine/run/index.js'
import { loadScenario, type LoadedScenario } from '../../../scenarios/loader.js'
import { dayNumber, type Rollout } from '../../../scenarios/rolloutSchema.js'
import { fakeNow, repoRoot } from '../../helpers/runs.js'

const file = path.join(repoRoot, 'scenarios', 'rollout-smoke.yaml')

/**
 * The smoke rollout with a fast curve and a slow habit: new adopters pay a fifth of their payments
 * in e-CNY.
 */
async function slowHabit(): Promise<{ loaded: LoadedScenario; rollout: Rollout }> {
  const loaded = await loadScenario(file)
  const smoke = loaded.scenario.rollout as Rollout
  const rollout: Rollout = {
    ...smoke,
    adoption: {
      ...smoke.adoption,
      bass: { p: 1.5, q: 3, m: 0.9 },
      habitStart: 0.2,
      habitDays: 40,
      promotions: [],
    },
  }
  return { loaded: { ...loaded, scenario: { ...loaded.scenario, rollout } }, rollout }
}

/** A level's share of a district's adopters when its share is `share`: its width below it. */
function levelWidth(level: number, share: number): number {
  const low = (level / adoptionLevels) ** 2
  const high = ((level + 1) / adoptionLevels) ** 2
  return Math.max(0, Math.min(high, share) - low)
}

describe("each adopter's habit", () => {
  it("averages over a district's adopters to the cohorts' mean, the earliest paying most", async () => {
    // Proves: the levels' habits, weighted by the adopters each holds, give habitShare (within
    // the levels' width); habits do not rise with the level (later adopters pay less in e-CNY);
    // with habitStart 1 there is no table (no draw is made).
    const { loaded, rollout } = await slowHabit()
    const ids = loaded.scenario.city.districts.map((district) => district.id)
    const start = dayNumber(rollout.start)
    for (const day of [start, start + 20, start + 75]) {
      const table = habitByLevel(rollout, ids, day)
      expect(table).toHaveLength(ids.length * adoptionLevels)
      ids.forEach((id, district) => {
        const share = adoptionShare(rollout, id, day)
        const levels = (table ?? []).slice(
          district * adoptionLevels,
          (district + 1) * adoptionLevels,
        )
        let weighted = 0
        for (let level = 0; level < adoptionLevels; level++) {
          weighted += (levels[level] ?? 0) * levelWidth(level, share)
        }
        expect(weighted / share, `${id} on day ${day - start}`).toBeCloseTo(
          habitShare(rollout, id, day),
          2,
        )
        const adopted = levels.filter((_, level) => adoptionLevelShare(level) < share)
        for (let level = 1; level < adopted.length; level++) {
          expect(adopted[level] ?? 0).toBeLessThanOrEqual(adopted[level - 1] ?? 0)
        }
      })
    }
    const late = habitByLevel(rollout, ids, start + 75) ?? []
    expect(late[0]).toBeGreaterThan(0.8)
    expect(Math.min(...late)).toBeCloseTo(0.2, 12)
    const allAtOnce = { ...rollout, adoption: { ...rollout.adoption, habitStart: 1 } }
    expect(habitByLevel(allAtOnce, ids, start + 75)).toBeUndefined()
  })

  it("thins each adopter's payments by their own habit in a built city", async () => {
    // Proves: on a day 75 days in, adopters of long standing make nearly all their payments and
    // new ones about a third: each group's payments, against the same day with every adopter
    // paying all, are that group's mean habit (within 10%), which a city-wide mean would not give.
    // The day's plan thins by each habit over the largest, its rates scaled by the largest: the
    // same day with every adopter paying all at those rates makes the largest habit's share.
    const { loaded, rollout } = await slowHabit()
    const date = '2020-12-28'
    const sampled = { day: dayNumber(date), date, kind: 'work' as const, weight: 1 }
    const adoption = dayAdoption(loaded.scenario, rollout, sampled.day)
    const day = dayScenario(loaded, sampled, adoption)
    const everyone: LoadedScenario = { ...day }
    delete (everyone as { habitByLevel?: unknown }).habitByLevel
    const habits = adoption.habitByLevel ?? []
    const most = Math.max(...habits)
    const withHabit = await paymentsByGroup(day, habits)
    const allPay = await paymentsByGroup(everyone, habits)
    for (const group of ['early', 'late'] as const) {
      const ratio = (most * withHabit[group].payments) / allPay[group].payments
      expect(allPay[group].payments, group).toBeGreaterThan(2000)
      expect(Math.abs(ratio / allPay[group].meanHabit - 1), group).toBeLessThan(0.1)
    }
    expect(allPay.early.meanHabit).toBeGreaterThan(0.75)
    expect(allPay.late.meanHabit).toBeLessThan(0.45)
  }, 60_000)
})

interface Group {
  payments: number
  habitSum: number
  adopters: number
  meanHabit: number
}

/**
 * The day's resident payments (retail, transit, bills, P2P) by payer, in two groups: adopters
 * whose habit is at least 0.7 and those below 0.5, with each group's mean habit.
 */
async function paymentsByGroup(
  loaded: LoadedScenario,
  habits: readonly number[],
): Promise<Record<'early' | 'late', Group>> {
  const city = await openCity(loaded, { workers: 1, now: fakeNow(), residents: 30_000 })
  try {
    const { plan, population } = city
    const habitOf = (resident: number) =>
      habits[
        (population.home[resident] as number) * adoptionLevels +
          (population.adoptedAt[resident] as number)
      ] ?? 1
    const groupOf = (habit: number) => (habit >= 0.7 ? 'early' : habit < 0.5 ? 'late' : undefined)
    const groups = {
      early: { payments: 0, habitSum: 0, adopters: 0, meanHabit: 0 },
      late: { payments: 0, habitSum: 0, adopters: 0, meanHabit: 0 },
    }
    for (let resident = 0; resident < population.residents; resident++) {
      if (((population.flags[resident] as number) & ResidentFlag.adopted) === 0) continue
      const group = groupOf(habitOf(resident))
      if (group === undefined) continue
      groups[group].adopters += 1
      groups[group].habitSum += habitOf(resident)
    }
    const paying = new Set<number>([
      TransferKind.retail,
      TransferKind.transit,
      TransferKind.bill,
      TransferKind.p2p,
    ])
    for (const segment of plan.segments) {
      const agents = segmentAgents(plan, population, segment)
      for (let chunk = 0; chunk < plan.chunks; chunk++) {
        const intents = unpackIntents(generateChunk(plan, population, agents, segment, chunk))
        for (let at = 0; at < intents.count; at++) {
          if (!paying.has(intents.kind[at] as number)) continue
          const resident = (intents.debit[at] as number) - plan.accounts.residentFirst
          const group = groupOf(habitOf(resident))
          if (group !== undefined) groups[group].payments += 1
        }
      }
    }
    for (const group of Object.values(groups)) group.meanHabit = group.habitSum / group.adopters
    return groups
  } finally {
    await city.close()
  }
}
