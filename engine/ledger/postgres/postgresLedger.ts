/**
 * `--ledger postgres [--ledger-url postgres://user@host:port/db?schema=citytwin]`: the ledger's
 * rules run inside PostgreSQL (functions.sql, loaded by ledgerSql.ts), one function call per batch.
 * Without a URL, a server of the ledger's own starts in a temporary folder (embeddedServer.ts) and
 * goes when the ledger closes.
 *
 * open() takes the schema's lease (postgresLease.ts: a ledger another run holds is refused, naming
 * it), makes the schema (or empties a citytwin ledger left there by an earlier run) and takes a
 * session; close() lets the lease go. Calls go one at a time on one connection, in the order made
 * (callQueue.ts). Each call that changes the ledger carries its session and number; the function
 * stores its answer in the same transaction, so a call retried after a lost connection or a
 * crashed server is answered as the first attempt was, and never applied twice. Calls from
 * several ledgers on one schema take turns on the ledger's lock (ledgerSql.ts).
 */
import pg from 'pg'
import { assert } from '../../assert.js'
import { RunFailed, UserError } from '../../errors.js'
import {
  accountsMax as accountsLimit,
  ledgerHolderCharsMax,
  lookupBatchMax,
  pendingTransfersMax,
  transferBatchMax,
} from '../../limits.js'
import { localDay, yearOfDay } from '../../time/simClock.js'
import { CallQueue, Fault, type FaultClass, type RetryTiming } from '../callQueue.js'
import type { KeptSession, NumberedCalls } from '../numberedCalls.js'
import {
  TransferFlag,
  type AccountBatch,
  type AccountResults,
  type Balances,
  type LedgerCore,
  type LedgerHealth,
  type LedgerOptions,
  type LedgerTotals,
  type TransferBatch,
  type TransferResults,
} from '../ledgerCore.js'
import { assertTransferIds } from '../transferBatches.js'
import { transferKindCount } from '../transferKind.js'
import { holderName, shownHolder, type LedgerLease } from '../ledgerLease.js'
import { EmbeddedServer } from './embeddedServer.js'
import {
  constantsSql,
  functionsSql,
  leaseRefusedState,
  ledgerFormat,
  lockKey,
  searchPathSql,
  tablesSql,
} from './ledgerSql.js'
import { PostgresLease } from './postgresLease.js'

/** Accounts per call of create_accounts. */
const accountsPerCall = 1 << 16
/** A call waits this long for its answer before it is abandoned and retried. */
const queryTimeoutMs = 60_000
const connectTimeoutMs = 10_000
const schemaDefault = 'citytwin'
const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/

const twoPhaseFlags = TransferFlag.pending | TransferFlag.postPending | TransferFlag.voidPending

export interface PostgresTarget {
  /** For pg, without our own parameters; undefined: start an embedded server. */
  readonly connectionString: string | undefined
  readonly schema: string
  /** How messages name the server: host:port/database, never the password. */
  readonly where: string
}

/** `--ledger-url` checked: a user error names the flag. */
export function parsePostgresUrl(url: string | undefined): PostgresTarget {
  if (url === undefined)
    return { connectionString: undefined, schema: schemaDefault, where: 'the embedded server' }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    // Never echo a password: the text may hold one, even when it does not parse.
    throw new UserError(
      `--ledger-url: "${url.replace(/:[^:@/]*@/, ':***@')}" is not a URL, like postgres://user@127.0.0.1:5432/database`,
    )
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new UserError(`--ledger-url: "${redact(parsed)}" must start with postgres://`)
  if (parsed.hostname === '')
    throw new UserError(
      `--ledger-url: "${redact(parsed)}" names no host, like postgres://user@127.0.0.1:5432/database`,
    )
  const schema = parsed.searchParams.get('schema') ?? schemaDefault
  if (!schemaPattern.test(schema))
    throw new UserError(
      `--ledger-url: schema "${schema}" must be a lower-case name of letters, digits and _ (at most 63)`,
    )
  for (const key of parsed.searchParams.keys()) {
    if (!['schema', 'sslmode', 'application_name'].includes(key))
      throw new UserError(
        `--ledger-url: unknown parameter "${key}" (known: schema, sslmode, application_name)`,
      )
  }
  parsed.searchParams.delete('schema')
  const database = decodeURIComponent(parsed.pathname.slice(1)) || "(the user's database)"
  return { connectionString: parsed.toString(), schema, where: `${parsed.host}/${database}` }
}

