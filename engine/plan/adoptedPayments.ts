/** How many payments a planned period makes, counting only the residents who use e-CNY. */
import type { Plan, PlannedDistrict } from './plan.js'

/** What the count reads of a plan: its residents, where they live and who adopted, its rates. */
export type PaymentsPlanned = Pick<Plan, 'residents' | 'paymentsExpected'> & {
  readonly districts: readonly Pick<PlannedDistrict, 'residents' | 'adoption'>[]
}

/**
 * About how many payments the period makes: the plan's rates, made by the residents who use
 * e-CNY.
 */
export function adoptedPayments(plan: PaymentsPlanned): number {
  const adopted = plan.districts.reduce(
    (sum, district) => sum + district.residents * district.adoption,
    0,
  )
  return plan.residents === 0 ? 0 : Math.round((plan.paymentsExpected * adopted) / plan.residents)
}
