-- submit: KEYS = meta, accounts, transfers, runs, runstarts, deadlines, totals, call; ARGV =
-- session, call number, rows, account ids (the accounts the rows name, 4 bytes each, in slot
-- order), and the lowest transfer id the rows name (ids and pending ids, decimal: below 2^53, exact
-- in a Lua number). Returns one result code
-- byte per transfer. Follows engine/ledger/memory/ledgerState.ts step by step.
--
-- Speed: this runs for every transfer of a run, inside the one thread of Redis, and what costs is
-- memory: every allocation is also work for Lua's garbage collector. So:
--   - TypeScript numbers the accounts a batch names (slots, in the rows); the script keeps each
--     account's record as the packed string Redis holds, unpacks it into locals where a transfer
--     needs it, and packs a new one when the transfer is accepted (a table of fields per account,
--     or a column per field, allocated several times what the records themselves take);
--   - only transfer ids at or below the highest ever stored (meta's transferIdMax) are looked up:
--     the run numbers its transfers upwards, so a fresh batch looks up none;
--   - plain records of consecutive ids go into one run, one field for a whole batch instead of a
--     field per transfer (a field is a hash entry to insert: the costliest step left after the
--     accounts' reads and writes, and most of the ledger's memory);
--   - tables are keyed by ids as numbers; 8-byte keys are sliced from the rows only for the
--     fields Redis reads and writes; library functions are locals (a global costs two lookups).
--
-- Lua 5.1 allows a function at most 60 upvalues, and apply() uses most of them (the header's
-- constants are upvalues there too): Redis refuses the script at load once a change passes that.

local accountsKey, transfersKey, runsKey, runStartsKey, deadlinesKey, totalsKey, callKey = KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local session, number, rows, accountIds, idLow = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5])
local failure = sessionFailure(session)
if failure then return failure end
local answer = storedAnswer(callKey, number)
if answer then return answer end

local call, unpackStruct, packStruct = redis.call, struct.unpack, struct.pack
local sub, byte, char, min = string.sub, string.byte, string.char, math.min
-- Flags are tested by arithmetic (Lua 5.1 has no bit operators, and `bit.band` would be a call per
-- test): flag f, a power of two, is set in x when x % (2 * f) >= f.
-- The phase of each valid flags value: the flags less the linked bit, at most one of pending, post
-- and void. Any other value (unknown bits among them) has none.
local phaseOf = {}
for _, phase in ipairs({ 0, TRANSFER_FLAG_PENDING, TRANSFER_FLAG_POST_PENDING, TRANSFER_FLAG_VOID_PENDING }) do
  phaseOf[phase], phaseOf[phase + TRANSFER_FLAG_LINKED] = phase, phase
end
-- Whether a phase that settles a pending transfer posts it (true) or voids it (false).
local settlePosts = { [TRANSFER_FLAG_POST_PENDING] = true, [TRANSFER_FLAG_VOID_PENDING] = false }
local pendingStateByte = char(TRANSFER_STATE_PENDING)

local accountsMax, pendingMax, tierText, transferIdMax = unpack(call('HMGET', metaKey, 'accountsMax', 'pendingMax', 'tiers', 'transferIdMax'))
accountsMax, pendingMax, transferIdMax = tonumber(accountsMax), tonumber(pendingMax), tonumber(transferIdMax or '-1')
local tiers = parseTiers(tierText)

-- Totals by kind (indexed kind + 1), and the pending transfers held and what they reserve.
local totalFields = {}
for kind = 1, TRANSFER_KIND_COUNT do
  totalFields[kind] = 'debit:' .. (kind - 1)
  totalFields[TRANSFER_KIND_COUNT + kind] = 'credit:' .. (kind - 1)
end
totalFields[2 * TRANSFER_KIND_COUNT + 1] = 'pendingCount'
totalFields[2 * TRANSFER_KIND_COUNT + 2] = 'pendingFen'
local totalValues = call('HMGET', totalsKey, unpack(totalFields))
local debits, credits = {}, {}
for kind = 1, TRANSFER_KIND_COUNT do
  debits[kind] = tonumber(totalValues[kind] or '0')
  credits[kind] = tonumber(totalValues[TRANSFER_KIND_COUNT + kind] or '0')
