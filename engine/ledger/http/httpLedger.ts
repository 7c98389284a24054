/**
 * `--ledger http --ledger-url http://host:port`: any ledger service that speaks the HTTP ledger
 * protocol (protocol.ts, docs/http-ledger.md), driven through the LedgerCore interface.
 *
 * Order: calls go one at a time, in the order made, on one kept-alive connection, so a lookup
 * made after a submit sees it (the interface's promise) without the service having to sort
 * anything. Calls made meanwhile wait their turn; the open model measures that wait as latency.
 *
 * Faults: a call that times out, is refused, loses its connection or gets a 5xx is retried with
 * the same body, and so the same transfer ids, after a growing pause, `attemptsMax` times at most.
 * The service's idempotency makes a retry safe: a transfer the lost attempt had applied comes
 * back `exists`, which on a retry means "applied", and is reported ok. Failures are counted by
 * class (`faults`); a call that exhausts its attempts fails, and the caller counts it as errors.
 */
import http from 'node:http'
import { assert } from '../../assert.js'
import { RunFailed, UserError } from '../../errors.js'
import { ResultCode, resultCodeCount } from '../resultCode.js'
import { transferKindCount } from '../transferKind.js'
import { AccountResultCode, accountResultCodes } from '../resultCode.js'
import type { NowMs } from '../../time/index.js'
import type { AccountBatch, AccountResults, Balances, LedgerCore, LedgerHealth, LedgerOptions, LedgerTotals, TransferBatch, TransferResults } from '../ledgerCore.js'
import {
  decodeBalances,
  decodeCodes,
  decodeTotals,
  encodeAccounts,
  encodeIds,
  encodeOptions,
  encodeTransfers,
  httpAccountsPerCallMax,
  httpBodyBytesMax,
  paths,
  ProtocolError,
} from './protocol.js'

/** Attempts per call before it fails (the first and the retries). */
const attemptsMax = 6
/** Pause before the first retry; it doubles up to `retryPauseMsMax`. */
const retryPauseMs = 50
const retryPauseMsMax = 2_000
/** A call with no answer after this long is abandoned and retried. */
const callTimeoutMs = 30_000

export type FaultClass = 'timeout' | 'refused' | 'connection' | 'server'

/** A call the service could not answer: a fault of the service or the network, retried. */
class Fault extends Error {
  constructor(
    readonly fault: FaultClass,
    message: string,
  ) {
    super(message)
  }
}

