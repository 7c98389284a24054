/**
 * The reference server's connections: idle sockets cannot fill its cap and lock its client out,
 * a refused request closes its connection, idle ones are timed out, and a connection with a
 * request under way is never the one displaced.
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  HttpLedger,
  LedgerServer,
  createLedger,
  type LedgerOptions,
} from '../../../../engine/ledger/index.js'
import {
  ledgerServerCheckEveryMs,
  ledgerServerConnectionsMax,
  ledgerServerHeadersMs,
  ledgerServerKeepAliveMs,
} from '../../../../engine/limits.js'
import { wallClock } from '../../../../engine/time/index.js'
import {
  accounts,
  testLedgerToken as token,
  tiers,
  transfers,
  utcOffsetMinutes,
} from '../conformance/harness.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const options: LedgerOptions = { accountsMax: 16, tiers, utcOffsetMinutes }

async function serve(): Promise<LedgerServer> {
  const server = await LedgerServer.start({
    host: '127.0.0.1',
    port: 0,
    token,
    backend: (given) => createLedger('memory', given),
  })
  cleanups.push(() => server.close())
  return server
}

/**
 * A raw socket to the server, connected; it keeps what it receives and when it closed (ms on the
 * wall clock).
 */
interface RawSocket {
  readonly socket: net.Socket
  received: string
  closedAtMs: number | undefined
  readonly closed: Promise<void>
}

async function connect(url: string): Promise<RawSocket> {
  const { hostname, port } = new URL(url)
  const socket = net.connect(Number(port), hostname)
  const raw: RawSocket = {
    socket,
    received: '',
    closedAtMs: undefined,
    closed: new Promise((resolve) => socket.once('close', () => resolve())),
  }
  socket.on('data', (chunk: Buffer) => (raw.received += chunk.toString()))
  socket.on('error', () => undefined)
  socket.once('close', () => (raw.closedAtMs = wallClock.nowMs()))
  cleanups.push(async () => {
    socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return raw
}

/** Resolves once `raw` has received `text`, or rejects after `withinMs`. */
function until(raw: RawSocket, pattern: RegExp, withinMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = wallClock.nowMs()
    const look = setInterval(() => {
      if (pattern.test(raw.received)) {
        clearInterval(look)
        resolve()
      } else if (wallClock.nowMs() - started > withinMs) {
        clearInterval(look)
        reject(
          new Error(
            `no ${String(pattern)} within ${withinMs} ms: ${JSON.stringify(raw.received.slice(0, 200))}`,
          ),
        )
      }
    }, 10)
  })
}

