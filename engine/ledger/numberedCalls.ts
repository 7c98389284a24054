/**
 * A ledger that keeps its callers' calls: each call that changes it carries a session and a number
 * the caller gives, and the ledger stores the call's answer with its effects, in one transaction. A
 * server in front of such a ledger (`citytwin ledger-server --backend postgres`) numbers the
 * ledger's calls with its clients' own numbers, so after a crash and a restart (`--resume`) it
 * still answers a retried call as the first attempt was answered, and never applies it twice.
 *
 * Numbers only grow within a session; they may skip (the server numbers reads too, which change
 * nothing and are not kept).
 */
import type {
  AccountBatch,
  AccountResults,
  LedgerCore,
  TransferBatch,
  TransferResults,
} from './ledgerCore.js'

export interface NumberedCalls {
  /** The session open() took: the server's session too. */
  readonly session: number
  createAccountsNumbered(number: number, batch: AccountBatch): Promise<AccountResults>
  submitNumbered(number: number, batch: TransferBatch): Promise<TransferResults>
}

/** Where a restarted server over a ledger that keeps its calls takes up its session. */
export interface KeptSession {
  readonly session: number
  /** The last changing call's number (0: none yet), and its result codes. */
  readonly lastNumber: number
  readonly lastCodes: Uint8Array | undefined
}

export function keepsCalls(ledger: LedgerCore): ledger is LedgerCore & NumberedCalls {
  return typeof (ledger as Partial<NumberedCalls>).submitNumbered === 'function'
}
