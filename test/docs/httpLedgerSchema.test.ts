/**
 * docs/http-ledger.schema.json against the protocol's own code (engine/ledger/http/protocol.ts):
 * what the encoders write fits the schema, what the decoders refuse the schema refuses too, and the
 * schema's bounds are the engine's. A small checker of the keywords the schema uses does the
 * checking, so the docs need no dependency.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  ResultCode,
  TransferFlag,
  TransferKind,
  ledgerResultCodeMaxV1,
  transferKindCount,
} from '../../engine/ledger/index.js'
import {
  ProtocolError,
  decodeAccounts,
  decodeBalances,
  decodeCodes,
  decodeIds,
  decodeOptions,
  decodeTotals,
  decodeTransfers,
  encodeAccounts,
  encodeBalances,
  encodeCodes,
  encodeSession,
  encodeIds,
  encodeOptions,
  encodeTotals,
  encodeTransfers,
  firstKinds,
  httpAccountsPerCallMax,
} from '../../engine/ledger/http/protocol.js'
import {
  accountsMax,
  lookupBatchMax,
  transferBatchMax,
  walletTiersMax,
} from '../../engine/limits.js'
import {
  accounts,
  tiers,
  transfers,
  utcOffsetMinutes,
  type TransferRow,
} from '../engine/ledger/conformance/harness.js'

// ---- The checker: the subset of JSON Schema (draft 2020-12) that the schema uses. ----

interface Schema {
  readonly description?: string
  readonly type?: string
  readonly properties?: Readonly<Record<string, Schema>>
  readonly required?: readonly string[]
  readonly additionalProperties?: boolean
  readonly items?: Schema
  readonly minItems?: number
  readonly maxItems?: number
  readonly minimum?: number
  readonly maximum?: number
}

/**
 * Any other keyword is refused: a checker that skipped a rule it did not know would pass bodies it
 * should not.
 */
const keywordsKnown = new Set([
  'description',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
])

/**
 * Where `value` breaks `schema`, one `path: why` line each; none when it fits. `closed` treats
 * every object as `additionalProperties: false`, to prove the schema names every field a body
 * carries.
 */
function violations(schema: Schema, value: unknown, closed = false, at = 'body'): string[] {
  const unknown = Object.keys(schema).filter((keyword) => !keywordsKnown.has(keyword))
  if (unknown.length > 0) throw new Error(`${at}: the checker does not know ${unknown.join(', ')}`)
  if (schema.type !== undefined && !hasType(value, schema.type))
    return [`${at}: must be of type ${schema.type}`]
  const found: string[] = []
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      found.push(`${at}: below the minimum ${schema.minimum}`)
    if (schema.maximum !== undefined && value > schema.maximum)
      found.push(`${at}: above the maximum ${schema.maximum}`)
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      found.push(`${at}: fewer than ${schema.minItems} items`)
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      found.push(`${at}: more than ${schema.maxItems} items`)
    const items = schema.items
    if (items !== undefined)
      value.forEach((item, index) =>
        found.push(...violations(items, item, closed, `${at}[${index}]`)),
      )
  } else if (isPlainObject(value)) {
    for (const name of schema.required ?? [])
      if (!Object.hasOwn(value, name)) found.push(`${at}.${name}: missing`)
    for (const [name, item] of Object.entries(value)) {
      const property = schema.properties?.[name]
      if (property !== undefined) found.push(...violations(property, item, closed, `${at}.${name}`))
      else if (closed || schema.additionalProperties === false)
        found.push(`${at}.${name}: not in the schema`)
    }
  }
  return found
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value)
    case 'array':
      return Array.isArray(value)
    case 'integer':
      return Number.isInteger(value)
    case 'string':
      return typeof value === 'string'
    default:
      throw new Error(`the checker does not know the type ${type}`)
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// ---- The schema. ----

const bodyNames = [
  'OpenRequest',
  'OpenResponse',
  'AccountsRequest',
  'CodesResponse',
  'TransfersRequest',
  'LookupRequest',
  'BalancesResponse',
  'TotalsRequest',
  'TotalsResponse',
  'ErrorResponse',
] as const
type BodyName = (typeof bodyNames)[number]

const schemaFile = JSON.parse(
  readFileSync(new URL('../../docs/http-ledger.schema.json', import.meta.url), 'utf8'),
) as { $schema?: unknown; $defs?: Record<string, Schema> }

function body(name: BodyName): Schema {
  const found = schemaFile.$defs?.[name]
  if (found === undefined) throw new Error(`the schema has no $defs.${name}`)
  return found
}

/** `body(name).properties[field]`, which must be there. */
function field(name: BodyName, fieldName: string): Schema {
  const found = body(name).properties?.[fieldName]
  if (found === undefined) throw new Error(`$defs.${name} has no property ${fieldName}`)
  return found
}