function redact(url: URL): string {
  const shown = new URL(url.toString())
  if (shown.password !== '') shown.password = '***'
  return shown.toString()
}

export interface PostgresTiming extends RetryTiming {
  readonly queryTimeoutMs?: number | undefined
  /**
   * How long a take-over waits for a gone holder's connection to let go of its lease
   * (ledgerLeaseWaitMs).
   */
  readonly leaseWaitMs?: number | undefined
}

export interface PostgresLedgerSettings {
  /**
   * Use the ledger another PostgresLedger made in the schema instead of starting a new one: several
   * ledgers (processes) driving one ledger. The ledger options must be the same.
   */
  readonly attach?: boolean | undefined
  /** A server the caller runs, to use when there is no URL (tests share one). */
  readonly embedded?: EmbeddedServer | undefined
  /**
   * Who this run is, and whether to take over a ledger whose holder is gone. An attached ledger
   * takes no lease of its own: it works under the lease of the ledger it attaches to.
   */
  readonly lease?: LedgerLease | undefined
}

export class PostgresLedger implements LedgerCore, NumberedCalls {
  readonly name = 'postgres'
  private readonly target: PostgresTarget
  private readonly schema: string
  private readonly calls: CallQueue
  /** How messages name the ledger. */
  private readonly ledger: string
  private readonly lease: PostgresLease
  private client: pg.Client | undefined
  private embedded: EmbeddedServer | undefined
  private ownsEmbedded = false
  private openSession = 0
  private sequence = 0
  /** Each transfer's local day, and the year of the last day seen (the same day comes in runs). */
  private lastDay = Number.NaN
  private lastYear = 0

  constructor(
    private readonly options: LedgerOptions,
    url: string | undefined,
    private readonly timing: PostgresTiming = {},
    private readonly settings: PostgresLedgerSettings = {},
  ) {
    assert(
      Number.isInteger(options.accountsMax) &&
        options.accountsMax > 0 &&
        options.accountsMax <= accountsLimit,
      'accountsMax within limits',
    )
    this.target = parsePostgresUrl(url)
    this.schema = `"${this.target.schema}"`
    this.ledger = `the postgres ledger in schema "${this.target.schema}" at ${this.target.where}`
    this.calls = new CallQueue(`the postgres ledger at ${this.target.where}`, timing, (error) =>
      this.broken(error),
    )
    this.lease = new PostgresLease(
      {
        schema: this.target.schema,
        ledger: this.ledger,
        connectionString: () => this.connectionString(),
      },
      timing.leaseWaitMs,
      timing.scheduler,
    )
  }

  async open(): Promise<void> {
    if (this.target.connectionString === undefined) {
      this.embedded = this.settings.embedded ?? (await EmbeddedServer.start())
      this.ownsEmbedded = this.settings.embedded === undefined
    }
    try {
      await this.calls.inTurn(async () => {
        // A server that cannot be reached at open is the user's address or a server not running:
        // say so plainly.
        await this.connect().catch((error: unknown) => {
          throw new RunFailed(
            `cannot reach PostgreSQL at ${this.target.where} (--ledger-url): ${describe(error)}`,
          )
        })
        let lease: string | undefined
        if (this.settings.attach !== true) {
          // The lease before the reset: a ledger another run holds is never touched.
          await this.lease.take(this.settings.lease?.takeOver === true)
          await this.prepareSchema()
          lease = this.lease.id
        }
        // An attached ledger's session works under the lease of the ledger it joins.
        const { rows } = await this.query<{ session: number }>(
          `insert into ${this.schema}.calls (session, number, lease) values (nextval('${this.schema}.sessions'), 0, coalesce($1, (select id from ${this.schema}.lease limit 1))) returning session`,
          [lease ?? null],
        )
        this.openSession = Number(rows[0]?.session)
        this.sequence = 0
      })
    } catch (error) {
      // A ledger that did not open holds no lease and leaves no server of its own behind.
      await this.lease.release()
      await this.disconnect()
      if (this.ownsEmbedded) await this.embedded?.stop().catch(() => undefined)
      this.embedded = undefined
      this.ownsEmbedded = false
      throw error
    }
  }

