/**
 * The redis ledger's Lua: the rules of ledgerCore.ts, run inside Redis, one script call per
 * batch. Redis runs a script alone (nothing else runs meanwhile), so a batch applies atomically,
 * and the call's answer is stored by the same script that applies it: a retry finds it.
 *
 * The keys of one ledger share the hash tag `{<key>}`, so they sit in one Redis Cluster slot and a
 * script may touch them all (every one a script touches is declared in KEYS):
 *
 *   {k}:meta       hash   format marker, sessions, session, accountsMax, pendingMax, utcOffsetMinutes, tiers,
 *                         transferIdMax (the highest transfer id stored); while a run holds the ledger
 *                         (ledgerLease.ts), its lease id, its name (holder) and since when (leaseSince, the
 *                         server's clock, seconds since 1970)
 *   {k}:alive      string the holder's lease id, expiring unless the holder renews it: a holder whose key
 *                         lapsed is gone (crashed, or cut off from the server)
 *   {k}:accounts   hash   account id → 40-byte record (accountFormat)
 *   {k}:runs       hash   first id of a run → the records of transfers accepted as plain, post or void with
 *                         consecutive ids in one batch, 23 bytes each (the state byte, applied, and the body)
 *   {k}:runstarts  zset   the first id of each run, scored by it: the run holding an id is the last at or below it
 *   {k}:transfers  hash   transfer id → the record of any other: one accepted as pending (state byte, body,
 *                         deadline, day and year; the state changes when it is posted, voided or expired), or a
 *                         plain record whose run would be shorter than runLengthMin (ids that do not follow)
 *   {k}:deadlines  zset   pending transfer id, scored by its deadline (only those that have one)
 *   {k}:totals     hash   debit:<kind>, credit:<kind>, pendingCount, pendingFen, as decimal integers
 *   {k}:call:<s>   hash   session s's last call: its number and its answer
 *
 * Ids are hash fields (and deadline members) as their 4 little-endian bytes, sliced from the rows
 * as they came: `HGET {citytwin}:accounts "\x2a\x00\x00\x00"` finds account 42. Decimal names would
 * cost a number-to-text conversion in Redis for every field a batch reads or writes, six per
 * transfer, about a tenth of the script's time.
 *
 * Columns travel as little-endian binary strings, one fixed-width row per transfer (or account),
 * read with `struct.unpack`. Money is integer fen in Lua numbers (doubles), exact below 2^53 as in
 * TypeScript; the overflow checks are the memory ledger's, in the same arithmetic. A script reads
 * every record a batch names with one HMGET per `fieldsPerCallMax` fields, works on Lua tables, and
 * writes back only what changed. The one exception is the deadlines set, changed as transfers are
 * accepted and settled (expiry inside a batch reads it), with undo steps journaled inside a chain.
 *
 * Result codes and states are written into the Lua as numbers (`${ResultCode.ok}` in this source):
 * a Lua function may use at most 60 outer locals, and the rules would need more than that as names.
 */
import { assert } from '../../assert.js'
import { pendingTransfersMax, transferAmountFenMax } from '../../limits.js'
import { AccountFlag, TransferFlag } from '../ledgerCore.js'
import { AccountResultCode, ResultCode } from '../resultCode.js'
import { transferKindCount } from '../transferKind.js'

/** Written into {k}:meta by open(): a namespace whose meta says otherwise is not ours to reset. */
export const formatMarker = 'citytwin-ledger 1'

/**
 * Fields per HMGET or HSET issued from Lua: its arguments pass through `unpack`, which holds at
 * most about 8,000 values on the C stack.
 */
const fieldsPerCallMax = 7_000

/**
 * One transfer row, 45 bytes, little-endian:
 *
 *   byte 0    4     5          9       13      17      21        25   26    27    29      33    37     41
 *        │ id │state│ pendingId│ debit │ credit│ amount│ timeout │kind│flags│ year│ minute│ day │ payer│ payee│
 *        │ u32│ u8  │ u32      │ u32   │ u32   │ u32   │ u32     │ u8 │ u8  │ u16 │ u32   │ i32 │ slot │ slot │
 *
 * Bytes 5..26 are the body compared for idempotency (all but the id and the minute). Bytes 4..26
 * are the record an accepted plain transfer is stored as: the state byte is always `applied`, so
 * the script stores a slice of the row instead of building a string per transfer. Day and year are
 * the minute's local simulated day and its calendar year, worked out in TypeScript
 * (engine/time/simClock.ts), so the script needs no calendar. Payer and payee slots (u32) number
 * the accounts the batch names from 1, in the order of the account ids sent with the rows.
 */
export const transferRowBytes = 45
export const transferRowFormat = '<I4BI4I4I4I4I4BBHI4i4I4I4'
/** Where a plain transfer's record starts in its row, and where its body starts and ends (0-based, inclusive). */
const recordFirstByte = 4
const bodyFirstByte = 5
const bodyLastByte = 26
const bodyBytes = bodyLastByte - bodyFirstByte + 1
/** The record of a transfer accepted as plain, post or void: the state byte (applied) and the body. */
const plainRecordBytes = 1 + bodyBytes
/** Where the ids start in a row, and the debit and credit ids in a stored record (0-based; 4 bytes each). */
const pendingIdFirstByte = 5
const debitFirstByte = 9
const creditFirstByte = 13
const recordDebitFirstByte = 5
const recordCreditFirstByte = 9

