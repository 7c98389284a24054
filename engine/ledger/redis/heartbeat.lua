-- The holder's heartbeat: KEYS = meta, alive; ARGV = lease id, lease ttl ms. Renews the alive key
-- while the ledger is this lease's; otherwise answers who holds it now, as a call would.

local format, lease, holder, since = unpack(redis.call('HMGET', metaKey, 'format', 'lease', 'holder', 'leaseSince'))
if format ~= FORMAT_MARKER then
  return redis.error_reply('CITYTWIN_GONE ' .. metaKey .. ' is gone')
end
if lease ~= ARGV[1] then
  return redis.error_reply('CITYTWIN_REOPENED ' .. (since or '-') .. ' ' .. (holder or ''))
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
