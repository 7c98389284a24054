/**
 * The HTTP ledger protocol, v1: the LedgerCore interface as JSON over HTTP, so any ledger service
 * can be driven by citytwin (docs/http-ledger.md, with its JSON schema). Batches travel as columns
 * of numbers, as they do in the engine:
 *
 *   POST /v1/open        {accountsMax, tiers: [{balanceCapFen, perPaymentFen, perDayFen, perYearFen}], utcOffsetMinutes, pendingMax?, transfersExpected?}
 *                        → {session}
 *   POST /v1/accounts    {id: [], tier: [], flags: []}                              → {code: []}
 *   POST /v1/transfers   {id, debit, credit, amountFen, kind, flags, pendingId, timeoutMinutes, minute: []}
 *                        → {code: []}
 *   POST /v1/lookup      {id: []}                                                   → {balanceFen: [], pendingDebitFen: [], pendingCreditFen: []}
 *   POST /v1/totals      {}                                                         → {debitsFen: [], creditsFen: [], pendingCount, pendingFen}
 *
 * Every call after /v1/open carries the header `Citytwin-Call: <session> <n>`, n = 1, 2, 3 … in the
 * order made. A service applies call n + 1 only after call n, and answers a repeated n (a retry
 * whose first attempt was lost) with the answer of its first attempt, without applying it again;
 * a stale session or a call out of turn is refused with 409.
 *
 * Errors: a non-2xx status with {error: "message"}. A 4xx means the call itself was refused (400: a
 * malformed body, naming the field) and is never retried; a 5xx means the service failed, and the
 * call is retried with the same ids. The decoders here check sizes, lengths and integer ranges of
 * every body that carries data: nothing is trusted because it parsed as JSON.
 *
 * Transfer ids and pending ids are integers from 0 to 2^53 − 1, which a JSON number (an IEEE
 * double) holds exactly; account ids, amounts, minutes and timeouts are integers below 2^32.
 */
import {
  type AccountBatch,
  type Balances,
  type LedgerOptions,
  type LedgerTotals,
  type TransferBatch,
  type WalletTierLimits,
} from '../ledgerCore.js'
import { pendingTransfersMax, transferIdMax } from '../../limits.js'
import { isObject } from '../../untrusted.js'

export const protocolVersion = 'v1'
/** Largest request or response body, bytes: a full batch of 65,536 transfers is about 5 MB. */
export const httpBodyBytesMax = 32 * 1024 * 1024
/**
 * Accounts one /v1/accounts call carries (the client splits a city's accounts into calls of this
 * many).
 */
export const httpAccountsPerCallMax = 1 << 16

export const paths = {
  open: `/${protocolVersion}/open`,
  accounts: `/${protocolVersion}/accounts`,
  transfers: `/${protocolVersion}/transfers`,
  lookup: `/${protocolVersion}/lookup`,
  totals: `/${protocolVersion}/totals`,
} as const

/** The header that numbers a call within its session: `<session> <n>`. */
export const callHeaderName = 'citytwin-call'

export function encodeSession(session: number): unknown {
  return { session }
}

export function decodeSession(body: unknown): number {
  return integer(record(body, 'body').session, 'session', 0, Number.MAX_SAFE_INTEGER)
}

/**
 * The session and number of a call from its header; undefined when the header is missing or
 * malformed.
 */
export function parseCallHeader(
  value: string | string[] | undefined,
): { session: number; number: number } | undefined {
  if (typeof value !== 'string') return undefined
  const match = /^(\d{1,15}) (\d{1,15})$/.exec(value.trim())
  return match === null ? undefined : { session: Number(match[1]), number: Number(match[2]) }
}

/** A body that does not follow the protocol: the message says which field and why. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
}

const transferColumns = [
  'id',
  'debit',
  'credit',
  'amountFen',
  'kind',
  'flags',
  'pendingId',
  'timeoutMinutes',
  'minute',
] as const
const u32Max = 0xffff_ffff
const u8Max = 0xff
/** The columns of transfer ids, wider than the rest (ledgerCore.ts). */
const idColumns: ReadonlySet<string> = new Set(['id', 'pendingId'])

