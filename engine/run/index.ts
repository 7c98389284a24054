export { runScenario, type CityOptions, type RunOptions } from './runScenario.js'
export { openCity, OpenedCity } from './openCity.js'
export { latenessToleranceMs, loadSecond, type LoadRunOptions } from './executors/index.js'
export {
  adoptedPayments,
  planRun,
  planScenario,
  scenarioCity,
  apportion,
  type Plan,
  type PlanOptions,
} from '../plan/index.js'
export { validateScenario } from './validateScenario.js'
export { RunControl, type RunCommand } from './runControl.js'
export { Faults, faultyLedger } from './faults.js'
export { defaultWorkers, type RunMode } from './defaultWorkers.js'