  /** The session open() took (or resume() found). */
  get session(): number {
    return this.openSession
  }

  /**
   * The ledger an earlier process left in the schema, attached, and its latest session with its
   * last call: for a server restarted over it (`ledger-server --resume`). The ledger options are
   * the ledger's own, read from the database.
   */
  static async resume(
    url: string,
    timing: PostgresTiming = {},
    lease: LedgerLease = {},
  ): Promise<{ ledger: PostgresLedger; options: LedgerOptions; kept: KeptSession }> {
    const target = parsePostgresUrl(url)
    const probe = await connectProbe(target)
    try {
      const s = `"${target.schema}"`
      const options = await readLedgerOptions(probe, target, s)
      const call = await readLastCall(probe, target, s)
      const lastNumber = Number(call.number)
      const lastCodes = call.answer === null ? undefined : parseCodes(call.answer)
      const ledger = new PostgresLedger(options, url, timing, { attach: true })
      ledger.openSession = call.session
      ledger.sequence = lastNumber
      try {
        await ledger.takeOver(call.session, lease)
      } catch (error) {
        await ledger.close().catch(() => undefined)
        throw error
      }
      return { ledger, options, kept: { session: call.session, lastNumber, lastCodes } }
    } finally {
      await probe.end().catch(() => undefined)
    }
  }

  /**
   * Takes the lease of a ledger being resumed, and marks `session` as held under it. Taking up a
   * killed server's ledger is a take-over of its lease, asked for by --resume; a holder still
   * alive (a server still serving it) is refused all the same.
   */
  private async takeOver(session: number, lease: LedgerLease): Promise<void> {
    await this.calls.inTurn(async () => {
      await this.lease.take(true)
      await this.connect()
      await this.query('begin')
      await this.writeLease(holderName(lease))
      await this.query(`update ${this.schema}.calls set lease = $1 where session = $2`, [
        this.lease.id,
        session,
      ])
      await this.query('commit')
    })
  }

  async createAccounts(batch: AccountBatch): Promise<AccountResults> {
    const code = new Uint8Array(batch.count)
    const calls: Promise<void>[] = []
    for (let from = 0; from < batch.count; from += accountsPerCall) {
      const to = Math.min(batch.count, from + accountsPerCall)
      calls.push(
        this.createAccountsPart(undefined, batch, from, to).then((codes) =>
          readCodes(codes, code, from, to - from),
        ),
      )
    }
    await Promise.all(calls)
    return { code }
  }

  /** createAccounts as call `number` of the session (at most 65,536 accounts: one call). */
  async createAccountsNumbered(number: number, batch: AccountBatch): Promise<AccountResults> {
    assert(
      batch.count <= accountsPerCall,
      'a numbered call creates at most accountsPerCall accounts',
    )
    const code = new Uint8Array(batch.count)
    readCodes(await this.createAccountsPart(number, batch, 0, batch.count), code, 0, batch.count)
    return { code }
  }

  submit(batch: TransferBatch): Promise<TransferResults> {
    return this.submitAs(undefined, batch)
  }

  /** submit as call `number` of the session. */
  submitNumbered(number: number, batch: TransferBatch): Promise<TransferResults> {
    return this.submitAs(number, batch)
  }

  private createAccountsPart(
    number: number | undefined,
    batch: AccountBatch,
    from: number,
    to: number,
  ): Promise<string> {
    const values = [
      arrayText(batch.id, from, to),
      arrayText(batch.tier, from, to),
      arrayText(batch.flags, from, to),
    ]
    return this.changing(
      `select ${this.schema}.create_accounts($1, $2, $3::bigint[], $4::smallint[], $5::smallint[])::text as codes`,
      values,
      number,
    )
  }