/** What became of a transfer: the first byte of its record. */
export const TransferState = { applied: 1, pending: 2, posted: 3, voided: 4, expired: 5 } as const

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
const accountFormat = '<BBdddi4I4HI4'
const noDay = -2147483648

/** A transfer's record: state, the body (pendingId, debit, credit, amount, timeout, kind, flags), and for one accepted as pending its deadline (0: none), day and year. */
const transferRecordFormat = '<BI4I4I4I4I4BBdi4H'
const pendingTailFormat = '<di4H'

/** Plain records of consecutive ids stored as one run, from this many; fewer go into the transfers hash one by one. */
const runLengthMin = 4
/** Due pending transfers expired per ZRANGEBYSCORE page. */
const expiryPageMax = 1_000
/** Result codes turned into bytes per string.char call (its arguments pass through the C stack too). */
const codesPerCharCall = 4_096

assert(transferRowBytes === 4 + 1 + 4 * 5 + 1 + 1 + 2 + 4 + 4 + 4 * 2, 'the transfer row layout adds up')
assert(bodyBytes === 22 && recordFirstByte === bodyFirstByte - 1, 'a plain record is the state byte and the body')
assert(pendingIdFirstByte === bodyFirstByte && debitFirstByte === bodyFirstByte + 4 && creditFirstByte === bodyFirstByte + 8, 'the body starts with the pending id, the debit and the credit')
assert(recordDebitFirstByte === debitFirstByte - recordFirstByte && recordCreditFirstByte === creditFirstByte - recordFirstByte, 'a record is the row from its state byte on')
assert(accountRecordBytes === 1 + 1 + 8 * 3 + 4 + 4 + 2 + 4, 'the account record layout adds up')
assert(transferAmountFenMax < 2 ** 32 && pendingTransfersMax < 2 ** 31, 'amounts and counts fit the rows')
assert(AccountFlag.issuer === 1 && AccountFlag.frozen === 2, 'the script reads the account flags as bits 0 and 1')
assert(TransferFlag.linked === 1 && TransferFlag.pending === 2 && TransferFlag.postPending === 4 && TransferFlag.voidPending === 8, 'the script reads the transfer flags as bits 0..3')

/** What every script starts with: the meta key, and helpers for chunked reads and writes. */
const prelude = `
local metaKey = KEYS[1]
local formatMarker = '${formatMarker}'
local fieldsPerCallMax = ${fieldsPerCallMax}

-- Refuses a call unless the ledger is still here and still this session's: a server restarted
-- without persistence has lost it, and another run's open() has taken it over and reset it (the
-- reply names who holds it now and since when, '-' for nobody).
local function sessionFailure(session)
  local format, current, holder, since = unpack(redis.call('HMGET', metaKey, 'format', 'session', 'holder', 'leaseSince'))
  if format ~= formatMarker then
    return redis.error_reply('CITYTWIN_GONE ' .. metaKey .. ' is gone')
  end
  if current ~= session then
    return redis.error_reply('CITYTWIN_REOPENED ' .. (since or '-') .. ' ' .. (holder or ''))
  end
  return nil
end

-- The answer stored for this call number if an earlier attempt of the call applied (its answer was
-- lost on the way back): the retry gets that answer and applies nothing.
local function storedAnswer(callKey, number)
  local stored, answer = unpack(redis.call('HMGET', callKey, 'number', 'answer'))
  if not stored then return nil end
  stored = tonumber(stored)
  if stored == number then return answer end
  if stored > number then error('call ' .. number .. ' came after call ' .. stored .. ' of its session') end
  return nil
end

-- into[key] = the field's value, or false, for every key in the list.
local function readFields(key, ids, into)
  for from = 1, #ids, fieldsPerCallMax do
    local to = math.min(#ids, from + fieldsPerCallMax - 1)
    local values = redis.call('HMGET', key, unpack(ids, from, to))
    for index = from, to do into[ids[index]] = values[index - from + 1] end
  end
end

-- HSET of the first n values of flat, field, value, field, value, ...
local function writeFields(key, flat, n)
  local step = fieldsPerCallMax - fieldsPerCallMax % 2
  for from = 1, n, step do
    redis.call('HSET', key, unpack(flat, from, math.min(n, from + step - 1)))
  end
end

-- Result codes, one byte each, as one string.
local function codeString(codes, count)
  local parts = {}
  for from = 1, count, ${codesPerCharCall} do
    parts[#parts + 1] = string.char(unpack(codes, from, math.min(count, from + ${codesPerCharCall - 1})))
  end
  return table.concat(parts)
end

-- The limits of each tier from meta's "cap:perPayment:perDay:perYear,..." (0: none).
local function parseTiers(text)
  local tiers, count = {}, 0
  for cap, perPayment, perDay, perYear in string.gmatch(text, '(%d+):(%d+):(%d+):(%d+)') do
    tiers[count] = { cap = tonumber(cap), perPayment = tonumber(perPayment), perDay = tonumber(perDay), perYear = tonumber(perYear) }
    count = count + 1
  end
  return tiers, count
end
`