function request(path: string, body: string, headers: Record<string, string>): string {
  const lines = [
    `POST ${path} HTTP/1.1`,
    'host: 127.0.0.1',
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ]
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

/** Resolves with `promise`'s value, or rejects once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)),
  )
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

describe("the reference server's connections", () => {
  it('serves its client while idle sockets, three times its cap, hold connections open', async () => {
    // Proves the cap cannot be held by idle sockets: 24 sockets that connect and send nothing are
    // in place before the client comes; the client's calls all succeed, at their first attempt.
    const server = await serve()
    for (let index = 0; index < 3 * ledgerServerConnectionsMax; index++) await connect(server.url)
    const client = new HttpLedger(options, server.url, { token, attemptsMax: 2, retryPauseMs: 10 })
    cleanups.push(() => client.close())
    await client.open()
    await client.createAccounts(accounts([{ id: 0, flags: 1 }, { id: 1 }]))
    expect(
      (await client.submit(transfers([{ id: 1, debit: 0, credit: 1, amountFen: 500 }]))).code,
    ).toEqual(Uint8Array.of(0))
    expect(Array.from((await client.lookup(Uint32Array.of(1))).balanceFen)).toEqual([500])
    expect(client.health().faults).toEqual({ timeout: 0, refused: 0, connection: 0, server: 0 })
    expect(server.displaced).toBeGreaterThanOrEqual(2 * ledgerServerConnectionsMax)
  })

  it('closes the connection of every refused request, so a stranger cannot keep connections alive by asking', async () => {
    // Proves a refused caller holds nothing: eight kept-alive requests without the token, eight
    // with it and a malformed call header; each gets its refusal and then the server closes its
    // connection.
    const server = await serve()
    const askers = await Promise.all(
      Array.from({ length: ledgerServerConnectionsMax }, () => connect(server.url)),
    )
    const malformed = await Promise.all(
      Array.from({ length: ledgerServerConnectionsMax }, () => connect(server.url)),
    )
    for (const raw of askers)
      raw.socket.write(request('/v1/totals', '{}', { connection: 'keep-alive' }))
    for (const raw of malformed)
      raw.socket.write(
        request('/v1/totals', '{}', { connection: 'keep-alive', authorization: `Bearer ${token}` }),
      )
    await within(
      Promise.all([...askers, ...malformed].map((raw) => raw.closed)),
      5_000,
      'the refused connections closing',
    )
    for (const raw of askers) expect(raw.received).toMatch(/^HTTP\/1\.1 401 /)
    for (const raw of malformed) expect(raw.received).toMatch(/^HTTP\/1\.1 400 /)
  })

  it('never displaces a connection with a request under way', async () => {
    // Proves the cap takes idle connections only: a call whose body is still coming when 24 more
    // sockets connect is answered once its body is whole.
    const server = await serve()
    const client = new HttpLedger(options, server.url, { token })
    cleanups.push(() => client.close())
    await client.open()
    const busy = await connect(server.url)
    const body = '{}'
    const whole = request('/v1/totals', body, {
      authorization: `Bearer ${token}`,
      'citytwin-call': '1 1',
    })
    busy.socket.write(whole.slice(0, -1))
    // Its headers are in: the request is under way (the server has seen it) before the others come.
    await new Promise((resolve) => setTimeout(resolve, 200))
    for (let index = 0; index < 3 * ledgerServerConnectionsMax; index++) await connect(server.url)
    busy.socket.write(whole.slice(-1))
    await until(busy, /^HTTP\/1\.1 200 [\s\S]*"debitsFen"/, 5_000)
    expect(busy.closedAtMs).toBeUndefined()
  })

  it('drops a socket that never sends a whole request, and closes a kept-alive one left idle, on time', async () => {
    // Proves idle connections are timed out: one that sends nothing, one that sends half its
    // headers, both by the headers deadline (checked every second); one whose request was answered,
    // by the keep-alive timeout.
    const server = await serve()
    const client = new HttpLedger(options, server.url, { token })
    cleanups.push(() => client.close())
    await client.open()
    const startedMs = wallClock.nowMs()
    const silent = await connect(server.url)
    const partial = await connect(server.url)
    partial.socket.write('POST /v1/totals HTTP/1.1\r\nhost: 127.0.0.1\r\n')
    const kept = await connect(server.url)
    kept.socket.write(
      request('/v1/totals', '{}', {
        connection: 'keep-alive',
        authorization: `Bearer ${token}`,
        'citytwin-call': '1 1',
      }),
    )
    await until(kept, /^HTTP\/1\.1 200 /, 5_000)
    const answeredMs = wallClock.nowMs()
    // Generous for a busy machine, and still well short of the 30 s Node would otherwise leave
    // them.
    const slackMs = 4_000
    await within(
      Promise.all([silent.closed, partial.closed, kept.closed]),
      ledgerServerHeadersMs + ledgerServerCheckEveryMs + slackMs,
      'the idle connections closing',
    )
    expect((kept.closedAtMs as number) - answeredMs).toBeLessThan(
      ledgerServerKeepAliveMs + ledgerServerCheckEveryMs + slackMs,
    )
    for (const raw of [silent, partial])
      expect((raw.closedAtMs as number) - startedMs).toBeGreaterThanOrEqual(
        ledgerServerHeadersMs - 1_000,
      )
  }, 30_000)
})
