-- open(): KEYS = meta, alive, then every other key of the namespace (found by SCAN); ARGV =
-- accountsMax, pendingMax, utcOffsetMinutes, tiers, lease id, holder, lease ttl ms, take over ('1'
-- or '0'). Refuses a namespace that is not a citytwin ledger, and a ledger another run holds: one
-- whose holder is alive always (CITYTWIN_HELD), one whose holder let its key lapse unless told to
-- take it over (CITYTWIN_STALE), each with since when and who. Otherwise deletes the namespace,
-- starts an empty ledger under the next session number, which it returns, and holds it.

local aliveKey = KEYS[2]
local format = redis.call('HGET', metaKey, 'format')
-- A namespace an earlier version wrote (FORMAT_MARKER_EARLIER) is ours: it is reset like the rest.
if (format or #KEYS > 2 or redis.call('EXISTS', aliveKey) == 1) and format ~= FORMAT_MARKER and format ~= FORMAT_MARKER_EARLIER then
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
for from = 3, #KEYS, FIELDS_PER_CALL_MAX do
  redis.call('UNLINK', unpack(KEYS, from, math.min(#KEYS, from + FIELDS_PER_CALL_MAX - 1)))
end
redis.call('DEL', metaKey)
redis.call('HSET', metaKey, 'format', FORMAT_MARKER, 'sessions', session, 'session', session,
  'accountsMax', ARGV[1], 'pendingMax', ARGV[2], 'utcOffsetMinutes', ARGV[3], 'tiers', ARGV[4],
  'lease', ARGV[5], 'holder', ARGV[6], 'leaseSince', redis.call('TIME')[1])
redis.call('SET', aliveKey, ARGV[5], 'PX', ARGV[7])
return session
