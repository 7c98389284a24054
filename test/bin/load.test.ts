import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../engine/report/index.js'
import { citytwin } from '../helpers/cli.js'
import { repoRoot, smokeScenario } from '../helpers/runs.js'

let folder = ''
beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-load-cli-'))
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  )
}

describe('citytwin run in load mode: exit codes', () => {
  it('exits 0 when every threshold passes, and writes summary.json, metrics.csv and report.html', async () => {
    // Proves the pass path of a gated load run, and the run folder's three files.
    const out = path.join(folder, 'pass')
    // A generous --late-tolerance: a busy test machine must not make this run invalid (exit 1) by
    // sending late.
    const result = await citytwin([
      'run',
      smokeScenario,
      '--tps',
      '2k',
      '--duration',
      '2s',
      '--threshold',
      'p99<5s',
      '--threshold',
      'errors<=0',
      '--late-tolerance',
      '1s',
      '--json',
      '--out',
      out,
    ])
    expect(result.stderr).not.toContain('threshold')
    expect(result.code).toBe(0)
    const summary = JSON.parse(result.stdout) as RunSummary
    expect(summary.mode).toBe('load')
    expect(summary.load?.thresholds.map((check) => [check.threshold, check.ok])).toEqual([
      ['p99<5s', true],
      ['errors<=0', true],
    ])
    expect(summary.load?.valid).toBe(true)
    expect(summary.load?.sent).toBe(4_000)
    expect(summary.conservation.ok).toBe(true)
    const csv = await fs.readFile(path.join(out, 'metrics.csv'), 'utf8')
    expect(csv.trim().split('\n')).toHaveLength(3)
    expect(await fs.readFile(path.join(out, 'report.html'), 'utf8')).toContain('<svg')
    // `report` renders the page again from the folder's files.
    await fs.rm(path.join(out, 'report.html'))
    const report = await citytwin(['report', out])
    expect(report.code).toBe(0)
    expect(await exists(path.join(out, 'report.html'))).toBe(true)
  })

  it('exits 99 when a threshold fails, naming it and the figure it saw', async () => {
    // Proves a failed gate fails the process with its own code (k6's), after the run has written
    // its files, and that --json names the failure's kind.
    const out = path.join(folder, 'fail')
    // A generous --late-tolerance: a busy test machine must not make this run invalid (exit 3,
    // which outranks a failed threshold) by sending late.
    const result = await citytwin([
      'run',
      smokeScenario,
      '--tps',
      '2k',
      '--duration',
      '2s',
      '--threshold',
      'max<1us',
      '--late-tolerance',
      '1s',
      '--out',
      out,
    ])
    expect(result.code, result.stderr).toBe(99)
    expect(result.stderr).toMatch(/threshold failed: max<1us \(was [\d.]+ ms\)/)
    expect(result.stdout).toContain('threshold  FAIL  max<1us')
    expectNoStackTrace(result.stderr)
    expect(await exists(path.join(out, 'summary.json'))).toBe(true)
  })

  it('exits 3 and says why when the run is invalid: the period ran out of payments', async () => {
    // Proves shortfall is never absorbed: the smoke day has about 18,000 payments; 40,000 wanted
    // leaves the rest dropped.
    const out = path.join(folder, 'invalid')
    const result = await citytwin([
      'run',
      smokeScenario,
      '--tps',
      '20k',
      '--duration',
      '2s',
      '--threshold',
      'p(95)<1us',
      '--json',
      '--out',
      out,
    ])
    // Invalid outranks the threshold that failed too: the figures are not the target's.
    expect(result.code, result.stderr).toBe(3)
    const printed = JSON.parse(result.stdout) as { error?: { kind: string } }
    expect(printed.error?.kind).toBe('invalid-load')
    const summary = printed as unknown as RunSummary
    expect(summary.load?.valid).toBe(false)
    expect(summary.load?.dropped).toBeGreaterThan(0)
    expect(summary.load?.sent).toBe(
      summary.load ? summary.load.intended - summary.load.dropped : -1,
    )
    expect(result.stderr).toContain('INVALID')
    expect(result.stderr).toContain("the scenario's payments ran out")
    expect(summary.conservation.ok).toBe(true)
  })

  it.each([
    [['--threshold', 'p99<<5ms', '--tps', '1k'], '--threshold: "p99<<5ms" is not a threshold'],
    [['--duration', '5s'], '--duration: goes with --tps'],
    [['--profile', 'sine:1k/5s'], '--profile: unknown profile "sine"'],
    [['--tps', '0'], '--tps: the rate must be above 0'],
    [['--tps', '1k', '--profile', 'constant:1k/1s'], '--profile and --tps: give one of them'],
    [['--threshold', 'p99<5ms'], '--threshold: thresholds gate a load run'],
    [['--prometheus', '9464'], '--prometheus: serves a load run'],
    [['--tps', '1k', '--in-flight', '0'], '--in-flight must be an integer'],
    [
      ['--profile', 'realistic:2d/10s'],
      "covers 2880 simulated minutes, more than the scenario's period of 1440",
    ],
  ])(
    'exits 2 on bad load input %j, naming the flag, with no stack trace and no run folder',
    async (args, message) => {
      // Proves bad input is refused before anything is written (the realistic span is checked
      // against the period before the city is built).
      const out = path.join(folder, `bad-${args.join('').replace(/[^a-z0-9]/gi, '')}`)
      const result = await citytwin(['run', smokeScenario, ...args, '--out', out])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(message)
      expectNoStackTrace(result.stderr)
      expect(await exists(out)).toBe(false)
    },
  )

  it('exits 2 on a scenario whose load section is wrong, naming the file, line and field', async () => {
    // Proves the scenario's load: section is untrusted input checked like the rest.
    const text = await fs.readFile(smokeScenario, 'utf8')
    await fs.mkdir(path.join(folder, 'maps'), { recursive: true })
    await fs.copyFile(
      path.join(repoRoot, 'scenarios/maps/shenzhen.geojson'),
      path.join(folder, 'maps/shenzhen.geojson'),
    )
    const file = path.join(folder, 'bad-load.yaml')
    await fs.writeFile(
      file,
      `${text}\nload:\n  profile: "ramp:10k..oops/60s"\n  thresholds: ["p99<50ms", "p0<1ms"]\n`,
    )
    const result = await citytwin(['validate', file])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/bad-load\.yaml:\d+: load\.profile: /)
    expect(result.stderr).toMatch(/bad-load\.yaml:\d+: load\.thresholds\[1\]: /)
    expectNoStackTrace(result.stderr)
  })

  it('runs a scenario whose load section asks for a load, with its thresholds', async () => {
    // Proves the scenario's load: section alone puts a run in load mode and gates it.
    const text = await fs.readFile(smokeScenario, 'utf8')
    await fs.mkdir(path.join(folder, 'maps'), { recursive: true })
    await fs.copyFile(
      path.join(repoRoot, 'scenarios/maps/shenzhen.geojson'),
      path.join(folder, 'maps/shenzhen.geojson'),
    )
    const file = path.join(folder, 'load.yaml')
    await fs.writeFile(
      file,
      `${text}\nload:\n  tps: 1000\n  duration: 1s\n  thresholds: ["max<1us"]\n  lateTolerance: 10s\n`,
    )
    const result = await citytwin([
      'run',
      file,
      '--json',
      '--out',
      path.join(folder, 'scenario-load'),
    ])
    expect(result.code, result.stderr).toBe(99)
    const summary = JSON.parse(result.stdout) as RunSummary
    expect(summary.load?.profile).toBe('constant:1000/1s')
    expect(summary.load?.thresholds[0]).toMatchObject({ threshold: 'max<1us', ok: false })
  })
})

