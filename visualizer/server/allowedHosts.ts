/**
 * Which Host headers and page origins the live server answers, against DNS rebinding: a page of
 * another site whose name the attacker points at this machine sends its own name as Host, and is
 * refused. Names that cannot be rebound are always taken:
 *
 *   loopback names      localhost, 127.0.0.1, [::1]      always
 *   the bound address   --host 192.168.1.20               always
 *   IP literals         10.0.0.7, [fe80::1]               on a non-loopback bind (no DNS involved)
 *   --allow-host names  citymap.lan                       as given
 *
 * each on the server's port (no port: port 80). A non-loopback bind must say who may steer the
 * run: a token, or `--allow-host` for the names it is opened by (which accepts that anyone who
 * reaches it steers it); with neither it is refused before anything is built.
 */
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'
import { UserError } from '../../engine/errors.js'
import { allowHostsMax } from '../../engine/limits.js'

/** Host names that always name this machine. */
const loopbackNames = ['localhost', '127.0.0.1', '[::1]']
/** A DNS name: labels of letters, digits and inner hyphens, dots between. */
const hostNamePattern =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i

/**
 * Whether listening on `host` reaches this machine only. A name other than localhost counts as not:
 * what it resolves to is not known here.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (bare.toLowerCase() === 'localhost' || bare === '::1') return true
  return isIP(bare) === 4 && bare.startsWith('127.')
}

/** Refuses, as the user's mistake, an --allow-host that is not a host name, or too many of them. */
export function checkAllowHosts(names: readonly string[]): void {
  if (names.length > allowHostsMax)
    throw new UserError(`--allow-host: at most ${allowHostsMax} names`)
  for (const name of names) {
    if (!hostNamePattern.test(name))
      throw new UserError(
        '--allow-host: a host name (letters, digits, dots and hyphens), without a port or a scheme',
      )
  }
}

/** Refuses a bind beyond loopback that says nothing about who may steer the run. */
export function checkLiveBind(
  host: string,
  token: string | undefined,
  allowHosts: readonly string[],
): void {
  checkAllowHosts(allowHosts)
  if (isLoopbackHost(host) || token !== undefined || allowHosts.length > 0) return
  throw new UserError(
    `--host: listening beyond this machine, every machine that reaches it could steer the run; give --token (or CITYTWIN_TOKEN) so only those who hold it do, or --allow-host <name> for each name the map is opened by if anyone who reaches it may`,
  )
}

export class AllowedHosts {
  /** Set once the server listens (a port of 0 is known only then). */
  port = 0
  private readonly names: ReadonlySet<string>
  private readonly ipLiterals: boolean

  constructor(bound: string, allowHosts: readonly string[]) {
    const boundName = isIP(bound) === 6 ? `[${bound}]` : bound
    this.names = new Set(
      [...loopbackNames, boundName, ...allowHosts].map((name) => name.toLowerCase()),
    )
    this.ipLiterals = !isLoopbackHost(bound)
  }

  /** Whether a request with this Host header is for this server as it may be named. */
  host(header: string | undefined): boolean {
    if (header === undefined) return false
    const parsed = splitHost(header.toLowerCase())
    if (parsed === undefined) return false
    const samePort =
      parsed.port === undefined ? this.port === 80 : Number(parsed.port) === this.port
    if (!samePort) return false
    if (this.names.has(parsed.name)) return true
    const bare = parsed.name.startsWith('[') ? parsed.name.slice(1, -1) : parsed.name
    return this.ipLiterals && isIP(bare) !== 0
  }

  /**
   * A page's origin must be this server as the page reached it (or one named by --allow-origin); a
   * client with no origin is not a page.
   */
  origin(request: IncomingMessage, extra: readonly string[]): boolean {
    const origin = request.headers.origin
    if (origin === undefined) return true
    return origin === `http://${request.headers.host ?? ''}` || extra.includes(origin)
  }
}

/** `name[:port]` or `[v6][:port]`, or undefined when it is neither. */
function splitHost(header: string): { name: string; port: string | undefined } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(header)
  if (match === null) return undefined
  return { name: match[1] as string, port: match[2] }
}