export function encodeOptions(options: LedgerOptions): unknown {
  return {
    accountsMax: options.accountsMax,
    tiers: options.tiers.map((tier) => ({
      balanceCapFen: tier.balanceCapFen,
      perPaymentFen: tier.perPaymentFen,
      perDayFen: tier.perDayFen,
      perYearFen: tier.perYearFen,
    })),
    utcOffsetMinutes: options.utcOffsetMinutes,
    ...(options.pendingMax === undefined ? {} : { pendingMax: options.pendingMax }),
    // A hint: clamped to what the protocol carries rather than refused.
    ...(options.transfersExpected === undefined
      ? {}
      : { transfersExpected: Math.min(u32Max, options.transfersExpected) }),
  }
}

export function decodeOptions(
  body: unknown,
  limits: { accountsMax: number; tiersMax: number },
): LedgerOptions {
  const object = record(body, 'body')
  const tiers = list(object.tiers, 'tiers', limits.tiersMax).map(
    (tier, index): WalletTierLimits => {
      const fields = record(tier, `tiers[${index}]`)
      return {
        balanceCapFen: integer(fields.balanceCapFen, `tiers[${index}].balanceCapFen`, 0, u32Max),
        perPaymentFen: integer(fields.perPaymentFen, `tiers[${index}].perPaymentFen`, 0, u32Max),
        perDayFen: integer(fields.perDayFen, `tiers[${index}].perDayFen`, 0, u32Max),
        perYearFen: integer(fields.perYearFen, `tiers[${index}].perYearFen`, 0, u32Max),
      }
    },
  )
  if (tiers.length === 0) throw new ProtocolError('tiers: at least tier 0, the unlimited tier')
  return {
    accountsMax: integer(object.accountsMax, 'accountsMax', 1, limits.accountsMax),
    tiers,
    utcOffsetMinutes: integer(object.utcOffsetMinutes, 'utcOffsetMinutes', -14 * 60, 14 * 60),
    ...(object.pendingMax === undefined
      ? {}
      : { pendingMax: integer(object.pendingMax, 'pendingMax', 1, pendingTransfersMax) }),
    ...(object.transfersExpected === undefined
      ? {}
      : { transfersExpected: integer(object.transfersExpected, 'transfersExpected', 0, u32Max) }),
  }
}

export function encodeAccounts(batch: AccountBatch, from: number, to: number): unknown {
  return {
    id: Array.from(batch.id.subarray(from, to)),
    tier: Array.from(batch.tier.subarray(from, to)),
    flags: Array.from(batch.flags.subarray(from, to)),
  }
}

export function decodeAccounts(body: unknown): AccountBatch {
  const object = record(body, 'body')
  const id = column(object.id, 'id', Uint32Array, u32Max, httpAccountsPerCallMax)
  const tier = column(object.tier, 'tier', Uint8Array, u8Max, httpAccountsPerCallMax)
  // Flag bits the ledger does not know travel: refusing them is the ledger's (invalid_flags), not
  // the protocol's.
  const flags = column(object.flags, 'flags', Uint8Array, u8Max, httpAccountsPerCallMax)
  sameLength({ id, tier, flags })
  return { count: id.length, id, tier, flags }
}

export function encodeTransfers(batch: TransferBatch): unknown {
  const out: Record<string, number[]> = {}
  for (const name of transferColumns) out[name] = Array.from(batch[name])
  return out
}

export function decodeTransfers(body: unknown, batchMax: number): TransferBatch {
  const object = record(body, 'body')
  const columns: Record<string, Float64Array | Uint32Array | Uint8Array> = {}
  for (const name of transferColumns) {
    const narrow = name === 'kind' || name === 'flags'
    if (narrow) columns[name] = column(object[name], name, Uint8Array, u8Max, batchMax)
    else if (idColumns.has(name))
      columns[name] = column(object[name], name, Float64Array, transferIdMax, batchMax)
    else columns[name] = column(object[name], name, Uint32Array, u32Max, batchMax)
  }
  sameLength(columns)
  return { count: (columns.id as Float64Array).length, ...columns } as unknown as TransferBatch
}

export function encodeIds(ids: Uint32Array): unknown {
  return { id: Array.from(ids) }
}

export function decodeIds(body: unknown, idsMax: number): Uint32Array {
  return column(record(body, 'body').id, 'id', Uint32Array, u32Max, idsMax)
}

export function encodeCodes(code: Uint8Array): unknown {
  return { code: Array.from(code) }
}

/** Result codes, one per item asked: `codeMax` bounds each code (resultCodeCount − 1, say). */
export function decodeCodes(body: unknown, count: number, codeMax: number): Uint8Array {
  const code = column(record(body, 'body').code, 'code', Uint8Array, codeMax, count)
  if (code.length !== count)
    throw new ProtocolError(`code: ${code.length} results for ${count} items`)
  return code
}

