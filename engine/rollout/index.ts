export { runRollout, type RolloutOptions, type RolloutOutcome } from './runRollout.js'
export { adoptionShare, bassFraction, habitShare, tableShare } from './adoption.js'
export {
  capacityPlan,
  weightedQuantile,
  type CapacityPlan,
  type MonthPlan,
} from './capacityPlan.js'
export { dayKind, rolloutMonths, type RolloutMonth, type SampledDay } from './days.js'
