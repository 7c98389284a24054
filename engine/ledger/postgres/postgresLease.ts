/**
 * The postgres ledger's lease (ledgerLease.ts): which run holds the ledger in a schema.
 *
 * Two marks, one for each question a newcomer asks:
 *
 *   is the holder alive?   a session-level advisory lock on the schema's lease key, held by a
 *                          connection of the holder's own for the ledger's life. PostgreSQL lets
 *                          go of it when that connection ends, however it ends: a run that
 *                          crashes, is killed or is cut off no longer holds it.
 *   who holds it?          the row of `lease` (ledgerSql.ts), written with the schema's reset:
 *                          the holder's name, its lease id, since when by the server's clock.
 *
 *   lock taken by another ─────────────────▶ alive: refused, naming the row's holder
 *   lock free, a row left ─────────────────▶ gone: refused unless take-over is asked
 *   lock free, no row ─────────────────────▶ free
 *
 * The lease's connection is not the calls': those are dropped and made again after a fault, and a
 * session lock on one would go with it. When the lease's connection is lost (the server restarted,
 * the network failed), the next call takes the lock again before it runs, provided the row is
 * still this lease's; if another run took the ledger over meanwhile, the call fails naming it. The
 * row is checked by every call that changes the ledger too, under the ledger's lock (ledgerSql.ts),
 * so a run that has not yet noticed cannot write into the ledger of the run that took it over.
 */
import pg from 'pg'
import { assert } from '../../assert.js'
import { ledgerLeaseWaitMs } from '../../limits.js'
import { Fault } from '../callQueue.js'
import {
  ledgerHolderGone,
  ledgerInUse,
  ledgerTakenOver,
  newLeaseId,
  type LeaseHolder,
} from '../ledgerLease.js'
import { leaseKey, leaseRowSql } from './ledgerSql.js'
import { wallScheduler, type Scheduler } from '../../time/index.js'

/** Between two tries of a lock a dead holder's connection still holds. */
const lockRetryPauseMs = 100
const connectTimeoutMs = 10_000

interface LeaseRow {
  readonly id: string
  readonly holder: string
  readonly since: string
}

export interface PostgresLeaseTarget {
  /** The schema's name, unquoted. */
  readonly schema: string
  /**
   * How messages name the ledger: 'the postgres ledger in schema "citytwin" at 127.0.0.1:5432/test
   * (--ledger-url)'.
   */
  readonly ledger: string
  readonly connectionString: () => string
}

export class PostgresLease {
  /** This lease's id: the row says whose it is. */
  readonly id = newLeaseId()
  private client: pg.Client | undefined
  /** Taken by take() and not let go since: the lock may be lost meanwhile, the lease is not. */
  private taken = false
  private readonly s: string

  constructor(
    private readonly target: PostgresLeaseTarget,
    private readonly waitMs = ledgerLeaseWaitMs,
    /** Where the pauses between tries of a held lock wait. */
    private readonly scheduler: Scheduler = wallScheduler,
  ) {
    this.s = `"${target.schema}"`
  }

  /**
   * Takes the lock, or refuses: a live holder always; a gone one unless `takeOver`. With `takeOver`
   * a lock still held is tried again for a while, since the connection of a holder that just died
   * may take a moment to end. The row is the caller's to write (with the id), with the schema's
   * reset.
   */
  async take(takeOver: boolean, waitMs = takeOver ? this.waitMs : 0): Promise<void> {
    assert(!this.taken, 'a lease is taken once')
    const client = await this.connect()
    try {
      let waitedMs = 0
      while (!(await tryLock(client, this.target.schema))) {
        if (waitedMs >= waitMs)
          throw ledgerInUse(this.target.ledger, holderOf(await this.row(client)), '?schema=<name>')
        await this.scheduler.sleep(lockRetryPauseMs)
        waitedMs += lockRetryPauseMs
      }
      const left = await this.row(client)
      if (left !== undefined && left.id !== this.id && !takeOver) {
        throw ledgerHolderGone(
          this.target.ledger,
          holderOf(left) as LeaseHolder,
          '?schema=<name>',
          'that run no longer holds its lock on it',
        )
      }
      this.client = client
      this.taken = true
      this.watch(client)
    } catch (error) {
      await client.end().catch(() => undefined)
      throw error
    }
  }

  /**
   * Before a call: the lock held again if its connection was lost, while the row is still ours. A
   * lock another holds while the row is ours is a newcomer looking (it is refused and lets go): a
   * fault, retried. Throws the run's failure when the ledger is another's now.
   */
  async keep(): Promise<void> {
    if (this.client !== undefined || !this.taken) return
    // A connection that cannot be made throws pg's own error: the caller tells a fault from the
    // rest.
    const client = await this.connect()
    try {
      const locked = await tryLock(client, this.target.schema)
      const row = await this.row(client)
      if (row?.id !== this.id) throw ledgerTakenOver(this.target.ledger, holderOf(row))
      if (!locked) throw new Fault('server', 'another connection holds the lease lock for a moment')
      this.client = client
      this.watch(client)
    } catch (error) {
      await client.end().catch(() => undefined)
      throw error
    }
  }

  /** Lets go: the row goes (if it is still ours), then the lock with its connection. */
  async release(): Promise<void> {
    if (!this.taken) return
    this.taken = false
    const client = this.client ?? (await this.connect().catch(() => undefined))
    this.client = undefined
    if (client === undefined) return
    try {
      await client
        .query(`delete from ${this.s}.lease where id = $1`, [this.id])
        .catch(() => undefined)
    } finally {
      await client.end().catch(() => undefined)
    }
  }

  /** A connection lost while idle: the next call takes the lock again. */
  private watch(client: pg.Client): void {
    const lost = (): void => {
      if (this.client === client) this.client = undefined
    }
    client.on('error', lost)
    client.on('end', lost)
  }

  /** The row, if the schema has a lease table and a row in it. */
  private async row(client: pg.Client): Promise<LeaseRow | undefined> {
    const table = await client.query<{ lease: string | null }>(
      'select to_regclass($1)::text as lease',
      [`${this.s}.lease`],
    )
    if (table.rows[0]?.lease === null || table.rows[0]?.lease === undefined) return undefined
    const { rows } = await client.query<LeaseRow>(leaseRowSql(this.s))
    return rows[0]
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.target.connectionString(),
      connectionTimeoutMillis: connectTimeoutMs,
      application_name: 'citytwin lease',
    })
    client.on('error', () => undefined)
    try {
      await client.connect()
    } catch (error) {
      client.end().catch(() => undefined)
      throw error
    }
    return client
  }
}

async function tryLock(client: pg.Client, schema: string): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(
    `select pg_try_advisory_lock(${leaseKey(schema)}) as locked`,
  )
  return rows[0]?.locked === true
}

function holderOf(row: LeaseRow | undefined): LeaseHolder | undefined {
  return row === undefined ? undefined : { holder: row.holder, since: row.since }
}
