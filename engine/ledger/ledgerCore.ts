/**
 * The interface every ledger adapter implements: batch-first and columnar. Typed arrays go in,
 * a typed array of result codes comes out, one per transfer, in the order given. Every adapter
 * passes the one conformance suite in test/engine/ledger/conformance/; the memory ledger is the
 * reference.
 *
 * Money is integer fen. Amounts travel as Uint32; balances come back as float64 holding exact
 * integers (every adapter keeps them below 2^53).
 *
 * Transfer ids (and pending ids) are exact integers in [0, 2^53), carried in Float64Array
 * columns, so that a run of any practical length has ids to spare (the whole city makes about
 * 45 million transfers a day: 2^32 ids would last three months, 2^53 half a million years).
 * Account ids stay Uint32: they are bounded by `accountsMax`. An id that is not such an integer
 * is a programmer error in an embedded ledger and a refused request on the wire.
 *
 * ## The rules, in the order they are checked (the first that fails is the transfer's code)
 *
 *   1. invalid_flags     unknown flag bits; more than one of pending / postPending / voidPending
 *   2. invalid_kind      kind not in transferKinds
 *   3. exists            the id was applied before with the same body (debit, credit, amount, kind,
 *      exists_with_different_body   flags, pendingId, timeoutMinutes; not the minute): nothing moves
 *   4. unknown_account   debit or credit never created
 *   5. same_account
 *   6. frozen            debit or credit has AccountFlag.frozen
 *   7. invalid_amount    plain and pending: 1..transferAmountFenMax; post and void: 0..transferAmountFenMax
 * restricted value only (below: Restricted value): 7a. restricted_account, not_yet_valid,
 * restriction_expired, restricted_merchant, outside_district, below_minimum
 * post and void only (pendingId names the pending transfer): 8. pending_not_found (no pending
 * transfer ever had that id), pending_already_posted, pending_already_voided, pending_expired
 * (expired, or its deadline is at or before this transfer's minute), pending_mismatch (debit,
 * credit or kind differ from the pending transfer's), exceeds_pending_amount (a post for more than
 * is reserved; a void for other than 0 or the reserved amount) plain and pending only, when the
 * payer has a wallet tier (tier 0 has no limits): 9. per_payment_limit, daily_limit, yearly_limit
 * (local simulated day and year of the minute; a limit of 0 means none)
 *  10. insufficient_funds  available = balance - pendingDebit < amount (the issuer may go negative)
 *  11. balance_cap          payee with a tier: balance + pendingCredit + amount > cap (0 = none)
 *  12. pending_capacity     pending only: the ledger already holds pendingTransfersMax pending transfers
 *  13. overflows            payee's balance + pendingCredit + amount, or payer's available − amount
 * (only the issuer's can fall so far), or, for pending, payer's pendingDebit + amount, would pass
 * ±(2^53 − 1) fen
 *
 * ## What an accepted transfer does
 *
 *   plain     debit balance -= amount, credit balance += amount; the payer's day and year spending
 *             grow by amount (tiered payers, where that limit is set).
 *   pending   nothing posts: pendingDebit(debit) += amount, pendingCredit(credit) += amount, spending
 * grows as for a plain transfer. It holds until posted, voided or expired. Its deadline is minute +
 * timeoutMinutes (timeoutMinutes 0: no deadline).
 *   post      the reservation goes; `amount` (0 = the whole reservation) posts as a plain transfer
 * would, counted under the pending transfer's kind. No limit or cap is checked again: the
 * reservation already holds them.
 *   void      the reservation goes; nothing posts.
 * When a reservation goes without posting all of it (void, expiry, or a post of less), the unposted
 * part is given back to the payer's day and year spending, if those counters are still on the day
 * and year of the pending transfer. Expiry: before each transfer that does not continue a linked
 * chain, every pending transfer whose deadline is at or before that transfer's minute expires.
 *
 * ## Restricted value (vouchers, red envelopes)
 * A restriction (createRestrictions) names an issuer, the merchant categories and districts its
 * value may be spent in (32-bit masks; a merchant account carries a category and a district), an
 * optional list of designated merchants, a minimum spend and a validity window [validFrom,
 * validUntil) in simulated minutes. A restricted account holds one restriction's value for one
 * owner (an ordinary wallet); it has tier 0 and no flags. The issuer pays value into it with
 * plain transfers (kind `voucher`); no one else may.
 *
 * A plain transfer whose debit is a restricted account is a restricted purchase: `amount` is the
 * whole purchase, paid to the credit account. Checked in order after step 7: restricted_account
 * (the payee is restricted, or is the owner), not_yet_valid (before validFrom),
 * restriction_expired (at or after validUntil), restricted_merchant (the payee's category is not
 * in the mask, or a list does not hold it), outside_district (its district is not in the mask),
 * below_minimum (the amount is under the minimum spend). The restricted account pays what it
 * holds, up to the amount; the owner pays the rest in the same step, all or nothing, under the
 * owner's rules: frozen, its tier's limits (on the rest only), insufficient_funds (on the rest).
 * Then 11 and 13 as for any payment, on the whole amount. A pending transfer, post or void with a
 * restricted account on either side is restricted_account; so is a payment into one from other
 * than its issuer.
 *
 * Recovery: before each transfer that does not continue a linked chain (as expiry), every
 * restriction whose validUntil is at or before that transfer's minute, not recovered yet, is
 * recovered: each of its accounts pays what it still holds back to the issuer, posted under kind
 * `recovery` (a kind only the ledger uses: a transfer that names it is invalid_kind).
 *
 * ## Idempotency The ledger remembers the id of every accepted transfer (plain, pending, post,
 * void) for its whole life. A rejected transfer is not remembered: the same id may be tried again
 * and may then apply.
 *
 * ## Linked chains A transfer with TransferFlag.linked is linked to the next one in the batch; a
 * chain ends at the first transfer without the flag. A chain applies all or nothing: - every
 * transfer ok: all apply; - every transfer `exists`: each reports `exists` (the chain was applied
 * before); - otherwise nothing in the chain applies. The first transfer whose code is neither ok
 * nor `exists` keeps its code (or, when there is none, the first `exists` keeps it), and every
 * other transfer of the chain reports `linked_event_failed`. Transfers after the first such failure
 * are not evaluated. A chain still open at the end of the batch reports `linked_chain_open` for all
 * of its transfers.
 *
 * ## Ordering
 *   Calls apply in the order they are made, and a caller may have several in flight: a lookup made
 *   after a submit sees that submit's effects. The arrays of a batch must not change until its call
 *   settles. A batch holds at most `transferBatchMax` transfers and a lookup `lookupBatchMax` ids;
 *   an account batch may hold any number (the run opens every account of the city in one).
 */

