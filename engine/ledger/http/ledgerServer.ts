/**
 * `citytwin ledger-server --backend memory`: the reference implementation of the HTTP ledger
 * protocol (protocol.ts, docs/http-ledger.md) over any LedgerCore, so users see the contract working
 * and the http adapter passes the conformance suite against it.
 *
 * One ledger at a time: /v1/open closes the one before, opens a new one with the options given and
 * starts a new session. Calls apply one at a time, by their number in the session (the
 * `Citytwin-Call` header): call n + 1 only after call n; a repeated n is answered with the first
 * attempt's answer (awaited if it is still being applied) and applied once; anything else is 409.
 * Bodies are bounded, parsed and checked before the ledger sees them; a bad one is answered 400
 * with the field at fault. A few connections at most (the protocol has one client).
 */
import http from 'node:http'
import { UserError } from '../../errors.js'
import { listenHttp } from '../../httpListen.js'
import { transferBatchMax, lookupBatchMax, accountsMax as accountsLimit, walletTiersMax } from '../../limits.js'
import type { LedgerCore, LedgerOptions } from '../ledgerCore.js'
import { keepsCalls } from '../numberedCalls.js'
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

export interface LedgerServerOptions {
  readonly host: string
  /** 0: any free port. */
  readonly port: number
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

const serverConnectionsMax = 8

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
  private readonly sockets = new Set<import('node:net').Socket>()

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly backend: (options: LedgerOptions) => LedgerCore,
  ) {}

  static async start(options: LedgerServerOptions): Promise<LedgerServer> {
    // One client keeps one connection; a few more leave room for a retry while an old one closes.
    const { server, origin } = await listenHttp({
      host: options.host,
      port: options.port,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 120_000,
      keepAliveTimeoutMs: 60_000,
      connectionsMax: serverConnectionsMax,
    })
    const ledgerServer = new LedgerServer(server, origin, options.backend)
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => void ledgerServer.answer(request, response))
    server.on('connection', (socket) => {
      ledgerServer.sockets.add(socket)
      socket.on('close', () => ledgerServer.sockets.delete(socket))
    })
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
    return ledger === undefined ? undefined : { ledger, session: this.session, lastNumber: this.lastNumber, lastAnswer: this.lastAnswer }
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
      const result = await this.route(request.url ?? '/', body, request.headers[callHeaderName])
      send(response, 200, result)
    } catch (error) {
      if (error instanceof Refusal) send(response, error.status, { error: error.message }, error.status === 413)
      else if (error instanceof ProtocolError) send(response, 400, { error: error.message })
      else send(response, 500, { error: error instanceof Error ? error.message : String(error) })
    }
  }

  private async route(path: string, body: unknown, callHeader: string | string[] | undefined): Promise<unknown> {
    if (path === paths.open) {
      // The body is checked before the ledger in use is touched: a refused open leaves it as it was.
      const options = decodeOptions(body, { accountsMax: accountsLimit, tiersMax: walletTiersMax + 1 })
      return this.inTurn(async () => {
        await this.ledger?.close()
        this.ledger = undefined
        const ledger = this.backend(options)
        try {
          await ledger.open()
        } catch (error) {
          await ledger.close().catch(() => undefined)
          // A backend refusing the open (its schema or key held by another run, say) refuses for good: not a 500 to retry.
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
    if (!Object.values(paths).includes(path as (typeof paths)[keyof typeof paths])) throw new Refusal(404, `no such path: ${path.slice(0, 100)}`)
    const call = parseCallHeader(callHeader)
    if (call === undefined) throw new Refusal(400, `the ${callHeaderName} header must be "<session> <n>", the session from ${paths.open} and the call's number in it`)
    if (this.ledger === undefined || call.session !== this.session) throw new Refusal(409, `no such session: POST ${paths.open} first (the session open is ${this.session})`)
    // A retry of the call in hand, or of the last one: its first attempt's answer, applied once.
    if (call.number === this.lastNumber) return this.lastAnswer
    const skipped = this.numbersMaySkip && call.number > this.lastNumber
    if (call.number !== this.lastNumber + 1 && !skipped) throw new Refusal(409, `call ${call.number} out of turn: the next call of session ${this.session} is ${this.lastNumber + 1}`)
    const ledger = this.ledger
    this.lastNumber = call.number
    this.numbersMaySkip = false
    this.lastAnswer = this.inTurn(() => this.apply(ledger, path, body, call.number))
    return this.lastAnswer
  }

  private async apply(ledger: LedgerCore, path: string, body: unknown, number: number): Promise<unknown> {
    switch (path) {
      case paths.accounts: {
        const accounts = decodeAccounts(body)
        return encodeCodes((await (keepsCalls(ledger) ? ledger.createAccountsNumbered(number, accounts) : ledger.createAccounts(accounts))).code)
      }
      case paths.transfers: {
        const transfers = decodeTransfers(body, transferBatchMax)
        return encodeCodes((await (keepsCalls(ledger) ? ledger.submitNumbered(number, transfers) : ledger.submit(transfers))).code)
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

/** Answers with `body` as JSON; `close` ends the connection after (a body left unread, say). */
function send(response: http.ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(close ? { connection: 'close' } : {}) })
  response.end(text)
}