// ---- Bodies as the engine writes them. ----

/** 2026-11-23T09:00+08:00, minutes since the epoch. */
const nineAm = Date.parse('2026-11-23T09:00:00+08:00') / 60_000
const u32Max = 0xffff_ffff
const fenMax = Number.MAX_SAFE_INTEGER

const dayRows: TransferRow[] = [
  { id: 1, debit: 0, credit: 1, amountFen: 100_000_000, kind: TransferKind.issue, minute: nineAm },
  { id: 2, debit: 1, credit: 3, amountFen: 150_000, kind: TransferKind.topup, minute: nineAm },
  { id: 3, debit: 3, credit: 2, amountFen: 1_250, kind: TransferKind.retail, minute: nineAm + 1 },
  {
    id: 4,
    debit: 3,
    credit: 2,
    amountFen: 2_000,
    kind: TransferKind.retail,
    flags: TransferFlag.pending,
    timeoutMinutes: 30,
    minute: nineAm + 1,
  },
  {
    id: 5,
    debit: 3,
    credit: 2,
    amountFen: 0,
    kind: TransferKind.retail,
    flags: TransferFlag.postPending,
    pendingId: 4,
    minute: nineAm + 2,
  },
]
/**
 * Every column at its largest: kind and flags past the known ones travel (the ledger answers
 * invalid_kind, invalid_flags).
 */
const widestRow: TransferRow = {
  id: u32Max,
  debit: u32Max,
  credit: u32Max,
  amountFen: u32Max,
  kind: 0xff,
  flags: 0xff,
  pendingId: u32Max,
  timeoutMinutes: u32Max,
  minute: u32Max,
}

/** A full batch of `count` transfers, as the engine would send it. */
function batchOf(count: number): unknown {
  return encodeTransfers(
    transfers(
      Array.from({ length: count }, (_, index) => ({
        id: 1_000 + index,
        debit: 3,
        credit: 2,
        amountFen: 1_250,
        kind: TransferKind.retail,
        minute: nineAm,
      })),
    ),
  )
}

/** What the server answers for a body a decoder refuses: `{error}` with the decoder's message. */
function errorBody(decode: () => unknown): unknown {
  try {
    decode()
  } catch (error) {
    if (error instanceof ProtocolError) return { error: error.message }
  }
  throw new Error('the decoder accepted the body')
}

const transfersBody = encodeTransfers(transfers(dayRows)) as Record<string, unknown>

function withoutField(given: Record<string, unknown>, name: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(given).filter(([key]) => key !== name))
}

const written: readonly [string, BodyName, unknown][] = [
  [
    'the options of a city',
    'OpenRequest',
    encodeOptions({ accountsMax: 7_520, tiers, utcOffsetMinutes }),
  ],
  [
    'the largest options, with the optional fields',
    'OpenRequest',
    encodeOptions({
      accountsMax,
      tiers: Array.from({ length: walletTiersMax + 1 }, () => ({
        balanceCapFen: u32Max,
        perPaymentFen: u32Max,
        perDayFen: u32Max,
        perYearFen: u32Max,
      })),
      utcOffsetMinutes: -14 * 60,
      pendingMax: u32Max,
      transfersExpected: 0,
    }),
  ],
  [
    'accounts',
    'AccountsRequest',
    encodeAccounts(
      accounts([
        { id: 0, flags: 1 },
        { id: 1 },
        { id: 2 },
        { id: 3, tier: 1 },
        { id: u32Max, tier: 0xff, flags: 0xff },
      ]),
      0,
      5,
    ),
  ],
  [
    'a slice of accounts',
    'AccountsRequest',
    encodeAccounts(accounts(Array.from({ length: 10 }, (_, id) => ({ id }))), 4, 8),
  ],
  ['a session', 'OpenResponse', encodeSession(1)],
  [
    'result codes',
    'CodesResponse',
    encodeCodes(
      Uint8Array.of(
        ResultCode.ok,
        ResultCode.insufficient_funds,
        ResultCode.exists,
        ledgerResultCodeMaxV1,
      ),
    ),
  ],
  ['no result codes', 'CodesResponse', encodeCodes(new Uint8Array(0))],
  ['a day of transfers', 'TransfersRequest', transfersBody],
  ['the widest transfer', 'TransfersRequest', encodeTransfers(transfers([widestRow]))],
  ['a full batch of transfers', 'TransfersRequest', batchOf(transferBatchMax)],
  ['ids to look up', 'LookupRequest', encodeIds(Uint32Array.of(0, 1, 2, 3, u32Max))],
  [
    'balances, the issuer below zero',
    'BalancesResponse',
    encodeBalances({
      balanceFen: Float64Array.of(-100_000_000, 99_850_000, 1_250, -fenMax, fenMax),
      pendingDebitFen: Float64Array.of(0, 0, 0, 2_000, 0),
      pendingCreditFen: Float64Array.of(0, 0, 2_000, 0, 0),
    }),
  ],
  ['the totals request', 'TotalsRequest', {}],
  [
    'totals',
    'TotalsResponse',
    encodeTotals({
      debitsFen: Float64Array.from({ length: transferKindCount }, (_, kind) => kind * 1_000),
      creditsFen: new Float64Array(transferKindCount).fill(fenMax),
      pendingCount: 1,
      pendingFen: 2_000,
    }),
  ],
  [
    'an error',
    'ErrorResponse',
    errorBody(() => decodeTransfers({ ...transfersBody, kind: [300] }, transferBatchMax)),
  ],
]

