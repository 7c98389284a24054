export { planRun, planScenario, scenarioCity, apportion } from './plan.js'
export { planMetro, usualStation, UsualPlace, type PlannedMetro } from './metroPlan.js'
export type {
  AccountLayout,
  PaymentKindName,
  PaymentRate,
  Plan,
  PlanOptions,
  PlannedCategory,
  PlannedDistrict,
  PlannedTier,
  Segment,
} from './plan.js'
export { employerFloatFen } from './employerFloat.js'
export { adoptedPayments } from './adoptedPayments.js'
