/**
 * reachLedger: the connection tried before a city is built, so a ledger that is not there is told
 * at once. Real sockets on loopback, a real PostgreSQL server where there is one.
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { RunFailed } from '../../../engine/errors.js'
import { reachLedger } from '../../../engine/ledger/index.js'
import { ManualScheduler } from '../../../engine/time/index.js'
import { postgresUrl, reachable } from './conformance/postgresTarget.js'

const serverUp = await reachable(postgresUrl)
if (!serverUp) {
  if (process.env.CI === 'true')
    throw new Error(`the reach tests cannot run: no PostgreSQL server at ${postgresUrl}`)
  console.warn(
    `reach tests of postgres skipped: no PostgreSQL server at ${postgresUrl}; to run them: apt-get install -y postgresql, or set CITYTWIN_POSTGRES_URL`,
  )
}

const servers: net.Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))))
})

/** A TCP server on loopback that takes connections and says nothing; its port. */
async function listening(): Promise<number> {
  const server = net.createServer((socket) => socket.destroy())
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as net.AddressInfo).port
}

/** A port nothing listens on: one the system gave a server that is closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((done) => server.close(done))
  return port
}

async function failure(reach: Promise<void>): Promise<string> {
  const error: unknown = await reach.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(RunFailed)
  return (error as Error).message
}

describe('reachLedger', () => {
  it('passes when a server listens where the http or redis URL points', async () => {
    // Proves a listening server is enough: nothing is sent, the connection is let go.
    const port = await listening()
    await expect(reachLedger('http', `http://127.0.0.1:${port}`)).resolves.toBeUndefined()
    await expect(reachLedger('redis', `redis://127.0.0.1:${port}`)).resolves.toBeUndefined()
  })

  it('fails naming the ledger, the address, the flag and the reason when nothing listens', async () => {
    // Proves a refused connection is a failed run told in one line, with what to do.
    const port = await closedPort()
    expect(await failure(reachLedger('http', `http://127.0.0.1:${port}`))).toBe(
      `cannot reach the http ledger at 127.0.0.1:${port} (--ledger-url): connection refused; start its server, or fix the URL`,
    )
    expect(await failure(reachLedger('redis', `redis://127.0.0.1:${port}/2`))).toContain(
      `cannot reach the redis ledger at 127.0.0.1:${port} (--ledger-url): connection refused`,
    )
  })

  it('gives up at its deadline on the scheduler it is given, not on a timer of its own', async () => {
    // Proves the wait is bounded and comes through the injected scheduler: the deadline passes
    // before the connection to a listening server can complete.
    const port = await listening()
    const scheduler = new ManualScheduler()
    const reach = failure(reachLedger('http', `http://127.0.0.1:${port}`, 1_500, scheduler))
    scheduler.advance(1_500)
    expect(await reach).toContain('no connection within 1.5 s')
  })

  it('passes the embedded ledgers without connecting anywhere', async () => {
    // Proves memory and postgres without a URL (its embedded server) are not probed.
    await expect(reachLedger('memory', undefined)).resolves.toBeUndefined()
    await expect(reachLedger('postgres', undefined)).resolves.toBeUndefined()
  })

  it.runIf(serverUp)(
    'logs in to PostgreSQL, and fails as the open would when it cannot',
    async () => {
      // Proves the postgres probe is a real connection (a wrong database is found, not only a
      // closed port), and that a refused one names the server and the flag.
      await expect(reachLedger('postgres', postgresUrl)).resolves.toBeUndefined()
      const wrongDatabase = new URL(postgresUrl)
      wrongDatabase.pathname = '/no_such_database_here'
      expect(await failure(reachLedger('postgres', wrongDatabase.toString()))).toContain(
        'cannot reach PostgreSQL at',
      )
      const port = await closedPort()
      expect(
        await failure(reachLedger('postgres', `postgres://postgres@127.0.0.1:${port}/test`)),
      ).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}/test (--ledger-url)`)
    },
  )
})
