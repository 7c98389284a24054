/**
 * A run folder is complete or absent, whatever stops the run: SIGINT or SIGTERM in `run` (flat
 * out and under load) and in `capacity` end the run at its next step, audited, its files written
 * and marked as stopped early; a second signal quits at once (exit 130) and leaves nothing; a
 * full disk is one line naming the folder, the verdict still printed, nothing left; and a folder
 * that holds another run is refused before anything runs.
 */
import { execFileSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CapacityReport, RunSummary } from '../../engine/report/index.js'
import { citytwin, startCitytwin, type CliResult } from '../helpers/cli.js'
import { repoRoot, smokeScenario } from '../helpers/runs.js'

let folder = ''
/**
 * The smoke city over 90 days: a flat-out run of it lasts long enough to be stopped in the middle.
 */
let longScenario = ''
beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-run-folders-'))
  await fs.mkdir(path.join(folder, 'maps'))
  await fs.copyFile(
    path.join(repoRoot, 'scenarios/maps/shenzhen.geojson'),
    path.join(folder, 'maps/shenzhen.geojson'),
  )
  const text = await fs.readFile(smokeScenario, 'utf8')
  const edited = text.replace('to: "2026-11-24T00:00:00+08:00"', 'to: "2027-02-21T00:00:00+08:00"')
  if (edited === text) throw new Error('smoke.yaml no longer has the period this test lengthens')
  longScenario = path.join(folder, 'long.yaml')
  await fs.writeFile(longScenario, edited)
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
  expect(stderr).not.toContain('internal error')
}

/** The one JSON object a --json command prints on stdout. */
function onlyJson(result: CliResult): Record<string, unknown> {
  const lines = result.stdout.trim().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>
}

/** Nothing half-written beside or in a run: no staging folder, no temporary file. */
async function expectNothingPartial(parent: string): Promise<void> {
  const names = await fs.readdir(parent, { recursive: true })
  expect(names.filter((name) => name.includes('.partial-') || name.endsWith('.tmp'))).toEqual([])
}

/** Polls `condition` every 20 ms until it holds (the test's own timeout bounds it). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20))
}

/** The first progress line of the running phase (not building, not opening). */
const runningLine = /%\s+\d{4}-\d\d-\d\d \d\d:\d\d/

