/**
 * `--ledger http --ledger-url http://host:port`: any ledger service that speaks the HTTP ledger
 * protocol (protocol.ts, docs/http-ledger.md), driven through the LedgerCore interface.
 *
 * Order: calls go one at a time, in the order made, on one kept-alive connection, so a lookup
 * made after a submit sees it (the interface's promise) without the service having to sort
 * anything. Calls made meanwhile wait their turn; the open model measures that wait as latency.
 *
 * Auth: with a token (`--ledger-token` or CITYTWIN_LEDGER_TOKEN), every request carries it as
 * `Authorization: Bearer <token>`. A 401 is the user's to fix, not a fault: it is not retried, and
 * names the flag.
 *
 * Faults: an attempt that fails, loses its connection, gets a 5xx or passes its deadline
 * (`ledgerAttemptMsMax`, from the request to the last byte of the answer) is retried with the same
 * body and the same call number (`Citytwin-Call: <session> <n>`, the session from /v1/open), after
 * a growing pause, `attemptsMax` times at most and within the call's deadline (`--ledger-timeout`,
 * `ledgerCallMsDefault`, every attempt and pause included). The service applies each call number
 * once and answers a repeat with the answer it gave (or is giving) the first: a retry sees exactly
 * what the lost attempt did. Failures are counted by class (`faults`). A call that spends its
 * attempts or its time fails the ledger: its outcome is unknown, so every later call fails at once
 * and the run stops rather than audit a ledger whose last call may or may not have applied.
 *
 *   call ├─ attempt ≤ 30 s ─┤ pause ├─ attempt ─┤ pause ├─ … ─┤  ≤ --ledger-timeout (2 min) in all
 */
import http from 'node:http'
import { assert } from '../../assert.js'
import { RunFailed, UserError } from '../../errors.js'
import { accountResultCodes, ledgerResultCodeMaxV1 } from '../resultCode.js'
import {
  ledgerAttemptMsMax,
  ledgerCallMsDefault,
  lookupBatchMax,
  transferBatchMax,
} from '../../limits.js'
import { assertTransferIds } from '../transferBatches.js'
import { transferKindCount } from '../transferKind.js'
import { CallQueue, Fault, type RetryTiming } from '../callQueue.js'
import type {
  AccountBatch,
  AccountResults,
  Balances,
  LedgerCore,
  LedgerHealth,
  LedgerOptions,
  LedgerTotals,
  TransferBatch,
  TransferResults,
} from '../ledgerCore.js'
import {
  decodeBalances,
  decodeCodes,
  decodeTotals,
  encodeAccounts,
  encodeIds,
  encodeOptions,
  encodeTransfers,
  httpAccountsPerCallMax,
  callHeaderName,
  decodeSession,
  httpBodyBytesMax,
  paths,
  ProtocolError,
} from './protocol.js'
import { authorizationHeaderName, bearer, ledgerTokenVariable } from './ledgerToken.js'
import { wallScheduler } from '../../time/index.js'

/**
 * How the client is set: the retries (RetryTiming, with the call's deadline), an attempt's
 * deadline, the token.
 */
export interface HttpLedgerSettings extends RetryTiming {
  /**
   * One attempt, from the request to the last byte of its answer (default `ledgerAttemptMsMax`).
   */
  readonly attemptMsMax?: number | undefined
  /** The service's token; without one, no Authorization header is sent. */
  readonly token?: string | undefined
}

export class HttpLedger implements LedgerCore {
  readonly name = 'http'
  private readonly base: URL
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  private readonly calls: CallQueue
  /** The service's session from /v1/open, and the number of the next call in it. */
  private session = 0
  private sequence = 0
  /** Set once the service refused the token: every later call fails with it at once. */
  private unauthorized: UserError | undefined

  constructor(
    private readonly options: LedgerOptions,
    url: string | undefined,
    private readonly settings: HttpLedgerSettings = {},
  ) {
    this.base = parseLedgerUrl(url)
    this.calls = new CallQueue(
      `the http ledger at ${this.base.origin}`,
      {
        ...settings,
        callMsMax: settings.callMsMax ?? ledgerCallMsDefault,
        callMsName: settings.callMsName ?? '--ledger-timeout',
      },
      // Anything but a fault: the service broke the protocol, and no later call can be trusted.
      (error) =>
        new RunFailed(
          `the http ledger at ${this.base.origin} (--ledger-url) broke the protocol: ${error instanceof Error ? error.message : String(error)}`,
        ),
    )
  }

