-- lookup: KEYS = meta, accounts; ARGV = session, ids (u32 each). Returns 24 bytes per id: balance,
-- pendingDebit, pendingCredit (float64 each).

local accountsKey = KEYS[2]
local failure = sessionFailure(ARGV[1])
if failure then return failure end
local idBytes = ARGV[2]
local ids = {}
for index = 1, #idBytes / 4 do ids[index] = string.sub(idBytes, index * 4 - 3, index * 4) end
local parts, none = {}, string.rep('\0', 24)
for from = 1, #ids, FIELDS_PER_CALL_MAX do
  local to = math.min(#ids, from + FIELDS_PER_CALL_MAX - 1)
  local records = redis.call('HMGET', accountsKey, unpack(ids, from, to))
  for index = 1, to - from + 1 do
    local record = records[index]
    parts[from + index - 1] = record and string.sub(record, ACCOUNT_BALANCES_OFFSET + 1, ACCOUNT_BALANCES_OFFSET + 24) or none
  end
end
return table.concat(parts)
