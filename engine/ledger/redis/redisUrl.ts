/**
 * `--ledger-url` for the redis ledger: `redis://[user:password@]host[:port][/db][?key=<name>]`.
 * The key names the ledger inside the database: all its keys start with `{<key>}:`. Without a URL
 * the ledger is `redis://127.0.0.1:6379`, key `citytwin`.
 */
import { UserError } from '../../errors.js'

export const redisUrlDefault = 'redis://127.0.0.1:6379'
export const redisKeyDefault = 'citytwin'
const redisPortDefault = 6379
/** Redis's default number of databases is 16. */
const redisDbMax = 15
const keyPattern = /^[A-Za-z0-9_.-]{1,64}$/

export interface RedisAddress {
  readonly host: string
  readonly port: number
  readonly db: number
  readonly username?: string | undefined
  readonly password?: string | undefined
  /** The ledger's name in the database; its keys start with `{key}:`. */
  readonly key: string
  /** The server as messages name it: host, port and database (when not 0), never the password. */
  readonly where: string
}

/** The redis ledger's address from `--ledger-url`, checked: a user error names the flag. */
export function parseRedisUrl(url: string | undefined): RedisAddress {
  const text = url ?? redisUrlDefault
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    throw new UserError(`--ledger-url: "${text}" is not a URL`)
  }
  const shown = redacted(parsed)
  if (parsed.protocol !== 'redis:')
    throw new UserError(
      `--ledger-url: "${shown}" must start with redis:// (the redis ledger does not speak TLS, rediss://)`,
    )
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '')
    throw new UserError(`--ledger-url: "${shown}" names no host, like redis://127.0.0.1:6379`)
  if (parsed.hash !== '')
    throw new UserError(
      `--ledger-url: "${shown}" has a #fragment; the redis ledger takes only ?key=<name>`,
    )
  const port = parsed.port === '' ? redisPortDefault : Number(parsed.port)
  if (port === 0) throw new UserError(`--ledger-url: "${shown}": port 0 is no server's port`)
  const path = parsed.pathname.replace(/^\//, '')
  if (path !== '' && !/^\d{1,2}$/.test(path))
    throw new UserError(
      `--ledger-url: "${shown}": the path is the database number, 0 to ${redisDbMax}, not "${path}"`,
    )
  const db = path === '' ? 0 : Number(path)
  if (db > redisDbMax)
    throw new UserError(
      `--ledger-url: "${shown}": the database number must be 0 to ${redisDbMax}, not ${db}`,
    )
  for (const name of parsed.searchParams.keys()) {
    if (name !== 'key')
      throw new UserError(
        `--ledger-url: "${shown}": unknown parameter "${name}" (the redis ledger takes only ?key=<name>)`,
      )
  }
  const keys = parsed.searchParams.getAll('key')
  if (keys.length > 1) throw new UserError(`--ledger-url: "${shown}" gives ?key= more than once`)
  const key = keys[0] ?? redisKeyDefault
  if (!keyPattern.test(key))
    throw new UserError(
      `--ledger-url: "${shown}": the key must be 1 to 64 letters, digits, '_', '.' or '-', not "${key}"`,
    )
  const username = parsed.username === '' ? undefined : decoded(parsed.username, shown)
  const password = parsed.password === '' ? undefined : decoded(parsed.password, shown)
  const hostShown = host.includes(':') ? `[${host}]` : host
  return {
    host,
    port,
    db,
    username,
    password,
    key,
    where: `${hostShown}:${port}${db === 0 ? '' : `/${db}`}`,
  }
}

/** A user name or password as written in the URL, %-escapes undone. */
function decoded(text: string, shown: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new UserError(`--ledger-url: "${shown}": the user name or password has a broken %-escape`)
  }
}

/** The URL as a message may show it: a password never appears. */
function redacted(parsed: URL): string {
  if (parsed.password === '') return parsed.href
  const copy = new URL(parsed.href)
  copy.password = '***'
  return copy.href
}