/** Account flags, set when the account is created. */
export const AccountFlag = {
  /**
   * Where money comes from, so allowed a negative balance: the central bank, and in a run's
   * deposit book each operating bank's deposit liabilities. No other account goes below zero.
   */
  issuer: 1,
  /** Neither pays nor receives. */
  frozen: 2,
} as const
export const accountFlagsKnown = AccountFlag.issuer | AccountFlag.frozen

/** Transfer flags. */
export const TransferFlag = {
  /** Linked to the next transfer in the batch: all or nothing. */
  linked: 1,
  /** Reserve now; post or void later. */
  pending: 2,
  /** Post the pending transfer `pendingId`. */
  postPending: 4,
  /** Void the pending transfer `pendingId`. */
  voidPending: 8,
} as const
export const transferFlagsKnown =
  TransferFlag.linked | TransferFlag.pending | TransferFlag.postPending | TransferFlag.voidPending

export interface WalletTierLimits {
  /** 0 means "no limit". */
  readonly balanceCapFen: number
  readonly perPaymentFen: number
  readonly perDayFen: number
  readonly perYearFen: number
}

export interface AccountBatch {
  readonly count: number
  readonly id: Uint32Array
  /** Wallet tier, 1-based into the tier table; 0 for institutions and merchants (no limits). */
  readonly tier: Uint8Array
  readonly flags: Uint8Array
  /**
   * For accounts of tier 0 (absent: all 0). A merchant's category and district, 0..31, which
   * restrictions test. `restriction` makes the account a restricted account holding that
   * restriction's value (0: an ordinary account), spent for `owner`, who pays what it cannot.
   */
  readonly category?: Uint8Array | undefined
  readonly district?: Uint8Array | undefined
  readonly restriction?: Uint32Array | undefined
  readonly owner?: Uint32Array | undefined
}