describe('citytwin run stopped by a signal', () => {
  it('SIGINT during a flat-out run: the run stops at its next tick, is audited, its files are complete and say it stopped early, exit 130', async () => {
    // Proves the first Ctrl-C is handled: no empty folder, no summary without its report, the
    // verdict printed and marked as partial.
    const parent = path.join(folder, 'sigint')
    const out = path.join(parent, 'run')
    const run = startCitytwin([
      'run',
      longScenario,
      '--residents',
      '3000',
      '--workers',
      '1',
      '--out',
      out,
    ])
    await run.stderrMatches(runningLine)
    run.child.kill('SIGINT')
    const result = await run.done
    expect(result.code, result.stderr).toBe(130)
    expectNoStackTrace(result.stderr)
    expect(result.stderr).toContain('citytwin: the run was stopped by SIGINT at ')
    expect(result.stdout).toContain('STOPPED    stopped by SIGINT at ')
    expect(result.stdout).toContain(path.join(out, 'report.html'))

    expect((await fs.readdir(out)).sort()).toEqual([
      'demand.csv',
      'map.json',
      'metrics.csv',
      'report.html',
      'summary.json',
    ])
    const summary = JSON.parse(
      await fs.readFile(path.join(out, 'summary.json'), 'utf8'),
    ) as RunSummary
    expect(summary.stoppedEarly?.by).toBe('SIGINT')
    expect(summary.stoppedEarly?.reason).toMatch(
      /^stopped by SIGINT at .* after \d+ of the period's 129600 minutes$/,
    )
    // It did not pretend to run the whole period, and what did run was audited.
    expect(summary.simulated.minutes).toBeGreaterThan(0)
    expect(summary.simulated.minutes).toBeLessThan(129_600)
    expect(summary.simulated.to).not.toBe('2027-02-21T00:00:00+08:00')
    expect(summary.conservation.ok && summary.doubleEntry.ok).toBe(true)
    const page = await fs.readFile(path.join(out, 'report.html'), 'utf8')
    expect(page).toContain('Stopped early.')
    // The district maps, from the map.json kept beside it, and drawn again by `citytwin report`.
    expect(page).toContain('<h2>The city by district</h2>')
    expect(page.match(/<svg class="chart chart-map"/g)).toHaveLength(3)
    await fs.writeFile(path.join(out, 'report.html'), 'stale')
    expect((await citytwin(['report', out])).code).toBe(0)
    expect(await fs.readFile(path.join(out, 'report.html'), 'utf8')).toBe(page)
    await expectNothingPartial(parent)
  })

  it('SIGINT with --json: one JSON object saying the run was interrupted, and the complete folder it names', async () => {
    // Proves the machine-readable end of an interrupted run: ok false, the kind, the summary
    // marked, where the files are.
    const parent = path.join(folder, 'sigint-json')
    const out = path.join(parent, 'run')
    const run = startCitytwin([
      'run',
      longScenario,
      '--residents',
      '3000',
      '--workers',
      '1',
      '--json',
      '--out',
      out,
    ])
    // --json prints no progress: the staging folder, made once the signals are handled, says the
    // run has begun.
    await until(async () =>
      (await fs.readdir(parent).catch(() => [])).some((name) => name.startsWith('.run.partial-')),
    )
    run.child.kill('SIGINT')
    const result = await run.done
    expect(result.code, result.stderr).toBe(130)
    const printed = onlyJson(result)
    expect(printed).toMatchObject({
      ok: false,
      error: { kind: 'interrupted' },
      folder: out,
      stoppedEarly: { by: 'SIGINT' },
      conservation: { ok: true },
    })
    expect((printed.error as { message: string }).message).toContain('stopped by SIGINT')
    expect((await fs.readdir(out)).sort()).toEqual([
      'demand.csv',
      'map.json',
      'metrics.csv',
      'report.html',
      'summary.json',
    ])
    const summary = JSON.parse(
      await fs.readFile(path.join(out, 'summary.json'), 'utf8'),
    ) as RunSummary
    expect(summary.digest).toBe(printed.digest)
    expect(summary.stoppedEarly).toEqual(printed.stoppedEarly)
    await expectNothingPartial(parent)
  })

  it('SIGTERM during a load run: it stops as its next second closes, its files are complete and marked, exit 143', async () => {
    // Proves SIGTERM (what a service manager or CI sends) is handled as Ctrl-C is, in load mode
    // too.
    const parent = path.join(folder, 'sigterm')
    const out = path.join(parent, 'run')
    const run = startCitytwin([
      'run',
      smokeScenario,
      '--tps',
      '500',
      '--duration',
      '120s',
      '--late-tolerance',
      '10s',
      '--workers',
      '1',
      '--out',
      out,
    ])
    await run.stderrMatches(/\s1\/120 s/)
    run.child.kill('SIGTERM')
    const result = await run.done
    expect(result.code, result.stderr).toBe(143)
    expectNoStackTrace(result.stderr)
    expect(result.stdout).toContain('STOPPED    stopped by SIGTERM after')
    expect(result.stdout).toContain(path.join(out, 'report.html'))
    expect((await fs.readdir(out)).sort()).toEqual([
      'demand.csv',
      'map.json',
      'metrics.csv',
      'report.html',
      'summary.json',
    ])
    const summary = JSON.parse(
      await fs.readFile(path.join(out, 'summary.json'), 'utf8'),
    ) as RunSummary
    expect(summary.stoppedEarly?.by).toBe('SIGTERM')
    expect(summary.load?.durationSeconds).toBeLessThan(120)
    expect(summary.load?.plannedSeconds).toBe(120)
    expect(summary.conservation.ok && summary.doubleEntry.ok).toBe(true)
    // metrics.csv holds the seconds that ran, no more: the folder reads back as a whole.
    const rows =
      (await fs.readFile(path.join(out, 'metrics.csv'), 'utf8')).trim().split('\n').length - 1
    expect(rows).toBeGreaterThan(0)
    expect(rows).toBeLessThanOrEqual(Math.ceil(summary.load?.durationSeconds ?? 0))
    await expectNothingPartial(parent)
  })

  it('a second SIGINT quits at once with exit 130 and leaves nothing: no run folder, no staging folder', async () => {
    // Proves the way out for the impatient keeps the rule: complete or absent, never half-written.
    const parent = path.join(folder, 'twice')
    const out = path.join(parent, 'run')
    // A city big enough that building it takes a while: both signals come before any file could be
    // written.
    const run = startCitytwin([
      'run',
      smokeScenario,
      '--residents',
      '1000000',
      '--workers',
      '1',
      '--out',
      out,
    ])
    await run.stderrMatches(/building the city/)
    run.child.kill('SIGINT')
    await run.stderrMatches(/stopping \(SIGINT\)/)
    run.child.kill('SIGINT')
    const result = await run.done
    expect(result.code, result.stderr).toBe(130)
    expect(result.stdout).toBe('')
    expectNoStackTrace(result.stderr)
    // The parent was made for this run: it goes too, as nothing of the run is kept.
    await expect(fs.access(out)).rejects.toThrow()
    await expect(fs.readdir(parent)).rejects.toThrow()
    await expectNothingPartial(folder)
  })
})

