/**
 * Two `citytwin run`s on one ledger, as two users (or two terminals) would start them: the second
 * is refused while the first holds the schema or key, naming it, exit 2, and the first finishes
 * with its money conserved; a run killed with SIGKILL leaves its ledger marked as held by a run
 * that is gone, which the next run refuses unless given --take-over. Against the machine's
 * PostgreSQL and Redis servers (skipped, with one line, where there is none; not in CI).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../engine/report/index.js'
import { citytwin, type CliResult } from '../helpers/cli.js'
import { repoRoot, smokeScenario } from '../helpers/runs.js'
import {
  dropSchema,
  postgresUrl,
  reachable as postgresReachable,
} from '../engine/ledger/conformance/postgresTarget.js'
import {
  dropKeys,
  plainClient,
  reachable as redisReachable,
  redisUrl,
  withKey,
} from '../engine/ledger/conformance/redisTarget.js'

const postgresHere = await postgresReachable(postgresUrl)
const redisHere = await redisReachable(redisUrl)
for (const [here, what, where, install] of [
  [
    postgresHere,
    'PostgreSQL',
    postgresUrl,
    'apt-get install -y postgresql, or set CITYTWIN_POSTGRES_URL',
  ],
  [redisHere, 'Redis', redisUrl, 'apt-get install -y redis-server, or set CITYTWIN_REDIS_URL'],
] as const) {
  if (here) continue
  if (process.env.CI === 'true')
    throw new Error(
      `the ledger lease CLI tests cannot run: no ${what} server at ${where} (CI runs every suite)`,
    )
  console.warn(
    `ledger lease CLI tests on ${what} skipped: no ${what} server at ${where}; to run them: ${install}`,
  )
}

const schema = `ct_lease_cli_${process.pid}`
const crashSchema = `ct_lease_crash_${process.pid}`
const key = `ct-lease-cli-${process.pid}`
const pgLedger = (name: string): string[] => [
  '--ledger',
  'postgres',
  '--ledger-url',
  `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}schema=${name}`,
]
const redisLedger = ['--ledger', 'redis', '--ledger-url', withKey(redisUrl, key)]
/**
 * Long enough that the second run, started once the first holds the ledger, reaches its open while
 * the first still runs.
 */
const holdingRun = ['--profile', 'constant:200/30s', '--late-tolerance', '30s']
/** The shortest honest run: its opening, a second of load, its audit. */
const shortRun = ['--profile', 'constant:200/1s', '--late-tolerance', '30s']

let folder = ''
beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-lease-'))
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
  if (postgresHere) for (const name of [schema, crashSchema]) await dropSchema(postgresUrl, name)
  if (redisHere) await dropKeys(redisUrl, key)
})

const children: ChildProcess[] = []
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const closed = new Promise((resolve) => child.once('close', resolve))
    child.kill('SIGKILL')
    await closed
  }
})

/** `citytwin args` started in the background: the process, and what it printed when it ends. */
function started(args: readonly string[]): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'bin/citytwin.ts'), ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, FORCE_COLOR: '0' },
    },
  )
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
  return { child, result }
}

/**
 * Polls `check` every 100 ms until it holds, for at most 90 s (a city is built first, on a busy
 * machine).
 */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let waitedMs = 0; !(await check()); waitedMs += 100) {
    expect(waitedMs, what).toBeLessThan(90_000)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function sql<Row extends pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: postgresUrl })
  client.on('error', () => undefined)
  await client.connect()
  try {
    return (await client.query<Row>(text, values)).rows
  } finally {
    await client.end()
  }
}

/**
 * How many connections hold the schema's lease lock (a session advisory lock on hashtext('citytwin
 * lease <schema>')).
 */
async function leaseLocks(name: string): Promise<number> {
  const rows = await sql(
    `select pid from pg_locks
      where locktype = 'advisory' and granted and objsubid = 1 and database = (select oid from pg_database where datname = current_database())
        and ((classid::bigint << 32) | objid::bigint) = hashtext($1)::bigint`,
    [`citytwin lease ${name}`],
  )
  return rows.length
}

/** The holder named in the schema's lease row, if there is one. */
async function postgresHolder(name: string): Promise<string | undefined> {
  const [table] = await sql<{ lease: string | null }>('select to_regclass($1)::text as lease', [
    `"${name}".lease`,
  ])
  if (table?.lease === null || table?.lease === undefined) return undefined
  return (await sql<{ holder: string }>(`select holder from "${name}".lease`))[0]?.holder
}

/** Accounts in the schema's ledger: a run that has them has opened it. */
async function postgresAccounts(name: string): Promise<number> {
  const [table] = await sql<{ accounts: string | null }>(
    'select to_regclass($1)::text as accounts',
    [`"${name}".accounts`],
  )
  if (table?.accounts === null || table?.accounts === undefined) return 0
  return Number(
    (await sql<{ count: string }>(`select count(*)::text as count from "${name}".accounts`))[0]
      ?.count ?? 0,
  )
}

async function withRedis<T>(
  body: (client: ReturnType<typeof plainClient>) => Promise<T>,
): Promise<T> {
  const client = plainClient(redisUrl, 5_000)
  await client.connect()
  try {
    return await body(client)
  } finally {
    client.disconnect()
  }
}