/** Bodies a decoder refuses, each with that decoder. */
const refused: readonly [string, BodyName, unknown, (body: unknown) => unknown][] = [
  [
    'a kind of 300',
    'TransfersRequest',
    { ...transfersBody, kind: [300, 1, 2, 2, 2] },
    (given) => decodeTransfers(given, transferBatchMax),
  ],
  ['a negative id', 'LookupRequest', { id: [0, -1] }, (given) => decodeIds(given, lookupBatchMax)],
  [
    'a missing column (minute)',
    'TransfersRequest',
    withoutField(transfersBody, 'minute'),
    (given) => decodeTransfers(given, transferBatchMax),
  ],
  [
    'an amount of 12.5 fen',
    'TransfersRequest',
    { ...transfersBody, amountFen: [1, 2, 12.5, 4, 5] },
    (given) => decodeTransfers(given, transferBatchMax),
  ],
  [
    'an amount as a string',
    'TransfersRequest',
    { ...transfersBody, amountFen: ['1', 2, 3, 4, 5] },
    (given) => decodeTransfers(given, transferBatchMax),
  ],
  [
    'one transfer more than a batch holds',
    'TransfersRequest',
    batchOf(transferBatchMax + 1),
    (given) => decodeTransfers(given, transferBatchMax),
  ],
  [
    'ids as a number, not a column',
    'LookupRequest',
    { id: 5 },
    (given) => decodeIds(given, lookupBatchMax),
  ],
  ['a body that is an array', 'LookupRequest', [], (given) => decodeIds(given, lookupBatchMax)],
  [
    'an account tier of 256',
    'AccountsRequest',
    { id: [1], tier: [256], flags: [0] },
    (given) => decodeAccounts(given),
  ],
  [
    'no tier at all',
    'OpenRequest',
    { accountsMax: 10, tiers: [], utcOffsetMinutes: 480 },
    (given) => decodeOptions(given, { accountsMax, tiersMax: walletTiersMax + 1 }),
  ],
  [
    'a tier without its daily limit',
    'OpenRequest',
    {
      accountsMax: 10,
      tiers: [{ balanceCapFen: 0, perPaymentFen: 0, perYearFen: 0 }],
      utcOffsetMinutes: 480,
    },
    (given) => decodeOptions(given, { accountsMax, tiersMax: walletTiersMax + 1 }),
  ],
  [
    'a UTC offset of 15 hours',
    'OpenRequest',
    { accountsMax: 10, tiers: [tiers[0]], utcOffsetMinutes: 900 },
    (given) => decodeOptions(given, { accountsMax, tiersMax: walletTiersMax + 1 }),
  ],
  [
    'accountsMax of 0',
    'OpenRequest',
    { accountsMax: 0, tiers: [tiers[0]], utcOffsetMinutes: 480 },
    (given) => decodeOptions(given, { accountsMax, tiersMax: walletTiersMax + 1 }),
  ],
  [
    'a result code past the last',
    'CodesResponse',
    { code: [ledgerResultCodeMaxV1 + 1] },
    (given) => decodeCodes(given, 1, ledgerResultCodeMaxV1),
  ],
  [
    'a balance past 2^53 − 1',
    'BalancesResponse',
    { balanceFen: [2 ** 53], pendingDebitFen: [0], pendingCreditFen: [0] },
    (given) => decodeBalances(given, 1),
  ],
  [
    'totals for fewer kinds than the first ten',
    'TotalsResponse',
    {
      debitsFen: new Array(firstKinds - 1).fill(0),
      creditsFen: new Array(firstKinds - 1).fill(0),
      pendingCount: 0,
      pendingFen: 0,
    },
    (given) => decodeTotals(given, transferKindCount),
  ],
  [
    'a negative pending count',
    'TotalsResponse',
    {
      debitsFen: new Array(transferKindCount).fill(0),
      creditsFen: new Array(transferKindCount).fill(0),
      pendingCount: -1,
      pendingFen: 0,
    },
    (given) => decodeTotals(given, transferKindCount),
  ],
]

