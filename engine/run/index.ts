export { openCity, runScenario, OpenedCity, type CityOptions, type RunOptions } from './runScenario.js'
export { latenessToleranceMs, loadSecond, type LoadRunOptions } from './driveLoad.js'
export { planRun, planScenario, apportion, type Plan, type PlanOptions } from './plan.js'