/**
 * open(): KEYS = meta, alive, then every other key of the namespace (found by SCAN); ARGV =
 * accountsMax, pendingMax, utcOffsetMinutes, tiers, lease id, holder, lease ttl ms, take over ('1'
 * or '0'). Refuses a namespace that is not a citytwin ledger, and a ledger another run holds: one
 * whose holder is alive always (CITYTWIN_HELD), one whose holder let its key lapse unless told to
 * take it over (CITYTWIN_STALE), each with since when and who. Otherwise deletes the namespace,
 * starts an empty ledger under the next session number, which it returns, and holds it.
 */
export const openScript = `${prelude}
local aliveKey = KEYS[2]
local format = redis.call('HGET', metaKey, 'format')
if (format or #KEYS > 2 or redis.call('EXISTS', aliveKey) == 1) and format ~= formatMarker then
  return redis.error_reply('CITYTWIN_FOREIGN ' .. (#KEYS - 2) .. ' keys, and ' .. metaKey .. ' says format ' .. tostring(format))
end
local lease, holder, since = unpack(redis.call('HMGET', metaKey, 'lease', 'holder', 'leaseSince'))
-- (A lease of this id is this open's own: an attempt that applied, and whose answer was lost.)
if lease and lease ~= ARGV[5] then
  if redis.call('EXISTS', aliveKey) == 1 then
    return redis.error_reply('CITYTWIN_HELD ' .. (since or '-') .. ' ' .. tostring(holder))
  end
  if ARGV[8] ~= '1' then
    return redis.error_reply('CITYTWIN_STALE ' .. (since or '-') .. ' ' .. tostring(holder))
  end
end
-- Session numbers go on across resets, so a client of the run before cannot pass for this one.
local session = tonumber(redis.call('HGET', metaKey, 'sessions') or '0') + 1
for from = 3, #KEYS, fieldsPerCallMax do
  redis.call('UNLINK', unpack(KEYS, from, math.min(#KEYS, from + fieldsPerCallMax - 1)))
end
redis.call('DEL', metaKey)
redis.call('HSET', metaKey, 'format', formatMarker, 'sessions', session, 'session', session,
  'accountsMax', ARGV[1], 'pendingMax', ARGV[2], 'utcOffsetMinutes', ARGV[3], 'tiers', ARGV[4],
  'lease', ARGV[5], 'holder', ARGV[6], 'leaseSince', redis.call('TIME')[1])
redis.call('SET', aliveKey, ARGV[5], 'PX', ARGV[7])
return session
`

/**
 * The holder's heartbeat: KEYS = meta, alive; ARGV = lease id, lease ttl ms. Renews the alive key
 * while the ledger is this lease's; otherwise answers who holds it now, as a call would.
 */
export const heartbeatScript = `${prelude}
local format, lease, holder, since = unpack(redis.call('HMGET', metaKey, 'format', 'lease', 'holder', 'leaseSince'))
if format ~= formatMarker then
  return redis.error_reply('CITYTWIN_GONE ' .. metaKey .. ' is gone')
end
if lease ~= ARGV[1] then
  return redis.error_reply('CITYTWIN_REOPENED ' .. (since or '-') .. ' ' .. (holder or ''))
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
`

/** close(): KEYS = meta, alive; ARGV = lease id. Lets the ledger go if it is still this lease's; the data stays. */
export const releaseScript = `${prelude}
if redis.call('HGET', metaKey, 'lease') ~= ARGV[1] then return 0 end
redis.call('HDEL', metaKey, 'lease', 'holder', 'leaseSince')
redis.call('DEL', KEYS[2])
return 1
`

/**
 * createAccounts: KEYS = meta, accounts, call; ARGV = session, call number, rows. Codes as
 * ledgerState.createAccounts: id_out_of_range, invalid_flags, invalid_tier, exists, created.
 */
export const createAccountsScript = `${prelude}
local accountsKey, callKey = KEYS[2], KEYS[3]
local session, number, rows = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local failure = sessionFailure(session)
if failure then return failure end
local answer = storedAnswer(callKey, number)
if answer then return answer end

local accountsMax, tiers = unpack(redis.call('HMGET', metaKey, 'accountsMax', 'tiers'))
accountsMax = tonumber(accountsMax)
local _, tierCount = parseTiers(tiers)

local count = #rows / ${accountRowBytes}
local ids, keys, tierOf, flagsOf = {}, {}, {}, {}
local known, distinct = {}, {}
for index = 1, count do
  local at = (index - 1) * ${accountRowBytes}
  local id, tier, flags = struct.unpack('${accountRowFormat}', rows, at + 1)
  local key = string.sub(rows, at + 1, at + 4)
  ids[index], keys[index], tierOf[index], flagsOf[index] = id, key, tier, flags
  if id < accountsMax and known[key] == nil then
    known[key] = false
    distinct[#distinct + 1] = key
  end
end
readFields(accountsKey, distinct, known)

local codes, created, n = {}, {}, 0
for index = 1, count do
  local id, key, tier, flags = ids[index], keys[index], tierOf[index], flagsOf[index]
  if id >= accountsMax then codes[index] = ${AccountResultCode.id_out_of_range}
  elseif flags >= 4 then codes[index] = ${AccountResultCode.invalid_flags}
  elseif tier >= tierCount then codes[index] = ${AccountResultCode.invalid_tier}
  elseif known[key] then codes[index] = ${AccountResultCode.exists}
  else
    -- A record with no money and counters on no day; marked known, so a repeat in this batch exists.
    known[key] = struct.pack('${accountFormat}', tier, flags, 0, 0, 0, ${noDay}, 0, 0, 0)
    created[n + 1], created[n + 2], n = key, known[key], n + 2
    codes[index] = ${AccountResultCode.created}
  end
end
writeFields(accountsKey, created, n)
answer = codeString(codes, count)
redis.call('HSET', callKey, 'number', number, 'answer', answer)
return answer
`

