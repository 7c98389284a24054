/**
 * `citytwin compare` as a user runs it: two runs of the smoke city side by side with the
 * differences from the baseline; fewer than two folders, folders of two kinds and a folder that is
 * neither are bad input, named.
 */
import { existsSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citytwin } from '../helpers/cli.js'
import { repoRoot } from '../helpers/runs.js'

let folder: string

beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-compare-'))
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})

describe('citytwin compare', () => {
  it('sets two runs side by side, the second against the first', async () => {
    // Proves: the table names both folders, shows each figure of the second with its difference
    // from the baseline (twice the residents: +100%), and compare.html shades the notable ones.
    const smoke = path.join(repoRoot, 'scenarios', 'smoke.yaml')
    const small = path.join(folder, 'small')
    const large = path.join(folder, 'large')
    for (const [out, residents] of [
      [small, '3000'],
      [large, '6000'],
    ] as const) {
      const run = await citytwin(['run', smoke, '--residents', residents, '--out', out])
      expect(run.code, run.stderr).toBe(0)
    }
    const out = path.join(folder, 'compared')
    const result = await citytwin(['compare', small, large, '--out', out])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^\s+small\s+large$/m)
    expect(result.stdout).toMatch(/^residents\s+3,000\s+6,000 \(\+100%\)$/m)
    expect(result.stdout).toMatch(/^wallet share\s/m)
    const page = await fs.readFile(path.join(out, 'compare.html'), 'utf8')
    expect(page).toContain('<td class="up">6,000<span class="delta">+100%</span></td>')
    expect(page).toContain('Payments by simulated hour')
  }, 120_000)

  it('refuses one folder, folders of two kinds, and a folder that is neither', async () => {
    // Proves: each is exit 2 with a message naming what is wrong, and nothing is written.
    const one = await citytwin([
      'compare',
      path.join(folder, 'small'),
      '--out',
      path.join(folder, 'x'),
    ])
    expect(one.code).toBe(2)
    expect(one.stderr).toContain('give two folders or more')
    const rollout = path.join(folder, 'rollout')
    await fs.mkdir(rollout)
    await fs.writeFile(path.join(rollout, 'rollout.json'), '{"scenario": 1}')
    const broken = await citytwin(['compare', path.join(folder, 'small'), rollout])
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain('rollout.json: not the outcome of a citytwin rollout')
    const empty = path.join(folder, 'empty')
    await fs.mkdir(empty)
    const neither = await citytwin(['compare', path.join(folder, 'small'), empty])
    expect(neither.code).toBe(2)
    expect(neither.stderr).toContain('summary.json')
    expect(existsSync(path.join(folder, 'x'))).toBe(false)
  }, 60_000)
})