describe('citytwin serve stopped while its city is built', () => {
  it('a first signal ends the command once the city is built, starting no run; a second SIGTERM quits at once with 143; neither leaves a folder', async () => {
    // Proves serve handles signals from the moment it makes its first folder, as run does: before,
    // a signal while building took the default way out and left an empty run folder and its staging
    // folder behind.
    const once = path.join(folder, 'serve-once', 'run')
    const first = startCitytwin([
      'serve',
      smokeScenario,
      '--port',
      '0',
      '--residents',
      '1000000',
      '--workers',
      '1',
      '--out',
      once,
    ])
    await first.stderrMatches(/building the city/)
    first.child.kill('SIGINT')
    await first.stderrMatches(/stopping \(SIGINT\): the command ends once the city is built/)
    const ended = await first.done
    expect(ended.code, ended.stderr).toBe(0)
    expectNoStackTrace(ended.stderr)
    expect(ended.stderr).not.toMatch(/live map at/)
    await expect(fs.access(once)).rejects.toThrow()

    const twice = path.join(folder, 'serve-twice', 'run')
    const second = startCitytwin([
      'serve',
      smokeScenario,
      '--port',
      '0',
      '--residents',
      '1000000',
      '--workers',
      '1',
      '--out',
      twice,
    ])
    await second.stderrMatches(/building the city/)
    second.child.kill('SIGTERM')
    await second.stderrMatches(/stopping \(SIGTERM\)/)
    second.child.kill('SIGTERM')
    const quit = await second.done
    expect(quit.code, quit.stderr).toBe(143)
    await expect(fs.access(twice)).rejects.toThrow()
    await expectNothingPartial(folder)
  })
})