  async open(): Promise<void> {
    this.session = await this.call(paths.open, () => encodeOptions(this.options), decodeSession)
    this.sequence = 0
  }

  async createAccounts(batch: AccountBatch): Promise<AccountResults> {
    const code = new Uint8Array(batch.count)
    const calls: Promise<void>[] = []
    for (let from = 0; from < batch.count; from += httpAccountsPerCallMax) {
      const to = Math.min(batch.count, from + httpAccountsPerCallMax)
      calls.push(
        this.call(
          paths.accounts,
          () => encodeAccounts(batch, from, to),
          (body) => decodeCodes(body, to - from, accountResultCodes.length - 1),
        ).then((codes) => code.set(codes, from)),
      )
    }
    await Promise.all(calls)
    return { code }
  }

  async submit(batch: TransferBatch): Promise<TransferResults> {
    assert(batch.count <= transferBatchMax, 'a batch holds at most transferBatchMax transfers')
    // A bad id is the caller's bug: it fails here, as in every ledger, and is never sent.
    assertTransferIds(batch)
    return {
      code: await this.call(
        paths.transfers,
        () => encodeTransfers(batch),
        (body) => decodeCodes(body, batch.count, ledgerResultCodeMaxV1),
      ),
    }
  }

  async lookup(ids: Uint32Array): Promise<Balances> {
    assert(ids.length <= lookupBatchMax, 'a lookup holds at most lookupBatchMax ids')
    return this.call(
      paths.lookup,
      () => encodeIds(ids),
      (body) => decodeBalances(body, ids.length),
    )
  }

  async totals(): Promise<LedgerTotals> {
    return this.call(
      paths.totals,
      () => ({}),
      (body) => decodeTotals(body, transferKindCount),
    )
  }

  /** What went wrong on the way to the service, for the run's summary. */
  health(): LedgerHealth {
    return this.calls.health()
  }

  /**
   * Fails what is still queued and drops the connection: nothing waits on a service that may never
   * answer.
   */
  async close(): Promise<void> {
    const settled = this.calls.stop('the http ledger was closed')
    this.agent.destroy()
    await settled
  }

  /**
   * Posts the body `encode` makes to `path`, in turn after every call made before, with the next
   * call number; retries faults; resolves to the answer as `decode` reads it. The body is made when
   * the call's turn comes, so calls waiting their turn hold their batches, not megabytes of JSON.
   */
  private call<T>(path: string, encode: () => unknown, decode: (body: unknown) => T): Promise<T> {
    return this.calls.inTurn(async () => {
      if (this.unauthorized !== undefined) throw this.unauthorized
      const text = JSON.stringify(encode())
      assert(Buffer.byteLength(text) <= httpBodyBytesMax, 'a call fits the protocol body bound')
      const number = path === paths.open ? 0 : ++this.sequence
      const callHeader = `${this.session} ${number}`
      return decode(
        await this.calls.retried((deadline) => this.post(path, text, callHeader, deadline)),
      )
    })
  }

