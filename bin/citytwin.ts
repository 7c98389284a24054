#!/usr/bin/env node
/**
 * The citytwin command line. Exit codes: 0 success, 1 a run that failed (a broken invariant or
 * an internal error), 2 bad input (a flag, a scenario, a map) with a message naming it.
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { UserError } from '../engine/errors.js'
import { ledgerNames } from '../engine/ledger/index.js'
import { residentsMax, workersMax } from '../engine/limits.js'
import {
  defaultRunFolder,
  grouped,
  prepareRunFolder,
  progressLine,
  removeEmptyFolders,
  summaryTable,
  unusedFolder,
  writeSummary,
  type RunProgress,
  type RunSummary,
} from '../engine/report/index.js'
import { planScenario, runScenario } from '../engine/run/index.js'
import { wallClock } from '../engine/time/index.js'
import { loadScenario } from '../scenarios/index.js'

const exitRunFailed = 1
const exitBadInput = 2
/** Progress redraws at most this often on a terminal. */
const progressIntervalMs = 100

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${name} must be an integer between ${min} and ${max}`)
    const parsed = Number(value)
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${name} must be an integer between ${min} and ${max}`)
    }
    return parsed
  }
}

interface RunFlags {
  seed?: number
  workers: number
  residents?: number
  out?: string
  json?: boolean
  ledger: string
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const loaded = await loadScenario(file)
  // The folder is made before the run, so a bad --out fails at once rather than after it,
  // and taken away again if the run stops before it has anything to hold.
  const { folder, created } =
    flags.out !== undefined
      ? await prepareRunFolder(flags.out, '--out')
      : await prepareRunFolder(await unusedFolder(defaultRunFolder('runs', wallClock.date(), flags.seed ?? loaded.scenario.seed)), 'the run folder')
  const progress = progressReporter(Boolean(flags.json))
  let summary: RunSummary
  try {
    summary = await runScenario(loaded, {
      seed: flags.seed,
      residents: flags.residents,
      workers: flags.workers,
      ledger: flags.ledger,
      now: wallClock.nowMs,
      onProgress: progress.update,
    })
  } catch (error) {
    progress.done()
    await removeEmptyFolders(folder, created)
    throw error
  }
  progress.done()
  const written = path.join(folder, 'summary.json')
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`)
  else process.stdout.write(`\n${summaryTable(summary)}\n\nsummary    ${written}\n`)
  await writeSummary(folder, summary)
  if (!summary.conservation.ok) {
    process.stderr.write(
      `citytwin: MONEY WAS NOT CONSERVED: balances ${summary.conservation.balancesFen} fen, issued − redeemed ${summary.conservation.issuedFen - summary.conservation.redeemedFen} fen, ${summary.conservation.negativeBalances} negative balances. The run failed.\n`,
    )
    return exitRunFailed
  }
  if (!summary.doubleEntry.ok) {
    const broken = Object.entries(summary.doubleEntry.byKind).filter(([, sides]) => sides.debitsFen !== sides.creditsFen || sides.debitsFen !== sides.acceptedFen)
    process.stderr.write(
      `citytwin: THE LEDGER'S DOUBLE ENTRY DOES NOT BALANCE: ${broken.map(([kind, sides]) => `${kind} debits ${sides.debitsFen}, credits ${sides.creditsFen}, accepted ${sides.acceptedFen} fen`).join('; ') || `${summary.doubleEntry.pendingFen} fen still reserved by pending transfers`}. The run failed.\n`,
    )
    return exitRunFailed
  }
  return 0
}

async function validateCommand(file: string): Promise<number> {
  const loaded = await loadScenario(file)
  const { scenario, mapFile } = loaded
  // Planning is where sizes are checked against the engine's bounds: what validates also runs.
  const { plan } = planScenario(loaded)
  process.stdout.write(
    `${file}: valid. "${scenario.name}": ${scenario.city.districts.length} districts of ${path.relative(process.cwd(), mapFile) || mapFile}, ` +
      `${grouped(plan.residents)} residents and ${grouped(plan.merchants)} merchants at scale ${scenario.scale}, ${plan.clock.ticks} simulated minutes, seed ${scenario.seed}\n`,
  )
  return 0
}

/** A bar redrawn in place on a terminal; elsewhere, a line every tenth of the run. */
function progressReporter(quiet: boolean) {
  const stream = process.stderr
  const live = stream.isTTY === true
  let lastDrawMs = -Infinity
  let lastTenth = -1
  let drawn = false
  return {
    update: (progress: RunProgress) => {
      if (live) {
        const nowMs = wallClock.nowMs()
        const phaseChange = progress.phase !== 'running' || progress.tick >= progress.ticks
        if (nowMs - lastDrawMs < progressIntervalMs && !phaseChange) return
        lastDrawMs = nowMs
        stream.write(`\r${progressLine(progress)}\x1b[K`)
        drawn = true
        return
      }
      if (quiet) return
      if (progress.phase !== 'running') {
        stream.write(`${progressLine(progress)}\n`)
        return
      }
      const tenth = Math.floor((progress.tick / progress.ticks) * 10)
      if (tenth > lastTenth) {
        lastTenth = tenth
        stream.write(`${progressLine(progress)}\n`)
      }
    },
    done: () => {
      if (drawn) stream.write('\n')
    },
  }
}

/** The version in package.json, found from this file whether it runs from bin/ or dist/bin/. */
function packageVersion(): string {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      const json = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (json.name === 'citytwin' && typeof json.version === 'string') return json.version
    } catch {
      // Not this one: try the next folder up.
    }
  }
  return 'unknown'
}

function program(): Command {
  const cli = new Command('citytwin')
    .description('A city digital twin for digital-currency payments, and a load engine for the ledgers that carry them.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })

  cli
    .command('run')
    .description('simulate a scenario on a ledger: progress while it runs, a summary at the end, summary.json in the run folder')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--seed <n>', "root seed (default: the scenario's)", integer('--seed', 0, 0xffff_ffff))
    .option('--workers <n>', 'simulation worker threads', integer('--workers', 1, workersMax), Math.min(os.availableParallelism(), workersMax))
    .option('--residents <n>', "residents to simulate (overrides the scenario's scale)", integer('--residents', 1, residentsMax))
    .option('--out <dir>', 'folder for summary.json (default: runs/<timestamp>-seed<seed>)')
    .option('--json', 'print one JSON summary on stdout; progress goes to stderr')
    .addOption(new Option('--ledger <name>', 'ledger to drive').choices(ledgerNames).default('memory'))
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await runCommand(file, flags)
    })

  cli
    .command('validate')
    .description('check a scenario and its map; every problem is listed with its field path')
    .argument('<scenario>', 'scenario file (YAML)')
    .action(async (file: string) => {
      process.exitCode = await validateCommand(file)
    })
  return cli
}

async function main(argv: readonly string[]): Promise<void> {
  try {
    await program().parseAsync([...argv])
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other parse error is bad input, already explained.
      process.exitCode = error.exitCode === 0 ? 0 : exitBadInput
      return
    }
    if (error instanceof UserError) {
      process.stderr.write(`citytwin: ${error.message}\n`)
      process.exitCode = exitBadInput
      return
    }
    process.stderr.write(`citytwin: internal error, the run failed\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = exitRunFailed
  }
}

await main(process.argv)
