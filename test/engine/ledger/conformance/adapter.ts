import type { LedgerCore, LedgerOptions } from '../../../../engine/ledger/index.js'

/** A ledger under test: its name in the suite's titles, and how to make a fresh one. */
export interface Adapter {
  readonly name: string
  create(options: LedgerOptions): LedgerCore
}
