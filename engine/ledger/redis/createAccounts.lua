-- createAccounts: KEYS = meta, accounts, call; ARGV = session, call number, rows. Codes as
-- ledgerState.createAccounts: id_out_of_range, invalid_flags, invalid_tier, exists, created.

local accountsKey, callKey = KEYS[2], KEYS[3]
local session, number, rows = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local failure = sessionFailure(session)
if failure then return failure end
local answer = storedAnswer(callKey, number)
if answer then return answer end

local accountsMax, tiers = unpack(redis.call('HMGET', metaKey, 'accountsMax', 'tiers'))
accountsMax = tonumber(accountsMax)
local _, tierCount = parseTiers(tiers)

local count = #rows / ACCOUNT_ROW_BYTES
local ids, keys, tierOf, flagsOf = {}, {}, {}, {}
local known, distinct = {}, {}
for index = 1, count do
  local at = (index - 1) * ACCOUNT_ROW_BYTES
  local id, tier, flags = struct.unpack(ACCOUNT_ROW_FORMAT, rows, at + 1)
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
  if id >= accountsMax then codes[index] = ACCOUNT_RESULT_ID_OUT_OF_RANGE
  elseif flags > ACCOUNT_FLAGS_KNOWN then codes[index] = ACCOUNT_RESULT_INVALID_FLAGS
  elseif tier >= tierCount then codes[index] = ACCOUNT_RESULT_INVALID_TIER
  elseif known[key] then codes[index] = ACCOUNT_RESULT_EXISTS
  else
    -- A record with no money and counters on no day; marked known, so a repeat in this batch exists.
    known[key] = struct.pack(ACCOUNT_RECORD_FORMAT, tier, flags, 0, 0, 0, NO_DAY, 0, 0, 0)
    created[n + 1], created[n + 2], n = key, known[key], n + 2
    codes[index] = ACCOUNT_RESULT_CREATED
  end
end
writeFields(accountsKey, created, n)
answer = codeString(codes, count)
redis.call('HSET', callKey, 'number', number, 'answer', answer)
return answer