  private async submitAs(
    number: number | undefined,
    batch: TransferBatch,
  ): Promise<TransferResults> {
    assert(batch.count <= transferBatchMax, 'a batch holds at most transferBatchMax transfers')
    // Ids go as decimal text into bigint arrays: only exact integers in range may.
    assertTransferIds(batch)
    const count = batch.count
    const days = new Int32Array(count)
    const years = new Int16Array(count)
    for (let index = 0; index < count; index++) {
      const day = localDay(batch.minute[index] as number, this.options.utcOffsetMinutes)
      if (day !== this.lastDay) {
        this.lastDay = day
        this.lastYear = yearOfDay(day)
      }
      days[index] = day
      years[index] = this.lastYear
    }
    const hints = batchHints(batch)
    const values = [
      arrayText(batch.id, 0, count),
      arrayText(batch.debit, 0, count),
      arrayText(batch.credit, 0, count),
      arrayText(batch.amountFen, 0, count),
      arrayText(batch.kind, 0, count),
      arrayText(batch.flags, 0, count),
      arrayText(batch.pendingId, 0, count),
      arrayText(batch.timeoutMinutes, 0, count),
      arrayText(batch.minute, 0, count),
      arrayText(days, 0, count),
      arrayText(years, 0, count),
      arrayText(hints.accounts, 0, hints.accounts.length),
      arrayText(hints.debitAt, 0, count),
      arrayText(hints.creditAt, 0, count),
      String(hints.rising),
      String(hints.maxMinute),
      String(hints.twoPhase),
    ]
    const code = new Uint8Array(count)
    const codes = await this.changing(
      `select ${this.schema}.submit($1, $2, $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::smallint[], $8::smallint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::integer[], $13::smallint[], $14::bigint[], $15::integer[], $16::integer[], $17::boolean, $18::bigint, $19::boolean)::text as codes`,
      values,
      number,
    )
    readCodes(codes, code, 0, count)
    return { code }
  }

  async lookup(ids: Uint32Array): Promise<Balances> {
    assert(ids.length <= lookupBatchMax, 'a lookup holds at most lookupBatchMax ids')
    const { rows } = await this.reading<{
      balance: string | null
      debit: string | null
      credit: string | null
    }>(
      `select array_agg(q.balance)::text as balance, array_agg(q.debit)::text as debit, array_agg(q.credit)::text as credit
         from (select coalesce(a.balance, 0) as balance, coalesce(a.pending_debit, 0) as debit, coalesce(a.pending_credit, 0) as credit
                 from unnest($1::bigint[]) with ordinality t(id, ord)
                 left join ${this.schema}.accounts a on a.id = t.id
                order by t.ord) q`,
      [arrayText(ids, 0, ids.length)],
    )
    const row = rows[0]
    return {
      balanceFen: readNumbers(row?.balance ?? null, ids.length),
      pendingDebitFen: readNumbers(row?.debit ?? null, ids.length),
      pendingCreditFen: readNumbers(row?.credit ?? null, ids.length),
    }
  }

  async totals(): Promise<LedgerTotals> {
    const moves = await this.reading<{ kind: number; debited: string; credited: string }>(
      `select kind, sum(debited)::text as debited, sum(credited)::text as credited from ${this.schema}.moves group by kind`,
      [],
    )
    const held = await this.reading<{ count: string; fen: string }>(
      `select pending_count::text as count, pending_fen::text as fen from ${this.schema}.ledger`,
      [],
    )
    const debitsFen = new Float64Array(transferKindCount)
    const creditsFen = new Float64Array(transferKindCount)
    for (const row of moves.rows) {
      debitsFen[row.kind] = Number(row.debited)
      creditsFen[row.kind] = Number(row.credited)
    }
    return {
      debitsFen,
      creditsFen,
      pendingCount: Number(held.rows[0]?.count ?? 0),
      pendingFen: Number(held.rows[0]?.fen ?? 0),
    }
  }

  health(): LedgerHealth {
    return this.calls.health()
  }

  /**
   * Ends the session, the lease and the connection; the ledger's data stays in the schema (the
   * embedded server's goes with it).
   */
  async close(): Promise<void> {
    await this.calls.stop('the postgres ledger was closed')
    await this.lease.release()
    await this.disconnect()
    if (this.ownsEmbedded) await this.embedded?.stop()
    this.embedded = undefined
  }

  /**
   * A call that changes the ledger: in turn, with the next call number (or the one given), retried
   * until answered.
   */
  private changing(text: string, values: readonly string[], given?: number): Promise<string> {
    return this.calls.inTurn(async () => {
      const number = given ?? this.sequence + 1
      assert(number > this.sequence, 'call numbers grow')
      this.sequence = number
      const { rows } = await this.calls.retried(() =>
        this.leased(() =>
          this.query<{ codes: string }>(text, [this.openSession, number, ...values]),
        ),
      )
      const codes = rows[0]?.codes
      if (typeof codes !== 'string') throw new Error('the ledger function gave no answer')
      return codes
    })
  }

