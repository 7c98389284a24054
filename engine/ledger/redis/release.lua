-- close(): KEYS = meta, alive; ARGV = lease id. Lets the ledger go if it is still this lease's; the data stays.

if redis.call('HGET', metaKey, 'lease') ~= ARGV[1] then return 0 end
redis.call('HDEL', metaKey, 'lease', 'holder', 'leaseSince')
redis.call('DEL', KEYS[2])
return 1
