/**
 * The outcome of one transfer. A domain rejection is a code, never an exception.
 * Checks run in this order; the first that fails is the code.
 */
export const resultCodes = [
  'ok',
  'unknown_account',
  'same_account',
  'invalid_amount',
  'per_payment_limit',
  'daily_limit',
  'yearly_limit',
  'insufficient_funds',
  'balance_cap',
] as const
export type ResultCodeName = (typeof resultCodes)[number]

export const ResultCode = {
  ok: 0,
  unknown_account: 1,
  same_account: 2,
  invalid_amount: 3,
  per_payment_limit: 4,
  daily_limit: 5,
  yearly_limit: 6,
  insufficient_funds: 7,
  balance_cap: 8,
} as const satisfies Record<ResultCodeName, number>

export const resultCodeCount = resultCodes.length