  /** A call that only reads: in turn, retried until answered. */
  private reading<Row extends pg.QueryResultRow>(
    text: string,
    values: readonly unknown[],
  ): Promise<pg.QueryResult<Row>> {
    return this.calls.inTurn(() =>
      this.calls.retried(() => this.leased(() => this.query<Row>(text, values))),
    )
  }

  /**
   * One attempt of a call, the lease held first: taken again if its connection was lost, refused
   * (the run fails, naming who) if another run holds the ledger now.
   */
  private async leased<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      await this.lease.keep()
    } catch (error) {
      const fault = faultOf(error)
      if (fault !== undefined) throw new Fault(fault, `the lease's connection: ${describe(error)}`)
      throw error
    }
    return attempt()
  }

  /** One attempt of one statement, connecting first if need be. */
  private async query<Row extends pg.QueryResultRow>(
    text: string,
    values: readonly unknown[] = [],
  ): Promise<pg.QueryResult<Row>> {
    try {
      const client = this.client ?? (await this.connect())
      return await client.query<Row>({ text, values: [...values] })
    } catch (error) {
      // A call of a session that no longer holds the ledger: the run fails, naming who holds it.
      if (sqlState(error) === leaseRefusedState)
        throw new RunFailed(
          `${this.ledger} is no longer this run's: ${shownHolder(describe(error), 2 * ledgerHolderCharsMax)}. Nothing more was written to it`,
        )
      const fault = faultOf(error)
      if (fault === undefined) throw error
      // The connection may be broken, or busy with an abandoned attempt: the next attempt opens
      // another.
      await this.disconnect()
      throw new Fault(fault, describe(error))
    }
  }

  private connectionString(): string {
    const connectionString = this.target.connectionString ?? this.embedded?.url
    assert(connectionString !== undefined, 'a URL, or an embedded server started')
    return connectionString
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.connectionString(),
      connectionTimeoutMillis: connectTimeoutMs,
      query_timeout: this.timing.queryTimeoutMs ?? queryTimeoutMs,
      application_name: 'citytwin',
    })
    // A connection lost while idle: the next call finds it gone and opens another.
    client.on('error', () => {
      if (this.client === client) this.client = undefined
    })
    try {
      await client.connect()
    } catch (error) {
      client.end().catch(() => undefined)
      throw error
    }
    this.client = client
    return client
  }

  private async disconnect(): Promise<void> {
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => undefined)
  }

  /**
   * Makes the schema, or empties the citytwin ledger an earlier run left in it, in one transaction:
   * a schema holding anything else is refused, never touched.
   */
  private async prepareSchema(): Promise<void> {
    const name = this.target.schema
    const s = this.schema
    await this.query('begin')
    try {
      await this.query(`select pg_advisory_xact_lock(${lockKey(name)})`)
      const { rows } = await this.query<{ relations: string; format: string | null }>(
        `select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1)::text as relations,
                (select data_type from information_schema.columns where table_schema = $1 and table_name = 'ledger' and column_name = 'format') as format`,
        [name],
      )
      const relations = Number(rows[0]?.relations ?? 0)
      // A citytwin ledger is known by its ledger table's format; anything else in the schema is the
      // user's.
      const format =
        rows[0]?.format === 'text'
          ? ((await this.query<{ format: string | null }>(`select format from ${s}.ledger limit 1`))
              .rows[0]?.format ?? undefined)
          : undefined
      let tables = true
      if (format === ledgerFormat) {
        // Sessions keep counting: a client of an earlier ledger is never taken for one of this one.
        await this.query(
          `truncate ${s}.ledger, ${s}.accounts, ${s}.transfers, ${s}.moves, ${s}.calls`,
        )
        tables = false
      } else if (format !== undefined && format !== null && format.startsWith('citytwin-ledger ')) {
        // A ledger an earlier citytwin made, in another format: it would be emptied anyway; made
        // anew.
        await this.query(`drop schema ${s} cascade`)
        await this.query(`create schema ${s}`)
      } else if (relations > 0) {
        throw new UserError(
          `--ledger-url: schema "${name}" at ${this.target.where} holds tables that are not a citytwin ledger; name another with ?schema=`,
        )
      } else {
        await this.query(`create schema if not exists ${s}`)
      }
      // The constants first: the tables' constraints and the functions call them.
      await this.query(searchPathSql(name))
      await this.query(constantsSql(name))
      if (tables) await this.query(tablesSql)
      await this.query(functionsSql)
      await this.writeLease(holderName(this.settings.lease))
      const limits = this.options.tiers.flatMap((tier) => [
        tier.balanceCapFen,
        tier.perPaymentFen,
        tier.perDayFen,
        tier.perYearFen,
      ])
      await this.query(
        `insert into ${s}.ledger (format, accounts_max, limits, utc_offset, pending_max) values ($1, $2, $3::bigint[], $4, $5)`,
        [
          ledgerFormat,
          this.options.accountsMax,
          `{${limits.join(',')}}`,
          this.options.utcOffsetMinutes,
          this.options.pendingMax ?? pendingTransfersMax,
        ],
      )
      await this.query('commit')
    } catch (error) {
      await this.query('rollback').catch(() => undefined)
      throw error
    }
  }

  /**
   * This lease's row, in the transaction under way: the run that holds the ledger, for anyone
   * refused.
   */
  private async writeLease(holder: string): Promise<void> {
    await this.query(`delete from ${this.schema}.lease`)
    await this.query(`insert into ${this.schema}.lease (id, holder) values ($1, $2)`, [
      this.lease.id,
      holder,
    ])
  }

  private broken(error: unknown): RunFailed {
    return new RunFailed(
      `the postgres ledger at ${this.target.where} (--ledger-url) failed: ${describe(error)}`,
    )
  }
}