describe('citytwin capacity stopped by a signal', () => {
  it('SIGINT during a search: the trial going is left out, the files say interrupted with the trials so far, exit 130', async () => {
    // Proves an interrupted search keeps what it found, marked as unfinished, and never a
    // half-written capacity.json.
    const parent = path.join(folder, 'capacity')
    const out = path.join(parent, 'run')
    const run = startCitytwin(
      [
        'capacity',
        smokeScenario,
        '--slo',
        'p99<10s',
        '--late-tolerance',
        '10s',
        '--window',
        '4s',
        '--warmup',
        '0s',
        '--start',
        '20',
        '--max',
        '160',
        '--workers',
        '1',
        '--out',
        out,
      ],
      { timeoutMs: 180_000 },
    )
    await run.stderrMatches(/trial\s+20\/s\s+held/)
    run.child.kill('SIGINT')
    const result = await run.done
    expect(result.code, result.stderr).toBe(130)
    expectNoStackTrace(result.stderr)
    expect(result.stdout).toContain('capacity   INTERRUPTED by SIGINT after 1 trial')
    expect((await fs.readdir(out)).sort()).toEqual(['capacity.html', 'capacity.json'])
    const report = JSON.parse(
      await fs.readFile(path.join(out, 'capacity.json'), 'utf8'),
    ) as CapacityReport
    expect(report).toMatchObject({
      outcome: 'interrupted',
      interrupted: 'SIGINT',
      kneeTps: 20,
      failedTps: null,
    })
    expect(report.trials.map((trial) => trial.tps)).toEqual([20])
    expect(await fs.readFile(path.join(out, 'capacity.html'), 'utf8')).toContain(
      'INTERRUPTED by SIGINT',
    )
    await expectNothingPartial(parent)
  }, 200_000)
})

describe('citytwin run --out', () => {
  it('refuses a folder that holds another run, before running, and leaves its files as they were', async () => {
    // Proves no run destroys another's files: the second run into the same folder is bad input,
    // exit 2.
    const out = path.join(folder, 'taken')
    const first = await citytwin(['run', smokeScenario, '--residents', '500', '--out', out])
    expect(first.code, first.stderr).toBe(0)
    const before = await fs.readFile(path.join(out, 'summary.json'), 'utf8')
    const second = await citytwin([
      'run',
      smokeScenario,
      '--residents',
      '600',
      '--seed',
      '3',
      '--out',
      out,
    ])
    expect(second.code).toBe(2)
    expect(second.stderr).toContain(`--out: "${out}" is not empty (it holds `)
    expect(second.stderr).toContain('summary.json')
    expect(second.stderr).not.toMatch(/building the city/)
    expectNoStackTrace(second.stderr)
    expect(await fs.readFile(path.join(out, 'summary.json'), 'utf8')).toBe(before)
    await expectNothingPartial(folder)
  })

  it('takes an empty folder that is already there, and leaves it there when the run is refused', async () => {
    // Proves an empty --out is fine, and that a refused run does not take away a folder it did not
    // make.
    const out = path.join(folder, 'empty')
    await fs.mkdir(out)
    const refused = await citytwin([
      'run',
      smokeScenario,
      '--residents',
      '500',
      '--workers',
      '0',
      '--out',
      out,
    ])
    expect(refused.code).toBe(2)
    expect(await fs.readdir(out)).toEqual([])
    const result = await citytwin(['run', smokeScenario, '--residents', '500', '--out', out])
    expect(result.code, result.stderr).toBe(0)
    expect((await fs.readdir(out)).sort()).toEqual([
      'demand.csv',
      'map.json',
      'metrics.csv',
      'report.html',
      'summary.json',
    ])
  })
})

/** A tiny tmpfs, full but for a few pages: where a run's files cannot fit. */
let fullDisk = ''
let mounted = false
const mountRefused = await (async () => {
  const point = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-full-disk-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', point], { stdio: 'pipe' })
  } catch (error) {
    await fs.rmdir(point)
    const why = `a full disk: the test is skipped: cannot mount a tmpfs (${String((error as { stderr?: Buffer }).stderr ?? error).trim()}); it needs root`
    if (process.env.CI === 'true') throw new Error(why)
    console.warn(why)
    return true
  }
  fullDisk = point
  mounted = true
  return false
})()

afterAll(async () => {
  if (!mounted) return
  execFileSync('umount', [fullDisk])
  await fs.rmdir(fullDisk)
})