const redisHolder = (): Promise<string | undefined> =>
  withRedis(async (client) => (await client.hget(`{${key}}:meta`, 'holder')) ?? undefined)
const redisAccounts = (): Promise<number> => withRedis((client) => client.hlen(`{${key}}:accounts`))

/** The run ended with exit 0, money conserved and the double entry balanced. */
function expectWhole(run: CliResult, ledger: string): void {
  expect(run.stderr).not.toMatch(/^\s+at /m)
  expect(run.code, run.stderr).toBe(0)
  const summary = JSON.parse(run.stdout) as RunSummary
  expect(summary.ledger).toBe(ledger)
  expect(summary.conservation.ok).toBe(true)
  expect(summary.doubleEntry.ok).toBe(true)
}

describe.each([
  {
    ledger: 'postgres',
    here: postgresHere,
    flags: pgLedger(schema),
    holder: () => postgresHolder(schema),
    accounts: () => postgresAccounts(schema),
    elsewhere: '?schema=',
  },
  {
    ledger: 'redis',
    here: redisHere,
    flags: redisLedger,
    holder: redisHolder,
    accounts: redisAccounts,
    elsewhere: '?key=',
  },
])(
  'two citytwin runs on one $ledger ledger',
  ({ ledger, here, flags, holder, accounts, elsewhere }) => {
    it.skipIf(!here)(
      'refuses the second while the first runs, naming it, and the first finishes with its money conserved',
      async () => {
        // Proves the finding fixed: the second run exits 2 with the first named (command, pid,
        // host) and what to do, and writes no run folder; the first, untouched, exits 0 with
        // conservation and double entry whole.
        const first = started([
          'run',
          smokeScenario,
          ...flags,
          ...holdingRun,
          '--json',
          '--out',
          path.join(folder, `${ledger}-first`),
        ])
        const pid = first.child.pid as number
        // Its accounts are in: it has opened the ledger and is running on it.
        await until('the first run opens its ledger', async () => (await accounts()) > 0)

        const out = path.join(folder, `${ledger}-second`)
        const second = await citytwin(['run', smokeScenario, ...flags, '--json', '--out', out])
        expect(
          first.child.exitCode,
          'the first run was still running when the second was refused',
        ).toBe(null)
        expect(second.code).toBe(2)
        expect(second.stderr).toContain(
          `is in use by citytwin run ${smokeScenario} (pid ${pid} on ${os.hostname()}), since `,
        )
        expect(second.stderr).toContain(elsewhere)
        expect(second.stderr).not.toMatch(/^\s+at /m)
        await expect(fs.access(out)).rejects.toThrow()

        expectWhole(await first.result, ledger)
        // Closed, the first let go.
        expect(await holder()).toBe(undefined)
      },
    )
  },
)

describe('a run killed while it holds a postgres ledger', () => {
  it.skipIf(!postgresHere)(
    'leaves it marked as held by a run that is gone: refused without --take-over, taken over with it',
    async () => {
      // Proves a crashed holder is recognised (named, said to be gone) and refused with exit 2
      // unless --take-over is given; with it the next run takes the ledger over and finishes whole.
      const flags = pgLedger(crashSchema)
      const crashed = started([
        'run',
        smokeScenario,
        ...flags,
        ...holdingRun,
        '--json',
        '--out',
        path.join(folder, 'crashed'),
      ])
      const pid = crashed.child.pid as number
      await until(
        'the doomed run opens its ledger',
        async () => (await postgresAccounts(crashSchema)) > 0,
      )
      crashed.child.kill('SIGKILL')
      await crashed.result
      // PostgreSQL lets go of the lock when it sees the connection end.
      await until(
        'the lock goes with the killed run',
        async () => (await leaseLocks(crashSchema)) === 0,
      )

      const refused = await citytwin([
        'run',
        smokeScenario,
        ...flags,
        ...shortRun,
        '--json',
        '--out',
        path.join(folder, 'refused'),
      ])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain(
        `is still marked as held by citytwin run ${smokeScenario} (pid ${pid} on ${os.hostname()}), since `,
      )
      expect(refused.stderr).toContain('--take-over')
      expect(refused.stderr).not.toMatch(/^\s+at /m)

      const taker = await citytwin([
        'run',
        smokeScenario,
        ...flags,
        ...shortRun,
        '--take-over',
        '--json',
        '--out',
        path.join(folder, 'taker'),
      ])
      expectWhole(taker, 'postgres')
      expect(await postgresHolder(crashSchema)).toBe(undefined)
    },
  )

  it('refuses --take-over on a ledger no other run can reach', async () => {
    // Proves --take-over is a user error with the memory ledger (private to the run) and the http
    // one (its server holds the lease).
    for (const flags of [[], ['--ledger', 'http', '--ledger-url', 'http://127.0.0.1:1']]) {
      const run = await citytwin([
        'run',
        smokeScenario,
        ...flags,
        '--take-over',
        '--out',
        path.join(folder, 'never'),
      ])
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(
        /--take-over: takes over a postgres or redis ledger whose holder is gone; the (memory|http) ledger is/,
      )
    }
  })
})
