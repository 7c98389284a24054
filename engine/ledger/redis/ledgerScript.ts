/**
 * The redis ledger's Lua, loaded: the rules of ledgerCore.ts, run inside Redis, one script call per
 * batch. The scripts are the .lua files beside this one (prelude.lua first in each); this module
 * reads them at load and puts before each a header of the constants it names, made from the
 * TypeScript tables (scriptConstants.ts) and the layouts below. Redis runs a script alone (nothing
 * else runs meanwhile), so a batch applies atomically, and the call's answer is stored by the same
 * script that applies it: a retry finds it.
 *
 * The keys of one ledger share the hash tag `{<key>}`, so they sit in one Redis Cluster slot and a
 * script may touch them all (every one a script touches is declared in KEYS):
 *
 *   {k}:meta       hash   format marker, sessions, session, accountsMax, pendingMax, utcOffsetMinutes, tiers,
 * transferIdMax (the highest transfer id stored); while a run holds the ledger (ledgerLease.ts),
 * its lease id, its name (holder) and since when (leaseSince, the server's clock, seconds since
 * 1970)
 *   {k}:alive      string the holder's lease id, expiring unless the holder renews it: a holder whose key
 *                         lapsed is gone (crashed, or cut off from the server)
 *   {k}:accounts   hash   account id → 40-byte record (accountRecordFormat)
 *   {k}:runs       hash   first id of a run → the records of transfers accepted as plain, post or void with
 * consecutive ids in one batch, 27 bytes each (the state byte, applied, and the body)
 *   {k}:runstarts  zset   the first id of each run, scored by it: the run holding an id is the last at or below it
 *   {k}:transfers  hash   transfer id → the record of any other: one accepted as pending (state byte, body,
 * deadline, day and year; the state changes when it is posted, voided or expired), or a plain
 * record whose run would be shorter than runLengthMin (ids that do not follow)
 *   {k}:deadlines  zset   pending transfer id, scored by its deadline (only those that have one)
 *   {k}:totals     hash   debit:<kind>, credit:<kind>, pendingCount, pendingFen, as decimal integers
 *   {k}:call:<s>   hash   session s's last call: its number and its answer
 *
 * Ids are hash fields (and deadline members) as their little-endian bytes, sliced from the rows
 * as they came: an account id in 4 (u32), a transfer id in 8 (u64, below 2^53, so a Lua number
 * holds it exactly): `HGET {citytwin}:accounts "\x2a\x00\x00\x00"` finds account 42, and
 * `HGET {citytwin}:transfers "\x05\x00\x00\x00\x01\x00\x00\x00"` transfer 2^32 + 5. Decimal
 * names would cost a number-to-text conversion in Redis for every field a batch reads or writes,
 * six per transfer, about a tenth of the script's time.
 *
 * Columns travel as little-endian binary strings, one fixed-width row per transfer (or account),
 * read with `struct.unpack`. Money is integer fen in Lua numbers (doubles), exact below 2^53 as in
 * TypeScript; the overflow checks are the memory ledger's, in the same arithmetic. A script reads
 * every record a batch names with one HMGET per `fieldsPerCallMax` fields, works on Lua tables, and
 * writes back only what changed. The one exception is the deadlines set, changed as transfers are
 * accepted and settled (expiry inside a batch reads it), with undo steps journaled inside a chain.
 *
 * The header declares only the constants a script names: Lua 5.1 allows a function 200 locals,
 * and submit's own take about half of them.
 */
import { readFileSync } from 'node:fs'
import { assert } from '../../assert.js'
import { pendingTransfersMax, transferAmountFenMax, transferIdMax } from '../../limits.js'
import { AccountFlag, TransferFlag, accountFlagsKnown } from '../ledgerCore.js'
import { constantsOf, ledgerConstants, type ScriptConstant } from '../scriptConstants.js'
import { TransferState } from '../transferState.js'

/**
 * Written into {k}:meta by open(): a namespace whose meta says otherwise is not ours to reset. 2:
 * transfer ids are 8 bytes (u64) in rows, records and keys; 1 had them in 4.
 */
export const formatMarker = 'citytwin-ledger 2'
/**
 * What earlier versions wrote: such a namespace is ours too, and open() resets it as it would any
 * of ours (a ledger lives for one run: nothing of an earlier format is ever read).
 */
export const formatMarkerEarlier = 'citytwin-ledger 1'

/**
 * Fields per HMGET or HSET issued from Lua: its arguments pass through `unpack`, which holds at
 * most about 8,000 values on the C stack.
 */
const fieldsPerCallMax = 7_000

