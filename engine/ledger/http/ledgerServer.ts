/**
 * `citytwin ledger-server --backend memory`: the reference implementation of the HTTP ledger
 * protocol (protocol.ts, docs/http-ledger.md) over any LedgerCore, so users see the contract
 * working and the http adapter passes the conformance suite against it.
 *
 * Every request must carry the server's token (ledgerToken.ts) or is answered 401 at once, before
 * its method, path, body or call header is looked at, and its connection is closed: a caller
 * without the token learns nothing of the ledger, its session or its calls. Only a caller with it
 * hears the messages below, which name them.
 *
 * One ledger at a time: /v1/open closes the one before, opens a new one with the options given and
 * starts a new session. Calls apply one at a time, by their number in the session (the
 * `Citytwin-Call` header): call n + 1 only after call n; a repeated n is answered with the first
 * attempt's answer (awaited if it is still being applied) and applied once; anything else is 409.
 * Bodies are bounded, parsed and checked before the ledger sees them; a bad one is answered 400
 * with the field at fault, and every refusal closes its connection.
 *
 * Connections: a few at most (the protocol has one client, which keeps one). Idle ones cannot hold
 * the cap: at the cap, a new connection displaces the one idle longest (one with a request under
 * way is never displaced), a kept-alive connection is closed after `ledgerServerKeepAliveMs`
 * without a request, and one that never sends a whole request is dropped at
 * `ledgerServerHeadersMs`.
 *
 *   connect ─▶ idle ──headers──▶ busy (a request under way) ──answered──▶ idle ─▶ …
 *               │  └─ no whole request in time: dropped (408)
 *               └─ idle longest when a connection comes at the cap: displaced
 */
import http from 'node:http'
import { UserError } from '../../errors.js'
import type { Socket } from 'node:net'
import { listenHttp } from '../../httpListen.js'
import {
  transferBatchMax,
  lookupBatchMax,
  accountsMax as accountsLimit,
  walletTiersMax,
  ledgerServerConnectionsMax,
  ledgerServerHeadersMs,
  ledgerServerRequestMs,
  ledgerServerKeepAliveMs,
  ledgerServerCheckEveryMs,
} from '../../limits.js'
import type { LedgerCore, LedgerOptions } from '../ledgerCore.js'
import { keepsCalls } from '../numberedCalls.js'
import { assert } from '../../assert.js'
import {
  decodeAccounts,
  decodeIds,
  decodeOptions,
  decodeTransfers,
  encodeBalances,
  encodeCodes,
  encodeSession,
  encodeTotals,
  callHeaderName,
  httpBodyBytesMax,
  parseCallHeader,
  paths,
  ProtocolError,
} from './protocol.js'
import { authorizationHeaderName, TokenCheck } from './ledgerToken.js'

export interface LedgerServerOptions {
  readonly host: string
  /** 0: any free port. */
  readonly port: number
  /** Every request must carry it: `Authorization: Bearer <token>` (ledgerToken.ts). */
  readonly token: string
  /** Makes the ledger behind the server, at each /v1/open. */
  readonly backend: (options: LedgerOptions) => LedgerCore
  /** What a server `detach`ed left: its ledger, open, and its session's place, to serve on from. */
  readonly resume?: LedgerServerState
}

/**
 * What a server over a durable store finds again after a restart: the ledger, and the session with
 * its last call's number and answer (a service must keep these with its ledger, so a retry of the
 * call in hand is still answered, not applied again).
 */
export interface LedgerServerState {
  readonly ledger: LedgerCore
  readonly session: number
  readonly lastNumber: number
  readonly lastAnswer: Promise<unknown>
  /**
   * Taken up from a ledger that keeps its calls (numberedCalls.ts), which knows the last call that
   * changed it but not the reads after it: the next call may skip numbers, once.
   */
  readonly numbersMaySkip?: boolean
}

/**
 * A connection's state: requests under way on it, and when it last became idle, in the order
 * connections did.
 */
