/**
 * Who the residents are: age bands drawn to the census shares given, wallets spread over the bands
 * by their factors with each district's share kept, jobs for the working age only, anonymous
 * wallets for residents without a bank account; and a scenario without people draws as before.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ResidentFlag, ResidentTrait } from '../../../engine/population/index.js'
import { openCity } from '../../../engine/run/index.js'
import { loadScenario } from '../../../scenarios/loader.js'
import { fakeNow, repoRoot, runSmoke } from '../../helpers/runs.js'

const residents = 60_000
const file = path.join(repoRoot, 'scenarios', 'rollout-smoke.yaml')

/** Within four binomial standard deviations of `share` of `count`. */
function near(observed: number, count: number, share: number): boolean {
  return Math.abs(observed - count * share) <= 4 * Math.sqrt(count * share * (1 - share)) + 1
}

describe('people', () => {
  it('draws ages, accounts, devices and jobs as the scenario says, and wallets by age band', async () => {
    const loaded = await loadScenario(file)
    const people = loaded.scenario.people
    expect(people).toBeDefined()
    if (people === undefined) return
    const city = await openCity(loaded, { workers: 2, now: fakeNow(), residents })
    try {
      const { population, plan } = city
      const byAge = [0, 0, 0]
      const adoptedByAge = [0, 0, 0]
      let employedOutsideWorkingAge = 0
      let unbankedChildren = 0
      let unbankedNotAnonymous = 0
      let adopted = 0
      const anonymous = Math.max(...plan.tiers.map((tier) => tier.tier))
      for (let resident = 0; resident < population.residents; resident++) {
        const traits = population.traits[resident] as number
        const flags = population.flags[resident] as number
        const age = traits & ResidentTrait.ageMask
        byAge[age] = (byAge[age] ?? 0) + 1
        if ((flags & ResidentFlag.adopted) !== 0) {
          adopted += 1
          adoptedByAge[age] = (adoptedByAge[age] ?? 0) + 1
        }
        if ((flags & ResidentFlag.employed) !== 0 && age !== 1) employedOutsideWorkingAge += 1
        const banked = (traits & ResidentTrait.banked) !== 0
        if (age === 0 && !banked) unbankedChildren += 1
        const tier = plan.tiers[population.tier[resident] as number]?.tier
        if (!banked && tier !== anonymous) unbankedNotAnonymous += 1
      }
      // Proves: the age bands follow the census shares given.
      expect(near(byAge[0] ?? 0, residents, people.ageBands.children)).toBe(true)
      expect(near(byAge[2] ?? 0, residents, people.ageBands.elderly)).toBe(true)
      // Proves: children hold no account; anyone without one holds an anonymous wallet; only the
      // working age is employed.
      expect(unbankedChildren).toBe(byAge[0])
      expect(unbankedNotAnonymous).toBe(0)
      expect(employedOutsideWorkingAge).toBe(0)
      // Proves: the city's share of wallets is the districts' (the factors only spread it), and the
      // bands hold wallets in the ratio of their factors.
      const planned = plan.districts.reduce(
        (sum, district) => sum + district.residents * district.adoption,
        0,
      )
      expect(near(adopted, residents, planned / residents)).toBe(true)
      const shareOf = (band: number) => (adoptedByAge[band] ?? 0) / (byAge[band] ?? 1)
      const ratio = shareOf(2) / shareOf(1)
      const factors = people.adoptionFactor
      expect(ratio).toBeGreaterThan((factors.elderly / factors.working) * 0.6)
      expect(ratio).toBeLessThan((factors.elderly / factors.working) * 1.4)
    } finally {
      await city.close()
    }
  }, 60_000)

  it('counts the people in the summary, and only when the scenario says who they are', async () => {
    // Proves: the summary's people figures add up to the residents and the wallets; a scenario
    // without a people section has none.
    const summary = await runSmoke({ residents: 5_000 }, file)
    const people = summary.people
    expect(people).toBeDefined()
    const bands = Object.values(people?.byAge ?? {})
    expect(bands.reduce((sum, band) => sum + band.residents, 0)).toBe(5_000)
    expect(bands.reduce((sum, band) => sum + band.adopted, 0)).toBe(summary.agents.adopted)
    expect(summary.conservation.ok && summary.doubleEntry.ok).toBe(true)
    const plain = await runSmoke({ residents: 5_000 })
    expect(plain.people).toBeUndefined()
  }, 60_000)
})
