/**
 * Checks shared by the tests that take a ledger's server away mid-run: the run went on and
 * recovered, and the database itself balances afterwards.
 */
import pg from 'pg'
import { expect } from 'vitest'
import type { LedgerCore } from '../../engine/ledger/index.js'
import type { RunSummary } from '../../engine/report/index.js'

/**
 * Every transfer of a `sent`-transfer load run was sent and answered, the audit held, and the
 * ledger reports faults it recovered from.
 */
export function expectRecovered(summary: RunSummary, sent: number): void {
  expect(summary.load?.sent).toBe(sent)
  expect(summary.load?.completed).toBe(sent)
  expect(summary.load?.errors).toBe(0)
  expect(summary.conservation.ok).toBe(true)
  expect(summary.doubleEntry.ok).toBe(true)
  const health = summary.ledgerHealth
  expect(health?.recovered).toBeGreaterThan(0)
  expect(
    Object.values(health?.faults ?? {}).reduce((sum, value) => sum + value, 0),
  ).toBeGreaterThan(0)
  expect(health?.longestRecoveryMs).toBeGreaterThan(300)
  // The outage shows in latency from the intended send time.
  expect(summary.load?.latencyMs.overall.maxMs).toBeGreaterThan(300)
}

async function sqlNumber(client: pg.Client, sql: string): Promise<number> {
  const { rows } = await client.query<{ value: string | null }>(sql)
  return Number(rows[0]?.value ?? 0)
}

/**
 * The postgres ledger in `schema` at `url`, read in SQL after a plain-transfer run: balances sum to
 * zero, no payer below zero, one row per accepted transfer, and the posted amounts agree with the
 * run's accepted fen and with the moves on both sides.
 */
export async function expectDatabaseBalances(
  url: string,
  schema: string,
  summary: RunSummary,
): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    expect(
      await sqlNumber(
        client,
        `select coalesce(sum(balance), 0)::text as value from ${schema}.accounts`,
      ),
    ).toBe(0)
    expect(
      await sqlNumber(
        client,
        `select count(*)::text as value from ${schema}.accounts where balance < 0 and flags & 1 = 0`,
      ),
    ).toBe(0)
    expect(await sqlNumber(client, `select count(*)::text as value from ${schema}.transfers`)).toBe(
      summary.transfers.accepted,
    )
    const posted = await sqlNumber(
      client,
      `select coalesce(sum(amount), 0)::text as value from ${schema}.transfers`,
    )
    expect(posted).toBe(
      Object.values(summary.transfers.byKind).reduce((sum, kind) => sum + kind.amountFen, 0),
    )
    expect(
      await sqlNumber(
        client,
        `select coalesce(sum(debited), 0)::text as value from ${schema}.moves`,
      ),
    ).toBe(posted)
    expect(
      await sqlNumber(
        client,
        `select coalesce(sum(credited), 0)::text as value from ${schema}.moves`,
      ),
    ).toBe(posted)
  } finally {
    await client.end()
  }
}

/**
 * Resolves once `sql` counts more than zero rows at `url` (a schema not made yet counts none), or
 * when `stop()` says so.
 */
export async function untilRows(url: string, sql: string, stop: () => boolean): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => undefined)
  await client.connect()
  try {
    while (!stop()) {
      if ((await sqlNumber(client, sql).catch(() => 0)) > 0) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  } finally {
    await client.end()
  }
}

/**
 * `ledger`, named `name`, with `cleanup` run after it closes (a test ledger's schema or keys
 * dropped).
 */
export function closingWith(
  ledger: LedgerCore,
  name: string,
  cleanup: () => Promise<void>,
): LedgerCore {
  return {
    name,
    open: () => ledger.open(),
    createAccounts: (batch) => ledger.createAccounts(batch),
    submit: (batch) => ledger.submit(batch),
    lookup: (ids) => ledger.lookup(ids),
    totals: () => ledger.totals(),
    ...(ledger.health === undefined ? {} : { health: ledger.health.bind(ledger) }),
    close: async () => {
      await ledger.close()
      await cleanup()
    },
  }
}