/**
 * submit: KEYS = meta, accounts, transfers, runs, runstarts, deadlines, totals, call; ARGV =
 * session, call number, rows, account ids (the accounts the rows name, 4 bytes each, in slot
 * order), and the lowest transfer id the rows name (ids and pending ids). Returns one result code
 * byte per transfer. Follows engine/ledger/memory/ledgerState.ts step by step.
 *
 * Speed: this runs for every transfer of a run, inside the one thread of Redis, and what costs is
 * memory: every allocation is also work for Lua's garbage collector. So:
 *   - TypeScript numbers the accounts a batch names (slots, in the rows); the script keeps each
 *     account's record as the packed string Redis holds, unpacks it into locals where a transfer
 *     needs it, and packs a new one when the transfer is accepted (a table of fields per account,
 *     or a column per field, allocated several times what the records themselves take);
 *   - only transfer ids at or below the highest ever stored (meta's transferIdMax) are looked up:
 *     the run numbers its transfers upwards, so a fresh batch looks up none;
 *   - plain records of consecutive ids go into one run, one field for a whole batch instead of a
 *     field per transfer (a field is a hash entry to insert: the costliest step left after the
 *     accounts' reads and writes, and most of the ledger's memory);
 *   - tables are keyed by ids as numbers; 4-byte keys are sliced from the rows only for the
 *     fields Redis reads and writes; library functions are locals (a global costs two lookups).
 */
