/**
 * Transfer ids on the wire: the reference server takes ids and pending ids up to 2^53 - 1 as JSON
 * numbers, exactly, and answers 400 naming the field to an id that is not an integer in that range
 * (2^53, a fraction, a negative, 1e300), applying nothing of that call.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { LedgerServer, createLedger } from '../../../../engine/ledger/index.js'
import { testLedgerToken as token } from '../conformance/harness.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

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

/** POSTs `body` (already JSON text, so numbers travel as written) as call `call` of the session. */
async function post(
  server: LedgerServer,
  path: string,
  body: string,
  call?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL(path, server.url), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(call === undefined ? {} : { 'citytwin-call': call }),
    },
    body,
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** A /v1/transfers body of one issue from account 0 to 1, with `id` and `pendingId` as written. */
function transferText(id: string, pendingId = '0', flags = 0): string {
  return `{"id":[${id}],"debit":[0],"credit":[1],"amountFen":[100],"kind":[0],"flags":[${flags}],"pendingId":[${pendingId}],"timeoutMinutes":[0],"minute":[29923260]}`
}

describe('the http protocol: transfer ids below 2^53', () => {
  it('takes ids up to 2^53 - 1 exactly and refuses others with a 400 naming the field', async () => {
    // Proves JSON carries every id below 2^53 whole (2^53 - 1 and 2^53 - 2 are two transfers),
    // and that an id past it, a fraction or a negative is refused before it applies: the next
    // call in turn still finds nothing of it.
    const server = await serve()
    const opened = await post(
      server,
      '/v1/open',
      JSON.stringify({
        accountsMax: 4,
        tiers: [{ balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 }],
        utcOffsetMinutes: 480,
      }),
    )
    expect(opened.status).toBe(200)
    const session = opened.body.session as number
    let call = 1
    const next = () => `${session} ${call++}`
    expect(
      await post(server, '/v1/accounts', '{"id":[0,1],"tier":[0,0],"flags":[1,0]}', next()),
    ).toEqual({ status: 200, body: { code: [0, 0] } })

    const refused: readonly [id: string, pendingId: string, field: string][] = [
      ['9007199254740992', '0', 'id[0]'],
      ['1.5', '0', 'id[0]'],
      ['-1', '0', 'id[0]'],
      ['1e300', '0', 'id[0]'],
      ['7', '9007199254740992', 'pendingId[0]'],
      ['7', '0.5', 'pendingId[0]'],
    ]
    for (const [id, pendingId, field] of refused) {
      // A refused call takes its turn, as any call does: its answer is the 400.
      const answer = await post(server, '/v1/transfers', transferText(id, pendingId), next())
      expect(answer.status, `id ${id}, pendingId ${pendingId}`).toBe(400)
      expect(answer.body.error).toBe(`${field}: must be an integer from 0 to 9007199254740991`)
    }

    const top = '9007199254740991'
    expect(await post(server, '/v1/transfers', transferText(top), next())).toEqual({
      status: 200,
      body: { code: [0] },
    })
    expect(await post(server, '/v1/transfers', transferText('9007199254740990'), next())).toEqual({
      status: 200,
      body: { code: [0] },
    })
    expect(await post(server, '/v1/transfers', transferText(top), next())).toEqual({
      status: 200,
      body: { code: [10] },
    })
    // Two issues of 100 fen applied, none of the refused ones.
    expect(await post(server, '/v1/lookup', '{"id":[0,1]}', next())).toEqual({
      status: 200,
      body: { balanceFen: [-200, 200], pendingDebitFen: [0, 0], pendingCreditFen: [0, 0] },
    })
  })
})