export class HttpLedger implements LedgerCore {
  readonly name = 'http'
  /** Failed attempts by class, over the ledger's life (retried or not). */
  readonly faults: Record<FaultClass, number> = { timeout: 0, refused: 0, connection: 0, server: 0 }
  /** Calls that succeeded only after a retry. */
  recovered = 0
  /** The longest a call took from its first failed attempt to its answer, ms (measured when given a clock). */
  longestRecoveryMs = 0
  private readonly base: URL
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  /** The last call made: the next waits for it, so calls reach the service in order. */
  private turn: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly options: LedgerOptions,
    url: string | undefined,
    private readonly timing: { attemptsMax?: number; callTimeoutMs?: number; retryPauseMs?: number; now?: NowMs | undefined } = {},
  ) {
    this.base = parseLedgerUrl(url)
  }

  async open(): Promise<void> {
    await this.call(paths.open, encodeOptions(this.options))
  }

  async createAccounts(batch: AccountBatch): Promise<AccountResults> {
    const code = new Uint8Array(batch.count)
    const calls: Promise<void>[] = []
    for (let from = 0; from < batch.count; from += httpAccountsPerCallMax) {
      const to = Math.min(batch.count, from + httpAccountsPerCallMax)
      let retried = false
      calls.push(
        this.call(paths.accounts, encodeAccounts(batch, from, to), () => {
          retried = true
        }).then((body) => {
          const codes = decodeCodes(body, to - from, accountResultCodes.length - 1)
          // On a retry, `exists` means an earlier attempt of this very call created the account.
          if (retried) for (let index = 0; index < codes.length; index++) if (codes[index] === AccountResultCode.exists) codes[index] = AccountResultCode.created
          code.set(codes, from)
        }),
      )
    }
    await Promise.all(calls)
    return { code }
  }

  async submit(batch: TransferBatch): Promise<TransferResults> {
    let retried = false
    const body = await this.call(paths.transfers, encodeTransfers(batch), () => {
      retried = true
    })
    const code = decodeCodes(body, batch.count, resultCodeCount - 1)
    // On a retry, `exists` means an earlier attempt of this very call applied the transfer.
    if (retried) for (let index = 0; index < code.length; index++) if (code[index] === ResultCode.exists) code[index] = ResultCode.ok
    return { code }
  }

  async lookup(ids: Uint32Array): Promise<Balances> {
    return decodeBalances(await this.call(paths.lookup, encodeIds(ids)), ids.length)
  }

  async totals(): Promise<LedgerTotals> {
    return decodeTotals(await this.call(paths.totals, {}), transferKindCount)
  }

  /** What went wrong on the way to the service, for the run's summary. */
  health(): LedgerHealth {
    return { faults: { ...this.faults }, recovered: this.recovered, longestRecoveryMs: this.longestRecoveryMs }
  }

  async close(): Promise<void> {
    await this.turn.catch(() => undefined)
    this.agent.destroy()
  }

  /** Posts `body` to `path` in turn after every call made before, retrying faults; the answer's JSON. */
  private call(path: string, body: unknown, onRetry?: () => void): Promise<unknown> {
    const text = JSON.stringify(body)
    assert(Buffer.byteLength(text) <= httpBodyBytesMax, 'a call fits the protocol body bound')
    const result = this.turn.catch(() => undefined).then(() => this.attempts(path, text, onRetry))
    this.turn = result.catch(() => undefined)
    return result
  }

  private async attempts(path: string, text: string, onRetry?: () => void): Promise<unknown> {
    const attempts = this.timing.attemptsMax ?? attemptsMax
    let pauseMs = this.timing.retryPauseMs ?? retryPauseMs
    let failedAtMs = 0
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.post(path, text)
        if (attempt > 1) {
          this.recovered += 1
          if (this.timing.now !== undefined) this.longestRecoveryMs = Math.max(this.longestRecoveryMs, this.timing.now() - failedAtMs)
        }
        return answer
      } catch (error) {
        if (!(error instanceof Fault)) throw error
        if (attempt === 1 && this.timing.now !== undefined) failedAtMs = this.timing.now()
        this.faults[error.fault] += 1
        if (attempt >= attempts) throw new RunFailed(`the http ledger at ${this.base.origin} failed ${attempts} times (${error.fault}: ${error.message})`)
        onRetry?.()
        await new Promise((resolve) => setTimeout(resolve, pauseMs))
        pauseMs = Math.min(retryPauseMsMax, pauseMs * 2)
      }
    }
  }

  /** One attempt: the answer's JSON, a Fault to retry, or a ProtocolError (the service broke the protocol). */
  private post(path: string, text: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        new URL(path, this.base),
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
          timeout: this.timing.callTimeoutMs ?? callTimeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = []
          let bytes = 0
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length
            if (bytes > httpBodyBytesMax) {
              response.destroy()
              reject(new ProtocolError(`the answer from ${path} is larger than ${httpBodyBytesMax} bytes`))
              return
            }
            chunks.push(chunk)
          })
          response.on('error', (error) => reject(new Fault('connection', error.message)))
          response.on('end', () => {
            const status = response.statusCode ?? 0
            let json: unknown
            try {
              json = JSON.parse(Buffer.concat(chunks).toString('utf8'))
            } catch {
              if (status >= 500) reject(new Fault('server', `status ${status}`))
              else reject(new ProtocolError(`the answer from ${path} (status ${status}) is not JSON`))
              return
            }
            if (status >= 200 && status < 300) resolve(json)
            else if (status >= 500) reject(new Fault('server', `status ${status}: ${messageOf(json)}`))
            else reject(new ProtocolError(`${path} refused the call (status ${status}): ${messageOf(json)}`))
          })
        },
      )
      request.on('timeout', () => request.destroy(new Fault('timeout', `no answer within ${this.timing.callTimeoutMs ?? callTimeoutMs} ms`)))
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof Fault) reject(error)
        else reject(new Fault(error.code === 'ECONNREFUSED' ? 'refused' : 'connection', error.message))
      })
      request.end(text)
    })
  }
}

/** The service's address from `--ledger-url`, checked: a user error names the flag. */
export function parseLedgerUrl(url: string | undefined): URL {
  if (url === undefined) throw new UserError('--ledger-url: the http ledger needs the address of a service that speaks the protocol (docs/http-ledger.md), like http://127.0.0.1:8081')
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new UserError(`--ledger-url: "${url}" is not a URL`)
  }
  if (parsed.protocol !== 'http:') throw new UserError(`--ledger-url: "${url}" must start with http://`)
  return parsed
}

function messageOf(json: unknown): string {
  return typeof json === 'object' && json !== null && typeof (json as { error?: unknown }).error === 'string' ? ((json as { error: string }).error).slice(0, 300) : ''
}
