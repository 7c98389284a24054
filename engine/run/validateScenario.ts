/**
 * What `citytwin validate` checks, as one call: the tests that feed it hostile files call exactly
 * this.
 */
import { loadScenario, type LoadedScenario } from '../../scenarios/loader.js'
import { planScenario, type Plan } from '../plan/plan.js'

/**
 * Loads the scenario and its map, then plans the run: planning is where sizes are checked
 * against the engine's bounds, so what validates also runs. Every refusal is a UserError.
 */
export async function validateScenario(
  file: string,
): Promise<{ loaded: LoadedScenario; plan: Plan }> {
  const loaded = await loadScenario(file)
  const { plan } = planScenario(loaded)
  return { loaded, plan }
}
