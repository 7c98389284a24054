import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { citytwin } from '../helpers/cli.js'
import { steeringIn } from '../helpers/controls.js'
import { defaultScenario, repoRoot, smokeScenario } from '../helpers/runs.js'

let folder = ''
/** A copy of shenzhen-day.yaml whose retail rate would make far too many transfers for one run. */
let tooLarge = ''
beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-cli-errors-'))
  await fs.mkdir(path.join(folder, 'maps'))
  // The maps shenzhen-day.yaml names: the districts and the metro network.
  for (const map of ['shenzhen.geojson', 'shenzhen-metro.geojson'])
    await fs.copyFile(path.join(repoRoot, 'scenarios/maps', map), path.join(folder, 'maps', map))
  const text = await fs.readFile(defaultScenario, 'utf8')
  // Transfer ids (below 2^53) no longer bound a schema-valid scenario: the money bound does.
  const edited = text.replace(
    'issuancePerResidentFen: 200000',
    'issuancePerResidentFen: 4294967295',
  )
  if (edited === text)
    throw new Error('shenzhen-day.yaml no longer has the issuance this test edits')
  tooLarge = path.join(folder, 'too-large.yaml')
  await fs.writeFile(tooLarge, edited)
})
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true })
})

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
  expect(stderr).not.toContain('internal error')
}

/** The first progress line a run prints on stderr: its presence means the run had started. */
const runStarted = /building the city/

describe('citytwin run --out', () => {
  it('exits 2 naming --out when it is an existing file, before the run starts', async () => {
    // Proves a bad --out is bad input caught up front: no stack trace, no progress, no wait for a
    // run.
    const file = path.join(folder, 'a-file')
    await fs.writeFile(file, 'not a folder\n')
    const startedMs = performance.now()
    const result = await citytwin(['run', smokeScenario, '--out', file])
    const elapsedMs = performance.now() - startedMs
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--out')
    expect(result.stderr).toContain(file)
    expect(result.stderr).toContain('a file is in the way')
    expect(result.stderr).not.toMatch(runStarted)
    expect(result.stdout).toBe('')
    expectNoStackTrace(result.stderr)
    expect(elapsedMs).toBeLessThan(10_000)
    expect(await fs.readFile(file, 'utf8')).toBe('not a folder\n')
  })

  it('exits 2 naming --out when it is empty', async () => {
    // Proves an empty folder name is refused rather than taken as the working directory.
    const result = await citytwin(['run', smokeScenario, '--out', ''])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--out')
    expect(result.stderr).not.toMatch(runStarted)
    expectNoStackTrace(result.stderr)
  })
})

describe('a scenario too large for one run', () => {
  const tooManyTransfers =
    /could put about [\d.e+]+ fen into circulation, more than the [\d.e+]+ fen a run keeps exact/

  it('fails validate with exit 2 and the money it could put into circulation', async () => {
    // Proves validate plans the run and checks its size, so a file that cannot run does not pass as
    // valid.
    const result = await citytwin(['validate', tooLarge])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(tooManyTransfers)
    expect(result.stdout).not.toContain('valid')
    expectNoStackTrace(result.stderr)
  })

  it('fails run with exit 2 and the same message, agreeing with validate', async () => {
    // Proves run and validate judge a scenario alike, and run refuses before it starts.
    const [validated, ran] = [
      await citytwin(['validate', tooLarge]),
      await citytwin(['run', tooLarge, '--out', path.join(folder, 'too-large-run')]),
    ]
    expect(ran.code).toBe(2)
    expect(ran.code).toBe(validated.code)
    expect(ran.stderr).toMatch(tooManyTransfers)
    expect(ran.stderr.match(tooManyTransfers)?.[0]).toBe(
      validated.stderr.match(tooManyTransfers)?.[0],
    )
    expect(ran.stderr).not.toMatch(runStarted)
    expectNoStackTrace(ran.stderr)
  })

  it('writes no run folder when it refuses the scenario', async () => {
    // Proves bad input leaves nothing behind in the working directory.
    const cwd = path.join(folder, 'refused')
    await fs.mkdir(cwd)
    const result = await citytwin(['run', tooLarge], { cwd })
    expect(result.code).toBe(2)
    expect(await fs.readdir(cwd)).toEqual([])
  })
})

describe('citytwin validate', () => {
  it('prints the planned residents of the smoke scenario', async () => {
    // Proves validate reports the plan it checked: 0.0004 of Shenzhen's 17,494,398 people is 6,998
    // residents.
    const result = await citytwin(['validate', smokeScenario])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('6,998 residents')
    expect(result.stdout).toContain('1440 simulated minutes')
  })
})

describe('input that holds terminal escape codes', () => {
  /**
   * No character a terminal would act on (ESC, BEL, CSI, the bidi override...), line breaks aside.
   */
  const expectPrintable = (text: string) => expect(steeringIn(text)).toBeUndefined()

  it('validate never writes a scenario name with escape codes to the terminal raw', async () => {
    // Proves: a name that sets the window title and clears the screen is refused, and nothing of it
    // reaches the terminal as codes.
    const text = (await fs.readFile(smokeScenario, 'utf8')).replace(
      'name: Shenzhen smoke',
      'name: "Shenzhen\\e]0;pwned\\a\\e[2J\\e[3J\\u202e"',
    )
    const file = path.join(folder, 'title.yaml')
    await fs.writeFile(file, text)
    const result = await citytwin(['validate', file])
    expectPrintable(result.stdout)
    expectPrintable(result.stderr)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('name: must not hold control characters')
    expectNoStackTrace(result.stderr)
  })

  it('shows a file name holding escape codes with the codes made visible', async () => {
    // Proves: main() prints every error with controls escaped, so a hostile file name (here a
    // missing one) is shown as text.
    const result = await citytwin([
      'validate',
      path.join(folder, 'evil\x1b]0;pwned\x07\x1b[2J.yaml'),
    ])
    expect(result.code).toBe(2)
    expectPrintable(result.stderr)
    expect(result.stderr).toContain(
      'evil\\x1b]0;pwned\\x07\\x1b[2J.yaml: cannot read the scenario file (no such file)',
    )
    expectNoStackTrace(result.stderr)
  })

  it('suggests the flag meant for a misspelt one, with the prefix every error has', async () => {
    // Proves a flag error reads like the others (citytwin: …, exit 2) and names the flag meant.
    const result = await citytwin(['run', smokeScenario, '--resdents', '5'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /^citytwin: unknown option '--resdents'\n\(Did you mean --residents\?\)/,
    )
    expectNoStackTrace(result.stderr)
  })

  it('shows a bad argument holding escape codes with the codes made visible', async () => {
    // Proves: commander's own messages, which quote the argument, go through the same escaping.
    const result = await citytwin(['run', smokeScenario, '--ledger', 'x\x1b[2J'])
    expect(result.code).toBe(2)
    expectPrintable(result.stderr)
    expect(result.stderr).toContain('x\\x1b[2J')
  })
})
