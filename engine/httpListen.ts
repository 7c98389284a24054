/**
 * An HTTP server listening on `host:port` (port 0: any free one), with the bounds every server of
 * citytwin sets: header and request timeouts, a cap on headers, and optionally on connections.
 * The caller attaches its 'request' handler once this resolves: no request can come in between (a
 * request is a later event than the resolution). A listen error is rejected as it is, for the
 * caller to name the flag at fault.
 */
import http from 'node:http'
import { isIPv4, isIPv6, type AddressInfo } from 'node:net'

export interface ListenOptions {
  readonly host: string
  readonly port: number
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly keepAliveTimeoutMs?: number
  readonly connectionsMax?: number
  /**
   * How often Node looks for connections past their headers or request timeout (default 30 s, so
   * a socket that connects and sends nothing lives up to 30 s past its headers timeout).
   */
  readonly connectionsCheckingIntervalMs?: number
}

/** Headers one request may carry. */
const headersCountMax = 64

export async function listenHttp(
  options: ListenOptions,
): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer(
    options.connectionsCheckingIntervalMs === undefined
      ? {}
      : { connectionsCheckingInterval: options.connectionsCheckingIntervalMs },
  )
  server.headersTimeout = options.headersTimeoutMs
  server.requestTimeout = options.requestTimeoutMs
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs
  server.maxHeadersCount = headersCountMax
  if (options.connectionsMax !== undefined) server.maxConnections = options.connectionsMax
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return { server, origin: `http://${host}:${address.port}` }
}

/**
 * Whether a bound address is reachable from this machine only: 127.0.0.0/8, ::1, or an IPv4
 * loopback address mapped into IPv6. 0.0.0.0 and :: are every interface, so not loopback.
 */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  if (isIPv4(bare)) return bare.startsWith('127.')
  if (!isIPv6(bare)) return false
  // The URL parser writes an IPv6 address in its one canonical form (::1, ::ffff:7f00:1).
  const canonical = new URL(`http://[${bare}]/`).hostname
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical)
}