end
local pendingCount = tonumber(totalValues[2 * TRANSFER_KIND_COUNT + 1] or '0')
local pendingFen = tonumber(totalValues[2 * TRANSFER_KIND_COUNT + 2] or '0')

local count = #rows / TRANSFER_ROW_BYTES

-- Accounts by slot: key (the id's 4 bytes) and record (false: no such account).
local keyAt, recordAt = {}, {}
local slots = #accountIds / 4
for slot = 1, slots do keyAt[slot] = sub(accountIds, slot * 4 - 3, slot * 4) end
local function loadSlots(from, to)
  local records = call('HMGET', accountsKey, unpack(keyAt, from, to))
  for slot = from, to do recordAt[slot] = records[slot - from + 1] end
end
for from = 1, slots, FIELDS_PER_CALL_MAX do loadSlots(from, min(slots, from + FIELDS_PER_CALL_MAX - 1)) end

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
  local at = (index - 1) * TRANSFER_ROW_BYTES
  local id, _, pendingId = unpackStruct(ROW_IDS_FORMAT, rows, at + 1)
  if id <= transferIdMax then
    looked = looked + 1
    lookups[looked] = sub(rows, at + 1, at + ID_BYTES)
  end
  if pendingId ~= 0 and pendingId <= transferIdMax then
    looked = looked + 1
    lookups[looked] = sub(rows, at + PENDING_ID_FIRST_BYTE + 1, at + PENDING_ID_FIRST_BYTE + ID_BYTES)
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
    runEnd = runFirst + #runRecords / PLAIN_RECORD_BYTES
    if id >= runEnd then return false end
  end
  local at = (id - runFirst) * PLAIN_RECORD_BYTES
  return sub(runRecords, at + 1, at + PLAIN_RECORD_BYTES)
end
for from = 1, looked, FIELDS_PER_CALL_MAX do
  local to = min(looked, from + FIELDS_PER_CALL_MAX - 1)
  local records = call('HMGET', transfersKey, unpack(lookups, from, to))
  for index = from, to do
    local id = unpackStruct(ID_FORMAT, lookups[index])
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
-- hash, as field, value pairs sent every FIELDS_PER_CALL_MAX values. Inside a linked chain, records
-- wait in chainWrites until the chain closes: a failed chain writes none.
local writes, written, storedIdMax = {}, 0, transferIdMax
local runParts, runLength, runStart = {}, 0, 0
local chainWrites = nil
local function flushWrites()
  if written > 0 then call('HSET', transfersKey, unpack(writes, 1, written)) end
  written = 0
end
local function writeField(id, record)
  writes[written + 1], writes[written + 2] = packStruct(ID_FORMAT, id), record
  written = written + 2
  if written >= FIELDS_PER_CALL_MAX then flushWrites() end
end
-- A run too short to pay for its two calls (ids that do not follow each other) goes into the hash.
local function flushRun()
  if runLength >= RUN_LENGTH_MIN then
    local startKey = packStruct(ID_FORMAT, runStart)
    call('HSET', runsKey, startKey, table.concat(runParts, '', 1, runLength))
    call('ZADD', runStartsKey, runStart, startKey)
  else
    for offset = 1, runLength do writeField(runStart + offset - 1, runParts[offset]) end
  end
  runLength = 0
end
local function write(id, record)
  if id > storedIdMax then storedIdMax = id end
  if #record == PLAIN_RECORD_BYTES and byte(record, 1) == TRANSFER_STATE_APPLIED then
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
  local _, _, _, _, reserved, _, kind, _, deadline, pendingDay, pendingYear = unpackStruct(TRANSFER_RECORD_FORMAT, record)
  local payer = slotFor(sub(record, RECORD_DEBIT_FIRST_BYTE + 1, RECORD_DEBIT_FIRST_BYTE + 4))
  local payee = slotFor(sub(record, RECORD_CREDIT_FIRST_BYTE + 1, RECORD_CREDIT_FIRST_BYTE + 4))
  if posted < 0 or posted > reserved then error('a post takes at most what is reserved') end
  keep(payer)
  keep(payee)
  local tier, flags, balance, pendingDebit, pendingCredit, day, spentDay, year, spentYear = unpackStruct(ACCOUNT_RECORD_FORMAT, recordAt[payer])
  local unposted = reserved - posted
  if unposted > 0 and tier ~= 0 then
    local limits = tiers[tier]
    if limits.perDay ~= 0 and day == pendingDay then spentDay = spentDay - min(unposted, spentDay) end
    if limits.perYear ~= 0 and year == pendingYear then spentYear = spentYear - min(unposted, spentYear) end
  end
  balance, pendingDebit = balance - posted, pendingDebit - reserved
  if pendingDebit < 0 or (balance < 0 and flags % (2 * ACCOUNT_FLAG_ISSUER) < ACCOUNT_FLAG_ISSUER) then error('a settled reservation leaves account ' .. unpackStruct('<I4', keyAt[payer]) .. ' short') end
  recordAt[payer] = packStruct(ACCOUNT_RECORD_FORMAT, tier, flags, balance, pendingDebit, pendingCredit, day, spentDay, year, spentYear)
  tier, flags, balance, pendingDebit, pendingCredit, day, spentDay, year, spentYear = unpackStruct(ACCOUNT_RECORD_FORMAT, recordAt[payee])
  balance, pendingCredit = balance + posted, pendingCredit - reserved
  if pendingCredit < 0 then error('reservations never go below zero') end
  recordAt[payee] = packStruct(ACCOUNT_RECORD_FORMAT, tier, flags, balance, pendingDebit, pendingCredit, day, spentDay, year, spentYear)
  debits[kind + 1] = debits[kind + 1] + posted
  credits[kind + 1] = credits[kind + 1] + posted
  releasePending(key, reserved, deadline)
  setTransfer(id, char(endState) .. sub(record, 2))
end

-- Pending transfers whose deadline is at or before minute expire.
local function expire(minute)
  if journal ~= nil then error('expiry happens between chains, never inside one') end
  repeat
    local due = call('ZRANGEBYSCORE', deadlinesKey, '-inf', minute, 'LIMIT', 0, EXPIRY_PAGE_MAX)
    for _, key in ipairs(due) do
      local id = unpackStruct(ID_FORMAT, key)
      local record = transferRecord(id, key)
      -- (%.0f: Lua 5.1 writes a number with 14 digits, and an id may have 16.)
      if not record or byte(record, 1) ~= TRANSFER_STATE_PENDING then error('transfer ' .. string.format('%.0f', id) .. ' has a deadline but is not pending') end
      settle(id, key, record, 0, TRANSFER_STATE_EXPIRED)
    end
  until #due < EXPIRY_PAGE_MAX
  nextExpiry = nextDeadline()
end

-- A post or a void of pending transfer pendingId (step 8 of the rules).
local function resolve(at, id, pendingId, debit, credit, amount, kind, minute, posting)
  local pendingKey = sub(rows, at + PENDING_ID_FIRST_BYTE + 1, at + PENDING_ID_FIRST_BYTE + ID_BYTES)
  local record = transferRecord(pendingId, pendingKey)
  if not record then return RESULT_PENDING_NOT_FOUND end
  local state = byte(record, 1)
  if state == TRANSFER_STATE_APPLIED then return RESULT_PENDING_NOT_FOUND end
  if state == TRANSFER_STATE_POSTED then return RESULT_PENDING_ALREADY_POSTED end
  if state == TRANSFER_STATE_VOIDED then return RESULT_PENDING_ALREADY_VOIDED end
  if state == TRANSFER_STATE_EXPIRED then return RESULT_PENDING_EXPIRED end
  local _, _, heldDebit, heldCredit, reserved, _, heldKind, _, deadline = unpackStruct(TRANSFER_RECORD_FORMAT, record)
  if deadline ~= 0 and deadline <= minute then return RESULT_PENDING_EXPIRED end
  if heldDebit ~= debit or heldCredit ~= credit or heldKind ~= kind then return RESULT_PENDING_MISMATCH end
  if posting then
    if amount > reserved then return RESULT_EXCEEDS_PENDING_AMOUNT end
  elseif amount ~= 0 and amount ~= reserved then
    return RESULT_EXCEEDS_PENDING_AMOUNT
  end

  local posted = 0
  if posting then
    posted = amount
    if amount == 0 then posted = reserved end
  end
  settle(pendingId, pendingKey, record, posted, posting and TRANSFER_STATE_POSTED or TRANSFER_STATE_VOIDED)
  setTransfer(id, sub(rows, at + RECORD_FIRST_BYTE + 1, at + BODY_LAST_BYTE + 1))
  return RESULT_OK
end

-- One transfer (its row starts after byte at), every check in ledgerCore.ts's order; it moves money only when the code is ok.
local function apply(at, id, pendingId, debit, credit, amount, timeout, kind, flags, year, minute, day, payer, payee)
  local phase = phaseOf[flags]
  if phase == nil then return RESULT_INVALID_FLAGS end
  if kind >= TRANSFER_KIND_COUNT or kind == TRANSFER_KIND_RECOVERY then return RESULT_INVALID_KIND end
  local held = transferRaw[id]
  if held == nil and id <= transferIdMax then held = transferRecord(id, sub(rows, at + 1, at + ID_BYTES)) end
  if held then
    if sub(held, 2, BODY_BYTES + 1) == sub(rows, at + BODY_FIRST_BYTE + 1, at + BODY_LAST_BYTE + 1) then return RESULT_EXISTS end
    return RESULT_EXISTS_WITH_DIFFERENT_BODY
  end

  -- The slots TypeScript gave must name the row's accounts (the same 4-byte string is the same Lua string).
  if keyAt[payer] ~= sub(rows, at + DEBIT_FIRST_BYTE + 1, at + DEBIT_FIRST_BYTE + 4) or keyAt[payee] ~= sub(rows, at + CREDIT_FIRST_BYTE + 1, at + CREDIT_FIRST_BYTE + 4) then
    error('the slots of row ' .. (at / TRANSFER_ROW_BYTES + 1) .. ' name other accounts')
  end
  if debit >= accountsMax or credit >= accountsMax then return RESULT_UNKNOWN_ACCOUNT end
  local payerRecord, payeeRecord = recordAt[payer], recordAt[payee]
  if not payerRecord or not payeeRecord then return RESULT_UNKNOWN_ACCOUNT end
  if debit == credit then return RESULT_SAME_ACCOUNT end
  local tier, payerFlags, balance, pendingDebit, pendingCredit, spentOn, spentDay, spentIn, spentYear = unpackStruct(ACCOUNT_RECORD_FORMAT, payerRecord)
  local payeeTier, payeeFlags, payeeBalance, payeePendingDebit, payeePendingCredit, payeeDay, payeeSpentDay, payeeYear, payeeSpentYear = unpackStruct(ACCOUNT_RECORD_FORMAT, payeeRecord)
  if payerFlags % (2 * ACCOUNT_FLAG_FROZEN) >= ACCOUNT_FLAG_FROZEN or payeeFlags % (2 * ACCOUNT_FLAG_FROZEN) >= ACCOUNT_FLAG_FROZEN then return RESULT_FROZEN end
  if amount > TRANSFER_AMOUNT_FEN_MAX then return RESULT_INVALID_AMOUNT end
  local posting = settlePosts[phase]
  if posting ~= nil then return resolve(at, id, pendingId, debit, credit, amount, kind, minute, posting) end
  if amount == 0 then return RESULT_INVALID_AMOUNT end

  -- Limits of the payer's tier, on the local day and year of the transfer (spentOn, spentIn: the
  -- day and year the payer's counters are on).
  local limits = tiers[tier]
  local spentToday, spentThisYear = 0, 0
  if tier ~= 0 then
    if limits.perPayment ~= 0 and amount > limits.perPayment then return RESULT_PER_PAYMENT_LIMIT end
    if spentOn == day then spentToday = spentDay end
    if limits.perDay ~= 0 and spentToday + amount > limits.perDay then return RESULT_DAILY_LIMIT end
    if spentIn == year then spentThisYear = spentYear end
    if limits.perYear ~= 0 and spentThisYear + amount > limits.perYear then return RESULT_YEARLY_LIMIT end
  end
  local available = balance - pendingDebit
  if available < amount and payerFlags % (2 * ACCOUNT_FLAG_ISSUER) < ACCOUNT_FLAG_ISSUER then return RESULT_INSUFFICIENT_FUNDS end
  local heldFen = payeeBalance + payeePendingCredit
  if payeeTier ~= 0 then
    local cap = tiers[payeeTier].cap
    if cap ~= 0 and heldFen + amount > cap then return RESULT_BALANCE_CAP end
  end
  local reserving = phase == TRANSFER_FLAG_PENDING
  if reserving and pendingCount >= pendingMax then return RESULT_PENDING_CAPACITY end
  -- Only the issuer's side can run past what a balance holds exactly; the payee's always can.
  if heldFen + amount > FEN_EXACT_MAX or available - amount < -FEN_EXACT_MAX then return RESULT_OVERFLOWS end
  if reserving and pendingDebit + amount > FEN_EXACT_MAX then return RESULT_OVERFLOWS end

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
    holdPending(sub(rows, at + 1, at + ID_BYTES), amount, deadline)
    setTransfer(id, pendingStateByte .. sub(rows, at + BODY_FIRST_BYTE + 1, at + BODY_LAST_BYTE + 1) .. packStruct(PENDING_TAIL_FORMAT, deadline, day, year))
  else
    balance, payeeBalance = balance - amount, payeeBalance + amount
    if balance < 0 and payerFlags % (2 * ACCOUNT_FLAG_ISSUER) < ACCOUNT_FLAG_ISSUER then error('only the issuer goes below zero (account ' .. debit .. ')') end
    debits[kind + 1] = debits[kind + 1] + amount
    credits[kind + 1] = credits[kind + 1] + amount
    setTransfer(id, sub(rows, at + RECORD_FIRST_BYTE + 1, at + BODY_LAST_BYTE + 1))
  end
  recordAt[payer] = packStruct(ACCOUNT_RECORD_FORMAT, tier, payerFlags, balance, pendingDebit, pendingCredit, spentOn, spentDay, spentIn, spentYear)
  recordAt[payee] = packStruct(ACCOUNT_RECORD_FORMAT, payeeTier, payeeFlags, payeeBalance, payeePendingDebit, payeePendingCredit, payeeDay, payeeSpentDay, payeeYear, payeeSpentYear)
  return RESULT_OK
end

-- A chain's start: totals are saved whole (they are few), records journaled as they change.
local chainTotals = nil
local function startChain()
  journal, chainWrites = {}, {}
  chainTotals = { pendingCount = pendingCount, pendingFen = pendingFen, debits = {}, credits = {} }
  for kind = 1, TRANSFER_KIND_COUNT do
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
  for kind = 1, TRANSFER_KIND_COUNT do
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
  local at = (index - 1) * TRANSFER_ROW_BYTES
  local id, _, pendingId, debit, credit, amount, timeout, kind, flags, year, minute, day, payer, payee = unpackStruct(TRANSFER_ROW_FORMAT, rows, at + 1)
  local linked = flags % (2 * TRANSFER_FLAG_LINKED) >= TRANSFER_FLAG_LINKED
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
      if result == RESULT_EXISTS then
        existing = existing + 1
        if firstExists == nil then firstExists = index end
      elseif result ~= RESULT_OK then
        hardFailure = index
      end
    else
      codes[index] = RESULT_LINKED_EVENT_FAILED
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
          if member ~= failed then codes[member] = RESULT_LINKED_EVENT_FAILED end
        end
      end
      chainStart = nil
    end
  end
end
if chainStart ~= nil then
  rollBack()
  for member = chainStart, count do codes[member] = RESULT_LINKED_CHAIN_OPEN end
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
    if n >= FIELDS_PER_CALL_MAX then
      writeFields(accountsKey, flat, n)
      n = 0
    end
  end
end
writeFields(accountsKey, flat, n)
if storedIdMax > transferIdMax then call('HSET', metaKey, 'transferIdMax', storedIdMax) end
n = 0
for kind = 1, TRANSFER_KIND_COUNT do
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
