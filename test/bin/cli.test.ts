import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { transferKinds } from '../../engine/ledger/index.js'
import type { RunSummary } from '../../engine/report/index.js'
import { citytwin } from '../helpers/cli.js'
import { repoRoot, smokeScenario } from '../helpers/runs.js'

let folder = ''
beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-cli-'))
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})

/**
 * A copy of the smoke scenario with `edit` applied to its text, in the temp folder with its map.
 */
async function brokenScenario(name: string, edit: (text: string) => string): Promise<string> {
  const text = await fs.readFile(smokeScenario, 'utf8')
  await fs.mkdir(path.join(folder, 'maps'), { recursive: true })
  await fs.copyFile(
    path.join(repoRoot, 'scenarios/maps/shenzhen.geojson'),
    path.join(folder, 'maps/shenzhen.geojson'),
  )
  const file = path.join(folder, name)
  await fs.writeFile(file, edit(text))
  return file
}

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
}

describe('citytwin run', () => {
  it('--json prints exactly one JSON object with the documented fields, and writes summary.json', async () => {
    // Proves the machine-readable contract of a run and the run folder.
    const out = path.join(folder, 'run-json')
    const result = await citytwin(['run', smokeScenario, '--json', '--workers', '2', '--out', out])
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const summary = JSON.parse(lines[0] ?? '') as RunSummary
    expect(summary.seed).toBe(7)
    expect(summary.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(Object.keys(summary.agents)).toEqual(
      expect.arrayContaining(['residents', 'merchants', 'riders']),
    )
    expect(Object.keys(summary.simulated)).toEqual(expect.arrayContaining(['from', 'to']))
    expect(Object.keys(summary.transfers)).toEqual(
      expect.arrayContaining(['submitted', 'accepted', 'rejected', 'byKind', 'byReason']),
    )
    expect(Object.keys(summary.transfers.byKind)).toEqual([...transferKinds])
    expect(typeof summary.wallSeconds).toBe('number')
    expect(summary.throughput.transfersPerSecond).toBeGreaterThan(0)
    expect(summary.conservation).toMatchObject({ ok: true })
    expect(Object.keys(summary.conservation)).toEqual(
      expect.arrayContaining(['issuedFen', 'redeemedFen', 'balancesFen']),
    )
    expect(summary.transfers.accepted).toBeGreaterThan(0)
    const written = JSON.parse(await fs.readFile(path.join(out, 'summary.json'), 'utf8')) as Record<
      string,
      unknown
    >
    expect(written.digest).toBe(summary.digest)
  })

  it('without --json prints a summary table and says where summary.json is', async () => {
    // Proves the human-readable end of a run, with --seed and --residents applied.
    const out = path.join(folder, 'run-table')
    const result = await citytwin([
      'run',
      smokeScenario,
      '--seed',
      '11',
      '--residents',
      '3000',
      '--out',
      out,
    ])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('seed 11')
    expect(result.stdout).toContain('3,000 residents')
    expect(result.stdout).toMatch(/money\s+conserved/)
    expect(result.stdout).toContain(path.join(out, 'summary.json'))
    expect(result.stderr).toContain('100%')
  })

  it('writes into runs/<timestamp>-seed<seed>/ when no --out is given', async () => {
    // Proves the default run folder, created under the working directory.
    const cwd = path.join(folder, 'cwd')
    await fs.mkdir(cwd)
    const result = await citytwin(['run', smokeScenario, '--json', '--residents', '500'], { cwd })
    expect(result.code).toBe(0)
    const runs = await fs.readdir(path.join(cwd, 'runs'))
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatch(/^\d{8}T\d{6}Z-seed7$/)
    await fs.access(path.join(cwd, 'runs', runs[0] ?? '', 'summary.json'))
  })

  it('never writes into the folder of an earlier run started in the same second', async () => {
    // Proves default run folders do not collide: the names of the next seconds are taken
    // beforehand.
    const cwd = path.join(folder, 'collide')
    const now = Date.now()
    const taken: string[] = []
    for (let second = 0; second < 20; second++) {
      const stamp = new Date(now + second * 1000)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z')
      taken.push(`${stamp}-seed7`)
      await fs.mkdir(path.join(cwd, 'runs', `${stamp}-seed7`), { recursive: true })
    }
    const result = await citytwin(['run', smokeScenario, '--json', '--residents', '300'], { cwd })
    expect(result.code, result.stderr).toBe(0)
    const made = (await fs.readdir(path.join(cwd, 'runs'))).filter((name) => !taken.includes(name))
    expect(made).toHaveLength(1)
    expect(made[0]).toMatch(/^\d{8}T\d{6}Z-seed7-2$/)
    for (const name of taken) expect(await fs.readdir(path.join(cwd, 'runs', name))).toEqual([])
  })

  it.each([
    [['--workers', '0'], '--workers'],
    [['--workers', 'two'], '--workers'],
    [['--seed', '-1'], '--seed'],
    [['--residents', '1.5'], '--residents'],
    [
      ['--ledger', 'oracle'],
      "--ledger <name>' argument 'oracle' is invalid. Allowed choices are memory",
    ],
    [['--bogus'], '--bogus'],
  ])('exits 2 on a bad flag %j and names it', async (flags, named) => {
    // Proves bad flags are bad input: exit 2, the flag named, no stack trace.
    const result = await citytwin(['run', smokeScenario, ...flags])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(named)
    expectNoStackTrace(result.stderr)
  })

  it('exits 2 naming the file when the scenario does not exist, and writes nothing', async () => {
    // Proves a missing file is bad input and no run folder is left behind.
    const cwd = path.join(folder, 'missing')
    await fs.mkdir(cwd)
    const result = await citytwin(['run', 'no-such-scenario.yaml'], { cwd })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('no-such-scenario.yaml')
    expect(result.stderr).toContain('no such file')
    expectNoStackTrace(result.stderr)
    await expect(fs.access(path.join(cwd, 'runs'))).rejects.toThrow()
  })
})

describe('citytwin validate', () => {
  it('accepts the shipped day scenarios', async () => {
    // Proves the library's scenarios are valid, as the user would check them.
    const names = ['shenzhen-day', 'smoke', 'suzhou-day', 'chengdu-day']
    for (const file of names.map((name) => `scenarios/${name}.yaml`)) {
      const result = await citytwin(['validate', file])
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toContain(`${file}: valid`)
    }
  })

  it('exits 2 on a broken scenario and names each wrong field by its path', async () => {
    // Proves every error is reported at once, each with its field path and line.
    const file = await brokenScenario('broken.yaml', (text) =>
      text
        .replace('population: 4135273', 'population: -4')
        .replace('scale: 0.0004', 'scale: 3')
        .replace('seed: 7', 'seed: seven')
        .replace('  retail: { perDay: 1.6 }', '  retail: { perDay: 1.6, tip: 3 }'),
    )
    const result = await citytwin(['validate', file])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('broken.yaml')
    expect(result.stderr).toMatch(
      /broken\.yaml:\d+: city\.districts\[4\]\.population: must be a positive integer/,
    )
    expect(result.stderr).toMatch(/scale: must be at most 1/)
    expect(result.stderr).toMatch(/seed: must be a non-negative integer/)
    expect(result.stderr).toMatch(/payments\.retail\.tip: unknown field/)
    expectNoStackTrace(result.stderr)
  })

  it('exits 2 naming the file when it is missing', async () => {
    // Proves a missing file is named.
    const result = await citytwin(['validate', 'scenarios/nope.yaml'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('scenarios/nope.yaml')
    expectNoStackTrace(result.stderr)
  })

  it('exits 2 on an alias bomb without hanging', async () => {
    // Proves a hostile file is refused through the CLI with a clear message.
    const file = await brokenScenario('bomb.yaml', (text) => {
      const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
      for (let level = 1; level < 9; level++) {
        const previous = String.fromCharCode(96 + level)
        const name = String.fromCharCode(97 + level)
        levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`)
      }
      return `${text}\nbomb:\n${levels.map((line) => `  ${line}`).join('\n')}\n`
    })
    const result = await citytwin(['validate', file], { timeoutMs: 20_000 })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('bomb.yaml')
    expect(result.stderr).toMatch(/alias/i)
  })
})
