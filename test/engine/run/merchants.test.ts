/**
 * Merchants by size and e-CNY acceptance: within each district and category they are numbered by
 * size, the largest first, and accept in that order; a resident pays only a merchant accepting
 * e-CNY, each drawing payments by its size's weight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCity } from '../../../engine/city/index.js'
import { planRun } from '../../../engine/run/index.js'
import { loadScenario } from '../../../scenarios/index.js'
import { crossFieldIssues } from '../../../scenarios/schema.js'
import { runSmoke, scenarioFolder, smokeScenario, type ScenarioFolder } from '../../helpers/runs.js'

let folder: ScenarioFolder
beforeAll(async () => {
  folder = await scenarioFolder('merchants')
})
afterAll(async () => {
  await folder.remove()
})

const halves = [
  { name: 'big', share: 0.5, weight: 9 },
  { name: 'small', share: 0.5, weight: 1 },
]

describe('merchants by size', () => {
  it('are numbered largest first in every cell, and the first of them accept', async () => {
    const loaded = await loadScenario(smokeScenario)
    const scenario = structuredClone(loaded.scenario)
    scenario.merchants.sizes = halves
    const restaurant = scenario.merchants.categories.restaurant
    if (restaurant === undefined) throw new Error('the smoke city has restaurants')
    restaurant.accepting = 0.25
    const city = buildCity(loaded.map, scenario.city.districts)
    const plan = planRun(scenario, city, { residents: 20_000 })
    const categories = plan.categories.length
    const restaurantIndex = plan.categories.findIndex((category) => category.name === 'restaurant')
    for (let cell = 0; cell + 1 < plan.merchantCellStart.length; cell++) {
      const count =
        (plan.merchantCellStart[cell + 1] as number) - (plan.merchantCellStart[cell] as number)
      expect(plan.merchantCells.sizeStart[cell * 2]).toBe(0)
      expect(
        Math.abs((plan.merchantCells.sizeStart[cell * 2 + 1] as number) - count / 2),
      ).toBeLessThanOrEqual(0.5)
      const accepting =
        cell % categories === restaurantIndex ? Math.max(1, Math.round(count / 4)) : count
      expect(plan.merchantCells.accepting[cell]).toBe(accepting)
    }
  })

  it('take payments by weight, and only those accepting e-CNY take any', async () => {
    const file = await folder.writeSmoke('halves.yaml', (scenario) => {
      scenario.merchants.sizes = halves
      const restaurant = scenario.merchants.categories.restaurant
      if (restaurant !== undefined) restaurant.accepting = 0.5
    })
    const summary = await runSmoke({}, file)
    const merchants = summary.merchants
    expect(merchants?.atNonAccepting).toBe(0)
    const [big, small] = merchants?.bySize ?? []
    expect(big?.size).toBe('big')
    // Half the restaurants (a third of the merchants) accept: the big half of each cell.
    expect(big?.accepting).toBe(big?.merchants)
    expect(small?.accepting).toBeLessThan(small?.merchants ?? 0)
    expect((merchants?.accepting ?? 0) / (merchants?.merchants ?? 1)).toBeCloseTo(1 - 0.3 / 2, 1)
    // Outside restaurants a big merchant takes 9 times a small one's payments: 90% of them; the
    // restaurants' all go to their big half. About 0.7 × 0.9 + 0.3 × 1 of all.
    const payments = (big?.payments ?? 0) + (small?.payments ?? 0)
    expect(payments).toBe(summary.transfers.byKind.retail.accepted)
    expect((big?.payments ?? 0) / payments).toBeCloseTo(0.7 * 0.9 + 0.3, 1)
    expect((big?.amountFen ?? 0) + (small?.amountFen ?? 0)).toBe(
      summary.transfers.byKind.retail.amountFen,
    )
    expect(summary.conservation.ok).toBe(true)
  })

  it('are refused with shares that do not add up to 1 or a size named twice, naming the field', async () => {
    const loaded = await loadScenario(smokeScenario)
    const scenario = structuredClone(loaded.scenario) as unknown as Record<string, unknown>
    const merchants = scenario.merchants as Record<string, unknown>
    merchants.sizes = [
      { name: 'big', share: 0.5, weight: 9 },
      { name: 'big', share: 0.4, weight: 1 },
    ]
    expect(crossFieldIssues(scenario)).toEqual(
      expect.arrayContaining([
        'merchants.sizes: shares must add up to 1 (they add up to 0.9)',
        'merchants.sizes[1].name: named twice',
      ]),
    )
  })
})
