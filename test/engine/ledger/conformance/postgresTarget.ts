/**
 * The postgres ledger in the conformance suite: against the PostgreSQL server of the machine
 * (CITYTWIN_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test) and against the
 * embedded server, one per test file. Each ledger gets a schema of its own, dropped when it closes,
 * so test files running side by side never meet and the database is left as it was.
 */
import pg from 'pg'
import { afterAll } from 'vitest'
import {
  EmbeddedServer,
  PostgresLedger,
  type LedgerCore,
  type LedgerOptions,
} from '../../../../engine/ledger/index.js'
import { closingWith } from '../../../helpers/ledgerChecks.js'
import type { Adapter } from './adapter.js'

export const postgresUrl =
  process.env.CITYTWIN_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

let schemas = 0
/** A schema name no other ledger of any test process uses. */
export function testSchema(): string {
  schemas += 1
  return `ct_test_${process.pid}_${schemas}`
}

/** Is a PostgreSQL server answering at `url`? */
export async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** Drops a test ledger's schema. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => undefined)
  await client.connect()
  try {
    await client.query(`drop schema if exists "${schema}" cascade`)
  } finally {
    await client.end()
  }
}

/** A postgres ledger in a schema of its own at `url`, dropped at close. */
export function schemaLedger(options: LedgerOptions, url: string, name = 'postgres'): LedgerCore {
  const schema = testSchema()
  const separator = url.includes('?') ? '&' : '?'
  return closingWith(new PostgresLedger(options, `${url}${separator}schema=${schema}`), name, () =>
    dropSchema(url, schema),
  )
}

let embedded: Promise<EmbeddedServer> | undefined
afterAll(async () => {
  const server = embedded
  embedded = undefined
  await (await server)?.stop()
})

/** The embedded server this test file shares, started when first needed. */
export function sharedEmbedded(): Promise<EmbeddedServer> {
  embedded ??= EmbeddedServer.start()
  return embedded
}

/** A ledger on the shared embedded server: it starts at open, in a schema of its own. */
function embeddedLedger(options: LedgerOptions): LedgerCore {
  let inner: LedgerCore | undefined
  const opened = (): LedgerCore => {
    if (inner === undefined) throw new Error('open the ledger first')
    return inner
  }
  return {
    name: 'postgres-embedded',
    open: async () => {
      inner = schemaLedger(options, (await sharedEmbedded()).url, 'postgres-embedded')
      await inner.open()
    },
    createAccounts: (batch) => opened().createAccounts(batch),
    submit: (batch) => opened().submit(batch),
    lookup: (ids) => opened().lookup(ids),
    totals: () => opened().totals(),
    close: async () => inner?.close(),
  }
}

export async function postgresAdapters(
  unavailable: (ledger: string, why: string, install: string) => readonly Adapter[],
): Promise<readonly Adapter[]> {
  const embeddedAdapter: Adapter = { name: 'postgres-embedded', create: embeddedLedger }
  if (!(await reachable(postgresUrl))) {
    return [
      ...unavailable(
        'postgres',
        `no PostgreSQL server at ${postgresUrl}`,
        'apt-get install -y postgresql, or set CITYTWIN_POSTGRES_URL',
      ),
      embeddedAdapter,
    ]
  }
  return [
    { name: 'postgres', create: (options) => schemaLedger(options, postgresUrl) },
    embeddedAdapter,
  ]
}