describe.skipIf(mountRefused)('citytwin run on a full disk', () => {
  beforeAll(async () => {
    // Fill it: the folders can still be made (they take no pages on tmpfs), no file of the run
    // fits.
    const filler = await fs.open(path.join(fullDisk, 'filler'), 'w')
    try {
      for (;;) await filler.write(Buffer.alloc(4096, 1))
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC')
    } finally {
      await filler.close()
    }
  })

  it('--json: one line on stderr naming the folder and the reason, the verdict still printed as one JSON object, nothing left, exit 1', async () => {
    // Proves ENOSPC is a run failure told in one line, not an internal error with a stack trace,
    // and that the verdict is not lost.
    const out = path.join(fullDisk, 'run')
    const result = await citytwin(['run', smokeScenario, '--json', '--out', out])
    expect(result.code, result.stderr).toBe(1)
    expectNoStackTrace(result.stderr)
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('citytwin: '))
    expect(lines).toEqual([
      `citytwin: cannot write the run's files to "${out}" (no space left on the device); nothing of them was kept. The run failed.`,
    ])
    const printed = onlyJson(result)
    expect(printed).toMatchObject({
      ok: false,
      error: { kind: 'run-failed' },
      folder: null,
      conservation: { ok: true },
      doubleEntry: { ok: true },
    })
    expect((printed.error as { message: string }).message).toContain('no space left on the device')
    expect(printed.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(await fs.readdir(fullDisk)).toEqual(['filler'])
  })

  it('without --json: the summary table, the same one line, nothing left, exit 1', async () => {
    // Proves the human-readable end keeps the verdict too.
    const out = path.join(fullDisk, 'deeper/run')
    const result = await citytwin(['run', smokeScenario, '--out', out])
    expect(result.code, result.stderr).toBe(1)
    expectNoStackTrace(result.stderr)
    expect(result.stdout).toMatch(/money\s+conserved/)
    expect(result.stdout).toContain('not kept')
    expect(result.stderr).toContain(
      `citytwin: cannot write the run's files to "${out}" (no space left on the device)`,
    )
    // The folders made for the run (deeper/ too) are taken away with it.
    expect(await fs.readdir(fullDisk)).toEqual(['filler'])
  })
})

describe('citytwin serve stopped during a run', () => {
  it('one Ctrl-C ends the run and keeps the map up with it to replay; Ctrl-C with no run going ends serve', async () => {
    // Proves what docs/live-map.md says: the first SIGINT stops the run going, audits it and writes
    // its files, and the server stays up listing it; the next, with nothing running, closes the
    // server and ends the command with that run's verdict (130: it was audited and held, and it
    // was stopped early by SIGINT, as a `run` so stopped ends).
    const out = path.join(folder, 'serve-during-run', 'run')
    const served = startCitytwin([
      'serve',
      smokeScenario,
      '--port',
      '0',
      '--speed',
      '2',
      '--out',
      out,
    ])
    let stderr = ''
    served.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    await served.stderrMatches(/live\s+1 s/)
    served.child.kill('SIGINT')
    await served.stderrMatches(/the map stays up at http:\/\/127\.0\.0\.1:\d+\/ for its replay/)
    const url = /live map at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)?.[1]
    expect(url, stderr).toBeDefined()
    const summary = JSON.parse(
      await fs.readFile(path.join(out, 'summary.json'), 'utf8'),
    ) as RunSummary
    expect(summary.conservation.ok).toBe(true)
    // It says it was stopped, by whom, and does not claim to have run what it planned.
    expect(summary.stoppedEarly?.by).toBe('SIGINT')
    expect(summary.stoppedEarly?.reason).toMatch(/^stopped by SIGINT after [\d.]+ s of load/)
    expect(summary.load?.events?.at(-1)).toMatchObject({ kind: 'stop', label: 'stopped by SIGINT' })
    const report = await (
      await fetch(`${url as string}runs/${path.basename(out)}/report.html`)
    ).text()
    expect(report).toContain('Stopped early.')
    expect(served.child.exitCode).toBeNull()
    const runs = (await (await fetch(`${url as string}api/runs`)).json()) as unknown[]
    expect(runs).toHaveLength(1)
    served.child.kill('SIGINT')
    const ended = await served.done
    expect(ended.code, ended.stderr).toBe(130)
    expect(ended.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
    await fs.access(path.join(out, 'summary.json'))
  })
})
