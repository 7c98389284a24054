/**
 * The outcome of one transfer. A domain rejection is a code, never an exception.
 *
 * The numbers are part of the contract (result columns, digests, the HTTP protocol): new codes
 * are appended, never renumbered. The order in which checks run is in ledgerCore.ts.
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
  'frozen',
  'exists',
  'exists_with_different_body',
  'invalid_flags',
  'invalid_kind',
  'pending_not_found',
  'pending_mismatch',
  'pending_already_posted',
  'pending_already_voided',
  'pending_expired',
  'exceeds_pending_amount',
  'pending_capacity',
  'linked_event_failed',
  'linked_chain_open',
  'overflows',
  'unavailable',
  'restricted_account',
  'restricted_merchant',
  'outside_district',
  'below_minimum',
  'not_yet_valid',
  'restriction_expired',
] as const
export type ResultCodeName = (typeof resultCodes)[number]

export const ResultCode = {
  /** Applied now. */
  ok: 0,
  /** The debit or the credit account was never created. */
  unknown_account: 1,
  /** Debit and credit are the same account. */
  same_account: 2,
  /**
   * Zero (for a plain or pending transfer), or above `transferAmountFenMax`. A negative amount in a
   * Uint32 column reads as one above the maximum.
   */
  invalid_amount: 3,
  /** Above the payer's tier limit for one payment. */
  per_payment_limit: 4,
  /** Would take the payer past its tier's limit for the local simulated day. */
  daily_limit: 5,
  /** Would take the payer past its tier's limit for the local simulated year. */
  yearly_limit: 6,
  /**
   * The payer's available balance (posted less reserved by pending transfers) is below the amount.
   */
  insufficient_funds: 7,
  /** Would take the payee past its tier's balance cap (counting credits reserved for it). */
  balance_cap: 8,
  /** The debit or the credit account is frozen. */
  frozen: 9,
  /**
   * The same id with the same body was applied before: nothing moves now. A retry reads this as
   * success.
   */
  exists: 10,
  /** The id was applied before with a different body: nothing moves. */
  exists_with_different_body: 11,
  /** Unknown flag bits, or more than one of pending, post and void. */
  invalid_flags: 12,
  /** The kind is not one of `transferKinds`. */
  invalid_kind: 13,
  /** A post or void names a pending transfer the ledger does not hold. */
  pending_not_found: 14,
  /** A post or void names other accounts than its pending transfer. */
  pending_mismatch: 15,
  pending_already_posted: 16,
  pending_already_voided: 17,
  /** The pending transfer's timeout passed (in simulated time) before the post or void. */
  pending_expired: 18,
  /** A post for more than was reserved, or a void for other than the reserved amount. */
  exceeds_pending_amount: 19,
  /** The ledger holds `pendingTransfersMax` pending transfers already. */
  pending_capacity: 20,
  /** This transfer was fine, but another in its linked chain failed, so none applied. */
  linked_event_failed: 21,
  /**
   * The batch ended inside a linked chain (its last transfer has the linked flag): nothing in the
   * chain applied.
   */
  linked_chain_open: 22,
  /** Would take a balance or a reservation past ±(2^53 − 1) fen, beyond what it holds exactly. */
  overflows: 23,
  /**
   * Never answered by a ledger: the run gives it to a payment that could not reach the ledger
   * (its district cut off by an injected outage, see engine/run/faults.ts), so nothing moved.
   */
  unavailable: 24,
  /**
   * Restricted value used as it cannot be: a pending transfer, post or void touching a restricted
   * account, money paid into one by other than its restriction's issuer, or one restricted account
   * paying another or its own owner.
   */
  restricted_account: 25,
  /** The payee's category is not one the restriction allows, or it is not on its merchant list. */
  restricted_merchant: 26,
  /** The payee's district is not one the restriction allows. */
  outside_district: 27,
  /** The purchase is below the restriction's minimum spend. */
  below_minimum: 28,
  /** Before the restriction's validity window opens. */
  not_yet_valid: 29,
  /** At or after the end of the restriction's validity window (its value has gone back). */
  restriction_expired: 30,
} as const satisfies Record<ResultCodeName, number>

export const resultCodeCount = resultCodes.length
/** The highest code a ledger may answer. */
export const ledgerResultCodeMax = ResultCode.restriction_expired
/** The highest code a ledger of protocol version 1 answers (before restricted value). */
export const ledgerResultCodeMaxV1 = ResultCode.overflows

/** Whether a ledger may answer `code`: every code but the run's own (`unavailable`). */
export function isLedgerResultCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    code >= 0 &&
    code <= ledgerResultCodeMax &&
    code !== ResultCode.unavailable
  )
}

/** The outcome of creating one account. */
export const accountResultCodes = [
  'created',
  'exists',
  'id_out_of_range',
  'invalid_tier',
  'invalid_flags',
  'invalid_attributes',
] as const
export type AccountResultCodeName = (typeof accountResultCodes)[number]

export const AccountResultCode = {
  created: 0,
  /** An account with this id exists already (it is left as it was). */
  exists: 1,
  /** The id is at or beyond the ledger's `accountsMax`. */
  id_out_of_range: 2,
  /** The tier is not in the ledger's tier table. */
  invalid_tier: 3,
  /** Unknown flag bits. */
  invalid_flags: 4,
  /**
   * A category or district of 32 or more, or given on an account with a tier; or a restricted
   * account that names no created restriction, has a tier or flags, or an owner that is not an
   * ordinary account created before it.
   */
  invalid_attributes: 5,
} as const satisfies Record<AccountResultCodeName, number>

/** The outcome of creating one restriction. */
export const restrictionResultCodes = [
  'created',
  'exists',
  'id_out_of_range',
  'unknown_issuer',
  'invalid_window',
  'unknown_merchant',
] as const
export type RestrictionResultCodeName = (typeof restrictionResultCodes)[number]

export const RestrictionResultCode = {
  created: 0,
  /** A restriction with this id exists already (it is left as it was). */
  exists: 1,
  /** The id is 0 or above `restrictionsMax`. */
  id_out_of_range: 2,
  /** The issuer is not a created account. */
  unknown_issuer: 3,
  /** The window does not open before it closes (validFrom ≥ validUntil). */
  invalid_window: 4,
  /** An account on its merchant list was never created, or the list is longer than allowed. */
  unknown_merchant: 5,
} as const satisfies Record<RestrictionResultCodeName, number>
