/** How many payments a period makes, counted over the residents who use e-CNY. */
import { describe, expect, it } from 'vitest'
import { adoptedPayments } from '../../../engine/plan/index.js'
import { planRun, scenarioCity } from '../../../engine/run/index.js'
import { loadScenario } from '../../../scenarios/index.js'
import { defaultScenario } from '../../helpers/runs.js'

describe('adopted payments', () => {
  it('scales the expected payments by the share of residents who adopted', () => {
    // Proves the weighting: 600 residents at 50% and 400 at 100% are 700 of 1000, so 70% of 5000.
    const plan = {
      residents: 1000,
      paymentsExpected: 5000,
      districts: [
        { residents: 600, adoption: 0.5 },
        { residents: 400, adoption: 1 },
      ],
    }
    expect(adoptedPayments(plan)).toBe(3500)
    expect(adoptedPayments({ ...plan, districts: [{ residents: 1000, adoption: 1 }] })).toBe(5000)
  })

  it('rounds to whole payments, and counts none for a city of no one', () => {
    // Proves the rounding (1/3 of 100 is 33) and that an empty plan does not divide by zero.
    const third = {
      residents: 3,
      paymentsExpected: 100,
      districts: [{ residents: 1, adoption: 1 }],
    }
    expect(adoptedPayments(third)).toBe(33)
    expect(adoptedPayments({ residents: 0, paymentsExpected: 0, districts: [] })).toBe(0)
  })

  it('counts fewer payments than the plan expects on the default scenario, whose adoption is partial', async () => {
    // Proves it reads a real plan: the default city's adoption is below 1, so the count is too.
    const loaded = await loadScenario(defaultScenario)
    const plan = planRun(loaded.scenario, scenarioCity(loaded), { residents: 10_000 })
    const count = adoptedPayments(plan)
    expect(count).toBeGreaterThan(0)
    expect(count).toBeLessThan(plan.paymentsExpected)
  })
})
