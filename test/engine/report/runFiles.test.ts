import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { UserError } from '../../../engine/errors.js'
import {
  readRunFolder,
  renderReport,
  renderRunFolder,
  RunFolder,
  writeRunFiles,
} from '../../../engine/report/index.js'
import { summaryJson } from '../../../engine/report/runFiles.js'
import { flatOutSummary, loadSeconds, loadSummary } from '../../helpers/summaries.js'

let dir: string
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-runfiles-'))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

/** `dir`'s run folder, prepared as a run prepares it (dir is made empty for each test). */
function runFolder(): Promise<RunFolder> {
  return RunFolder.prepare(dir, 'the run folder')
}

async function refusal(folder: string): Promise<string> {
  const error: unknown = await readRunFolder(folder).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(UserError)
  return (error as Error).message
}

describe('run folder files', () => {
  it('writes a load run, reads it back as written, and renders the same page again', async () => {
    // Proves the round trip through the files: summary and seconds come back equal, and report.html
    // is redrawn from them alone.
    const seconds = loadSeconds()
    const paths = await writeRunFiles(await runFolder(), loadSummary, seconds)
    expect(paths).toEqual({
      folder: dir,
      summary: path.join(dir, 'summary.json'),
      metrics: path.join(dir, 'metrics.csv'),
      demand: path.join(dir, 'demand.csv'),
      report: path.join(dir, 'report.html'),
    })
    expect((await fs.readdir(dir)).sort()).toEqual([
      'demand.csv',
      'metrics.csv',
      'report.html',
      'summary.json',
    ])

    const read = await readRunFolder(dir)
    expect(read.summary).toEqual(loadSummary)
    expect(read.seconds).toEqual(seconds)

    const written = await fs.readFile(paths.report, 'utf8')
    await fs.writeFile(paths.report, 'stale')
    expect(await renderRunFolder(dir)).toBe(paths.report)
    expect(await fs.readFile(paths.report, 'utf8')).toBe(written)
    expect(written).toBe(renderReport(loadSummary, seconds))
    // Nothing half-written is left behind.
    expect((await fs.readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })

  it('writes summary.json indented, each list of plain numbers on one line, and parses back as it was', () => {
    // Proves the histogram's buckets (and an hourly cell) take one line each rather than a line
    // per number, while the text still parses to the very summary written.
    const text = summaryJson(loadSummary)
    expect(JSON.parse(text)).toEqual(loadSummary)
    expect(text).toMatch(/\n {6}"boundsMs": \[0\.01, 0\.02, 0\.05, 0\.1, [^\n]*, 3600000\],\n/)
    expect(text).toMatch(/\n {6}"overall": \[0, 0, 0, 0, 0, 40000, 160000, [^\n]*\]/)
    expect(text).toContain('\n  "mode": "load",\n')
    expect(text.endsWith('}\n')).toBe(true)
  })

  it('reads a flat-out run from its summary alone', async () => {
    // Proves the hourly metrics.csv of a flat-out run is not needed: the summary holds the hours.
    await writeRunFiles(await runFolder(), flatOutSummary, undefined)
    expect(
      (await fs.readFile(path.join(dir, 'metrics.csv'), 'utf8')).startsWith(
        'hour,payments\n0,2100\n',
      ),
    ).toBe(true)
    await fs.rm(path.join(dir, 'metrics.csv'))
    expect(await readRunFolder(dir)).toEqual({ summary: flatOutSummary, seconds: undefined })
  })

  it('reads back a run stopped early, and draws the page with its banner', async () => {
    // Proves stoppedEarly survives the round trip through summary.json, so `citytwin report` keeps
    // saying the run was partial.
    const stopped = {
      ...flatOutSummary,
      stoppedEarly: {
        by: 'SIGINT',
        reason:
          "stopped by SIGINT at 2026-11-23T09:00:00+08:00 (simulated), after 540 of the period's 1440 minutes",
      },
    }
    await writeRunFiles(await runFolder(), stopped, undefined)
    expect((await readRunFolder(dir)).summary).toEqual(stopped)
    await renderRunFolder(dir)
    expect(await fs.readFile(path.join(dir, 'report.html'), 'utf8')).toContain(
      '<strong>Stopped early.</strong> The run was stopped by SIGINT at 2026-11-23T09:00:00+08:00',
    )
  })

  it('names the file at fault: no folder, no summary.json, garbage, not a summary, no metrics.csv', async () => {
    // Proves every way a run folder can be unreadable is a UserError naming the folder or file,
    // never a crash.
    const summary = path.join(dir, 'summary.json')
    expect(await refusal(path.join(dir, 'nowhere'))).toBe(
      `${path.join(dir, 'nowhere')}: cannot read the run folder (no such file)`,
    )
    expect(await refusal(dir)).toBe(`${summary}: cannot read the summary file (no such file)`)

    await fs.writeFile(summary, '{"scenario": "x", ')
    expect(await refusal(dir)).toMatch(new RegExp(`^${escapeRegExp(summary)}: not JSON \\(`))

    await fs.writeFile(summary, JSON.stringify({ scenario: 'x', seed: 'one' }))
    const message = await refusal(dir)
    expect(message).toMatch(
      new RegExp(`^${escapeRegExp(summary)}: not the summary of a citytwin run\n`),
    )
    expect(message).toContain('  seed: ')

    await fs.writeFile(summary, JSON.stringify({ ...flatOutSummary, mode: 'load' }))
    expect(await refusal(dir)).toContain(
      '  load: a load run, and only a load run, has a "load" section',
    )

    await fs.rm(dir, { recursive: true })
    await writeRunFiles(await runFolder(), loadSummary, loadSeconds(3))
    const metrics = path.join(dir, 'metrics.csv')
    await fs.rm(metrics)
    expect(await refusal(dir)).toBe(`${metrics}: cannot read the metrics file (no such file)`)
    await fs.writeFile(
      metrics,
      'second,target_tps,sent_tps,completed_tps,rejected,errors,p50_ms,p99_ms,max_ms,late_p99_ms,simulated_at\n1,2,3\n',
    )
    expect(await refusal(dir)).toBe(
      `${metrics}:2: 3 columns, expected 11 (second,target_tps,sent_tps,completed_tps,rejected,errors,p50_ms,p99_ms,max_ms,late_p99_ms,simulated_at)`,
    )

    const file = path.join(dir, 'summary.json')
    expect(await refusal(file)).toBe(`${file}: not a run folder (it is a file)`)
    await expect(renderRunFolder(path.join(dir, 'nowhere'))).rejects.toBeInstanceOf(UserError)
  })

  it('refuses a summary.json that is not UTF-8 text', async () => {
    // Proves binary garbage is refused by name before any parsing.
    const summary = path.join(dir, 'summary.json')
    await fs.writeFile(summary, Buffer.from([0xff, 0xfe, 0x00, 0x7b]))
    expect(await refusal(dir)).toBe(`${summary}: the summary file is not valid UTF-8 text`)
  })

  it('refuses a summary.json or metrics.csv that is a link, even to a good file, and reads no file outside the folder', async () => {
    // Proves `citytwin report` reads only regular files inside the run folder: a link to a file
    // elsewhere (a summary, or /etc/passwd) is refused by name.
    const elsewhere = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-elsewhere-'))
    try {
      await writeRunFiles(
        await RunFolder.prepare(elsewhere, 'the run folder'),
        loadSummary,
        loadSeconds(3),
      )
      const summary = path.join(dir, 'summary.json')
      await fs.symlink(path.join(elsewhere, 'summary.json'), summary)
      expect(await refusal(dir)).toBe(
        `${summary}: the summary file is a link; citytwin reads only regular files inside the folder`,
      )
      await fs.rm(summary)
      await fs.copyFile(path.join(elsewhere, 'summary.json'), summary)
      const metrics = path.join(dir, 'metrics.csv')
      await fs.symlink('/etc/passwd', metrics)
      expect(await refusal(dir)).toBe(
        `${metrics}: the metrics file is a link; citytwin reads only regular files inside the folder`,
      )
      // The folder the user names may itself be a link (their choice); what is inside it may not.
      await fs.rm(metrics)
      await fs.copyFile(path.join(elsewhere, 'metrics.csv'), metrics)
      const named = path.join(elsewhere, 'named-link')
      await fs.symlink(dir, named)
      expect((await readRunFolder(named)).summary).toEqual(loadSummary)
    } finally {
      await fs.rm(elsewhere, { recursive: true, force: true })
    }
  })
})

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
