/**
 * The postgres ledger's schema and its functions, in one schema of the user's database
 * (`?schema=`, default `citytwin`). The rules are those of ledgerCore.ts, applied inside the
 * server: each submit is one call of `submit(...)` over arrays (one per column), so a batch of
 * thousands of transfers is one round trip and a handful of set-based statements around one loop.
 *
 *   ledger     one row: the format, the tier table, the pending transfers held and their fen
 *   accounts   one row per account: balance, reservations and the limit counters (what the payer
 *              spent on its local day and year), so a payment updates one row per side
 *   transfers  one row per accepted transfer, the id unique: its body (for `exists` against
 *              `exists_with_different_body`) and, for a pending one, its state and deadline
 *   moves      what each call posted, by kind, each side apart: totals() sums them
 *   calls      each session's last call and its answer, so a retried call is answered, not applied again
 * (numbers only grow: a server in front may number reads too, which are not recorded here), and the
 * lease the session was opened under
 *   lease      at most one row: the run holding the ledger (ledgerLease.ts), its lease id and since when;
 * the holder's own connection holds the lease's advisory lock (postgresLease.ts) meanwhile
 *
 * Concurrency: each call (and open(), which empties the schema) holds the ledger's lock (a
 * transaction-level advisory lock, one per schema) from its start to its commit, so calls from
 * several connections apply one after another, each seeing every call committed before it: no lost
 * update, and the `check` constraints refuse a negative balance in the database itself. The city's
 * hot accounts (the transit operator, large merchants) are in nearly every batch, so row locks
 * would queue the calls just the same, at the cost of a log record per locked row; a hot account is
 * written once per call, not once per transfer. A retry waits on the lock for an attempt still
 * under way on a lost connection, then reads its answer from `calls`.
 *
 * Each call also checks, under the lock, that its session was opened under the lease the ledger is
 * held by now: a run whose ledger another run took over (and emptied) is refused with the new
 * holder's name (SQLSTATE `leaseRefusedState`) rather than write into that run's ledger.
 *
 * The SQL is in tables.sql and functions.sql beside this module, read at load. They run inside the
 * ledger's schema (`searchPathSql`), after a header this module makes from the TypeScript tables
 * (scriptConstants.ts): one immutable function per constant, `result_insufficient_funds()` for
 * `ResultCode.insufficient_funds`. PostgreSQL inlines such a function where it plans a statement,
 * so each is a literal by the time it runs.
 */
import { readFileSync } from 'node:fs'
import { assert } from '../../assert.js'
import { constantsOf, ledgerConstants, type ScriptConstant } from '../scriptConstants.js'

/** Bumped whenever the schema changes: a ledger of another format is dropped and made anew. */
export const ledgerFormat = 'citytwin-ledger 4'

/** The SQLSTATE a call raises when its session no longer holds the ledger. */
export const leaseRefusedState = 'CTL01'

/** The key of the lock a call holds on the ledger in schema `name`, as SQL. */
export function lockKey(name: string): string {
  return `hashtext('citytwin ledger ${name}')`
}

/**
 * The key of the lock the holder of the ledger in schema `name` holds for the ledger's life, as
 * SQL.
 */
export function leaseKey(name: string): string {
  return `hashtext('citytwin lease ${name}')`
}

/** The lease row's holder and since (ISO, UTC), as selected from `s`.lease. */
export function leaseRowSql(s: string): string {
  return `select id, holder, to_char(since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as since from ${s}.lease limit 1`
}

/**
 * Runs the rest of the transaction in schema `name`, where the .sql files name everything
 * unqualified.
 */
export function searchPathSql(name: string): string {
  return `set local search_path to "${name}", pg_temp`
}

/**
 * The constants the SQL may name, as functions without arguments of these names (lower snake case).
 */
const sqlConstants: readonly ScriptConstant[] = [
  ...ledgerConstants,
  ...constantsOf('', { leaseRefusedState }),
]
/** Made for each schema apart: the key of its ledger's lock. */
const lockKeyFunction = 'ledger_lock_key'
/** Functions without arguments the SQL calls that are PostgreSQL's own. */
const builtinsWithoutArguments = new Set(['now', 'row_number'])

export const sqlConstantNames: ReadonlySet<string> = new Set([
  ...sqlConstants.map((constant) => constant.name.toLowerCase()),
  lockKeyFunction,
])
assert(sqlConstantNames.size === sqlConstants.length + 1, 'no two SQL constants share a name')

/** A constant's value as an SQL literal of its type. */
function sqlLiteral(value: number | string): { type: string; literal: string } {
  if (typeof value === 'string')
    return { type: 'text', literal: `'${value.replaceAll("'", "''")}'` }
  return Math.abs(value) <= 2 ** 31 - 1
    ? { type: 'integer', literal: String(value) }
    : { type: 'bigint', literal: `${value}::bigint` }
}

function constantFunction(name: string, type: string, body: string): string {
  return `create or replace function ${name}() returns ${type} language sql immutable parallel safe as $$select ${body}$$;`
}

/**
 * The header: every constant as an immutable function, in the schema the search path names (schema
 * `name`'s).
 */
export function constantsSql(name: string): string {
  const lines = sqlConstants.map((constant) => {
    const { type, literal } = sqlLiteral(constant.value)
    return constantFunction(constant.name.toLowerCase(), type, literal)
  })
  lines.push(constantFunction(lockKeyFunction, 'integer', lockKey(name)))
  return `-- Made from the TypeScript tables when the ledger was opened (postgres/ledgerSql.ts).\n${lines.join('\n')}\n`
}

/**
 * The functions without arguments `source` calls (written `name()`, as the files call functions),
 * outside its comments and quoted strings: the constants it expects the header to make,
 * PostgreSQL's own (now(), row_number()) aside.
 */
export function sqlCalledConstants(source: string): Set<string> {
  const names = new Set<string>()
  // Comments and quoted strings first, so that what they hold is never taken for a call.
  const token = /--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|\b([a-z_][a-z0-9_]*)\(\s*\)/gi
  for (const match of source.matchAll(token)) {
    const name = match[1]?.toLowerCase()
    if (name !== undefined && !builtinsWithoutArguments.has(name)) names.add(name)
  }
  return names
}

/**
 * A .sql file beside this module; a constant it calls that the header does not make is a programmer
 * error.
 */
export function sqlSource(file: string): string {
  const source = readFileSync(new URL(file, import.meta.url), 'utf8')
  for (const name of sqlCalledConstants(source)) {
    if (!sqlConstantNames.has(name))
      throw new Error(
        `postgres/${file} calls ${name}(), which no TypeScript table defines (engine/ledger/scriptConstants.ts, postgres/ledgerSql.ts)`,
      )
  }
  return source
}

/** The tables, made in the schema the search path names. */
export const tablesSql = sqlSource('tables.sql')
/** The functions, made in the schema the search path names. */
export const functionsSql = sqlSource('functions.sql')