/**
 * Connects to the server `url` names and lets go, within `timeoutMs`: the check before a city is
 * built that the server is there and lets this user in. Fails as the ledger's open would.
 */
export async function reachPostgres(url: string, timeoutMs: number): Promise<void> {
  const target = parsePostgresUrl(url)
  const probe = await connectProbe(target, timeoutMs)
  await probe.end().catch(() => undefined)
}

/** A client connected to `target` for resume()'s look at what the schema holds. */
async function connectProbe(
  target: PostgresTarget,
  timeoutMs = connectTimeoutMs,
): Promise<pg.Client> {
  const probe = new pg.Client({
    connectionString: target.connectionString,
    connectionTimeoutMillis: timeoutMs,
  })
  probe.on('error', () => undefined)
  try {
    await probe.connect()
  } catch (error) {
    throw new RunFailed(
      `cannot reach PostgreSQL at ${target.where} (--ledger-url): ${describe(error)}`,
    )
  }
  return probe
}

/**
 * The options of the ledger in schema `s` (quoted), read from the database; a schema without a
 * ledger of this format is the user's error.
 */
async function readLedgerOptions(
  probe: pg.Client,
  target: PostgresTarget,
  s: string,
): Promise<LedgerOptions> {
  const found = await probe.query<{ ledger: string | null }>(
    'select to_regclass($1)::text as ledger',
    [`${s}.ledger`],
  )
  if (found.rows[0]?.ledger === null)
    throw new UserError(
      `--resume: schema "${target.schema}" at ${target.where} holds no citytwin ledger to take up`,
    )
  const { rows } = await probe.query<{
    format: string
    accounts_max: string
    limits: string[]
    utc_offset: number
    pending_max: string
  }>(
    `select format, accounts_max::text, limits::text[], utc_offset, pending_max::text from ${s}.ledger`,
  )
  const row = rows[0]
  if (row === undefined || row.format !== ledgerFormat)
    throw new UserError(
      `--resume: schema "${target.schema}" at ${target.where} holds no ledger of this citytwin's format`,
    )
  const limits = row.limits.map(Number)
  return {
    accountsMax: Number(row.accounts_max),
    tiers: Array.from({ length: limits.length / 4 }, (_, tier) => ({
      balanceCapFen: limits[tier * 4] as number,
      perPaymentFen: limits[tier * 4 + 1] as number,
      perDayFen: limits[tier * 4 + 2] as number,
      perYearFen: limits[tier * 4 + 3] as number,
    })),
    utcOffsetMinutes: row.utc_offset,
    pendingMax: Number(row.pending_max),
  }
}

/**
 * The latest session of the ledger in schema `s` (quoted), with its last call's number and
 * answer; a ledger no client ever opened has none to resume.
 */
