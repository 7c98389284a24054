/**
 * The postgres ledger's own behaviour, beyond the rules the conformance suite checks: how it reads
 * `--ledger-url`, what open() does to the schema it is given, how a call is answered once per
 * session and number (at the SQL level and across a killed connection), several ledgers
 * (processes) driving one ledger in one schema, and the lease that keeps a second run off a ledger
 * in use. Tests run against the machine's PostgreSQL server
 * (CITYTWIN_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test), each in a schema of its
 * own, dropped afterwards; the database itself is checked with SQL.
 *
 * The batch builders are local rather than harness.ts's: importing harness.ts probes every
 * networked ledger's server (redis too) and would print lines of its own when one is missing.
 */
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { RunFailed, UserError } from '../../../../engine/errors.js'
import {
  AccountFlag,
  HttpLedger,
  LedgerServer,
  PostgresLedger,
  ResultCode,
  parsePostgresUrl,
  type LedgerOptions,
  type WalletTierLimits,
} from '../../../../engine/ledger/index.js'
import { transferBatchMax } from '../../../../engine/limits.js'
import { Random } from '../../../../engine/random/index.js'
import { localDay, yearOfDay } from '../../../../engine/time/simClock.js'
import { publishedTierLimits } from '../../../../scenarios/walletTiers.js'
import {
  accounts,
  mondayMinute,
  transfers,
  type AccountRow,
  type TransferRow,
} from '../../../helpers/batches.js'
import { dropSchema, postgresUrl, reachable, testSchema } from '../conformance/postgresTarget.js'

const serverUp = await reachable(postgresUrl)
if (!serverUp) {
  if (process.env.CI === 'true')
    throw new Error(
      `the postgres ledger tests cannot run: no PostgreSQL server at ${postgresUrl} (CI runs every suite)`,
    )
  console.warn(
    `postgres ledger tests skipped: no PostgreSQL server at ${postgresUrl}; to run them: apt-get install -y postgresql, or set CITYTWIN_POSTGRES_URL`,
  )
}

const seed = 20_261_125
/** Tier 0 is unlimited; 1..4 are the published tiers. */
const tiers: readonly WalletTierLimits[] = [
  { balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 },
  ...[1, 2, 3, 4].map((tier) => publishedTierLimits[tier] as WalletTierLimits),
]
const utcOffsetMinutes = 8 * 60
/** 2026-11-23T10:00+08:00, a Monday morning, in minutes since the epoch. */
const issuer = 0

function ledgerOptions(accountsMax: number): LedgerOptions {
  return { accountsMax, tiers, utcOffsetMinutes }
}

function schemaUrl(schema: string): string {
  return `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}schema=${schema}`
}

/** Run after each test, newest first. */
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A schema of the test's own, dropped after it (after everything registered later has closed). */
function ownSchema(): string {
  const schema = testSchema()
  cleanups.push(() => dropSchema(postgresUrl, schema))
  return schema
}

/** A ledger closed after the test. */
function ledgerIn(
  schema: string,
  accountsMax: number,
  settings: ConstructorParameters<typeof PostgresLedger>[3] = {},
): PostgresLedger {
  const ledger = new PostgresLedger(ledgerOptions(accountsMax), schemaUrl(schema), {}, settings)
  cleanups.push(() => ledger.close())
  return ledger
}

/** A plain connection to the test database, ended after the test. */
async function sqlClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: postgresUrl })
  client.on('error', () => undefined)
  await client.connect()
  cleanups.push(() => client.end().catch(() => undefined))
  return client
}

/** One number from SQL that selects `value` (as text, so bigints stay exact). */
async function sqlNumber(client: pg.Client, text: string, values: unknown[] = []): Promise<number> {
  const { rows } = await client.query<{ value: string | null }>(text, values)
  return Number(rows[0]?.value ?? 0)
}

async function createAll(ledger: PostgresLedger, rows: readonly AccountRow[]): Promise<void> {
  const { code } = await ledger.createAccounts(accounts(rows))
  expect(
    [...code].every((value) => value === 0),
    `accounts created: ${[...code].join(',')}`,
  ).toBe(true)
}

/** What each account should hold after `applied` (each applied once). */
function expectedBalances(applied: readonly TransferRow[], size: number): Float64Array {
  const balance = new Float64Array(size)
  for (const row of applied) {
    balance[row.debit] = (balance[row.debit] as number) - row.amountFen
    balance[row.credit] = (balance[row.credit] as number) + row.amountFen
  }
  return balance
}

/**
 * Conservation in the database itself: the balances sum to 0, and no one but the issuer is below 0.
 */
async function expectConservedInSql(client: pg.Client, schema: string): Promise<void> {
  expect(
    await sqlNumber(
      client,
      `select coalesce(sum(balance), 0)::text as value from "${schema}".accounts`,
    ),
  ).toBe(0)
  expect(
    await sqlNumber(
      client,
      `select count(*)::text as value from "${schema}".accounts where balance < 0 and flags & 1 = 0`,
    ),
  ).toBe(0)
}

/**
 * Conservation as the ledger reports it: the issuer's negative balance is what everyone else holds.
 */
