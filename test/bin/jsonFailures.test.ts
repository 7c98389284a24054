/**
 * With --json, every outcome of `run` and `capacity` is exactly one JSON object on stdout: a run
 * whose ledger is lost mid-run, a run whose audit fails, a capacity trial that breaks the audit,
 * and bad input each print `{ ok: false, error: { kind, message } }` (with the summary when the
 * run finished), never zero bytes. The ledgers that fail are real http ledger servers over the
 * memory ledger, made to misbehave: one goes away after a few calls, one lies in its totals.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { LedgerServer } from '../../engine/ledger/index.js'
import { citytwin, type CliResult } from '../helpers/cli.js'
import {
  failures,
  misbehavingLedger,
  misbehavingLedgerToken,
} from '../helpers/misbehavingLedger.js'
import { smokeScenario } from '../helpers/runs.js'

let folder = ''
beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-json-failures-'))
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})
const servers: LedgerServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

/** A misbehaving ledger server for one test, closed after it. */
async function serveLedger(change: Parameters<typeof misbehavingLedger>[0]): Promise<string> {
  const server = await misbehavingLedger(change)
  servers.push(server)
  return server.url
}

/** The one JSON object on stdout, which must be all of stdout. */
function onlyJson(result: CliResult): Record<string, unknown> {
  expect(result.stdout.endsWith('\n'), result.stderr).toBe(true)
  const lines = result.stdout.trim().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>
}

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
  expect(stderr).not.toContain('internal error')
}

describe('--json prints one object for every outcome', () => {
  it('a run whose http ledger goes away mid-run: { ok: false, error: run-failed naming the ledger }, no folder left, exit 1', async () => {
    // Proves a lost ledger is told on stdout too: before, a --json run that failed printed nothing
    // there.
    const url = await serveLedger(failures.goneAfter(20))
    const out = path.join(folder, 'lost')
    const result = await citytwin([
      'run',
      smokeScenario,
      '--json',
      '--workers',
      '1',
      '--ledger',
      'http',
      '--ledger-url',
      url,
      '--ledger-token',
      misbehavingLedgerToken,
      '--out',
      out,
    ])
    expect(result.code, result.stderr).toBe(1)
    expectNoStackTrace(result.stderr)
    const printed = onlyJson(result)
    expect(printed).toMatchObject({ ok: false, error: { kind: 'run-failed' } })
    expect((printed.error as { message: string }).message).toContain(`the http ledger at ${url}`)
    await expect(fs.access(out)).rejects.toThrow()
    expect(await fs.readdir(folder)).toEqual([])
  }, 120_000)

  it('a run whose audit fails: the summary with { ok: false, error: run-failed naming the double entry }, exit 1', async () => {
    // Proves a finished run that failed its audit says so in its one object, not only on stderr.
    const url = await serveLedger(failures.unbalanced)
    const out = path.join(folder, 'audit')
    const result = await citytwin([
      'run',
      smokeScenario,
      '--json',
      '--workers',
      '1',
      '--ledger',
      'http',
      '--ledger-url',
      url,
      '--ledger-token',
      misbehavingLedgerToken,
      '--out',
      out,
    ])
    expect(result.code, result.stderr).toBe(1)
    expectNoStackTrace(result.stderr)
    const printed = onlyJson(result)
    expect(printed).toMatchObject({
      ok: false,
      error: { kind: 'run-failed' },
      folder: out,
      doubleEntry: { ok: false },
      conservation: { ok: true },
    })
    expect((printed.error as { message: string }).message).toContain(
      "THE LEDGER'S DOUBLE ENTRY DOES NOT BALANCE",
    )
    expect(printed.digest).toMatch(/^[0-9a-f]{64}$/)
    // The run finished: its files are kept, to look into.
    expect((await fs.readdir(out)).sort()).toEqual([
      'demand.csv',
      'map.json',
      'metrics.csv',
      'report.html',
      'summary.json',
    ])
  }, 120_000)

  it('a capacity search whose trial breaks the audit: { ok: false, error: run-failed }, exit 1, no folder left', async () => {
    // Proves capacity --json tells a failure on stdout: before, a broken trial printed nothing
    // there.
    const url = await serveLedger(failures.unbalanced)
    const out = path.join(folder, 'capacity')
    const result = await citytwin(
      [
        'capacity',
        smokeScenario,
        '--json',
        '--slo',
        'p99<10s',
        '--late-tolerance',
        '10s',
        '--window',
        '2s',
        '--warmup',
        '0s',
        '--start',
        '20',
        '--max',
        '40',
        '--workers',
        '1',
        '--ledger',
        'http',
        '--ledger-url',
        url,
        '--ledger-token',
        misbehavingLedgerToken,
        '--out',
        out,
      ],
      { timeoutMs: 120_000 },
    )
    expect(result.code, result.stderr).toBe(1)
    expectNoStackTrace(result.stderr)
    const printed = onlyJson(result)
    expect(printed).toMatchObject({ ok: false, error: { kind: 'run-failed' } })
    expect((printed.error as { message: string }).message).toContain('broke the audit')
    await expect(fs.access(out)).rejects.toThrow()
  }, 150_000)

  it.each([
    [['run', smokeScenario, '--json', '--workers', '0'], '--workers'],
    [['run', 'no-such-scenario.yaml', '--json'], 'no-such-scenario.yaml'],
    [['capacity', smokeScenario, '--json'], '--slo'],
  ])('bad input %j: { ok: false, error: bad-input naming it }, exit 2', async (args, named) => {
    // Proves a refusal is one JSON object too, for a flag commander refuses and for one the command
    // refuses.
    const result = await citytwin(args, { cwd: folder })
    expect(result.code, result.stderr).toBe(2)
    const printed = onlyJson(result)
    expect(printed).toMatchObject({ ok: false, error: { kind: 'bad-input' } })
    expect((printed.error as { message: string }).message).toContain(named)
    // stderr says it for a person, as without --json.
    expect(result.stderr).toContain(named)
  })

  it('a run that passes: { ok: true, folder, ...the summary }, exit 0', async () => {
    // Proves the success side of the same shape: ok first, where the files are, then the summary as
    // summary.json holds it.
    const out = path.join(folder, 'passes')
    const result = await citytwin([
      'run',
      smokeScenario,
      '--json',
      '--residents',
      '500',
      '--out',
      out,
    ])
    expect(result.code, result.stderr).toBe(0)
    const printed = onlyJson(result)
    expect(Object.keys(printed).slice(0, 2)).toEqual(['ok', 'folder'])
    expect(printed).toMatchObject({ ok: true, folder: out, seed: 7, conservation: { ok: true } })
    expect(printed.error).toBeUndefined()
    const written = JSON.parse(await fs.readFile(path.join(out, 'summary.json'), 'utf8')) as Record<
      string,
      unknown
    >
    expect({ ...printed, ok: undefined, folder: undefined }).toEqual({
      ...written,
      ok: undefined,
      folder: undefined,
    })
  })
})
