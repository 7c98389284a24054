/**
 * The constants the ledgers' Lua and SQL name are the TypeScript tables': every code, flag, state
 * and kind is in the headers with its value, every name a .lua or .sql file uses is one the tables
 * define, each loaded script declares exactly the names it uses, and the servers themselves read
 * the values TypeScript holds.
 */
import { readdirSync, readFileSync } from 'node:fs'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import {
  AccountFlag,
  AccountResultCode,
  ResultCode,
  TransferFlag,
  TransferKind,
  accountFlagsKnown,
  transferFlagsKnown,
  transferKindCount,
} from '../../../engine/ledger/index.js'
import {
  constantTables,
  ledgerConstants,
  upperSnake,
} from '../../../engine/ledger/scriptConstants.js'
import { TransferState } from '../../../engine/ledger/transferState.js'
import * as luaScripts from '../../../engine/ledger/redis/ledgerScript.js'
import {
  luaConstantNames,
  luaConstants,
  luaHeader,
} from '../../../engine/ledger/redis/ledgerScript.js'
import {
  constantsSql,
  leaseRefusedState,
  sqlCalledConstants,
  sqlConstantNames,
} from '../../../engine/ledger/postgres/ledgerSql.js'
import { transferAmountFenMax } from '../../../engine/limits.js'
import { unavailable } from './conformance/harness.js'
import {
  postgresUrl,
  reachable as postgresReachable,
  testSchema,
} from './conformance/postgresTarget.js'
import { plainClient, reachable as redisReachable, redisUrl } from './conformance/redisTarget.js'

/**
 * Every table the scripts share with TypeScript, by the prefix of its names, written out here
 * rather than taken from scriptConstants.ts.
 */
const tables: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  RESULT: ResultCode,
  ACCOUNT_RESULT: AccountResultCode,
  TRANSFER_KIND: TransferKind,
  TRANSFER_FLAG: TransferFlag,
  ACCOUNT_FLAG: AccountFlag,
  TRANSFER_STATE: TransferState,
}
/** Each TypeScript entry as the scripts name it, with its value. */
const expected: readonly (readonly [string, number | string])[] = [
  ...Object.entries(tables).flatMap(([prefix, table]) =>
    Object.entries(table).map(([key, value]) => [`${prefix}_${upperSnake(key)}`, value] as const),
  ),
  ['TRANSFER_KIND_COUNT', transferKindCount],
  ['TRANSFER_FLAGS_KNOWN', transferFlagsKnown],
  ['ACCOUNT_FLAGS_KNOWN', accountFlagsKnown],
  ['TRANSFER_AMOUNT_FEN_MAX', transferAmountFenMax],
  ['FEN_EXACT_MAX', Number.MAX_SAFE_INTEGER],
]

const folder = (path: string): URL => new URL(`../../../engine/ledger/${path}/`, import.meta.url)
/** Every file of the folder that ends in `extension`, with its text. */
function scriptFiles(path: string, extension: string): { file: string; source: string }[] {
  const files = readdirSync(folder(path)).filter((file) => file.endsWith(extension))
  return files.map((file) => ({ file, source: readFileSync(new URL(file, folder(path)), 'utf8') }))
}

/** The lines of `source` that are code, their comments (after `comment`) cut, trimmed. */
function code(source: string, comment: string): string[] {
  return source
    .split('\n')
    .map((line) => line.split(comment)[0]?.trim() ?? '')
    .filter((line) => line !== '')
}

/** The SQL header's functions: name → [return type, the literal it selects]. */
function sqlHeaderFunctions(sql: string): Map<string, readonly [string, string]> {
  const found = new Map<string, readonly [string, string]>()
  for (const match of sql.matchAll(
    /^create or replace function (\w+)\(\) returns (\w+) language sql immutable parallel safe as \$\$select (.*)\$\$;$/gm,
  )) {
    found.set(match[1] as string, [match[2] as string, match[3] as string])
  }
  return found
}

