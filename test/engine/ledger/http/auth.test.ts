/**
 * The reference server's token: every request without it is answered 401 before anything else,
 * telling the caller nothing of the ledger, its session or its calls, and changing nothing; the
 * http client sends it, and hears a refused token as the user's mistake, named, not retried.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { UserError } from '../../../../engine/errors.js'
import {
  HttpLedger,
  LedgerServer,
  createLedger,
  ledgerTokenFrom,
  type LedgerOptions,
} from '../../../../engine/ledger/index.js'
import { TokenCheck, generateLedgerToken } from '../../../../engine/ledger/http/ledgerToken.js'
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
 * A client with a session open, two accounts and one transfer made: a ledger with something to
 * steal.
 */
async function sessionWithMoney(server: LedgerServer): Promise<HttpLedger> {
  const client = new HttpLedger(options, server.url, { token, attemptsMax: 2, retryPauseMs: 10 })
  cleanups.push(() => client.close())
  await client.open()
  await client.createAccounts(accounts([{ id: 0, flags: 1 }, { id: 1 }]))
  expect(
    (await client.submit(transfers([{ id: 1, debit: 0, credit: 1, amountFen: 500 }]))).code,
  ).toEqual(Uint8Array.of(0))
  return client
}

const bodies: Record<string, unknown> = {
  '/v1/open': {
    accountsMax: 16,
    tiers: [{ balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 }],
    utcOffsetMinutes: 0,
  },
  '/v1/transfers': {
    id: [2],
    debit: [0],
    credit: [1],
    amountFen: [1_000_000],
    kind: [0],
    flags: [0],
    pendingId: [0],
    timeoutMinutes: [0],
    minute: [0],
  },
  '/v1/lookup': { id: [0, 1] },
  '/v1/totals': {},
  '/v1/nothing-here': {},
}

describe("the reference server's token", () => {
  it('answers 401 to every request without the right token, before its method, path or body, telling nothing and changing nothing', async () => {
    // Proves a stranger on the port can neither read, move, mint nor replace: every path, both
    // methods, every sort of wrong Authorization header gets a 401 that names no session and no
    // call, closes its connection, and the client's session goes on with its balances as they were.
    const server = await serve()
    const client = await sessionWithMoney(server)
    const wrongHeaders: (string | undefined)[] = [
      undefined,
      'Bearer wrong-token-here',
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      `Basic ${token}`,
      token,
      'Bearer',
      `Bearer ${token} ${token}`,
    ]
    for (const [path, body] of Object.entries(bodies)) {
      for (const method of ['POST', 'GET']) {
        for (const authorization of wrongHeaders) {
          const response = await fetch(new URL(path, server.url), {
            method,
            headers: {
              'content-type': 'application/json',
              'citytwin-call': '1 3',
              ...(authorization === undefined ? {} : { authorization }),
            },
            ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
          })
          const text = await response.text()
          expect(response.status, `${method} ${path} with ${String(authorization)}`).toBe(401)
          expect(response.headers.get('www-authenticate')).toBe('Bearer')
          expect(response.headers.get('connection')).toBe('close')
          // No number at all: not the session, not the next call, not a balance.
          expect(text).not.toMatch(/\d/)
          const refusal = JSON.parse(text) as { error?: unknown }
          expect(Object.keys(refusal)).toEqual(['error'])
          expect(refusal.error).toContain('token')
        }
      }
    }
    // Nothing changed: the same session, the same balances, the next call in turn.
    expect(Array.from((await client.lookup(Uint32Array.of(0, 1))).balanceFen)).toEqual([-500, 500])
    expect(
      (await client.submit(transfers([{ id: 2, debit: 0, credit: 1, amountFen: 700 }]))).code,
    ).toEqual(Uint8Array.of(0))
    expect(Array.from((await client.lookup(Uint32Array.of(0, 1))).balanceFen)).toEqual([
      -1_200, 1_200,
    ])
    expect(client.health().faults).toEqual({ timeout: 0, refused: 0, connection: 0, server: 0 })
  })

  it('tells a caller with the token which session and call it expected', async () => {
    // Proves the messages that name the session still reach the one who may hear them (they help a
    // service's author).
    const server = await serve()
    await sessionWithMoney(server)
    const response = await fetch(new URL('/v1/totals', server.url), {
      method: 'POST',
      headers: { authorization: `bearer ${token}`, 'citytwin-call': '1 9' },
      body: '{}',
    })
    expect(response.status).toBe(409)
    expect(((await response.json()) as { error: string }).error).toBe(
      'call 9 out of turn: the next call of session 1 is 3',
    )
  })

  it('fails a client without the token, or with a wrong one, at once with a message naming --ledger-token, not after retries', async () => {
    // Proves a 401 is the user's to fix: one attempt, no fault counted, the flag and the variable
    // named; and every later call fails the same way.
    const server = await serve()
    for (const given of [undefined, 'not-the-token']) {
      const client = new HttpLedger(options, server.url, {
        ...(given === undefined ? {} : { token: given }),
        retryPauseMs: 10,
      })
      cleanups.push(() => client.close())
      const opened = client.open()
      await expect(opened).rejects.toThrow(UserError)
      await expect(opened).rejects.toThrow(
        /--ledger-token: the http ledger at http:\/\/127\.0\.0\.1:\d+ refused the call \(401\) .*CITYTWIN_LEDGER_TOKEN/,
      )
      await expect(opened).rejects.toThrow(
        given === undefined ? /without a token/ : /with the token given/,
      )
      expect(client.health().faults).toEqual({ timeout: 0, refused: 0, connection: 0, server: 0 })
      await expect(client.totals()).rejects.toThrow(/refused the call \(401\)/)
    }
  })
})