describe('citytwin capacity and report', () => {
  it('searches up to what the small city can supply, and writes capacity.json and capacity.html', async () => {
    // Proves the command end to end on the smoke city (every trial a fresh ledger): its day's
    // ~18,000 payments feed a 2 s trial up to about 8,000/s, so the ramp stops there and says so,
    // rather than reporting the period running out as the ledger's knee.
    const out = path.join(folder, 'capacity')
    const result = await citytwin([
      'capacity',
      smokeScenario,
      '--slo',
      'p99<10s',
      '--window',
      '2s',
      '--warmup',
      '0s',
      '--start',
      '1k',
      '--max',
      '64k',
      '--precision',
      '10%',
      '--late-tolerance',
      '1s',
      '--out',
      out,
    ])
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(
      /the scenario's period makes about [\d,]+ payments: trials stop at [\d,]+\/s/,
    )
    const report = JSON.parse(await fs.readFile(path.join(out, 'capacity.json'), 'utf8')) as {
      outcome: string
      kneeTps: number
      failedTps: number | null
      trials: { tps: number; ok: boolean; periodRanOut: boolean }[]
    }
    // The ramp doubles from --start and never goes past what the day can feed. Every trial holds or
    // fails only because the day ran out (outcome limit), unless the p99 of 10 s fails on a very
    // busy machine: then the search reports that as the knee. Both are honest; neither hides a
    // failure.
    expect(report.trials.slice(0, 2).map((trial) => trial.tps)).toEqual([1_000, 2_000])
    expect(Math.max(...report.trials.map((trial) => trial.tps))).toBeLessThan(9_000)
    expect(report.kneeTps).toBeGreaterThanOrEqual(1_000)
    if (report.trials.every((trial) => trial.ok || trial.periodRanOut)) {
      expect(report.outcome).toBe('limit')
      expect(report.failedTps).toBeNull()
      expect(result.stdout).toContain('capacity   at least')
    } else {
      expect(report.outcome).toBe('found')
      expect(report.failedTps).toBeGreaterThan(report.kneeTps)
    }
    const page = await fs.readFile(path.join(out, 'capacity.html'), 'utf8')
    expect(page).toContain('<path')
    // The SLO drawn as a line at its limit, rates on a log axis, and the headroom against the
    // city's own busiest minute (the planner's headline), in the terminal and on the page.
    expect(page).toContain('<g class="rule">')
    expect(page).toContain('target transfers/s (log scale)')
    expect(page).toContain('<strong>Headroom.</strong>')
    expect(result.stdout).toMatch(
      /headroom\s+[\d,]+\/s is [\d.]+k?× the whole city's busiest minute/,
    )
    if (report.outcome === 'limit')
      expect(result.stdout).toMatch(/the city ran out of payments at [\d,]+\/s before the ledger/)
    // `citytwin report` draws the folder's capacity.html again, the same page.
    await fs.writeFile(path.join(out, 'capacity.html'), 'stale')
    const again = await citytwin(['report', out])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain(path.join(out, 'capacity.html'))
    expect(await fs.readFile(path.join(out, 'capacity.html'), 'utf8')).toBe(page)
    // A capacity.json that is not one is refused, naming the file and the field.
    const report2 = JSON.parse(await fs.readFile(path.join(out, 'capacity.json'), 'utf8')) as {
      kneeTps: unknown
    }
    report2.kneeTps = 'fast'
    await fs.writeFile(path.join(out, 'capacity.json'), JSON.stringify(report2))
    const refused = await citytwin(['report', out])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('capacity.json: not the report of a citytwin capacity search')
    expect(refused.stderr).toContain('kneeTps')
    expect(refused.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
  })

  it('exits 2 naming the flag or the folder on bad input', async () => {
    // Proves capacity and report refuse bad input like run does.
    const badSlo = await citytwin(['capacity', smokeScenario, '--slo', 'fast please'])
    expect(badSlo.code).toBe(2)
    expect(badSlo.stderr).toContain('--slo: "fast please" is not a threshold')
    const noSlo = await citytwin(['capacity', smokeScenario])
    expect(noSlo.code).toBe(2)
    expect(noSlo.stderr).toContain('--slo')
    const badMax = await citytwin([
      'capacity',
      smokeScenario,
      '--slo',
      'p99<1s',
      '--start',
      '10k',
      '--max',
      '1k',
    ])
    expect(badMax.code).toBe(2)
    expect(badMax.stderr).toContain('--max: must be at least --start')
    const slowRamp = await citytwin([
      'capacity',
      smokeScenario,
      '--slo',
      'p99<1s',
      '--growth',
      '1.1',
      '--start',
      '10k',
      '--max',
      '4M',
    ])
    expect(slowRamp.code).toBe(2)
    expect(slowRamp.stderr).toContain('--growth: ramping ×1.1 from 10000 to 4000000 would take')
    const tooFew = await citytwin([
      'capacity',
      smokeScenario,
      '--slo',
      'p99<1s',
      '--start',
      '100k',
      '--window',
      '10s',
    ])
    expect(tooFew.code).toBe(2)
    expect(tooFew.stderr).toContain("--start: the scenario's period makes about")
    const missing = await citytwin(['report', path.join(folder, 'no-such-run')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no-such-run')
    expectNoStackTrace(
      missing.stderr + badSlo.stderr + badMax.stderr + slowRamp.stderr + tooFew.stderr,
    )
  })
})