describe('the constants the ledger scripts share with TypeScript', () => {
  it('puts every code, flag, state and kind of the TypeScript tables in the Lua and SQL headers, with its value', () => {
    // Proves the headers are made from the tables whole: an entry added to a table reaches both
    // languages.
    expect(Object.keys(constantTables).sort()).toEqual(Object.keys(tables).sort())
    expect(expected.length).toBeGreaterThan(50)
    const lua = luaHeader(luaConstants.keys())
    const sql = sqlHeaderFunctions(constantsSql('citytwin'))
    for (const [name, value] of expected) {
      expect(lua).toContain(`\nlocal ${name} = ${String(value)}\n`)
      const [type, literal] = sql.get(name.toLowerCase()) ?? ['none', 'none']
      expect([type, Number(literal.replace(/::bigint$/, ''))]).toEqual([
        Math.abs(value as number) < 2 ** 31 ? 'integer' : 'bigint',
        value,
      ])
    }
    expect(new Set(ledgerConstants.map((constant) => constant.name))).toEqual(
      new Set(expected.map(([name]) => name)),
    )
    expect(sql.get('lease_refused_state')).toEqual(['text', `'${leaseRefusedState}'`])
    expect(sql.get('ledger_lock_key')).toEqual(['integer', "hashtext('citytwin ledger citytwin')"])
  })

  it('finds every constant a .lua or .sql file names among the TypeScript tables', () => {
    // Proves no script names a code the tables lack: a misspelt one would be nil in Lua and a
    // missing function in SQL.
    const lua = scriptFiles('redis', '.lua')
    expect(lua.map(({ file }) => file)).toEqual(
      expect.arrayContaining(['prelude.lua', 'submit.lua', 'createAccounts.lua']),
    )
    for (const { file, source } of lua) {
      expect(
        [...luaConstantNames(source)].filter((name) => !luaConstants.has(name)),
        file,
      ).toEqual([])
      // The scripts that answer result codes never write one as a number of their own.
      if (file === 'submit.lua' || file === 'createAccounts.lua')
        expect(
          code(source, '--').filter((line) => /\b(?:codes\[[^\]]*\]\s*=|return)\s*\d/.test(line)),
          file,
        ).toEqual([])
    }
    const sql = scriptFiles('postgres', '.sql')
    expect(sql.map(({ file }) => file).sort()).toEqual(['functions.sql', 'tables.sql'])
    for (const { file, source } of sql) {
      expect(
        [...sqlCalledConstants(source)].filter((name) => !sqlConstantNames.has(name)),
        file,
      ).toEqual([])
      expect(
        code(source, '--').filter((line) =>
          /\b(?:c|code\[[^\]]*\])\s*:=\s*-?\d|\bstate\s*(?:=|<>)\s*\d/.test(line),
        ),
        file,
      ).toEqual([])
    }
    expect(
      sqlCalledConstants(sql.find(({ file }) => file === 'functions.sql')?.source ?? ''),
    ).toContain('result_insufficient_funds')
  })

  it('sees a misspelt constant in code, not in comments or strings, and refuses to load it', () => {
    // Proves the check above can fail: what it reads is the code, and an unknown name stops the
    // load.
    const lua =
      '-- RESULT_NOPE in a comment\nlocal s = \'RESULT_NOPE\' .. "RESULT_NOPE" .. [[RESULT_NOPE]]\nif KEYS[1] then return RESULT_OKAY end\nreturn RESULT_OK'
    expect([...luaConstantNames(lua)].sort()).toEqual(['RESULT_OK', 'RESULT_OKAY'])
    expect(() => luaHeader(luaConstantNames(lua))).toThrow(
      /names RESULT_OKAY, which no TypeScript table defines/,
    )
    const sql =
      "-- result_nope()\nselect 'result_nope()', /* result_nope() */ result_okay(), now(), row_number() over () from t"
    expect([...sqlCalledConstants(sql)]).toEqual(['result_okay'])
    expect(sqlConstantNames.has('result_okay')).toBe(false)
  })

  it('heads each loaded Lua script with exactly the constants it names', () => {
    // Proves the prelude reaches every script and that no script lacks a local it uses (Lua would
    // read it as a nil global).
    const scripts = Object.entries(luaScripts).filter(([name]) => name.endsWith('Script'))
    expect(scripts.map(([name]) => name).sort()).toEqual([
      'createAccountsScript',
      'heartbeatScript',
      'lookupScript',
      'openScript',
      'releaseScript',
      'submitScript',
      'totalsScript',
    ])
    for (const [name, script] of scripts) {
      const text = script as string
      const body = text.slice(text.indexOf('\n-- What every script') + 1)
      const declared = [
        ...text.slice(0, text.length - body.length).matchAll(/^local (\w+) = /gm),
      ].map((match) => match[1])
      expect(declared, name).toEqual([...luaConstantNames(body)].sort())
      expect(body, name).toContain('local function sessionFailure(session)')
    }
  })
})