interface Connection {
  busy: number
  idleOrder: number
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
  /** Every call applies after the one before: opens and numbered calls alike. */
  private applying: Promise<unknown> = Promise.resolve()
  private session = 0
  /** The last numbered call of the session and its answer (a promise while it is being applied). */
  private lastNumber = 0
  private lastAnswer: Promise<unknown> = Promise.resolve({})
  private numbersMaySkip = false
  private readonly connections = new Map<Socket, Connection>()
  /**
   * Counts connections becoming idle: the lowest `idleOrder` of the idle ones has been idle
   * longest.
   */
  private idleCount = 0
  /**
   * Connections displaced at the cap, and refused because every one held a request (for tests and
   * logs).
   */
  displaced = 0
  refusedAtCap = 0

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly backend: (options: LedgerOptions) => LedgerCore,
    private readonly tokenCheck: TokenCheck,
  ) {}

  static async start(options: LedgerServerOptions): Promise<LedgerServer> {
    // Checked before anything listens: a bad token is the caller's mistake, not a refused request.
    const tokenCheck = new TokenCheck(options.token)
    // The cap is kept here rather than by Node's maxConnections, which refuses the newcomer: an
    // idle connection must give way to it instead, or idle sockets would lock the client out.
    const { server, origin } = await listenHttp({
      host: options.host,
      port: options.port,
      headersTimeoutMs: ledgerServerHeadersMs,
      requestTimeoutMs: ledgerServerRequestMs,
      keepAliveTimeoutMs: ledgerServerKeepAliveMs,
      connectionsCheckingIntervalMs: ledgerServerCheckEveryMs,
    })
    const ledgerServer = new LedgerServer(server, origin, options.backend, tokenCheck)
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) =>
      ledgerServer.requested(request, response),
    )
    server.on('connection', (socket: Socket) => ledgerServer.connected(socket))
    if (options.resume !== undefined) {
      ledgerServer.ledger = options.resume.ledger
      ledgerServer.session = options.resume.session
      ledgerServer.lastNumber = options.resume.lastNumber
      ledgerServer.lastAnswer = options.resume.lastAnswer
      ledgerServer.numbersMaySkip = options.resume.numbersMaySkip === true
    }
    return ledgerServer
  }

  /**
   * Stops serving and drops every connection, as a killed process would, but hands the ledger back
   * open, with the session's place: what a restarted server over a durable store would find again.
   */
  async detach(): Promise<LedgerServerState | undefined> {
    const ledger = this.ledger
    this.ledger = undefined
    await this.close()
    return ledger === undefined
      ? undefined
      : { ledger, session: this.session, lastNumber: this.lastNumber, lastAnswer: this.lastAnswer }
  }

  /** Stops listening, drops every connection and closes the ledger. */
  async close(): Promise<void> {
    for (const socket of this.connections.keys()) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    await this.ledger?.close()
    this.ledger = undefined
  }

  /**
   * Keeps the cap: a connection over it displaces the one idle longest, or goes itself if none is
   * idle.
   */
  private connected(socket: Socket): void {
    this.connections.set(socket, { busy: 0, idleOrder: ++this.idleCount })
    socket.on('close', () => this.connections.delete(socket))
    if (this.connections.size <= ledgerServerConnectionsMax) return
    let longest: Socket | undefined
    let longestOrder = Infinity
    for (const [candidate, connection] of this.connections) {
      if (connection.busy === 0 && connection.idleOrder < longestOrder) {
        longest = candidate
        longestOrder = connection.idleOrder
      }
    }
    // The newcomer is idle too, and the newest: it goes only when every other connection has a
    // request under way.
    assert(longest !== undefined, 'the newcomer at least is idle')
    if (longest === socket) this.refusedAtCap += 1
    else this.displaced += 1
    this.connections.delete(longest)
    longest.destroy()
    assert(this.connections.size <= ledgerServerConnectionsMax, 'the cap holds')
  }

  /**
   * A request's headers have come: its connection is busy until the answer is sent or the request
   * is dropped.
   */
  private requested(request: http.IncomingMessage, response: http.ServerResponse): void {
    const connection = this.connections.get(request.socket)
    if (connection !== undefined) connection.busy += 1
    response.once('close', () => {
      if (connection === undefined) return
      connection.busy -= 1
      assert(connection.busy >= 0, 'a request is answered once')
      if (connection.busy === 0) connection.idleOrder = ++this.idleCount
    })
    void this.answer(request, response)
  }

  private async answer(
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    // The token first, with nothing read and nothing told: the connection closes with the answer.
    if (!this.tokenCheck.matches(request.headers[authorizationHeaderName])) {
      send(
        response,
        401,
        { error: 'this ledger service needs its token: Authorization: Bearer <token>' },
        { 'www-authenticate': 'Bearer' },
      )
      return
    }
    try {
      if (request.method !== 'POST') throw new Refusal(405, 'only POST')
      const body = await readJson(request)
      const result = await this.route(request.url ?? '/', body, request.headers[callHeaderName])
      send(response, 200, result)
    } catch (error) {
      if (error instanceof Refusal) send(response, error.status, { error: error.message })
      else if (error instanceof ProtocolError) send(response, 400, { error: error.message })
      else send(response, 500, { error: error instanceof Error ? error.message : String(error) })
    }
  }

  private async route(
    path: string,
    body: unknown,
    callHeader: string | string[] | undefined,
  ): Promise<unknown> {
    if (path === paths.open) {
      // The body is checked before the ledger in use is touched: a refused open leaves it as it
      // was.
      const options = decodeOptions(body, {
        accountsMax: accountsLimit,
        tiersMax: walletTiersMax + 1,
      })
      return this.inTurn(async () => {
        await this.ledger?.close()
        this.ledger = undefined
        const ledger = this.backend(options)
        try {
          await ledger.open()
        } catch (error) {
          await ledger.close().catch(() => undefined)
          // A backend refusing the open (its schema or key held by another run, say) refuses for
          // good: not a 500 to retry.
          if (error instanceof UserError) throw new Refusal(409, error.message)
          throw error
        }
        this.ledger = ledger
        // A ledger that keeps its calls numbers the session: a restarted server finds it there.
        this.session = keepsCalls(ledger) ? ledger.session : this.session + 1
        this.lastNumber = 0
        this.lastAnswer = Promise.resolve({})
        this.numbersMaySkip = false
        return encodeSession(this.session)
      })
    }
    if (!Object.values(paths).includes(path as (typeof paths)[keyof typeof paths]))
      throw new Refusal(404, `no such path: ${path.slice(0, 100)}`)
    const call = parseCallHeader(callHeader)
    if (call === undefined)
      throw new Refusal(
        400,
        `the ${callHeaderName} header must be "<session> <n>", the session from ${paths.open} and the call's number in it`,
      )
    if (this.ledger === undefined || call.session !== this.session)
      throw new Refusal(
        409,
        `no such session: POST ${paths.open} first (the session open is ${this.session})`,
      )
    // A retry of the call in hand, or of the last one: its first attempt's answer, applied once.
    if (call.number === this.lastNumber) return this.lastAnswer
    const skipped = this.numbersMaySkip && call.number > this.lastNumber
    if (call.number !== this.lastNumber + 1 && !skipped)
      throw new Refusal(
        409,
        `call ${call.number} out of turn: the next call of session ${this.session} is ${this.lastNumber + 1}`,
      )
    const ledger = this.ledger
    this.lastNumber = call.number
    this.numbersMaySkip = false
    this.lastAnswer = this.inTurn(() => this.apply(ledger, path, body, call.number))
    return this.lastAnswer
  }

  private async apply(
    ledger: LedgerCore,
    path: string,
    body: unknown,
    number: number,
  ): Promise<unknown> {
    switch (path) {
      case paths.accounts: {
        const accounts = decodeAccounts(body)
        return encodeCodes(
          (
            await (keepsCalls(ledger)
              ? ledger.createAccountsNumbered(number, accounts)
              : ledger.createAccounts(accounts))
          ).code,
        )
      }
      case paths.transfers: {
        const transfers = decodeTransfers(body, transferBatchMax)
        return encodeCodes(
          (
            await (keepsCalls(ledger)
              ? ledger.submitNumbered(number, transfers)
              : ledger.submit(transfers))
          ).code,
        )
      }
      case paths.lookup:
        return encodeBalances(await ledger.lookup(decodeIds(body, lookupBatchMax)))
      default:
        return encodeTotals(await ledger.totals())
    }
  }

  /** Runs `work` after everything applied before it. */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.applying.then(work)
    this.applying = result.catch(() => undefined)
    return result
  }
}

/** The request's body as JSON, at most `httpBodyBytesMax` bytes. */
async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN)
  if (declared > httpBodyBytesMax)
    throw new Refusal(413, `the body is larger than ${httpBodyBytesMax} bytes`)
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of request) {
    const buffer = chunk as Buffer
    bytes += buffer.length
    if (bytes > httpBodyBytesMax)
      throw new Refusal(413, `the body is larger than ${httpBodyBytesMax} bytes`)
    chunks.push(buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new Refusal(400, 'the body is not JSON')
  }
}

/**
 * Answers with `body` as JSON. Any answer but a 200 closes the connection after it: a refused
 * request may have left its body unread, and a caller refused has no reason to hold a connection.
 */
function send(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
    ...(status === 200 ? {} : { connection: 'close' }),
  })
  response.end(text)
}