export const submitScript = `${prelude}
local accountsKey, transfersKey, runsKey, runStartsKey, deadlinesKey, totalsKey, callKey = KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local session, number, rows, accountIds, idLow = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5])
local failure = sessionFailure(session)
if failure then return failure end
local answer = storedAnswer(callKey, number)
if answer then return answer end

local call, unpackStruct, packStruct = redis.call, struct.unpack, struct.pack
local sub, byte, char, min = string.sub, string.byte, string.char, math.min
local accountFormat = '${accountFormat}'
local safeMax = 9007199254740991
-- Flags with at most one of pending (2), post (4), void (8), and no unknown bit, by flags less the linked bit.
local onePhase = { [0] = true, [2] = true, [4] = true, [8] = true }

local accountsMax, pendingMax, tierText, transferIdMax = unpack(call('HMGET', metaKey, 'accountsMax', 'pendingMax', 'tiers', 'transferIdMax'))
accountsMax, pendingMax, transferIdMax = tonumber(accountsMax), tonumber(pendingMax), tonumber(transferIdMax or '-1')
local tiers = parseTiers(tierText)

-- Totals by kind (indexed kind + 1), and the pending transfers held and what they reserve.
local totalFields = {}
for kind = 1, ${transferKindCount} do
  totalFields[kind] = 'debit:' .. (kind - 1)
  totalFields[${transferKindCount} + kind] = 'credit:' .. (kind - 1)
end
totalFields[${2 * transferKindCount + 1}] = 'pendingCount'
totalFields[${2 * transferKindCount + 2}] = 'pendingFen'
local totalValues = call('HMGET', totalsKey, unpack(totalFields))
local debits, credits = {}, {}
for kind = 1, ${transferKindCount} do
  debits[kind] = tonumber(totalValues[kind] or '0')
  credits[kind] = tonumber(totalValues[${transferKindCount} + kind] or '0')
end
local pendingCount = tonumber(totalValues[${2 * transferKindCount + 1}] or '0')
local pendingFen = tonumber(totalValues[${2 * transferKindCount + 2}] or '0')

local count = #rows / ${transferRowBytes}

-- Accounts by slot: key (the id's 4 bytes) and record (false: no such account).
local keyAt, recordAt = {}, {}
local slots = #accountIds / 4
for slot = 1, slots do keyAt[slot] = sub(accountIds, slot * 4 - 3, slot * 4) end
local function loadSlots(from, to)
  local records = call('HMGET', accountsKey, unpack(keyAt, from, to))
  for slot = from, to do recordAt[slot] = records[slot - from + 1] end
end
for from = 1, slots, fieldsPerCallMax do loadSlots(from, min(slots, from + fieldsPerCallMax - 1)) end

-- The slot of an account by its key, for a pending transfer's accounts; one the batch does not name
-- (a pending transfer that expires) is read now. The index is built when first needed.
local slotOf = nil
local function slotFor(key)
  if slotOf == nil then
    slotOf = {}
    for slot = 1, slots do slotOf[keyAt[slot]] = slot end
  end
  local slot = slotOf[key]
  if slot ~= nil then return slot end
  slots = slots + 1
  slotOf[key], keyAt[slots] = slots, key
  loadSlots(slots, slots)
  return slots
end

-- Transfer records by id (false: never accepted). Read up front: those the rows name that may be
-- stored (at or below transferIdMax; none when the lowest id the rows name, idLow, is above it).
-- Any other is either one the batch stored, or read when reached.
local transferRaw = {}
local lookups, looked = {}, 0
for index = 1, idLow <= transferIdMax and count or 0 do
  local at = (index - 1) * ${transferRowBytes}
  local id, _, pendingId = unpackStruct('<I4BI4', rows, at + 1)
  if id <= transferIdMax then
    looked = looked + 1
    lookups[looked] = sub(rows, at + 1, at + 4)
  end
  if pendingId ~= 0 and pendingId <= transferIdMax then
    looked = looked + 1
    lookups[looked] = sub(rows, at + ${pendingIdFirstByte + 1}, at + ${pendingIdFirstByte + 4})
  end
end
-- The record of stored transfer id from the runs, or false: the run that starts at or before id is
-- read once (the last one read is kept: a retried batch asks for its ids in order).
local runFirst, runEnd, runRecords = 0, 0, ''
local function runRecord(id)
  if id < runFirst or id >= runEnd then
    local found = call('ZREVRANGEBYSCORE', runStartsKey, id, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
    if #found == 0 then return false end
    runRecords = call('HGET', runsKey, found[1])
    runFirst = tonumber(found[2])
    runEnd = runFirst + #runRecords / ${plainRecordBytes}
    if id >= runEnd then return false end
  end
  local at = (id - runFirst) * ${plainRecordBytes}
  return sub(runRecords, at + 1, at + ${plainRecordBytes})
end
for from = 1, looked, fieldsPerCallMax do
  local to = min(looked, from + fieldsPerCallMax - 1)
  local records = call('HMGET', transfersKey, unpack(lookups, from, to))
  for index = from, to do
    local id = unpackStruct('<I4', lookups[index])
    transferRaw[id] = records[index - from + 1] or runRecord(id)
  end
end
local function transferRecord(id, key)
  local record = transferRaw[id]
  if record ~= nil then return record end
  record = false
  if id <= transferIdMax then record = call('HGET', transfersKey, key) or runRecord(id) end
  transferRaw[id] = record
  return record
end

-- Records to write. A plain record (applied, never to change) joins the run of consecutive ids
-- being built, stored whole when the next id does not follow; any other goes to the transfers
-- hash, as field, value pairs sent every fieldsPerCallMax values. Inside a linked chain, records
-- wait in chainWrites until the chain closes: a failed chain writes none.
local writes, written, storedIdMax = {}, 0, transferIdMax
local runParts, runLength, runStart = {}, 0, 0
local chainWrites = nil
local function flushWrites()
  if written > 0 then call('HSET', transfersKey, unpack(writes, 1, written)) end
  written = 0
end
local function writeField(id, record)
  writes[written + 1], writes[written + 2] = packStruct('<I4', id), record
  written = written + 2
  if written >= fieldsPerCallMax then flushWrites() end
end
-- A run too short to pay for its two calls (ids that do not follow each other) goes into the hash.
local function flushRun()
  if runLength >= ${runLengthMin} then
    local startKey = packStruct('<I4', runStart)
    call('HSET', runsKey, startKey, table.concat(runParts, '', 1, runLength))
    call('ZADD', runStartsKey, runStart, startKey)
  else
    for offset = 1, runLength do writeField(runStart + offset - 1, runParts[offset]) end
  end
  runLength = 0
end
local function write(id, record)
  if id > storedIdMax then storedIdMax = id end
  if #record == ${plainRecordBytes} and byte(record, 1) == ${TransferState.applied} then
    if runLength == 0 or id ~= runStart + runLength then
      flushRun()
      runStart = id
    end
    runLength = runLength + 1
    runParts[runLength] = record
    return
  end
  writeField(id, record)
end

-- Slots whose record changed, to write back at the end.
local changedAt = {}
-- While a linked chain is evaluated: how to undo each change, newest last (nil outside a chain).
local journal = nil

-- Marks a slot to be written and, inside a chain, journals its record to put back if the chain fails.
local function keep(slot)
  changedAt[slot] = true
  if journal == nil then return end
  local before = recordAt[slot]
  journal[#journal + 1] = function() recordAt[slot] = before end
end

-- Sets a transfer's record, to be written (inside a chain, once the chain has applied).
local function setTransfer(id, record)
  if journal == nil then
    transferRaw[id] = record
    write(id, record)
    return
  end
  local before = transferRaw[id]
  journal[#journal + 1] = function() transferRaw[id] = before end
  transferRaw[id] = record
  chainWrites[#chainWrites + 1] = id
end

-- The earliest deadline of a pending transfer held, or math.huge.
local function nextDeadline()
  local first = call('ZRANGE', deadlinesKey, 0, 0, 'WITHSCORES')
  if #first == 0 then return math.huge end
  return tonumber(first[2])
end
local nextExpiry = nextDeadline()

-- A pending transfer's deadline goes into, or out of, the deadlines set at once (expiry reads it).
local function holdPending(key, amount, deadline)
  pendingCount = pendingCount + 1
  pendingFen = pendingFen + amount
  if deadline == 0 then return end
  call('ZADD', deadlinesKey, deadline, key)
  if deadline < nextExpiry then nextExpiry = deadline end
  if journal ~= nil then journal[#journal + 1] = function() call('ZREM', deadlinesKey, key) end end
end

local function releasePending(key, amount, deadline)
  pendingCount = pendingCount - 1
  pendingFen = pendingFen - amount
  if deadline == 0 then return end
  call('ZREM', deadlinesKey, key)
  if journal ~= nil then journal[#journal + 1] = function() call('ZADD', deadlinesKey, deadline, key) end end
end

-- Ends the reservation of a pending transfer: posted of it posts, the rest goes back to the payer's
-- day and year spending if its counters are still on the pending transfer's day and year.
local function settle(id, key, record, posted, endState)
  local _, _, _, _, reserved, _, kind, _, deadline, pendingDay, pendingYear = unpackStruct('${transferRecordFormat}', record)
  local payer = slotFor(sub(record, ${recordDebitFirstByte + 1}, ${recordDebitFirstByte + 4}))
  local payee = slotFor(sub(record, ${recordCreditFirstByte + 1}, ${recordCreditFirstByte + 4}))
  if posted < 0 or posted > reserved then error('a post takes at most what is reserved') end
  keep(payer)
  keep(payee)
  local tier, flags, balance, pendingDebit, pendingCredit, day, spentDay, year, spentYear = unpackStruct(accountFormat, recordAt[payer])
  local unposted = reserved - posted
  if unposted > 0 and tier ~= 0 then
    local limits = tiers[tier]
    if limits.perDay ~= 0 and day == pendingDay then spentDay = spentDay - min(unposted, spentDay) end
    if limits.perYear ~= 0 and year == pendingYear then spentYear = spentYear - min(unposted, spentYear) end
  end
  balance, pendingDebit = balance - posted, pendingDebit - reserved
  if pendingDebit < 0 or (balance < 0 and flags % 2 == 0) then error('a settled reservation leaves account ' .. unpackStruct('<I4', keyAt[payer]) .. ' short') end
  recordAt[payer] = packStruct(accountFormat, tier, flags, balance, pendingDebit, pendingCredit, day, spentDay, year, spentYear)
  tier, flags, balance, pendingDebit, pendingCredit, day, spentDay, year, spentYear = unpackStruct(accountFormat, recordAt[payee])
  balance, pendingCredit = balance + posted, pendingCredit - reserved
  if pendingCredit < 0 then error('reservations never go below zero') end
  recordAt[payee] = packStruct(accountFormat, tier, flags, balance, pendingDebit, pendingCredit, day, spentDay, year, spentYear)
  debits[kind + 1] = debits[kind + 1] + posted
  credits[kind + 1] = credits[kind + 1] + posted
  releasePending(key, reserved, deadline)
  setTransfer(id, char(endState) .. sub(record, 2))
end

-- Pending transfers whose deadline is at or before minute expire.
local function expire(minute)
  if journal ~= nil then error('expiry happens between chains, never inside one') end
  repeat
    local due = call('ZRANGEBYSCORE', deadlinesKey, '-inf', minute, 'LIMIT', 0, ${expiryPageMax})
    for _, key in ipairs(due) do
      local id = unpackStruct('<I4', key)
      local record = transferRecord(id, key)
      if not record or byte(record, 1) ~= ${TransferState.pending} then error('transfer ' .. id .. ' has a deadline but is not pending') end
      settle(id, key, record, 0, ${TransferState.expired})
    end
  until #due < ${expiryPageMax}
  nextExpiry = nextDeadline()
end

-- A post or a void of pending transfer pendingId (step 8 of the rules).
local function resolve(at, id, pendingId, debit, credit, amount, kind, minute, posting)
  local pendingKey = sub(rows, at + ${pendingIdFirstByte + 1}, at + ${pendingIdFirstByte + 4})
  local record = transferRecord(pendingId, pendingKey)
  if not record then return ${ResultCode.pending_not_found} end
  local state = byte(record, 1)
  if state == ${TransferState.applied} then return ${ResultCode.pending_not_found} end
  if state == ${TransferState.posted} then return ${ResultCode.pending_already_posted} end
  if state == ${TransferState.voided} then return ${ResultCode.pending_already_voided} end
  if state == ${TransferState.expired} then return ${ResultCode.pending_expired} end
  local _, _, heldDebit, heldCredit, reserved, _, heldKind, _, deadline = unpackStruct('${transferRecordFormat}', record)
  if deadline ~= 0 and deadline <= minute then return ${ResultCode.pending_expired} end
  if heldDebit ~= debit or heldCredit ~= credit or heldKind ~= kind then return ${ResultCode.pending_mismatch} end
  if posting then
    if amount > reserved then return ${ResultCode.exceeds_pending_amount} end
  elseif amount ~= 0 and amount ~= reserved then
    return ${ResultCode.exceeds_pending_amount}
  end

  local posted = 0
  if posting then
    posted = amount
    if amount == 0 then posted = reserved end
  end
  settle(pendingId, pendingKey, record, posted, posting and ${TransferState.posted} or ${TransferState.voided})
  setTransfer(id, sub(rows, at + ${recordFirstByte + 1}, at + ${bodyLastByte + 1}))
  return ${ResultCode.ok}
end

-- One transfer (its row starts after byte at), every check in ledgerCore.ts's order; it moves money only when the code is ok.
local function apply(at, id, pendingId, debit, credit, amount, timeout, kind, flags, year, minute, day, payer, payee)
  local phase = flags - flags % 2
  if flags >= 16 or not onePhase[phase] then return ${ResultCode.invalid_flags} end
  if kind >= ${transferKindCount} then return ${ResultCode.invalid_kind} end
  local held = transferRaw[id]
  if held == nil and id <= transferIdMax then held = transferRecord(id, sub(rows, at + 1, at + 4)) end
  if held then
    if sub(held, 2, ${bodyBytes + 1}) == sub(rows, at + ${bodyFirstByte + 1}, at + ${bodyLastByte + 1}) then return ${ResultCode.exists} end
    return ${ResultCode.exists_with_different_body}
  end

  -- The slots TypeScript gave must name the row's accounts (the same 4-byte string is the same Lua string).
  if keyAt[payer] ~= sub(rows, at + ${debitFirstByte + 1}, at + ${debitFirstByte + 4}) or keyAt[payee] ~= sub(rows, at + ${creditFirstByte + 1}, at + ${creditFirstByte + 4}) then
    error('the slots of row ' .. (at / ${transferRowBytes} + 1) .. ' name other accounts')
  end
  if debit >= accountsMax or credit >= accountsMax then return ${ResultCode.unknown_account} end
  local payerRecord, payeeRecord = recordAt[payer], recordAt[payee]
  if not payerRecord or not payeeRecord then return ${ResultCode.unknown_account} end
  if debit == credit then return ${ResultCode.same_account} end
  local tier, payerFlags, balance, pendingDebit, pendingCredit, spentOn, spentDay, spentIn, spentYear = unpackStruct(accountFormat, payerRecord)
  local payeeTier, payeeFlags, payeeBalance, payeePendingDebit, payeePendingCredit, payeeDay, payeeSpentDay, payeeYear, payeeSpentYear = unpackStruct(accountFormat, payeeRecord)
  if payerFlags % 4 >= 2 or payeeFlags % 4 >= 2 then return ${ResultCode.frozen} end
  if amount > ${transferAmountFenMax} then return ${ResultCode.invalid_amount} end
  if phase == 4 or phase == 8 then return resolve(at, id, pendingId, debit, credit, amount, kind, minute, phase == 4) end
  if amount == 0 then return ${ResultCode.invalid_amount} end

  -- Limits of the payer's tier, on the local day and year of the transfer (spentOn, spentIn: the
  -- day and year the payer's counters are on).
  local limits = tiers[tier]
  local spentToday, spentThisYear = 0, 0
  if tier ~= 0 then
    if limits.perPayment ~= 0 and amount > limits.perPayment then return ${ResultCode.per_payment_limit} end
    if spentOn == day then spentToday = spentDay end
    if limits.perDay ~= 0 and spentToday + amount > limits.perDay then return ${ResultCode.daily_limit} end
    if spentIn == year then spentThisYear = spentYear end
    if limits.perYear ~= 0 and spentThisYear + amount > limits.perYear then return ${ResultCode.yearly_limit} end
  end
  local available = balance - pendingDebit
  if available < amount and payerFlags % 2 == 0 then return ${ResultCode.insufficient_funds} end
  local heldFen = payeeBalance + payeePendingCredit
  if payeeTier ~= 0 then
    local cap = tiers[payeeTier].cap
    if cap ~= 0 and heldFen + amount > cap then return ${ResultCode.balance_cap} end
  end
  local reserving = phase == 2
  if reserving and pendingCount >= pendingMax then return ${ResultCode.pending_capacity} end
  -- Only the issuer's side can run past what a balance holds exactly; the payee's always can.
  if heldFen + amount > safeMax or available - amount < -safeMax then return ${ResultCode.overflows} end
  if reserving and pendingDebit + amount > safeMax then return ${ResultCode.overflows} end

  -- Accepted: from here on, nothing fails. Spending grows for pending transfers too.
  if journal == nil then
    changedAt[payer], changedAt[payee] = true, true
  else
    keep(payer)
    keep(payee)
  end
  if tier ~= 0 then
    if limits.perDay ~= 0 then spentOn, spentDay = day, spentToday + amount end
    if limits.perYear ~= 0 then spentIn, spentYear = year, spentThisYear + amount end
  end
  if reserving then
    pendingDebit, payeePendingCredit = pendingDebit + amount, payeePendingCredit + amount
    local deadline = 0
    if timeout ~= 0 then deadline = minute + timeout end
    holdPending(sub(rows, at + 1, at + 4), amount, deadline)
    setTransfer(id, char(${TransferState.pending}) .. sub(rows, at + ${bodyFirstByte + 1}, at + ${bodyLastByte + 1}) .. packStruct('${pendingTailFormat}', deadline, day, year))
  else
    balance, payeeBalance = balance - amount, payeeBalance + amount
    if balance < 0 and payerFlags % 2 == 0 then error('only the issuer goes below zero (account ' .. debit .. ')') end
    debits[kind + 1] = debits[kind + 1] + amount
    credits[kind + 1] = credits[kind + 1] + amount
    setTransfer(id, sub(rows, at + ${recordFirstByte + 1}, at + ${bodyLastByte + 1}))
  end
  recordAt[payer] = packStruct(accountFormat, tier, payerFlags, balance, pendingDebit, pendingCredit, spentOn, spentDay, spentIn, spentYear)
  recordAt[payee] = packStruct(accountFormat, payeeTier, payeeFlags, payeeBalance, payeePendingDebit, payeePendingCredit, payeeDay, payeeSpentDay, payeeYear, payeeSpentYear)
  return ${ResultCode.ok}
end

-- A chain's start: totals are saved whole (they are few), records journaled as they change.
local chainTotals = nil
local function startChain()
  journal, chainWrites = {}, {}
  chainTotals = { pendingCount = pendingCount, pendingFen = pendingFen, debits = {}, credits = {} }
  for kind = 1, ${transferKindCount} do
    chainTotals.debits[kind] = debits[kind]
    chainTotals.credits[kind] = credits[kind]
  end
end
-- The chain applied: its transfer records go to be written.
local function commitChain()
  for step = 1, #chainWrites do
    local id = chainWrites[step]
    write(id, transferRaw[id])
  end
  journal, chainWrites = nil, nil
end
-- The chain failed: its changes are undone, newest first.
local function rollBack()
  for step = #journal, 1, -1 do journal[step]() end
  pendingCount, pendingFen = chainTotals.pendingCount, chainTotals.pendingFen
  for kind = 1, ${transferKindCount} do
    debits[kind] = chainTotals.debits[kind]
    credits[kind] = chainTotals.credits[kind]
  end
  journal, chainWrites = nil, nil
  -- A pending transfer the chain settled holds its deadline again.
  nextExpiry = nextDeadline()
end

-- The batch, in order: single transfers, and linked chains all or nothing (ledgerState.submit).
local codes = {}
local chainStart, hardFailure, firstExists, existing = nil, nil, nil, 0
for index = 1, count do
  local at = (index - 1) * ${transferRowBytes}
  local id, _, pendingId, debit, credit, amount, timeout, kind, flags, year, minute, day, payer, payee = unpackStruct('${transferRowFormat}', rows, at + 1)
  local linked = flags % 2 == 1
  if chainStart == nil then
    if minute >= nextExpiry then expire(minute) end
    if linked then
      chainStart, hardFailure, firstExists, existing = index, nil, nil, 0
      startChain()
    else
      codes[index] = apply(at, id, pendingId, debit, credit, amount, timeout, kind, flags, year, minute, day, payer, payee)
    end
  end
  if chainStart ~= nil then
    if hardFailure == nil then
      local result = apply(at, id, pendingId, debit, credit, amount, timeout, kind, flags, year, minute, day, payer, payee)
      codes[index] = result
      if result == ${ResultCode.exists} then
        existing = existing + 1
        if firstExists == nil then firstExists = index end
      elseif result ~= ${ResultCode.ok} then
        hardFailure = index
      end
    else
      codes[index] = ${ResultCode.linked_event_failed}
    end
    if not linked then
      -- The chain closes here.
      local failed = hardFailure
      if failed == nil and existing > 0 and existing < index - chainStart + 1 then failed = firstExists end
      if failed == nil then
        commitChain()
      else
        rollBack()
        for member = chainStart, index do
          if member ~= failed then codes[member] = ${ResultCode.linked_event_failed} end
        end
      end
      chainStart = nil
    end
  end
end
if chainStart ~= nil then
  rollBack()
  for member = chainStart, count do codes[member] = ${ResultCode.linked_chain_open} end
end

-- Write back the rest: transfer records, changed accounts, the highest transfer id stored, the
-- totals, and the call's answer.
flushRun()
flushWrites()
local flat, n = {}, 0
for slot = 1, slots do
  if changedAt[slot] then
    flat[n + 1], flat[n + 2] = keyAt[slot], recordAt[slot]
    n = n + 2
    if n >= fieldsPerCallMax then
      writeFields(accountsKey, flat, n)
      n = 0
    end
  end
end
writeFields(accountsKey, flat, n)
if storedIdMax > transferIdMax then call('HSET', metaKey, 'transferIdMax', storedIdMax) end
n = 0
for kind = 1, ${transferKindCount} do
  flat[n + 1], flat[n + 2] = 'debit:' .. (kind - 1), string.format('%.0f', debits[kind])
  flat[n + 3], flat[n + 4] = 'credit:' .. (kind - 1), string.format('%.0f', credits[kind])
  n = n + 4
end
flat[n + 1], flat[n + 2] = 'pendingCount', string.format('%.0f', pendingCount)
flat[n + 3], flat[n + 4] = 'pendingFen', string.format('%.0f', pendingFen)
writeFields(totalsKey, flat, n + 4)

answer = codeString(codes, count)
call('HSET', callKey, 'number', number, 'answer', answer)
return answer
`