/** Restrictions: the conditions of restricted value (see Restricted value above). */
export interface RestrictionBatch {
  readonly count: number
  /** 1..restrictionsMax. */
  readonly id: Uint32Array
  /** The account that pays value in and receives what is unspent at the end. */
  readonly issuer: Uint32Array
  /** Bit c set: a merchant of category c may be paid. */
  readonly categories: Uint32Array
  /** Bit d set: a merchant in district d may be paid. */
  readonly districts: Uint32Array
  /** A purchase below this is refused (0: none). */
  readonly minSpendFen: Uint32Array
  /** Simulated minutes: spending is allowed from validFrom up to (not at) validUntil. */
  readonly validFrom: Uint32Array
  readonly validUntil: Uint32Array
  /**
   * Designated merchants: restriction i's are `merchants[merchantsFrom[i] .. merchantsFrom[i + 1])`
   * (count + 1 offsets); none means any merchant the masks allow.
   */
  readonly merchantsFrom: Uint32Array
  readonly merchants: Uint32Array
}

export interface RestrictionResults {
  /** One `RestrictionResultCode` per restriction. */
  readonly code: Uint8Array
}

export interface TransferBatch {
  readonly count: number
  /** Integers in [0, 2^53): `transferIdMax` is the highest. */
  readonly id: Float64Array
  readonly debit: Uint32Array
  readonly credit: Uint32Array
  readonly amountFen: Uint32Array
  readonly kind: Uint8Array
  /** TransferFlag bits. */
  readonly flags: Uint8Array
  /**
   * For postPending and voidPending: the id of the pending transfer (an integer below 2^53);
   * otherwise 0.
   */
  readonly pendingId: Float64Array
  /** For pending: simulated minutes until it expires, 0 for never; otherwise 0. */
  readonly timeoutMinutes: Uint32Array
  /** Simulated time of the transfer, minutes since 1970-01-01T00:00Z. */
  readonly minute: Uint32Array
  /**
   * What the run knows of each transfer and no ledger is sent (adapters ignore these): how it was
   * paid (`Channel` byte, channel.ts), a detail (a metro ride's stations and line), and for a post
   * or void what its pending transfer reserved, fen, so the counters follow reservations without
   * asking.
   */
  readonly channel?: Uint8Array
  readonly detail?: Uint32Array
  readonly heldFen?: Uint32Array
}

export interface TransferResults {
  /** One `ResultCode` per transfer. */
  readonly code: Uint8Array
}

export interface AccountResults {
  /** One `AccountResultCode` per account. */
  readonly code: Uint8Array
}

export interface Balances {
  /** Posted balance. */
  readonly balanceFen: Float64Array
  /** Reserved by pending transfers out of the account. */
  readonly pendingDebitFen: Float64Array
  /** Reserved by pending transfers into the account. */
  readonly pendingCreditFen: Float64Array
}

/**
 * What the ledger itself has posted, by transfer kind: the two sides of every entry, summed apart.
 */
export interface LedgerTotals {
  /** Indexed by TransferKind. */
  readonly debitsFen: Float64Array
  readonly creditsFen: Float64Array
  /** Pending transfers held now, and the fen they reserve. */
  readonly pendingCount: number
  readonly pendingFen: number
}

export interface LedgerOptions {
  /** Highest account id + 1 that the run will create. */
  readonly accountsMax: number
  /** Limits by tier: index 0 is the unlimited tier of institutions. */
  readonly tiers: readonly WalletTierLimits[]
  /** The city's UTC offset: days and years of limits follow local simulated time. */
  readonly utcOffsetMinutes: number
  /** Pending transfers held at once; defaults to `pendingTransfersMax`. */
  readonly pendingMax?: number | undefined
  /** Transfers the run expects, so an adapter can size its tables once; a hint, never a limit. */
  readonly transfersExpected?: number | undefined
}

/**
 * For a ledger reached over a network: the failed attempts by class, and how its calls recovered.
 */
export interface LedgerHealth {
  readonly faults: Readonly<Record<string, number>>
  /** Calls answered only after a retry. */
  readonly recovered: number
  /** Longest from a call's first failed attempt to its answer, ms. */
  readonly longestRecoveryMs: number
}

export interface LedgerCore {
  readonly name: string
  /** A networked ledger's faults so far; embedded ledgers have none. */
  health?(): LedgerHealth
  open(): Promise<void>
  createAccounts(batch: AccountBatch): Promise<AccountResults>
  /**
   * Restricted value. A ledger without it leaves this out; a run that needs it refuses such a
   * ledger at its start.
   */
  createRestrictions?(batch: RestrictionBatch): Promise<RestrictionResults>
  submit(batch: TransferBatch): Promise<TransferResults>
  lookup(ids: Uint32Array): Promise<Balances>
  totals(): Promise<LedgerTotals>
  close(): Promise<void>
}
