/**
 * `npm run bench -- --compare`: an earlier results file read with its mistakes named, and the ratio
 * of every figure.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { comparison, readResults } from '../../bench/compare.js'
import { UserError } from '../../engine/errors.js'

let folder = ''
beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-compare-'))
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})

async function file(name: string, text: string): Promise<string> {
  const where = path.join(folder, name)
  await fs.writeFile(where, text)
  return where
}

describe('bench --compare', () => {
  it('prints each figure before and now with now ÷ before, and a dash where one run lacks it', () => {
    // Proves the ratio is new over old, per figure name, and figures present on one side only still
    // show.
    const lines = comparison(
      [
        { name: 'run.transfers_per_s@1M', median: 1_600_000, unit: 'transfers/s' },
        { name: 'city.full.day_wall_s', median: 20, unit: 's' },
        { name: 'gone.figure', median: 3, unit: 'x' },
      ],
      [
        { name: 'run.transfers_per_s@1M', median: 1_200_000, unit: 'transfers/s' },
        { name: 'city.full.day_wall_s', median: 25, unit: 's' },
        { name: 'new.figure', median: 7, unit: 'y' },
      ],
    )
    const row = (name: string) => lines.find((line) => line.startsWith(name))?.split(/\s{2,}/)
    expect(row('run.transfers_per_s@1M')).toEqual([
      'run.transfers_per_s@1M',
      '1,600,000',
      '1,200,000',
      '0.750',
      'transfers/s',
    ])
    expect(row('city.full.day_wall_s')).toEqual([
      'city.full.day_wall_s',
      '20.000',
      '25.000',
      '1.250',
      's',
    ])
    expect(row('new.figure')).toEqual(['new.figure', '–', '7.000', '–', 'y'])
    expect(row('gone.figure')).toEqual(['gone.figure', '3.000', '–', '–', 'x'])
  })

  it('reads a results file and names what is wrong with a bad one', async () => {
    // Proves a good file gives its figures and date, and each kind of bad file is the user's
    // mistake, named.
    const good = await file(
      'good.json',
      JSON.stringify({
        results: [{ name: 'a', median: 2, unit: 's', samples: 3 }],
        machine: { date: '2026-11-21T11:48:00Z' },
      }),
    )
    expect(await readResults(good)).toEqual({
      figures: [{ name: 'a', median: 2, unit: 's' }],
      date: '2026-11-21T11:48:00Z',
    })
    await expect(readResults(path.join(folder, 'missing.json'))).rejects.toThrow(UserError)
    await expect(readResults(await file('text.json', 'not json'))).rejects.toThrow(/not JSON/)
    await expect(readResults(await file('other.json', '{"figures": []}'))).rejects.toThrow(
      /no "results" list/,
    )
    await expect(
      readResults(await file('bad.json', '{"results": [{"name": "a", "median": "fast"}]}')),
    ).rejects.toThrow(/results\[0\]/)
  })
})
