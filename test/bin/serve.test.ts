/**
 * `citytwin serve` from the command line: a whole run with its map served, ended by --exit with
 * the run's files and its replay files written; and bad flags refused with exit 2 naming the flag,
 * before anything is built or written.
 */
import { createServer } from 'node:net'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../engine/report/index.js'
import type { CityView, Timeline } from '../../visualizer/protocol.js'
import { citytwin, type CliResult } from '../helpers/cli.js'
import {
  failures,
  misbehavingLedger,
  misbehavingLedgerToken,
} from '../helpers/misbehavingLedger.js'
import { buildClient } from '../../visualizer/buildClient.js'
import { repoRoot, smokeScenario } from '../helpers/runs.js'

let folder = ''
beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-serve-'))
  // The CLI serves the page from dist/visualizer/public: build it there, as npm run build does.
  await buildClient(repoRoot)
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})

describe('citytwin serve', () => {
  it('runs the day with the map served, then exits with the run files and its replay files written', async () => {
    // Proves the whole path a user takes: the URL printed, the run made (money conserved), summary,
    // timeline and city on disk, exit 0.
    const out = path.join(folder, 'run')
    // The test is about the files, not the timing: a busy machine may send late, which is not a
    // failure here.
    const result = await citytwin([
      'serve',
      smokeScenario,
      '--port',
      '0',
      '--speed',
      '1440',
      '--exit',
      '--late-tolerance',
      '1s',
      '--out',
      out,
    ])
    expect(result.stderr).toMatch(/live map at http:\/\/127\.0\.0\.1:\d+\//)
    expect(result.code).toBe(0)
    const summary = JSON.parse(
      await fs.readFile(path.join(out, 'summary.json'), 'utf8'),
    ) as RunSummary
    expect(summary.mode).toBe('load')
    expect(summary.conservation.ok).toBe(true)
    expect(summary.doubleEntry.ok).toBe(true)
    expect(summary.load?.dropped).toBe(0)
    const timeline = JSON.parse(
      await fs.readFile(path.join(out, 'timeline.json'), 'utf8'),
    ) as Timeline
    expect(timeline.snapshots.length).toBeGreaterThan(0)
    expect(timeline.snapshots.at(-1)?.state).toBe('finished')
    expect(timeline.snapshots.at(-1)?.submitted).toBe(summary.transfers.submitted)
    const city = JSON.parse(await fs.readFile(path.join(out, 'city.json'), 'utf8')) as CityView
    expect(city.districts.map((district) => district.name)).toContain('Futian')
    // Aggregates only: no field of the replay files names an account or a resident.
    expect(JSON.stringify(timeline)).not.toMatch(/"(account|resident|debit|credit|id)"\s*:/)
  })

  it.each([
    [['--speed', '0'], '--speed'],
    [['--speed', '5000'], '--speed'],
    [['--speed', '2', '--tps', '5k'], '--speed'],
    [['--profile', 'ramp:1k..2k/10s'], '--profile'],
    [['--token', 'short'], '--token'],
    [['--port', '70000'], '--port'],
    [['--prometheus', '9100'], '--prometheus'],
    // Beyond loopback with no token and no --allow-host: anyone reaching it could steer the run.
    [['--host', '0.0.0.0', '--speed', '1440'], '--host'],
    [['--allow-host', 'evil.example:80'], '--allow-host'],
  ])('exits 2 naming the flag for %j', async (flags, named) => {
    // Proves a bad flag is refused as the user's mistake, naming it, with no stack trace and no run
    // folder left behind.
    const out = path.join(folder, `bad-${named.slice(2)}`)
    const result = await citytwin(['serve', smokeScenario, '--exit', '--out', out, ...flags])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(named)
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
    await expect(fs.stat(out)).rejects.toThrow()
  })

  it('exits 2 naming CITYTWIN_TOKEN when the token from the environment is too short', async () => {
    // Proves the token may come from the environment (out of the process list), checked like the
    // flag.
    const out = path.join(folder, 'env-token')
    const result = await citytwin(['serve', smokeScenario, '--exit', '--out', out], {
      env: { CITYTWIN_TOKEN: 'short' },
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('CITYTWIN_TOKEN')
    await expect(fs.stat(out)).rejects.toThrow()
  })

  it('exits 2 naming --port when the port is taken', async () => {
    // Proves a port in use is reported as such, not as a crash, and the run folder made for it is
    // taken away again.
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const address = taken.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    const out = path.join(folder, 'port-taken')
    try {
      const result = await citytwin([
        'serve',
        smokeScenario,
        '--exit',
        '--port',
        String(port),
        '--out',
        out,
      ])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('--port')
      await expect(fs.stat(out)).rejects.toThrow()
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it('--json: a run whose http ledger goes away prints one JSON object naming the failure, leaves no folder, exit 1', async () => {
    // Proves serve, like run and capacity, tells every run's outcome on stdout: before, a failed
    // run printed nothing there.
    const ledger = await misbehavingLedger(failures.goneAfter(20))
    const out = path.join(folder, 'ledger-lost')
    try {
      const result = await citytwin([
        'serve',
        smokeScenario,
        '--port',
        '0',
        '--speed',
        '1440',
        '--exit',
        '--json',
        '--late-tolerance',
        '1s',
        '--ledger',
        'http',
        '--ledger-url',
        ledger.url,
        '--ledger-token',
        misbehavingLedgerToken,
        '--out',
        out,
      ])
      expect(result.code, result.stderr).toBe(1)
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
      const printed = onlyJson(result)
      expect(printed).toMatchObject({ run: 1, ok: false, error: { kind: 'run-failed' } })
      expect((printed.error as { message: string }).message).toContain(
        `the http ledger at ${ledger.url}`,
      )
      await expect(fs.stat(out)).rejects.toThrow()
      expect((await fs.readdir(folder)).filter((name) => name.includes('.partial-'))).toEqual([])
    } finally {
      await ledger.close()
    }
  }, 120_000)

  it('--json: a run whose audit fails prints its summary with ok false, and writes its files with the replay ones, exit 1', async () => {
    // Proves a finished run that failed its audit is one object with its verdict, and that its
    // folder holds every file at once.
    const ledger = await misbehavingLedger(failures.unbalanced)
    const out = path.join(folder, 'unbalanced')
    try {
      const result = await citytwin([
        'serve',
        smokeScenario,
        '--port',
        '0',
        '--speed',
        '1440',
        '--exit',
        '--json',
        '--late-tolerance',
        '1s',
        '--ledger',
        'http',
        '--ledger-url',
        ledger.url,
        '--ledger-token',
        misbehavingLedgerToken,
        '--out',
        out,
      ])
      expect(result.code, result.stderr).toBe(1)
      const printed = onlyJson(result)
      expect(printed).toMatchObject({
        run: 1,
        ok: false,
        error: { kind: 'run-failed' },
        folder: out,
        doubleEntry: { ok: false },
      })
      expect((await fs.readdir(out)).sort()).toEqual([
        'city.json',
        'demand.csv',
        'map.json',
        'metrics.csv',
        'report.html',
        'summary.json',
        'timeline.json',
      ])
    } finally {
      await ledger.close()
    }
  }, 120_000)
})

/** The one JSON object on stdout, which must be all of stdout. */
function onlyJson(result: CliResult): Record<string, unknown> {
  const lines = result.stdout.trim().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>
}
