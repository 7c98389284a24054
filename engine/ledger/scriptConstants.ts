/**
 * The numbers the ledgers' server-side scripts share with TypeScript, made from the TypeScript
 * tables when a script is loaded, so a script cannot fall out of step with them. A name is its
 * table's prefix and key in upper snake case: `ResultCode.insufficient_funds` is
 * `RESULT_INSUFFICIENT_FUNDS` in Lua (redis/ledgerScript.ts) and `result_insufficient_funds()` in
 * SQL (postgres/ledgerSql.ts).
 */
import { assert } from '../assert.js'
import { transferAmountFenMax } from '../limits.js'
import { AccountFlag, TransferFlag, accountFlagsKnown, transferFlagsKnown } from './ledgerCore.js'
import { AccountResultCode, ResultCode } from './resultCode.js'
import { TransferKind, transferKindCount } from './transferKind.js'
import { TransferState } from './transferState.js'

export interface ScriptConstant {
  /** Upper snake case: `TRANSFER_FLAG_POST_PENDING`. */
  readonly name: string
  readonly value: number | string
}

/** `postPending` → `POST_PENDING`, `unknown_account` → `UNKNOWN_ACCOUNT`. */
export function upperSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
}

/** One constant per key of `table`, named `<prefix>_<KEY>` (just `<KEY>` with no prefix). */
export function constantsOf(
  prefix: string,
  table: Readonly<Record<string, number | string>>,
): ScriptConstant[] {
  return Object.entries(table).map(([key, value]) => {
    assert(
      typeof value === 'string' || Number.isSafeInteger(value),
      'a script constant is an exact integer or a string',
    )
    return { name: prefix === '' ? upperSnake(key) : `${prefix}_${upperSnake(key)}`, value }
  })
}

/** The tables every ledger script may name, prefix by prefix. */
export const constantTables = {
  RESULT: ResultCode,
  ACCOUNT_RESULT: AccountResultCode,
  TRANSFER_KIND: TransferKind,
  TRANSFER_FLAG: TransferFlag,
  ACCOUNT_FLAG: AccountFlag,
  TRANSFER_STATE: TransferState,
} as const

export const ledgerConstants: readonly ScriptConstant[] = [
  ...Object.entries(constantTables).flatMap(([prefix, table]) => constantsOf(prefix, table)),
  ...constantsOf('', {
    transferKindCount,
    transferFlagsKnown,
    accountFlagsKnown,
    transferAmountFenMax,
    /** The largest balance or reservation held exactly (as a float64 in TypeScript and Lua). */
    fenExactMax: Number.MAX_SAFE_INTEGER,
  }),
]

assert(
  new Set(ledgerConstants.map((constant) => constant.name)).size === ledgerConstants.length,
  'no two script constants share a name',
)
