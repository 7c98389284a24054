/**
 * `citytwin rollout` as a user runs it: the small rollout's files and plan, JSON on stdout; a
 * scenario with no rollout, a rollout field out of range and a capacity file that is not one are
 * bad input (exit 2), named, with nothing written.
 */
import { existsSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citytwin } from '../helpers/cli.js'
import { repoRoot } from '../helpers/runs.js'

const smokeRollout = path.join(repoRoot, 'scenarios', 'rollout-smoke.yaml')
let folder: string

beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-rollout-'))
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})

describe('citytwin rollout', () => {
  it('simulates the sampled days and writes the plan, the days, the report and the JSON', async () => {
    // Proves: the small library rollout runs from the command line; plan.csv has a row a month
    // whose whole-city rates follow from the simulated ones by the scale; --json carries the
    // folder and the plan; the report names the verdict.
    const out = path.join(folder, 'smoke')
    const result = await citytwin(['rollout', smokeRollout, '--json', '--out', out], {
      timeoutMs: 180_000,
    })
    expect(result.code, result.stderr).toBe(0)
    const json = JSON.parse(result.stdout) as {
      ok: boolean
      folder: string
      scale: number
      plan: { months: { cityPeakPerSecond: number; peakPerSecond: number; neededTps: number }[] }
      days: { conservationOk: boolean; kind: string }[]
    }
    expect(json.ok).toBe(true)
    expect(path.resolve(json.folder)).toBe(path.resolve(out))
    expect(json.plan.months).toHaveLength(3)
    for (const month of json.plan.months) {
      expect(month.cityPeakPerSecond).toBeCloseTo(month.peakPerSecond / json.scale, 6)
      expect(month.neededTps).toBeCloseTo(month.cityPeakPerSecond * 1.5, 6)
    }
    expect(json.days.map((day) => day.kind)).toContain('peak')
    expect(json.days.every((day) => day.conservationOk)).toBe(true)
    const plan = await fs.readFile(path.join(out, 'plan.csv'), 'utf8')
    const lines = plan.trim().split('\n')
    expect(lines[0]).toMatch(/^month,from,to,days,simulated_days,adoption,payments,city_payments,/)
    expect(lines).toHaveLength(4)
    const days = await fs.readFile(path.join(out, 'days.csv'), 'utf8')
    expect(days.trim().split('\n')).toHaveLength(json.days.length + 1)
    const page = await fs.readFile(path.join(out, 'rollout.html'), 'utf8')
    expect(page).toContain('no ledger knee given')
    expect(page).toContain('Double 11')
    // The deposits leaving each of the six banks, a row a month; a map at the end of the quarter.
    const deposits = await fs.readFile(path.join(out, 'deposits.csv'), 'utf8')
    const depositRows = deposits.trim().split('\n')
    expect(depositRows[0]).toBe('month,from,bank,wallets_opened_fen,net_topups_fen,outflow_fen')
    expect(depositRows).toHaveLength(3 * 6 + 1)
    for (const row of depositRows.slice(1)) {
      const [, , , opened, net, outflow] = row.split(',').map(Number)
      expect(outflow).toBe((opened ?? 0) + (net ?? 0))
    }
    expect(page).toContain('Deposits leaving the banks')
    // Each month's busiest minute by district and by kind (to the cent of a payment a second, as
    // written); none above the city's.
    const peaks = (await fs.readFile(path.join(out, 'peaks.csv'), 'utf8')).trim().split('\n')
    expect(peaks[0]).toBe('month,from,by,name,city_peak_per_s')
    expect(peaks.some((row) => /^1,2020-10-12,district,"Bao'an",/.test(row))).toBe(true)
    expect(peaks.some((row) => /^3,2020-12-12,kind,"retail",/.test(row))).toBe(true)
    // Every kind of the city's payments, top-ups (paid by banks) among them.
    expect(peaks.some((row) => /^1,2020-10-12,kind,"topup",/.test(row))).toBe(true)
    for (const row of peaks.slice(1)) {
      const [month, , , , perSecond] = row.split(',')
      const city = json.plan.months[Number(month) - 1]?.cityPeakPerSecond ?? 0
      expect(Number(perSecond)).toBeLessThanOrEqual(city + 0.005)
    }
    expect(page).toMatch(/aria-label="wallet holders by district, month 3, 2020-12-\d\d"/)
    expect(page).toContain('Residents holding a wallet, by age band')
  }, 200_000)

  it('refuses a scenario without a rollout, a bad rollout field and a capacity file that is not one', async () => {
    // Proves: each is exit 2 with the file or field named, before any day runs or any file is
    // written.
    const smoke = path.join(repoRoot, 'scenarios', 'smoke.yaml')
    const none = await citytwin(['rollout', smoke, '--out', path.join(folder, 'none')])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^citytwin: .*smoke\.yaml: has no rollout section/)
    expect(existsSync(path.join(folder, 'none'))).toBe(false)

    await fs.mkdir(path.join(folder, 'maps'), { recursive: true })
    await fs.copyFile(
      path.join(repoRoot, 'scenarios', 'maps', 'shenzhen.geojson'),
      path.join(folder, 'maps', 'shenzhen.geojson'),
    )
    const text = await fs.readFile(smokeRollout, 'utf8')
    const bad = path.join(folder, 'bad.yaml')
    await fs.writeFile(bad, text.replace('months: 3', 'months: 30'))
    const badRun = await citytwin(['rollout', bad, '--out', path.join(folder, 'bad')])
    expect(badRun.code).toBe(2)
    const line = text.split('\n').findIndex((row) => row.includes('months: 3')) + 1
    expect(badRun.stderr).toContain(`bad.yaml:${line}: rollout.months: must be a whole number`)

    const notCapacity = path.join(folder, 'capacity.json')
    await fs.writeFile(notCapacity, '{"scenario": "x"}')
    const capacity = await citytwin([
      'rollout',
      smokeRollout,
      '--capacity',
      notCapacity,
      '--out',
      path.join(folder, 'capacity-run'),
    ])
    expect(capacity.code).toBe(2)
    expect(capacity.stderr).toContain('not the report of a citytwin capacity search')
    expect(existsSync(path.join(folder, 'capacity-run'))).toBe(false)
  }, 60_000)

  it('is what citytwin run --capacity does with a rollout scenario, and refuses one without', async () => {
    // Proves: run --capacity goes to the rollout (the capacity file is read as the rollout reads
    // it), refuses a scenario with no rollout and load flags, each exit 2 with nothing written.
    const smoke = path.join(repoRoot, 'scenarios', 'smoke.yaml')
    const notCapacity = path.join(folder, 'not-capacity.json')
    await fs.writeFile(notCapacity, '{"scenario": "x"}')
    const out = path.join(folder, 'run-capacity')
    const plain = await citytwin(['run', smoke, '--capacity', notCapacity, '--out', out])
    expect(plain.code).toBe(2)
    expect(plain.stderr).toMatch(/--capacity: .* has no rollout section/)
    const rollout = await citytwin(['run', smokeRollout, '--capacity', notCapacity, '--out', out])
    expect(rollout.code).toBe(2)
    expect(rollout.stderr).toContain('not the report of a citytwin capacity search')
    const loaded = ['run', smokeRollout, '--capacity', notCapacity, '--tps', '1k', '--out', out]
    const load = await citytwin(loaded)
    expect(load.code).toBe(2)
    expect(load.stderr).toContain('a rollout runs its days flat out')
    expect(existsSync(out)).toBe(false)
  }, 60_000)
})
