-- What every script of the redis ledger starts with (ledgerScript.ts puts it after the generated
-- header): the meta key, and helpers for chunked reads and writes. UPPER_SNAKE names are the
-- header's, made from the TypeScript tables; camelCase ones are the scripts' own.
local metaKey = KEYS[1]

-- Refuses a call unless the ledger is still here and still this session's: a server restarted
-- without persistence has lost it, and another run's open() has taken it over and reset it (the
-- reply names who holds it now and since when, '-' for nobody).
local function sessionFailure(session)
  local format, current, holder, since = unpack(redis.call('HMGET', metaKey, 'format', 'session', 'holder', 'leaseSince'))
  if format ~= FORMAT_MARKER then
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
  for from = 1, #ids, FIELDS_PER_CALL_MAX do
    local to = math.min(#ids, from + FIELDS_PER_CALL_MAX - 1)
    local values = redis.call('HMGET', key, unpack(ids, from, to))
    for index = from, to do into[ids[index]] = values[index - from + 1] end
  end
end

-- HSET of the first n values of flat, field, value, field, value, ...
local function writeFields(key, flat, n)
  local step = FIELDS_PER_CALL_MAX - FIELDS_PER_CALL_MAX % 2
  for from = 1, n, step do
    redis.call('HSET', key, unpack(flat, from, math.min(n, from + step - 1)))
  end
end

-- Result codes, one byte each, as one string.
local function codeString(codes, count)
  local parts = {}
  for from = 1, count, CODES_PER_CHAR_CALL do
    parts[#parts + 1] = string.char(unpack(codes, from, math.min(count, from + CODES_PER_CHAR_CALL - 1)))
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