  /**
   * One attempt: the answer's JSON, a Fault to retry, a UserError (the token was refused) or a
   * ProtocolError (the service broke the protocol). It ends by its own deadline, or the call's.
   */
  private post(
    path: string,
    text: string,
    callHeader: string,
    callDeadline: AbortSignal | undefined,
  ): Promise<unknown> {
    const attemptMs = this.settings.attemptMsMax ?? ledgerAttemptMsMax
    return new Promise((resolve, reject) => {
      /**
       * Why the attempt was cut short, when it was: what it fails with, whatever the socket says
       * after.
       */
      let cut: Fault | undefined
      const fail = (error: Error) => reject(cut ?? error)
      const request = http.request(
        new URL(path, this.base),
        { method: 'POST', agent: this.agent, headers: this.headers(text, callHeader) },
        (response) => this.receive(path, response, resolve, fail),
      )
      // A deadline on the whole attempt, not on silence alone: a service that trickles a byte now
      // and then, or never ends its answer, does not hold a call for ever.
      const cutShort = (fault: Fault) => {
        cut ??= fault
        request.destroy(cut)
      }
      const scheduler = this.settings.scheduler ?? wallScheduler
      const cancelDeadline = scheduler.timer(attemptMs, () =>
        cutShort(new Fault('timeout', `no whole answer within ${attemptMs} ms`)),
      )
      const callOver = () =>
        cutShort(new Fault('timeout', "the call's deadline passed before a whole answer came"))
      if (callDeadline?.aborted === true) callOver()
      callDeadline?.addEventListener('abort', callOver, { once: true })
      request.on('close', () => {
        cancelDeadline()
        callDeadline?.removeEventListener('abort', callOver)
      })
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof Fault) fail(error)
        else
          fail(new Fault(error.code === 'ECONNREFUSED' ? 'refused' : 'connection', error.message))
      })
      request.end(text)
    })
  }

  /** The headers of a call: its body's type and length, its call number, the token if any. */
  private headers(text: string, callHeader: string): http.OutgoingHttpHeaders {
    const token = this.settings.token
    return {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      [callHeaderName]: callHeader,
      ...(token === undefined ? {} : { [authorizationHeaderName]: bearer(token) }),
    }
  }

  /** Gathers the answer from `path`, bounded in size, and settles the attempt by what it says. */
  private receive(
    path: string,
    response: http.IncomingMessage,
    resolve: (json: unknown) => void,
    fail: (error: Error) => void,
  ): void {
    const chunks: Buffer[] = []
    let bytes = 0
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > httpBodyBytesMax) {
        response.destroy()
        fail(new ProtocolError(`the answer from ${path} is larger than ${httpBodyBytesMax} bytes`))
        return
      }
      chunks.push(chunk)
    })
    response.on('error', (error) => fail(new Fault('connection', error.message)))
    response.on('end', () => this.settle(path, response.statusCode ?? 0, chunks, resolve, fail))
  }

  /** Settles an attempt by its answer's status and body: its JSON, a Fault to retry or an error. */
  private settle(
    path: string,
    status: number,
    chunks: readonly Buffer[],
    resolve: (json: unknown) => void,
    fail: (error: Error) => void,
  ): void {
    if (status === 401) {
      fail(this.refusedToken())
      return
    }
    let json: unknown
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      if (status >= 500) fail(new Fault('server', `status ${status}`))
      else fail(new ProtocolError(`the answer from ${path} (status ${status}) is not JSON`))
      return
    }
    if (status >= 200 && status < 300) resolve(json)
    else if (status >= 500) fail(new Fault('server', `status ${status}: ${messageOf(json)}`))
    // The service would not open a ledger for this run (one held by another run, say): the
    // user's to resolve, not retried.
    else if (status === 409 && path === paths.open) {
      const reason = messageOf(json, openRefusalCharsMax)
      fail(
        new UserError(
          `--ledger-url: the http ledger at ${this.base.origin} would not open a ledger for this run: ${reason}`,
        ),
      )
    } else {
      fail(new ProtocolError(`${path} refused the call (status ${status}): ${messageOf(json)}`))
    }
  }

  /**
   * The service refused the token (or its absence): the user's to fix, so not retried; every later
   * call fails with it.
   */
  private refusedToken(): UserError {
    this.unauthorized ??= new UserError(
      `--ledger-token: the http ledger at ${this.base.origin} refused the call (401) ${this.settings.token === undefined ? 'without a token' : 'with the token given'}: ` +
        `give the service's token with --ledger-token or ${ledgerTokenVariable} (\`citytwin ledger-server\` prints one at start)`,
    )
    return this.unauthorized
  }
}

/** The service's address from `--ledger-url`, checked: a user error names the flag. */
export function parseLedgerUrl(url: string | undefined): URL {
  if (url === undefined)
    throw new UserError(
      '--ledger-url: the http ledger needs the address of a service that speaks the protocol (docs/http-ledger.md), like http://127.0.0.1:8081',
    )
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UserError(`--ledger-url: "${url}" is not a URL`)
  }
  if (parsed.protocol !== 'http:')
    throw new UserError(`--ledger-url: "${url}" must start with http://`)
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '')
    throw new UserError(
      `--ledger-url: "${url}" must be the service's origin only, like http://127.0.0.1:8081 (the protocol's paths start at /v1/)`,
    )
  return parsed
}

/**
 * Characters of a service's reason for refusing an open, quoted to the user (a lease refusal names
 * the holder and what to do).
 */
const openRefusalCharsMax = 800

function messageOf(json: unknown, charsMax = 300): string {
  return typeof json === 'object' &&
    json !== null &&
    typeof (json as { error?: unknown }).error === 'string'
    ? (json as { error: string }).error.slice(0, charsMax)
    : ''
}
