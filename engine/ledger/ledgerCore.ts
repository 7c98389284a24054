/**
 * The interface every ledger adapter implements: batch-first and columnar. Typed arrays go in,
 * a typed array of result codes comes out, one per transfer, in the order given.
 *
 * Money is integer fen. Amounts travel as Uint32; balances come back as float64 holding exact
 * integers (every adapter asserts they stay below 2^53).
 */

/** Account flags. */
export const AccountFlag = {
  /** The central bank: the only account allowed a negative balance (it is where money comes from). */
  issuer: 1,
} as const

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
}

export interface TransferBatch {
  readonly count: number
  readonly id: Uint32Array
  readonly debit: Uint32Array
  readonly credit: Uint32Array
  readonly amountFen: Uint32Array
  readonly kind: Uint8Array
  /** Simulated time of the transfer, minutes since 1970-01-01T00:00Z. */
  readonly minute: Uint32Array
}

export interface TransferResults {
  /** One `ResultCode` per transfer. */
  readonly code: Uint8Array
}

export interface AccountResults {
  /** 0 created; 1 the id already exists; 2 the id is beyond this ledger's capacity. */
  readonly code: Uint8Array
}

export interface Balances {
  readonly balanceFen: Float64Array
}

export interface LedgerOptions {
  /** Highest account id + 1 that the run will create. */
  readonly accountsMax: number
  /** Limits by tier: index 0 is the unlimited tier of institutions. */
  readonly tiers: readonly WalletTierLimits[]
  /** The city's UTC offset: days and years of limits follow local simulated time. */
  readonly utcOffsetMinutes: number
}

export interface LedgerCore {
  readonly name: string
  open(): Promise<void>
  createAccounts(batch: AccountBatch): Promise<AccountResults>
  submit(batch: TransferBatch): Promise<TransferResults>
  lookup(ids: Uint32Array): Promise<Balances>
  close(): Promise<void>
}
