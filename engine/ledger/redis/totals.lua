-- totals: KEYS = meta, totals; ARGV = session, then the fields wanted. Missing fields come back as false.

local failure = sessionFailure(ARGV[1])
if failure then return failure end
return redis.call('HMGET', KEYS[2], unpack(ARGV, 2))