async function expectConservedByLookup(
  ledger: PostgresLedger,
  ids: readonly number[],
): Promise<Float64Array> {
  const { balanceFen } = await ledger.lookup(Uint32Array.from(ids))
  const issuerAt = ids.indexOf(issuer)
  let others = 0
  balanceFen.forEach((value, index) => {
    if (index !== issuerAt) others += value
  })
  expect(balanceFen[issuerAt]).toBe(-others)
  return balanceFen
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The error `parsePostgresUrl(url)` throws, checked to be a UserError about --ledger-url. */
function urlError(url: string): UserError {
  try {
    parsePostgresUrl(url)
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    expect(
      (error as UserError).message.startsWith('--ledger-url:'),
      (error as UserError).message,
    ).toBe(true)
    return error as UserError
  }
  throw new Error(`${url} was accepted`)
}

describe('parsePostgresUrl', () => {
  it('reads a good URL, its schema and the default schema', () => {
    // Proves: a good URL gives pg a connection string without ?schema= (keeping the password and
    // sslmode) and a password-free name.
    const target = parsePostgresUrl(
      'postgres://alice:s3cret@db.example:6543/city?schema=ledger_2&sslmode=require',
    )
    expect(target.schema).toBe('ledger_2')
    expect(target.where).toBe('db.example:6543/city')
    const given = new URL(target.connectionString ?? '')
    expect(given.password).toBe('s3cret')
    expect(given.searchParams.has('schema')).toBe(false)
    expect(given.searchParams.get('sslmode')).toBe('require')
    expect(parsePostgresUrl('postgresql://alice@db.example/city').schema).toBe('citytwin')
    expect(parsePostgresUrl('postgres://postgres@127.0.0.1:5432/test').schema).toBe('citytwin')
    expect(
      parsePostgresUrl(`postgres://postgres@127.0.0.1:5432/test?schema=${'s'.repeat(63)}`).schema,
    ).toBe('s'.repeat(63))
    expect(parsePostgresUrl(undefined)).toEqual({
      connectionString: undefined,
      schema: 'citytwin',
      where: 'the embedded server',
    })
  })

  it('refuses each bad input with a UserError about --ledger-url', () => {
    // Proves: every malformed --ledger-url is the user's mistake, named by the flag.
    expect(urlError('not a url').message).toContain('is not a URL')
    expect(urlError('http://postgres@127.0.0.1:5432/test').message).toContain(
      'must start with postgres://',
    )
    expect(urlError('postgres:///test').message).toContain('names no host')
    for (const schema of ['Citytwin', 'city"twin', 's'.repeat(64), '1abc', '']) {
      expect(
        urlError(`postgres://postgres@127.0.0.1:5432/test?schema=${encodeURIComponent(schema)}`)
          .message,
      ).toContain(`schema "${schema}" must be a lower-case name`)
    }
    expect(urlError('postgres://postgres@127.0.0.1:5432/test?search_path=x').message).toContain(
      'unknown parameter "search_path"',
    )
  })

  it('never shows the password of a URL it refuses for a parameter or a scheme', () => {
    // Proves: the password never reaches a --ledger-url error message for a URL that parses.
    for (const url of [
      'postgres://postgres:s3cret@127.0.0.1:5432/test?search_path=x',
      'postgres://postgres:s3cret@127.0.0.1:5432/test?schema=Bad',
      'http://postgres:s3cret@127.0.0.1:5432/test',
    ]) {
      expect(urlError(url).message).not.toContain('s3cret')
    }
  })

  it('never shows the password of a URL that does not parse (a bad port)', () => {
    // Proves: a typo in the port does not print the password.
    expect(urlError('postgres://postgres:s3cret@127.0.0.1:99999/test').message).not.toContain(
      's3cret',
    )
  })
})

describe('an unreachable server', () => {
  it('fails open() with a RunFailed naming --ledger-url', async () => {
    // Proves: a server that cannot be reached at open is a RunFailed that says so and names the
    // flag.
    const ledger = new PostgresLedger(ledgerOptions(8), 'postgres://postgres@127.0.0.1:1/test')
    cleanups.push(() => ledger.close())
    const error: unknown = await ledger.open().then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(RunFailed)
    expect((error as RunFailed).message).toMatch(/cannot reach PostgreSQL at 127\.0\.0\.1:1\/test/)
    expect((error as RunFailed).message).toContain('--ledger-url')
  })
})

describe.skipIf(!serverUp)('the postgres ledger against the PostgreSQL server', () => {
  describe('open()', () => {
    it('refuses a schema holding tables that are not a citytwin ledger, and leaves them untouched', async () => {
      // Proves: open() never touches a schema holding someone else's tables: a UserError naming
      // --ledger-url and the schema.
      const schema = ownSchema()
      const client = await sqlClient()
      await client.query(
        `create schema "${schema}"; create table "${schema}".other (id integer primary key, note text); insert into "${schema}".other values (1, 'keep me')`,
      )
      const ledger = ledgerIn(schema, 8)
      const error: unknown = await ledger.open().then(
        () => undefined,
        (reason: unknown) => reason,
      )
      expect(error).toBeInstanceOf(UserError)
      expect((error as UserError).message).toContain('--ledger-url')
      expect((error as UserError).message).toContain(`"${schema}"`)
      const { rows } = await client.query<{ id: number; note: string }>(
        `select id, note from "${schema}".other`,
      )
      expect(rows).toEqual([{ id: 1, note: 'keep me' }])
      // Nothing of the ledger was made there: the whole attempt rolled back.
      expect(
        await sqlNumber(
          client,
          `select count(*)::text as value from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1`,
          [schema],
        ),
      ).toBe(2) // the table and its key
      expect(
        await sqlNumber(
          client,
          `select count(*)::text as value from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1`,
          [schema],
        ),
      ).toBe(0)
    })

    it('refuses a schema whose foreign table happens to be called ledger(format), and drops nothing', async () => {
      // Proves: a user's `ledger` table with a `format` column is refused like any other, and the
      // schema survives.
      const schema = ownSchema()
      const client = await sqlClient()
      await client.query(
        `create schema "${schema}"; create table "${schema}".ledger (id integer, format text); insert into "${schema}".ledger values (1, 'A4');
         create table "${schema}".invoices (id integer); insert into "${schema}".invoices values (42)`,
      )
      const ledger = ledgerIn(schema, 8)
      const error: unknown = await ledger.open().then(
        () => undefined,
        (reason: unknown) => reason,
      )
      expect(
        await sqlNumber(
          client,
          `select count(*)::text as value from pg_tables where schemaname = $1 and tablename = 'invoices'`,
          [schema],
        ),
      ).toBe(1)
      expect(error).toBeInstanceOf(UserError)
    })

    it('empties the ledger an earlier open left in the schema', async () => {
      // Proves: a second (non-attached) open of a schema holding a citytwin ledger starts from
      // nothing: no accounts, transfers, moves or old sessions.
      const schema = ownSchema()
      const client = await sqlClient()
      const ids = [issuer, 1, 2]
      const earlier = ledgerIn(schema, 8)
      await earlier.open()
      await createAll(earlier, [{ id: issuer, flags: AccountFlag.issuer }, { id: 1 }, { id: 2 }])
      const funding = [
        { id: 1, debit: issuer, credit: 1, amountFen: 7_000 },
        { id: 2, debit: 1, credit: 2, amountFen: 2_500 },
      ]
      expect([...(await earlier.submit(transfers(funding))).code]).toEqual([
        ResultCode.ok,
        ResultCode.ok,
      ])
      expect([...(await expectConservedByLookup(earlier, ids))]).toEqual([-7_000, 4_500, 2_500])
      await expectConservedInSql(client, schema)
      await earlier.close()

      const later = ledgerIn(schema, 8)
      await later.open()
      for (const table of ['accounts', 'transfers', 'moves']) {
        expect(
          await sqlNumber(client, `select count(*)::text as value from "${schema}".${table}`),
          table,
        ).toBe(0)
      }
      // Only the new session, with no call made yet.
      const { rows } = await client.query<{ number: string }>(
        `select number::text from "${schema}".calls`,
      )
      expect(rows).toEqual([{ number: '0' }])
      expect([...(await later.lookup(Uint32Array.from(ids))).balanceFen]).toEqual([0, 0, 0])
      const totals = await later.totals()
      expect([...totals.debitsFen].every((value) => value === 0)).toBe(true)
      // The same ids apply again (the old transfers are gone, so none is `exists`), and money is
      // conserved.
      await createAll(later, [{ id: issuer, flags: AccountFlag.issuer }, { id: 1 }, { id: 2 }])
      expect([...(await later.submit(transfers(funding))).code]).toEqual([
        ResultCode.ok,
        ResultCode.ok,
      ])
      expect([...(await expectConservedByLookup(later, ids))]).toEqual([-7_000, 4_500, 2_500])
      await expectConservedInSql(client, schema)
    })
  })

  it('answers a repeated call from the calls table at the SQL level, and refuses a call out of turn', async () => {
    // Proves: submit(session, number) applied twice answers the first answer again and moves
    // nothing more; a number that goes back raises "out of turn", and one that skips ahead applies.
    const schema = ownSchema()
    const s = `"${schema}"`
    const ledger = ledgerIn(schema, 16)
    await ledger.open()
    const ids = [issuer, 1, 2, 3, 4]
    await createAll(ledger, [
      { id: issuer, flags: AccountFlag.issuer },
      { id: 1 },
      { id: 2 },
      { id: 3 },
      { id: 4, tier: 2 },
    ])
    const client = await sqlClient()
    const { rows: callRows } = await client.query<{ session: number; number: string }>(
      `select session, number::text from ${s}.calls`,
    )
    expect(callRows).toHaveLength(1)
    const session = callRows[0]?.session as number
    const used = Number(callRows[0]?.number)
    expect(used).toBeGreaterThan(0) // createAccounts used a number

    const submitSql = `select ${s}.submit($1, $2, $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::smallint[], $8::smallint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::integer[], $13::smallint[]) as codes`
    const call = async (number: number, rows: readonly TransferRow[]): Promise<number[]> => {
      const batch = transfers(rows)
      const days = [...batch.minute].map((minute) => localDay(minute, utcOffsetMinutes))
      const values = [
        session,
        number,
        ...[
          batch.id,
          batch.debit,
          batch.credit,
          batch.amountFen,
          batch.kind,
          batch.flags,
          batch.pendingId,
          batch.timeoutMinutes,
          batch.minute,
        ].map((column) => [...column]),
        days,
        days.map(yearOfDay),
      ]
      const { rows: answer } = await client.query<{ codes: number[] }>(submitSql, values)
      return answer[0]?.codes ?? []
    }
    const batch: TransferRow[] = [
      { id: 101, debit: issuer, credit: 1, amountFen: 1_000 },
      { id: 102, debit: issuer, credit: 4, amountFen: 2_000 },
      { id: 103, debit: 1, credit: 3, amountFen: 5_000 }, // 1 holds 1,000
      { id: 101, debit: issuer, credit: 1, amountFen: 1_000 }, // applied earlier in the batch
      // A tier-2 payer: its day and year counters move.
      { id: 104, debit: 4, credit: 2, amountFen: 300 },
    ]
    const expected = [
      ResultCode.ok,
      ResultCode.ok,
      ResultCode.insufficient_funds,
      ResultCode.exists,
      ResultCode.ok,
    ]
    const first = await call(used + 1, batch)
    expect(first).toEqual(expected)
    const again = await call(used + 1, batch)
    expect(again).toEqual(first)
    // Even a different body under the same number is answered as the first was, and applies
    // nothing.
    expect(await call(used + 1, [{ id: 105, debit: issuer, credit: 3, amountFen: 9 }])).toEqual(
      first,
    )

    expect(await sqlNumber(client, `select count(*)::text as value from ${s}.transfers`)).toBe(3)
    expect(
      await sqlNumber(
        client,
        `select count(distinct id)::text as value from ${s}.transfers where id in (101, 102, 104)`,
      ),
    ).toBe(3)
    expect(
      await sqlNumber(client, `select count(*)::text as value from ${s}.transfers where id = 105`),
    ).toBe(0)
    expect(
      await sqlNumber(client, `select coalesce(sum(debited), 0)::text as value from ${s}.moves`),
    ).toBe(3_300)
    const day = localDay(mondayMinute + 600, utcOffsetMinutes)
    const { rows: counters } = await client.query<{
      spent_day: string
      spent_day_on: number
      spent_year: string
      spent_year_in: number
    }>(
      `select spent_day::text, spent_day_on, spent_year::text, spent_year_in from ${s}.accounts where id = 4`,
    )
    expect(counters).toEqual([
      { spent_day: '300', spent_day_on: day, spent_year: '300', spent_year_in: yearOfDay(day) },
    ])
    expect([...(await expectConservedByLookup(ledger, ids))]).toEqual([
      -3_000, 1_000, 300, 0, 1_700,
    ])
    await expectConservedInSql(client, schema)

    // Out of turn: going back to a number other than the last.
    await expect(call(used, batch)).rejects.toThrow(/out of turn/)
    await expect(call(used - 1, batch)).rejects.toThrow(/out of turn/)
    const { rows: after } = await client.query<{ number: string; answer: number[] }>(
      `select number::text, answer from ${s}.calls where session = $1`,
      [session],
    )
    expect(after).toEqual([{ number: String(used + 1), answer: expected }])
    expect(await sqlNumber(client, `select count(*)::text as value from ${s}.transfers`)).toBe(3)
    // A later number applies, skipping some (a server in front numbers reads too, which are not
    // kept).
    expect(await call(used + 3, [{ id: 106, debit: 2, credit: 3, amountFen: 100 }])).toEqual([
      ResultCode.ok,
    ])
    expect([...(await expectConservedByLookup(ledger, ids))]).toEqual([
      -3_000, 1_000, 200, 100, 1_700,
    ])
    await expectConservedInSql(client, schema)
  })

  it('retries a call whose connection is killed mid-call and applies it once', async () => {
    // Proves: a full batch whose backend is terminated mid-call is retried, answered all ok, and
    // applied exactly once.
    const schema = ownSchema()
    const residents = 1_000
    const fundingFen = 1_000_000
    const ledger = ledgerIn(schema, residents + 1)
    await ledger.open()
    const ids = Array.from({ length: residents + 1 }, (_, id) => id)
    await createAll(
      ledger,
      ids.map((id) => (id === issuer ? { id, flags: AccountFlag.issuer } : { id })),
    )
    const funding = ids
      .slice(1)
      .map((id) => ({ id, debit: issuer, credit: id, amountFen: fundingFen }))
    expect(
      (await ledger.submit(transfers(funding))).code.every((code) => code === ResultCode.ok),
    ).toBe(true)

    // Residents pay each other: about 65 payments of at most 500 fen each, well within what each
    // holds.
    const random = new Random(seed, 'killed mid-call')
    const payments: TransferRow[] = Array.from({ length: transferBatchMax }, (_, index) => {
      const debit = 1 + random.below(residents)
      const credit = 1 + ((debit - 1 + 1 + random.below(residents - 1)) % residents)
      return { id: 10_000 + index, debit, credit, amountFen: 1 + random.below(500) }
    })
    const killer = await sqlClient()
    let settled = false
    const submitted = ledger.submit(transfers(payments)).finally(() => {
      settled = true
    })
    let terminated = 0
    while (!settled && terminated === 0) {
      const { rows } = await killer.query<{ done: boolean }>(
        `select pg_terminate_backend(pid) as done from pg_stat_activity
          where application_name = 'citytwin' and pid <> pg_backend_pid() and datname = current_database()
            and query like '%submit%' and position($1 in query) > 0 and state = 'active'`,
        [`"${schema}".submit(`],
      )
      terminated += rows.filter((row) => row.done).length
      if (terminated === 0) await pause(5)
    }
    const { code } = await submitted
    expect(terminated).toBe(1)
    expect(code.length).toBe(transferBatchMax)
    expect(code.every((value) => value === ResultCode.ok)).toBe(true)

    const health = ledger.health()
    expect((health.faults.server ?? 0) + (health.faults.connection ?? 0)).toBeGreaterThanOrEqual(1)
    expect(health.recovered).toBeGreaterThanOrEqual(1)

    const client = await sqlClient()
    const s = `"${schema}"`
    expect(
      await sqlNumber(
        client,
        `select count(*)::text as value from ${s}.transfers where id >= 10000`,
      ),
    ).toBe(transferBatchMax)
    expect(await sqlNumber(client, `select count(*)::text as value from ${s}.transfers`)).toBe(
      transferBatchMax + residents,
    )
    const paidFen = payments.reduce((sum, row) => sum + row.amountFen, 0)
    expect(
      await sqlNumber(
        client,
        `select sum(amount)::text as value from ${s}.transfers where id >= 10000`,
      ),
    ).toBe(paidFen)
    // What the moves table posted was counted once.
    expect(await sqlNumber(client, `select sum(debited)::text as value from ${s}.moves`)).toBe(
      paidFen + residents * fundingFen,
    )
    await expectConservedInSql(client, schema)
    const balances = await expectConservedByLookup(ledger, ids)
    expect(balances[issuer]).toBe(-residents * fundingFen)
    // Every balance is what applying each payment once gives.
    expect([...balances]).toEqual([...expectedBalances([...funding, ...payments], ids.length)])
  })

  it('keeps one ledger whole when several ledgers drive it at once', async () => {
    // Proves: five ledgers on one schema (four attached) racing on a hot merchant and on the same
    // ids apply each id once, never overdraw, and conserve money.
    const schema = ownSchema()
    const merchant = 1
    const residents = Array.from({ length: 200 }, (_, index) => 2 + index)
    /** Funded well, paying one another only in the race for an id with different bodies. */
    const racers = [300, 301, 302, 303]
    const ids = [issuer, merchant, ...residents, ...racers]
    const size = 304
    const main = ledgerIn(schema, size)
    await main.open()
    await createAll(main, [
      { id: issuer, flags: AccountFlag.issuer },
      { id: merchant },
      ...residents.map((id) => ({ id })),
      ...racers.map((id) => ({ id })),
    ])

    /** Every transfer a ledger answered ok, and every code answered. */
    const applied: TransferRow[] = []
    let okCodes = 0
    const answered = (rows: readonly TransferRow[], code: Uint8Array): void => {
      rows.forEach((row, index) => {
        if (code[index] === ResultCode.ok) {
          applied.push(row)
          okCodes += 1
        }
      })
    }
    const funding = [
      ...residents.map((id) => ({ id, debit: issuer, credit: id, amountFen: 5_000 })),
      ...racers.map((id) => ({ id, debit: issuer, credit: id, amountFen: 100_000 })),
    ]
    const fundingCodes = (await main.submit(transfers(funding))).code
    expect(fundingCodes.every((value) => value === ResultCode.ok)).toBe(true)
    answered(funding, fundingCodes)

    const ledgers = [main]
    for (let index = 0; index < 4; index++) {
      const attached = ledgerIn(schema, size, { attach: true })
      await attached.open()
      ledgers.push(attached)
    }

    // Each ledger: 4 batches of 500 payments by random residents, half of them to the merchant.
    // Residents hold 1,000,000 fen in all and try to pay the merchant about 2,500,000: many run
    // out.
    const random = new Random(seed, 'several ledgers')
    const plans = ledgers.map((_, ledgerIndex) =>
      Array.from({ length: 4 }, (_, batchIndex) =>
        Array.from({ length: 500 }, (_, index): TransferRow => {
          const debit = residents[random.below(residents.length)] as number
          const credit = random.chance(0.5)
            ? merchant
            : 2 + ((debit - 2 + 1 + random.below(residents.length - 1)) % residents.length)
          return {
            id: 1_000_000 * (ledgerIndex + 1) + 500 * batchIndex + index,
            debit,
            credit,
            amountFen: 1 + random.below(1_000),
          }
        }),
      ),
    )
    const results = await Promise.all(
      ledgers.map((ledger, ledgerIndex) =>
        Promise.all((plans[ledgerIndex] ?? []).map((rows) => ledger.submit(transfers(rows)))),
      ),
    )
    const tally = new Map<number, number>()
    results.forEach((batches, ledgerIndex) =>
      batches.forEach(({ code }, batchIndex) => {
        for (const value of code) tally.set(value, (tally.get(value) ?? 0) + 1)
        answered(plans[ledgerIndex]?.[batchIndex] ?? [], code)
      }),
    )
    expect([...tally.keys()].sort((a, b) => a - b)).toEqual([
      ResultCode.ok,
      ResultCode.insufficient_funds,
    ])
    expect(tally.get(ResultCode.insufficient_funds)).toBeGreaterThan(100)
    expect(tally.get(ResultCode.ok)).toBeGreaterThan(1_000)

    // Two ledgers submit the same new id with the same body at the same moment: one ok, the other
    // exists.
    for (let round = 0; round < 10; round++) {
      const row = { id: 9_000_000 + round, debit: issuer, credit: merchant, amountFen: 100 + round }
      const pair = [ledgers[round % 5], ledgers[(round + 1) % 5]] as PostgresLedger[]
      const codes = await Promise.all(pair.map((ledger) => ledger.submit(transfers([row]))))
      expect(
        codes.map(({ code }) => code[0]).sort((a = 0, b = 0) => a - b),
        `round ${round}`,
      ).toEqual([ResultCode.ok, ResultCode.exists])
      answered([row], Uint8Array.of(ResultCode.ok))
    }
    // All five at once: one ok, four exists.
    const shared = { id: 9_100_000, debit: issuer, credit: merchant, amountFen: 777 }
    const fiveCodes = (
      await Promise.all(ledgers.map((ledger) => ledger.submit(transfers([shared]))))
    ).map(({ code }) => code[0])
    expect(fiveCodes.filter((value) => value === ResultCode.ok)).toHaveLength(1)
    expect(fiveCodes.filter((value) => value === ResultCode.exists)).toHaveLength(4)
    answered([shared], Uint8Array.of(ResultCode.ok))
    // The same new id with different bodies on accounts no other call locks: they meet only on the
    // unique id.
    for (let round = 0; round < 5; round++) {
      const rows = [
        { id: 9_200_000 + round, debit: 300, credit: 301, amountFen: 1_000 },
        { id: 9_200_000 + round, debit: 302, credit: 303, amountFen: 1_000 },
      ]
      const codes = await Promise.all(
        rows.map((row, index) =>
          (ledgers[(round + index) % 5] as PostgresLedger).submit(transfers([row])),
        ),
      )
      expect(
        codes.map(({ code }) => code[0]).sort((a = 0, b = 0) => a - b),
        `round ${round}`,
      ).toEqual([ResultCode.ok, ResultCode.exists_with_different_body])
      rows.forEach((row, index) => answered([row], codes[index]?.code ?? new Uint8Array(1)))
    }

    // A lost race is made again at once: no ledger counted a fault.
    for (const ledger of ledgers)
      expect(Object.values(ledger.health().faults).reduce((sum, value) => sum + value, 0)).toBe(0)

    const client = await sqlClient()
    const s = `"${schema}"`
    await expectConservedInSql(client, schema)
    expect(await sqlNumber(client, `select count(*)::text as value from ${s}.transfers`)).toBe(
      okCodes,
    )
    const appliedFen = applied.reduce((sum, row) => sum + row.amountFen, 0)
    expect(await sqlNumber(client, `select sum(amount)::text as value from ${s}.transfers`)).toBe(
      appliedFen,
    )
    expect(await sqlNumber(client, `select sum(debited)::text as value from ${s}.moves`)).toBe(
      appliedFen,
    )
    // What each account received and paid, in the ledger and in SQL, is that of the transfers
    // answered ok.
    const expected = expectedBalances(applied, size)
    const balances = await expectConservedByLookup(ledgers[4] as PostgresLedger, ids)
    expect([...balances]).toEqual(ids.map((id) => expected[id]))
    expect(
      await sqlNumber(
        client,
        `select sum(amount)::text as value from ${s}.transfers where credit = $1`,
        [merchant],
      ),
    ).toBe(balances[merchant])
    const { rows } = await client.query<{ id: number; balance: string }>(
      `select id, balance::text from ${s}.accounts order by id`,
    )
    expect(rows.map((row) => [row.id, Number(row.balance)])).toEqual(
      ids.map((id) => [id, expected[id]]),
    )
    // Everything the residents and the merchant hold came from the issuer.
    expect(balances[0]).toBe(
      -(await sqlNumber(
        client,
        `select sum(amount)::text as value from ${s}.transfers where debit = 0`,
      )),
    )
  })
})

describe.skipIf(!serverUp)('the lease: one run at a time on a schema', () => {
  /** Short enough that a refused take-over of a live holder does not hold the test up. */
  const quickLease = { leaseWaitMs: 200 } as const
  const rows: AccountRow[] = [{ id: issuer, flags: AccountFlag.issuer }, { id: 1 }, { id: 2 }]
  const ids = [issuer, 1, 2]

  /** A ledger of the run named `holder`, closed after the test. */
  function runIn(
    schema: string,
    holder: string,
    settings: ConstructorParameters<typeof PostgresLedger>[3] = {},
  ): PostgresLedger {
    const ledger = new PostgresLedger(ledgerOptions(8), schemaUrl(schema), quickLease, {
      lease: { holder },
      ...settings,
    })
    cleanups.push(() => ledger.close())
    return ledger
  }

  /** What open() threw (it must throw). */
  async function openError(ledger: PostgresLedger): Promise<Error> {
    const error: unknown = await ledger.open().then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(Error)
    return error as Error
  }

  /**
   * The backends holding the schema's lease lock (a session advisory lock on hashtext('citytwin
   * lease <schema>')).
   */
  async function leaseBackends(client: pg.Client, schema: string): Promise<number[]> {
    const { rows: found } = await client.query<{ pid: number }>(
      `select pid from pg_locks
        where locktype = 'advisory' and granted and objsubid = 1 and database = (select oid from pg_database where datname = current_database())
          and ((classid::bigint << 32) | objid::bigint) = hashtext($1)::bigint`,
      [`citytwin lease ${schema}`],
    )
    return found.map((row) => row.pid)
  }

  /**
   * Kills the connection that holds the schema's lease, as a crash or a cut cable would, and waits
   * until PostgreSQL has let go of its lock.
   */
  async function cutLease(client: pg.Client, schema: string): Promise<void> {
    const holders = await leaseBackends(client, schema)
    expect(holders).toHaveLength(1)
    await client.query('select pg_terminate_backend($1)', [holders[0]])
    for (let waited = 0; (await leaseBackends(client, schema)).length > 0; waited += 20) {
      expect(waited, 'the lock goes with its connection').toBeLessThan(10_000)
      await pause(20)
    }
  }

  /**
   * Funds accounts 1 and 2 and moves money between them: each ledger's work is visible by its sums.
   */
  async function work(ledger: PostgresLedger, firstId: number): Promise<void> {
    const codes = await ledger.submit(
      transfers([
        { id: firstId, debit: issuer, credit: 1, amountFen: 5_000 },
        { id: firstId + 1, debit: 1, credit: 2, amountFen: 1_200 },
      ]),
    )
    expect([...codes.code]).toEqual([ResultCode.ok, ResultCode.ok])
  }

  it('refuses a second run while the first holds the ledger, naming the holder, and the first goes on with its money whole', async () => {
    // Proves: open() of a schema in use is a UserError naming the schema, the holder and what to
    // do, with or without take-over; nothing of the first run's ledger is touched, and its later
    // calls apply and conserve money.
    const schema = ownSchema()
    const client = await sqlClient()
    const first = runIn(schema, 'citytwin run first.yaml (pid 101 on test-host)')
    await first.open()
    await createAll(first, rows)
    await work(first, 1)

    for (const takeOver of [false, true]) {
      const error = await openError(
        runIn(schema, 'citytwin run second.yaml', { lease: { holder: 'second', takeOver } }),
      )
      expect(error).toBeInstanceOf(UserError)
      expect(error.message).toContain(`schema "${schema}"`)
      expect(error.message).toMatch(
        /is in use by citytwin run first\.yaml \(pid 101 on test-host\), since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/,
      )
      expect(error.message).toContain('?schema=')
    }
    // The first run's ledger is as it was, and it goes on.
    expect(
      await sqlNumber(client, `select count(*)::text as value from "${schema}".transfers`),
    ).toBe(2)
    await work(first, 3)
    expect([...(await expectConservedByLookup(first, ids))]).toEqual([-10_000, 7_600, 2_400])
    await expectConservedInSql(client, schema)

    // Closed, it lets go: the row goes, and the next run opens an empty ledger.
    await first.close()
    expect(await sqlNumber(client, `select count(*)::text as value from "${schema}".lease`)).toBe(0)
    const next = runIn(schema, 'citytwin run next.yaml')
    await next.open()
    expect([...(await next.lookup(Uint32Array.from(ids))).balanceFen]).toEqual([0, 0, 0])
    const { rows: lease } = await client.query<{ holder: string }>(
      `select holder from "${schema}".lease`,
    )
    expect(lease).toEqual([{ holder: 'citytwin run next.yaml' }])
  })

  it('knows a holder whose connection is gone, refuses it without --take-over, takes it over with it, and fails the run it was taken from', async () => {
    // Proves: a holder whose lease connection died (a crash) is named as gone and refused; with
    // takeOver the new run opens an empty ledger; the old run's next call fails with a RunFailed
    // naming the new holder and writes nothing.
    const schema = ownSchema()
    const client = await sqlClient()
    const crashed = runIn(schema, 'citytwin run crashed.yaml (pid 202 on test-host)')
    await crashed.open()
    await createAll(crashed, rows)
    await work(crashed, 1)
    await cutLease(client, schema)

    const refused = await openError(runIn(schema, 'citytwin run careful.yaml'))
    expect(refused).toBeInstanceOf(UserError)
    expect(refused.message).toMatch(
      /still marked as held by citytwin run crashed\.yaml \(pid 202 on test-host\), since [\dTZ:-]+, but that run no longer holds its lock/,
    )
    expect(refused.message).toContain('--take-over')
    // Refused, it changed nothing: the crashed run's ledger is still there to look at.
    expect(
      await sqlNumber(client, `select count(*)::text as value from "${schema}".transfers`),
    ).toBe(2)

    const taker = runIn(schema, 'citytwin run taker.yaml (pid 303 on test-host)', {
      lease: { holder: 'citytwin run taker.yaml (pid 303 on test-host)', takeOver: true },
    })
    await taker.open()
    expect([...(await taker.lookup(Uint32Array.from(ids))).balanceFen]).toEqual([0, 0, 0])
    await createAll(taker, rows)
    await work(taker, 1)

    const late = await crashed
      .submit(transfers([{ id: 9, debit: issuer, credit: 2, amountFen: 777 }]))
      .then(
        () => undefined,
        (reason: unknown) => reason as Error,
      )
    expect(late).toBeInstanceOf(RunFailed)
    expect(late?.message).toMatch(
      new RegExp(
        `schema "${schema}" .* is no longer this run's: .*taken over by citytwin run taker\\.yaml \\(pid 303 on test-host\\)`,
      ),
    )
    await expect(crashed.lookup(Uint32Array.of(1))).rejects.toThrow(RunFailed)
    // Nothing of the late call reached the taker's ledger.
    expect([...(await expectConservedByLookup(taker, ids))]).toEqual([-5_000, 3_800, 1_200])
    expect(
      await sqlNumber(
        client,
        `select count(*)::text as value from "${schema}".transfers where id = 9`,
      ),
    ).toBe(0)
    await expectConservedInSql(client, schema)
  })

  it('takes its lock again after losing the lease connection, when nobody took the ledger over', async () => {
    // Proves: a lost lease connection (the server restarted, the network failed) does not leave the
    // ledger free: the holder's next call takes the lock again, and a newcomer is then refused as
    // from a live holder.
    const schema = ownSchema()
    const client = await sqlClient()
    const holder = runIn(schema, 'citytwin run steady.yaml')
    await holder.open()
    await createAll(holder, rows)
    await cutLease(client, schema)
    // The holder learns its lease connection ended by that connection's own event, which may come
    // after a call already under way (the lease row still guards that call): the lock is taken
    // again by a call after it.
    let works = 0
    while (works < 20 && (await leaseBackends(client, schema)).length === 0)
      await work(holder, 1000 + 2 * ++works)
    expect(await leaseBackends(client, schema)).toHaveLength(1)
    const error = await openError(
      runIn(schema, 'citytwin run newcomer.yaml', {
        lease: { holder: 'newcomer', takeOver: true },
      }),
    )
    expect(error.message).toContain('is in use by citytwin run steady.yaml')
    await work(holder, 3)
    const done = works + 1
    expect([...(await expectConservedByLookup(holder, ids))]).toEqual([
      -5_000 * done,
      3_800 * done,
      1_200 * done,
    ])
  })

  it('refuses, in the database itself, a call of a session opened under a lease that was taken over', async () => {
    // Proves: an attached ledger (no lease connection of its own) works under its holder's lease,
    // and once another run takes the ledger over, the function refuses its calls with the new
    // holder's name: no write goes in.
    const schema = ownSchema()
    const client = await sqlClient()
    const holder = runIn(schema, 'citytwin run main.yaml')
    await holder.open()
    await createAll(holder, rows)
    const attached = runIn(schema, 'ignored', { attach: true })
    await attached.open()
    await work(attached, 1)
    await cutLease(client, schema)
    const taker = runIn(schema, 'citytwin run taker.yaml', {
      lease: { holder: 'citytwin run taker.yaml', takeOver: true },
    })
    await taker.open()
    await createAll(taker, rows)
    await expect(
      attached.submit(transfers([{ id: 9, debit: issuer, credit: 1, amountFen: 5 }])),
    ).rejects.toThrow(
      /is no longer this run's: it was taken over by citytwin run taker\.yaml, since /,
    )
    expect(
      await sqlNumber(client, `select count(*)::text as value from "${schema}".transfers`),
    ).toBe(0)
  })

  it('lets --resume take up the ledger of a server that is gone, and refuses one still held', async () => {
    // Proves: PostgresLedger.resume is a take-over of a gone holder's lease (its session then works
    // under the new lease), and refuses a ledger whose holder is alive, naming it.
    const schema = ownSchema()
    const client = await sqlClient()
    const server = runIn(schema, 'citytwin ledger-server --backend postgres (pid 404 on test-host)')
    await server.open()
    await createAll(server, rows)
    await expect(
      PostgresLedger.resume(schemaUrl(schema), quickLease, { holder: 'resumer' }),
    ).rejects.toThrow(
      /in use by citytwin ledger-server --backend postgres \(pid 404 on test-host\)/,
    )
    await cutLease(client, schema)
    const { ledger: resumed, kept } = await PostgresLedger.resume(schemaUrl(schema), quickLease, {
      holder: 'citytwin ledger-server --resume',
    })
    cleanups.push(() => resumed.close())
    expect(kept.session).toBe(server.session)
    expect(
      (
        await resumed.submitNumbered(
          kept.lastNumber + 1,
          transfers([{ id: 1, debit: issuer, credit: 1, amountFen: 50 }]),
        )
      ).code,
    ).toEqual(Uint8Array.of(ResultCode.ok))
    await expect(
      server.submit(transfers([{ id: 2, debit: issuer, credit: 1, amountFen: 5 }])),
    ).rejects.toThrow(/taken over by citytwin ledger-server --resume/)
    expect([...(await expectConservedByLookup(resumed, ids))]).toEqual([-50, 50, 0])
  })

  it("has a ledger-server over a schema in use refuse its client's open at once, naming the holder", async () => {
    // Proves the http path: the server's postgres backend is refused the lease, the server answers
    // 409 (not a 500 to retry), the client's open fails with the holder named, and the holder's
    // ledger is untouched.
    const schema = ownSchema()
    const client = await sqlClient()
    const holder = runIn(schema, 'citytwin run holder.yaml (pid 505 on test-host)')
    await holder.open()
    await createAll(holder, rows)
    const server = await LedgerServer.start({
      host: '127.0.0.1',
      port: 0,
      token: 'lease-test-token',
      backend: (given) =>
        new PostgresLedger(given, schemaUrl(schema), quickLease, {
          lease: { holder: 'citytwin ledger-server' },
        }),
    })
    cleanups.push(() => server.close())
    const remote = new HttpLedger(ledgerOptions(8), server.url, {
      attemptsMax: 3,
      retryPauseMs: 10,
      token: 'lease-test-token',
    })
    cleanups.push(() => remote.close())
    const refused = remote.open()
    await expect(refused).rejects.toBeInstanceOf(UserError)
    await expect(refused).rejects.toThrow(
      /would not open a ledger for this run: --ledger-url: the postgres ledger in schema "ct_test_\d+_\d+" at .* is in use by citytwin run holder\.yaml \(pid 505 on test-host\)/,
    )
    expect(remote.health().faults).toMatchObject({ server: 0 })
    expect(
      await sqlNumber(client, `select count(*)::text as value from "${schema}".accounts`),
    ).toBe(3)
  })
})