async function readLastCall(
  probe: pg.Client,
  target: PostgresTarget,
  s: string,
): Promise<{ session: number; number: string; answer: string | null }> {
  const last = await probe.query<{ session: number; number: string; answer: string | null }>(
    `select session, number::text, answer::text from ${s}.calls order by session desc limit 1`,
  )
  const call = last.rows[0]
  if (call === undefined)
    throw new UserError(
      `--resume: the ledger in schema "${target.schema}" at ${target.where} was never opened by a client`,
    )
  return call
}

/**
 * What the client works out for a call so the server need not: the batch's accounts, distinct and
 * in order, with each transfer's 1-based positions in that list; whether the ids rise; the latest
 * minute; whether any transfer is two-phase. (The client has a core of its own to do it on.)
 */
function batchHints(batch: TransferBatch): {
  accounts: Uint32Array
  debitAt: Int32Array
  creditAt: Int32Array
  rising: boolean
  maxMinute: number
  twoPhase: boolean
} {
  const count = batch.count
  const both = new Uint32Array(count * 2)
  both.set(batch.debit.subarray(0, count))
  both.set(batch.credit.subarray(0, count), count)
  both.sort()
  let distinct = 0
  for (let index = 0; index < both.length; index++)
    if (index === 0 || both[index] !== both[index - 1]) both[distinct++] = both[index] as number
  const accounts = both.subarray(0, distinct)
  const position = new Map<number, number>()
  for (let index = 0; index < distinct; index++) position.set(accounts[index] as number, index + 1)
  const debitAt = new Int32Array(count)
  const creditAt = new Int32Array(count)
  let rising = true
  let maxMinute = 0
  let twoPhase = false
  for (let index = 0; index < count; index++) {
    debitAt[index] = position.get(batch.debit[index] as number) as number
    creditAt[index] = position.get(batch.credit[index] as number) as number
    if (index > 0 && (batch.id[index] as number) <= (batch.id[index - 1] as number)) rising = false
    maxMinute = Math.max(maxMinute, batch.minute[index] as number)
    if (((batch.flags[index] as number) & twoPhaseFlags) !== 0) twoPhase = true
  }
  return { accounts, debitAt, creditAt, rising, maxMinute, twoPhase }
}

/** `{1,2,3}`: a column as a PostgreSQL array literal. */
function arrayText(
  column: ArrayLike<number> & {
    subarray(from: number, to: number): { join(separator: string): string }
  },
  from: number,
  to: number,
): string {
  return `{${column.subarray(from, to).join(',')}}`
}

function parseCodes(text: string): Uint8Array {
  const count = text === '{}' ? 0 : text.split(',').length
  const code = new Uint8Array(count)
  readCodes(text, code, 0, count)
  return code
}

/** Reads `{0,7,0}` into `code` at `at`; the count must match. */
function readCodes(text: string, code: Uint8Array, at: number, count: number): void {
  let index = at
  let value = 0
  for (let position = 1; position < text.length - 1; position++) {
    const char = text.charCodeAt(position)
    if (char === 44) {
      code[index++] = value
      value = 0
    } else value = value * 10 + (char - 48)
  }
  if (count > 0) code[index++] = value
  if (index - at !== count) throw new Error(`the ledger answered ${index - at} codes for ${count}`)
}

function readNumbers(text: string | null, count: number): Float64Array {
  const values = new Float64Array(count)
  if (text === null || count === 0) return values
  const parts = text.slice(1, -1).split(',')
  if (parts.length !== count)
    throw new Error(`the ledger answered ${parts.length} values for ${count}`)
  for (let index = 0; index < count; index++) values[index] = Number(parts[index])
  return values
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/** The class of a fault worth retrying, or undefined for an error that is not one. */
function faultOf(error: unknown): FaultClass | undefined {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : ''
  if (code === 'ECONNREFUSED') return 'refused'
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT' ||
    /Connection terminated|not queryable|connection error/i.test(message)
  )
    return 'connection'
  if (/timeout/i.test(message)) return 'timeout'
  const state = sqlState(error)
  // Connection exceptions, a server shutting down or starting up, too many connections, out of
  // resources.
  if (
    state !== undefined &&
    (state.startsWith('08') || state.startsWith('57P') || state.startsWith('53'))
  )
    return 'server'
  return undefined
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
