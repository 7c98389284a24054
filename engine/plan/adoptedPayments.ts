/** How many payments a planned period makes, counting only the residents who use e-CNY. */
import type { Plan } from './plan.js'

/**
 * About how many payments the period makes: the plan's rates, made by the residents who use e-CNY.
 */
export function adoptedPayments(plan: Plan): number {
  const adopted = plan.districts.reduce(
    (sum, district) => sum + district.residents * district.adoption,
    0,
  )
  return plan.residents === 0 ? 0 : Math.round((plan.paymentsExpected * adopted) / plan.residents)
}