const redisHere = await redisReachable(redisUrl)
const skipRedis =
  !redisHere &&
  unavailable(
    'redis',
    `no Redis server at ${redisUrl}`,
    'apt-get install -y redis-server, or set CITYTWIN_REDIS_URL',
  ).length === 0
const postgresHere = await postgresReachable(postgresUrl)
const skipPostgres =
  !postgresHere &&
  unavailable(
    'postgres',
    `no PostgreSQL server at ${postgresUrl}`,
    'apt-get install -y postgresql, or set CITYTWIN_POSTGRES_URL',
  ).length === 0

describe('the constants as the servers read them', () => {
  it.skipIf(skipRedis)('has Redis read every Lua constant as TypeScript holds it', async () => {
    // Proves the header is Lua that Redis compiles, and that no value is rounded or quoted wrong on
    // the way.
    const names = [...luaConstants.keys()]
    const client = plainClient(redisUrl, 5_000)
    await client.connect()
    try {
      // Redis answers a Lua number as an integer reply, exactly (it truncates, so a fraction would
      // show too).
      const values = (await client.eval(
        `${luaHeader(names)}return { ${names.join(', ')} }`,
        0,
      )) as unknown[]
      expect(values.map((value, index) => [names[index], value])).toEqual(
        names.map((name) => [name, luaConstants.get(name)]),
      )
    } finally {
      client.disconnect()
    }
  })

  it.skipIf(skipPostgres)(
    'has PostgreSQL read every SQL constant as TypeScript holds it, folded to a literal where it plans',
    async () => {
      // Proves the header is valid SQL, that each function answers its TypeScript value, and that
      // the planner folds it away.
      const schema = testSchema()
      const client = new pg.Client({ connectionString: postgresUrl })
      await client.connect()
      try {
        await client.query('begin')
        await client.query(`create schema "${schema}"`)
        await client.query(`set local search_path to "${schema}", pg_temp`)
        await client.query(constantsSql(schema))
        const names = [...sqlConstantNames].filter((name) => name !== 'ledger_lock_key')
        const { rows } = await client.query<Record<string, string>>(
          `select ${names.map((name) => `${name}()::text as ${name}`).join(', ')}`,
        )
        expect(names.map((name) => [name, rows[0]?.[name]])).toEqual(
          names.map((name) => [
            name,
            String(luaConstants.get(name.toUpperCase()) ?? leaseRefusedState),
          ]),
        )
        const lock = await client.query<{ same: boolean }>(
          `select ledger_lock_key() = hashtext('citytwin ledger ${schema}') as same`,
        )
        expect(lock.rows[0]?.same).toBe(true)
        const plan = await client.query<{ 'QUERY PLAN': string }>(
          'explain (verbose) select result_insufficient_funds() + transfer_state_pending()',
        )
        expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(
          new RegExp(`Output: ${ResultCode.insufficient_funds + TransferState.pending}\\b`),
        )
      } finally {
        await client.query('rollback').catch(() => undefined)
        await client.end()
      }
    },
  )
})
