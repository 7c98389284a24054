/**
 * An HTTP server listening on `host:port` (port 0: any free one), with the bounds every server of
 * citytwin sets: header and request timeouts, a cap on headers, and optionally on connections.
 * The caller attaches its 'request' handler once this resolves: no request can come in between (a
 * request is a later event than the resolution). A listen error is rejected as it is, for the
 * caller to name the flag at fault.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ListenOptions {
  readonly host: string
  readonly port: number
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly keepAliveTimeoutMs?: number
  readonly connectionsMax?: number
}

/** Headers one request may carry. */
const headersCountMax = 64

export async function listenHttp(options: ListenOptions): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer()
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