describe('tokens', () => {
  it('match only the whole token, whatever the length of a guess, in a Bearer header', () => {
    // Proves the check itself: a prefix, an extension, another length, another scheme, a list,
    // nothing: all refused.
    const check = new TokenCheck(token)
    expect(check.matches(`Bearer ${token}`)).toBe(true)
    expect(check.matches(`BEARER  ${token} `)).toBe(true)
    for (const header of [
      undefined,
      '',
      token,
      `Bearer ${token.slice(1)}`,
      `Bearer ${token}0`,
      `Bearer ${'x'.repeat(4096)}`,
      `Basic ${token}`,
      `Bearer ${token}\tx`,
    ]) {
      expect(check.matches(header), String(header)).toBe(false)
    }
    expect(check.matches([`Bearer ${token}`, `Bearer ${token}`])).toBe(false)
  })

  it('are 8 to 256 visible characters, from the flag before the environment; a server makes a fresh one of 32', () => {
    // Proves the bounds and where a token comes from, with the flag or the variable named in the
    // error.
    expect(ledgerTokenFrom('flag-token', 'environment-token', '--ledger-token')).toBe('flag-token')
    expect(ledgerTokenFrom(undefined, 'environment-token', '--ledger-token')).toBe(
      'environment-token',
    )
    expect(ledgerTokenFrom(undefined, '', '--ledger-token')).toBeUndefined()
    expect(ledgerTokenFrom(undefined, undefined, '--token')).toBeUndefined()
    expect(ledgerTokenFrom('x'.repeat(256), undefined, '--token')).toHaveLength(256)
    expect(() => ledgerTokenFrom('short', undefined, '--token')).toThrow(
      /^--token: a token is 8 to 256 visible ASCII characters/,
    )
    expect(() => ledgerTokenFrom('x'.repeat(257), undefined, '--token')).toThrow(/^--token:/)
    expect(() => ledgerTokenFrom(undefined, 'has a space', '--token')).toThrow(
      /^CITYTWIN_LEDGER_TOKEN:/,
    )
    expect(() => ledgerTokenFrom('tab\there-long', undefined, '--ledger-token')).toThrow(
      /^--ledger-token:/,
    )
    const made = generateLedgerToken()
    expect(made).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(generateLedgerToken()).not.toBe(made)
  })
})
