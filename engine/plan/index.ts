export { planRun, planScenario, apportion } from './plan.js'
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