/**
 * One transfer row, 53 bytes, little-endian:
 *
 *   byte 0    8     9          17      21      25      29        33   34    35    37      41    45     49
 *        │ id │state│ pendingId│ debit │ credit│ amount│ timeout │kind│flags│ year│ minute│ day │ payer│ payee│
 *        │ u64│ u8  │ u64      │ u32   │ u32   │ u32   │ u32     │ u8 │ u8  │ u16 │ u32   │ i32 │ slot │ slot │
 *
 * Transfer ids (id, pendingId) are u64 holding integers below 2^53: Lua's numbers are doubles, and
 * struct's I8 reads and writes those exactly. Bytes 9..34 are the body compared for idempotency
 * (all but the id and the minute). Bytes 8..34
 * are the record an accepted plain transfer is stored as: the state byte is always `applied`, so
 * the script stores a slice of the row instead of building a string per transfer. Day and year are
 * the minute's local simulated day and its calendar year, worked out in TypeScript
 * (engine/time/simClock.ts), so the script needs no calendar. Payer and payee slots (u32) number
 * the accounts the batch names from 1, in the order of the account ids sent with the rows.
 */
export const transferRowBytes = 53
export const transferRowFormat = '<I8BI8I4I4I4I4BBHI4i4I4I4'
/** A transfer id as a key, and its format: the row's first bytes as they came. */
const idBytes = 8
const idFormat = '<I8'
/** A row's id, state byte and pending id, the ids looked up before a batch applies. */
const rowIdsFormat = '<I8BI8'
/**
 * Where a plain transfer's record starts in its row, and where its body starts and ends (0-based,
 * inclusive).
 */
const recordFirstByte = 8
const bodyFirstByte = 9
const bodyLastByte = 34
const bodyBytes = bodyLastByte - bodyFirstByte + 1
/**
 * The record of a transfer accepted as plain, post or void: the state byte (applied) and the body.
 */
const plainRecordBytes = 1 + bodyBytes
/**
 * Where the ids start in a row (the pending id's 8 bytes, the debit's and credit's 4), and the
 * debit and credit ids in a stored record (0-based).
 */
const pendingIdFirstByte = 9
const debitFirstByte = 17
const creditFirstByte = 21
const recordDebitFirstByte = 9
const recordCreditFirstByte = 13

/** One account row of createAccounts: id u32, tier u8, flags u8. */
export const accountRowBytes = 6
const accountRowFormat = '<I4BB'

/**
 * An account's record, 40 bytes: tier, flags, then balance and the reservations out of and into
 * it (float64 holding integer fen), then the spending counters: the local day they are on
 * (`noDay` for none) and what was spent on it, the year they are on (0 for none) and its spending.
 * Lookups read bytes 2..25 (balance, pendingDebit, pendingCredit) in TypeScript.
 */
export const accountRecordBytes = 40
export const accountBalancesOffset = 2
const accountRecordFormat = '<BBdddi4I4HI4'
const noDay = -2147483648

/**
 * A transfer's record: state, the body (pendingId, debit, credit, amount, timeout, kind, flags),
 * and for one accepted as pending its deadline (0: none), day and year.
 */
const transferRecordFormat = '<BI8I4I4I4I4BBdi4H'
const pendingTailFormat = '<di4H'

/**
 * Plain records of consecutive ids stored as one run, from this many; fewer go into the transfers
 * hash one by one.
 */
const runLengthMin = 4
/** Due pending transfers expired per ZRANGEBYSCORE page. */
const expiryPageMax = 1_000
/**
 * Result codes turned into bytes per string.char call (its arguments pass through the C stack too).
 */
const codesPerCharCall = 4_096

assert(
  transferRowBytes === idBytes + 1 + idBytes + 4 * 4 + 1 + 1 + 2 + 4 + 4 + 4 * 2,
  'the transfer row layout adds up',
)
assert(
  bodyBytes === idBytes + 4 * 4 + 2 && recordFirstByte === bodyFirstByte - 1,
  'a plain record is the state byte and the body',
)
assert(
  recordFirstByte === idBytes &&
    pendingIdFirstByte === bodyFirstByte &&
    debitFirstByte === bodyFirstByte + idBytes &&
    creditFirstByte === bodyFirstByte + idBytes + 4,
  'a row starts with the id; the body with the pending id, the debit and the credit',
)
assert(
  transferIdMax <= Number.MAX_SAFE_INTEGER && idBytes === 8,
  'a transfer id is a u64 below 2^53: exact in a Lua number',
)
assert(
  recordDebitFirstByte === debitFirstByte - recordFirstByte &&
    recordCreditFirstByte === creditFirstByte - recordFirstByte,
  'a record is the row from its state byte on',
)
assert(accountRecordBytes === 1 + 1 + 8 * 3 + 4 + 4 + 2 + 4, 'the account record layout adds up')
assert(
  transferAmountFenMax < 2 ** 32 && pendingTransfersMax < 2 ** 31,
  'amounts and counts fit the rows',
)
assert(
  [...Object.values(AccountFlag), ...Object.values(TransferFlag)].every((flag) =>
    Number.isInteger(Math.log2(flag)),
  ),
  'the scripts test each flag as one bit',
)
// createAccounts.lua reads unknown bits as flags above accountFlagsKnown: the known ones are the
// lowest.
assert(
  Number.isInteger(Math.log2(accountFlagsKnown + 1)),
  'the known account flags are the lowest bits',
)
assert(
  Object.values(TransferState).every((state) => state > 0 && state <= 0xff),
  'a transfer state fits the state byte',
)