describe('docs/http-ledger.schema.json', () => {
  it('is JSON Schema 2020-12 with one definition per body of the protocol', () => {
    // Proves the file parses (at load) and defines exactly the ten bodies the page documents, no
    // more, no fewer.
    expect(schemaFile.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(Object.keys(schemaFile.$defs ?? {}).sort()).toEqual([...bodyNames].sort())
  })

  it.each(written)(
    'accepts %s (%s) as the encoders write it, every field declared',
    (_what, name, encoded) => {
      // Proves the encoders' output fits, with every field declared: checked closed, an undeclared
      // field would show.
      expect(violations(body(name), encoded, true)).toEqual([])
    },
  )

  it.each(refused)('refuses %s (%s), as the protocol does', (_what, name, given, decode) => {
    // Proves the schema is not looser than the decoders here: both refuse the same body.
    expect(() => decode(given)).toThrow(ProtocolError)
    expect(violations(body(name), given)).not.toEqual([])
  })

  it('has the bounds of the code: batch sizes, accounts, tiers, codes and kinds', () => {
    // Proves the schema's numbers are the engine's: a bound changed in limits.ts or protocol.ts and
    // not here fails.
    const transferColumns = Object.keys(transfersBody)
    expect(Object.keys(body('TransfersRequest').properties ?? {})).toEqual(transferColumns)
    expect(body('TransfersRequest').required).toEqual(transferColumns)
    expect(transferColumns.map((column) => field('TransfersRequest', column).maxItems)).toEqual(
      transferColumns.map(() => transferBatchMax),
    )
    expect(
      ['id', 'tier', 'flags'].map((column) => field('AccountsRequest', column).maxItems),
    ).toEqual([httpAccountsPerCallMax, httpAccountsPerCallMax, httpAccountsPerCallMax])
    expect(field('LookupRequest', 'id').maxItems).toBe(lookupBatchMax)
    expect(
      ['balanceFen', 'pendingDebitFen', 'pendingCreditFen'].map(
        (column) => field('BalancesResponse', column).maxItems,
      ),
    ).toEqual([lookupBatchMax, lookupBatchMax, lookupBatchMax])
    expect(field('CodesResponse', 'code').maxItems).toBe(
      Math.max(transferBatchMax, httpAccountsPerCallMax),
    )
    expect(field('CodesResponse', 'code').items?.maximum).toBe(ledgerResultCodeMaxV1)
    expect(field('OpenRequest', 'accountsMax').maximum).toBe(accountsMax)
    expect(field('OpenRequest', 'tiers').maxItems).toBe(walletTiersMax + 1)
    // A service written for the first ten kinds answers their totals; the client pads the rest.
    expect([
      field('TotalsResponse', 'debitsFen').minItems,
      field('TotalsResponse', 'debitsFen').maxItems,
    ]).toEqual([firstKinds, transferKindCount])
    expect([
      field('TotalsResponse', 'creditsFen').minItems,
      field('TotalsResponse', 'creditsFen').maxItems,
    ]).toEqual([firstKinds, transferKindCount])
  })
})

describe('the checker', () => {
  const integerColumn: Schema = {
    type: 'array',
    minItems: 1,
    maxItems: 2,
    items: { type: 'integer', minimum: 0, maximum: 9 },
  }
  const row: Schema = {
    type: 'object',
    required: ['a'],
    additionalProperties: false,
    properties: { a: integerColumn },
  }

  it.each([
    ['type', { a: 'x' }, 'body.a: must be of type array'],
    ['type of an item', { a: [1.5] }, 'body.a[0]: must be of type integer'],
    ['minimum', { a: [-1] }, 'body.a[0]: below the minimum 0'],
    ['maximum', { a: [10] }, 'body.a[0]: above the maximum 9'],
    ['minItems', { a: [] }, 'body.a: fewer than 1 items'],
    ['maxItems', { a: [1, 2, 3] }, 'body.a: more than 2 items'],
    ['required', {}, 'body.a: missing'],
    ['additionalProperties', { a: [1], b: 1 }, 'body.b: not in the schema'],
  ])('refuses what %s forbids', (_keyword, value, why) => {
    // Proves each keyword the schema relies on is enforced, so a body that fits has met every rule.
    expect(violations(row, { a: [1] })).toEqual([])
    expect(violations(row, value)).toEqual([why])
  })

  it('stops at a keyword it does not know instead of passing the body', () => {
    // Proves an unsupported keyword cannot be skipped in silence.
    expect(() => violations({ type: 'string', pattern: '^v1$' } as Schema, 'v1')).toThrow(
      /does not know pattern/,
    )
  })
})
