export { runScenario, type RunOptions } from './runScenario.js'
export { planRun, apportion, type Plan, type PlanOptions } from './plan.js'