/** The layouts and bounds above, as the scripts name them. */
const redisConstants: readonly ScriptConstant[] = constantsOf('', {
  formatMarker,
  formatMarkerEarlier,
  fieldsPerCallMax,
  transferRowBytes,
  transferRowFormat,
  idBytes,
  idFormat,
  rowIdsFormat,
  recordFirstByte,
  bodyFirstByte,
  bodyLastByte,
  bodyBytes,
  plainRecordBytes,
  pendingIdFirstByte,
  debitFirstByte,
  creditFirstByte,
  recordDebitFirstByte,
  recordCreditFirstByte,
  accountRowBytes,
  accountRowFormat,
  accountBalancesOffset,
  accountRecordFormat,
  noDay,
  transferRecordFormat,
  pendingTailFormat,
  runLengthMin,
  expiryPageMax,
  codesPerCharCall,
})

/** Every constant a script may name, by name. */
export const luaConstants: ReadonlyMap<string, number | string> = new Map(
  [...ledgerConstants, ...redisConstants].map((constant) => [constant.name, constant.value]),
)
assert(
  luaConstants.size === ledgerConstants.length + redisConstants.length,
  'no layout constant is named as a table constant',
)

/** Redis's own globals in a script. */
const redisGlobals = new Set(['KEYS', 'ARGV'])

/**
 * The UPPER_SNAKE names `source` uses outside its strings and comments (Redis's KEYS and ARGV
 * aside): the constants it expects the header to declare.
 */
export function luaConstantNames(source: string): Set<string> {
  const names = new Set<string>()
  // Long comments and strings, line comments, quoted strings, numerals, then names: the first match
  // at each place wins.
  const token =
    /--\[(=*)\[[\s\S]*?\]\1\]|--[^\n]*|\[(=*)\[[\s\S]*?\]\2\]|'(?:\\[\s\S]|[^'\\\n])*'|"(?:\\[\s\S]|[^"\\\n])*"|\d[\w.]*|[A-Za-z_]\w*/g
  for (const [text] of source.matchAll(token)) {
    if (/^[A-Z][A-Z0-9_]*$/.test(text) && !redisGlobals.has(text)) names.add(text)
  }
  return names
}

/**
 * `name = value` as a Lua local: strings are printable ASCII with no quote or backslash, so they
 * need no escapes.
 */
function luaLocal(name: string, value: number | string): string {
  if (typeof value === 'number') return `local ${name} = ${value}`
  assert(/^[ -~]*$/.test(value) && !/['\\]/.test(value), 'a Lua string constant needs no escape')
  return `local ${name} = '${value}'`
}

/** The header of the constants `names`, sorted; a name no table defines is a programmer error. */
export function luaHeader(names: Iterable<string>): string {
  const lines = [...names].sort().map((name) => {
    const value = luaConstants.get(name)
    if (value === undefined)
      throw new Error(
        `a redis ledger script names ${name}, which no TypeScript table defines (engine/ledger/scriptConstants.ts, redis/ledgerScript.ts)`,
      )
    return luaLocal(name, value)
  })
  return `-- Made from the TypeScript tables when the script was loaded (redis/ledgerScript.ts).\n${lines.join('\n')}\n`
}

/** A .lua file beside this module, as read. */
export function luaSource(file: string): string {
  return readFileSync(new URL(file, import.meta.url), 'utf8')
}

const prelude = luaSource('prelude.lua')

/** The script of `file`: its header, the prelude, then the file. */
function script(file: string): string {
  const source = `${prelude}\n${luaSource(file)}`
  return luaHeader(luaConstantNames(source)) + source
}

// Each file opens with what its script is for and what it is given (KEYS and ARGV).
export const openScript = script('open.lua')
export const heartbeatScript = script('heartbeat.lua')
export const releaseScript = script('release.lua')
export const createAccountsScript = script('createAccounts.lua')
export const submitScript = script('submit.lua')
export const lookupScript = script('lookup.lua')
export const totalsScript = script('totals.lua')
