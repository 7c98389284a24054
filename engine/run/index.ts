export { runScenario, type RunOptions } from './runScenario.js'
export { planRun, planScenario, apportion, type Plan, type PlanOptions } from './plan.js'
