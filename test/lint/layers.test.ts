/**
 * The layer check that `npm run lint` runs (.dependency-cruiser.cjs), tried on small trees of its
 * own: it must refuse an import that runs up the layers and a cycle made only of type imports, and
 * pass a tree that imports downwards. The project's own tree is checked by the lint itself.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../..')
const depcruise = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs')
const folders: string[] = []

/**
 * A tree of `files` (path → source) with the project's layer rules; the check's exit code and
 * output.
 */
async function check(files: Record<string, string>): Promise<{ code: number; output: string }> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'citytwin-layers-'))
  folders.push(folder)
  writeFileSync(
    path.join(folder, '.dependency-cruiser.cjs'),
    `module.exports = require(${JSON.stringify(path.join(root, '.dependency-cruiser.cjs'))})\n`,
  )
  writeFileSync(
    path.join(folder, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true },
    }),
  )
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true })
    writeFileSync(path.join(folder, file), source)
  }
  try {
    const { stdout } = await run(
      process.execPath,
      [depcruise, 'engine', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
      { cwd: folder },
    )
    return { code: 0, output: stdout }
  } catch (error) {
    const failed = error as { code: number; stdout: string }
    return { code: failed.code, output: failed.stdout }
  }
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

describe('the layer check', () => {
  it('passes imports that go down the layers', async () => {
    const result = await check({
      'engine/run/summary.ts':
        "import type { Fen } from '../ledger/money.js'\nexport type Total = Fen\n",
      'engine/ledger/money.ts': 'export type Fen = number\n',
    })
    expect(result.output).toContain('no dependency violations')
    expect(result.code).toBe(0)
  }, 30_000)

  it('refuses an import that runs up the layers, type-only or not', async () => {
    const result = await check({
      'engine/ledger/money.ts':
        "import type { Total } from '../run/summary.js'\nexport type Fen = Total\n",
      'engine/run/summary.ts': 'export type Total = number\n',
    })
    expect(result.code).not.toBe(0)
    expect(result.output).toContain('no-upward-from-ledger-city')
  }, 30_000)

  it('refuses a cycle made only of type imports, inside one layer', async () => {
    const result = await check({
      'engine/metrics/a.ts': "import type { B } from './b.js'\nexport interface A { b?: B }\n",
      'engine/metrics/b.ts': "import type { A } from './a.js'\nexport interface B { a?: A }\n",
    })
    expect(result.code).not.toBe(0)
    expect(result.output).toContain('no-cycle')
  }, 30_000)
})
