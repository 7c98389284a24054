/**
 * How much an employer keeps for payroll: part of the plan, since it bounds the money a run can put
 * into circulation.
 */

/**
 * An employer's funds cover a day's payroll with room for chance: the expected paydays λ plus
 * four standard deviations (√λ) plus four, at one and a half median salaries each (salaries
 * spread log-normally above the median).
 */
export function employerFloatFen(paydaysExpected: number, salaryFen: number): number {
  return Math.ceil((paydaysExpected + 4 * Math.sqrt(paydaysExpected) + 4) * salaryFen * 1.5)
}