/** lookup: KEYS = meta, accounts; ARGV = session, ids (u32 each). Returns 24 bytes per id: balance, pendingDebit, pendingCredit. */
export const lookupScript = `${prelude}
local accountsKey = KEYS[2]
local failure = sessionFailure(ARGV[1])
if failure then return failure end
local idBytes = ARGV[2]
local ids = {}
for index = 1, #idBytes / 4 do ids[index] = string.sub(idBytes, index * 4 - 3, index * 4) end
local parts, none = {}, string.rep('\\0', 24)
for from = 1, #ids, fieldsPerCallMax do
  local to = math.min(#ids, from + fieldsPerCallMax - 1)
  local records = redis.call('HMGET', accountsKey, unpack(ids, from, to))
  for index = 1, to - from + 1 do
    local record = records[index]
    parts[from + index - 1] = record and string.sub(record, ${accountBalancesOffset + 1}, ${accountBalancesOffset + 24}) or none
  end
end
return table.concat(parts)
`

/** totals: KEYS = meta, totals; ARGV = session, then the fields wanted. Missing fields come back as false. */
export const totalsScript = `${prelude}
local failure = sessionFailure(ARGV[1])
if failure then return failure end
return redis.call('HMGET', KEYS[2], unpack(ARGV, 2))
`