export function encodeBalances(balances: Balances): unknown {
  return {
    balanceFen: Array.from(balances.balanceFen),
    pendingDebitFen: Array.from(balances.pendingDebitFen),
    pendingCreditFen: Array.from(balances.pendingCreditFen),
  }
}

export function decodeBalances(body: unknown, count: number): Balances {
  const object = record(body, 'body')
  const money = (name: string) => {
    const values = fenColumn(object[name], name, count)
    if (values.length !== count)
      throw new ProtocolError(`${name}: ${values.length} values for ${count} accounts`)
    return values
  }
  return {
    balanceFen: money('balanceFen'),
    pendingDebitFen: money('pendingDebitFen'),
    pendingCreditFen: money('pendingCreditFen'),
  }
}

export function encodeTotals(totals: LedgerTotals): unknown {
  return {
    debitsFen: Array.from(totals.debitsFen),
    creditsFen: Array.from(totals.creditsFen),
    pendingCount: totals.pendingCount,
    pendingFen: totals.pendingFen,
  }
}

/**
 * The kinds the protocol first had (issue .. deposit): a service written then answers totals for
 * those ten, and `invalid_kind` for the kinds added since (welfare .. voucher).
 */
export const firstKinds = 10

export function decodeTotals(body: unknown, kinds: number): LedgerTotals {
  const object = record(body, 'body')
  const debitsFen = fenColumn(object.debitsFen, 'debitsFen', kinds)
  const creditsFen = fenColumn(object.creditsFen, 'creditsFen', kinds)
  const known = debitsFen.length
  if (known !== creditsFen.length || known < firstKinds || known > kinds)
    throw new ProtocolError(
      `debitsFen, creditsFen: one total per transfer kind (${firstKinds} to ${kinds}, the same for both)`,
    )
  // A service that knows only the first kinds answers their totals; it refused the others.
  const padded = (column: Float64Array) => {
    const out = new Float64Array(kinds)
    out.set(column)
    return out
  }
  return {
    debitsFen: padded(debitsFen),
    creditsFen: padded(creditsFen),
    pendingCount: integer(object.pendingCount, 'pendingCount', 0, Number.MAX_SAFE_INTEGER),
    pendingFen: integer(object.pendingFen, 'pendingFen', 0, Number.MAX_SAFE_INTEGER),
  }
}

function record(value: unknown, at: string): Record<string, unknown> {
  if (!isObject(value)) throw new ProtocolError(`${at}: must be a JSON object`)
  return value
}

function list(value: unknown, at: string, lengthMax: number): unknown[] {
  if (!Array.isArray(value)) throw new ProtocolError(`${at}: must be an array`)
  if (value.length > lengthMax) throw new ProtocolError(`${at}: at most ${lengthMax} items`)
  return value
}

function integer(value: unknown, at: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ProtocolError(`${at}: must be an integer from ${min} to ${max}`)
  return value
}

/** Integers from 0 to `max` (at most 2^53 − 1, so every one is exact in any of these arrays). */
function column<T extends Float64Array | Uint32Array | Uint8Array>(
  value: unknown,
  at: string,
  Type: new (length: number) => T,
  max: number,
  lengthMax: number,
): T {
  const items = list(value, at, lengthMax)
  const out = new Type(items.length)
  for (let index = 0; index < items.length; index++) {
    const item = items[index]
    if (typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item > max)
      throw new ProtocolError(`${at}[${index}]: must be an integer from 0 to ${max}`)
    out[index] = item
  }
  return out
}

/** Money columns: exact integers of fen, within ±(2^53 − 1). */
function fenColumn(value: unknown, at: string, lengthMax: number): Float64Array {
  const items = list(value, at, lengthMax)
  const out = new Float64Array(items.length)
  for (let index = 0; index < items.length; index++) {
    const item = items[index]
    if (typeof item !== 'number' || !Number.isSafeInteger(item))
      throw new ProtocolError(`${at}[${index}]: must be an integer amount of fen`)
    out[index] = item
  }
  return out
}

function sameLength(columns: Record<string, { length: number }>): void {
  const lengths = Object.entries(columns).map(([name, values]) => [name, values.length] as const)
  const first = lengths[0]?.[1] ?? 0
  const odd = lengths.find(([, length]) => length !== first)
  if (odd !== undefined)
    throw new ProtocolError(
      `${odd[0]}: ${odd[1]} items where ${lengths[0]?.[0]} has ${first}; every column has one item per row`,
    )
}
