/**
 * `citytwin ledger-server --backend memory`: the reference implementation of the HTTP ledger
 * protocol (protocol.ts, docs/http-ledger.md) over any LedgerCore, so users see the contract working
 * and the http adapter passes the conformance suite against it.
 *
 * One ledger at a time: /v1/open closes the one before and opens a new one with the options given.
 * Requests are applied in the order they arrive on a connection (Node answers a connection's
 * requests in turn); the client keeps its calls on one connection. Bodies are bounded, parsed and
 * checked before the ledger sees them; a bad one is answered 400 with the field at fault.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { transferBatchMax, lookupBatchMax, accountsMax as accountsLimit, walletTiersMax } from '../../limits.js'
import type { LedgerCore, LedgerOptions } from '../ledgerCore.js'
import {
  decodeAccounts,
  decodeIds,
  decodeOptions,
  decodeTransfers,
  encodeBalances,
  encodeCodes,
  encodeTotals,
  httpBodyBytesMax,
  paths,
  ProtocolError,
} from './protocol.js'

export interface LedgerServerOptions {
  readonly host: string
  /** 0: any free port. */
  readonly port: number
  /** Makes the ledger behind the server, at each /v1/open. */
  readonly backend: (options: LedgerOptions) => LedgerCore
  /** A ledger already open to serve from the start (one `detach`ed from a server before, say). */
  readonly ledger?: LedgerCore
}

/** A request the server refuses, with its status. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export class LedgerServer {
  private ledger: LedgerCore | undefined
  /** The last open: the next waits for it. */
  private opening: Promise<void> = Promise.resolve()
  private readonly sockets = new Set<import('node:net').Socket>()

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly backend: (options: LedgerOptions) => LedgerCore,
  ) {}

  static async start(options: LedgerServerOptions): Promise<LedgerServer> {
    const made: { server?: LedgerServer } = {}
    const server = http.createServer((request, response) => {
      if (made.server === undefined) response.writeHead(503).end()
      else void made.server.answer(request, response)
    })
    server.headersTimeout = 10_000
    server.requestTimeout = 120_000
    server.keepAliveTimeout = 60_000
    server.maxHeadersCount = 64
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port, options.host, () => resolve())
    })
    const address = server.address() as AddressInfo
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    const ledgerServer = new LedgerServer(server, `http://${host}:${address.port}`, options.backend)
    server.on('connection', (socket) => {
      ledgerServer.sockets.add(socket)
      socket.on('close', () => ledgerServer.sockets.delete(socket))
    })
    ledgerServer.ledger = options.ledger
    made.server = ledgerServer
    return ledgerServer
  }

  /**
   * Stops serving and drops every connection, as a killed process would, but hands the ledger back
   * open instead of closing it: what a restarted server over a durable store would find again.
   */
  async detach(): Promise<LedgerCore | undefined> {
    const ledger = this.ledger
    this.ledger = undefined
    await this.close()
    return ledger
  }

  /** Stops listening, drops every connection and closes the ledger. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    await this.ledger?.close()
    this.ledger = undefined
  }

  private async answer(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    try {
      if (request.method !== 'POST') throw new Refusal(405, 'only POST')
      const body = await readJson(request)
      const result = await this.route(request.url ?? '/', body)
      send(response, 200, result)
    } catch (error) {
      if (error instanceof Refusal) send(response, error.status, { error: error.message })
      else if (error instanceof ProtocolError) send(response, 400, { error: error.message })
      else send(response, 500, { error: error instanceof Error ? error.message : String(error) })
    }
  }

  private async route(path: string, body: unknown): Promise<unknown> {
    if (path === paths.open) {
      // The body is checked before the ledger in use is touched, and opens take turns: a bad or a
      // concurrent open never leaves the server without a ledger, or with one nobody closes.
      const options = decodeOptions(body, { accountsMax: accountsLimit, tiersMax: walletTiersMax + 1 })
      const opened = this.opening.then(async () => {
        await this.ledger?.close()
        this.ledger = undefined
        const ledger = this.backend(options)
        await ledger.open()
        this.ledger = ledger
      })
      this.opening = opened.catch(() => undefined)
      await opened
      return {}
    }
    await this.opening
    const ledger = this.ledger
    if (ledger === undefined) throw new Refusal(409, `no ledger is open: POST ${paths.open} first`)
    switch (path) {
      case paths.accounts:
        return encodeCodes((await ledger.createAccounts(decodeAccounts(body))).code)
      case paths.transfers:
        return encodeCodes((await ledger.submit(decodeTransfers(body, transferBatchMax))).code)
      case paths.lookup:
        return encodeBalances(await ledger.lookup(decodeIds(body, lookupBatchMax)))
      case paths.totals:
        return encodeTotals(await ledger.totals())
      default:
        throw new Refusal(404, `no such path: ${path.slice(0, 100)}`)
    }
  }
}

/** The request's body as JSON, at most `httpBodyBytesMax` bytes. */
async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN)
  if (declared > httpBodyBytesMax) throw new Refusal(413, `the body is larger than ${httpBodyBytesMax} bytes`)
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of request) {
    const buffer = chunk as Buffer
    bytes += buffer.length
    if (bytes > httpBodyBytesMax) throw new Refusal(413, `the body is larger than ${httpBodyBytesMax} bytes`)
    chunks.push(buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new Refusal(400, 'the body is not JSON')
  }
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  response.end(text)
}
