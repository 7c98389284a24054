// Copies the files the engine reads beside its modules at run time (the ledgers' .lua and .sql)
// from engine/ to dist/engine/, next to the compiled JavaScript: `npm run build` runs it after tsc.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'

const assets = /\.(lua|sql)$/
let copied = 0
for (const file of readdirSync('engine', { recursive: true })) {
  if (!assets.test(file)) continue
  const to = join('dist', 'engine', file)
  mkdirSync(dirname(to), { recursive: true })
  copyFileSync(join('engine', file), to)
  copied += 1
}
if (copied === 0)
  throw new Error(
    'scripts/copyAssets.mjs found no .lua or .sql files under engine/: run it from the project folder',
  )
