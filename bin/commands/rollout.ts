/**
 * `citytwin rollout`: a scenario's rollout over months, its sampled days each simulated flat out
 * on the ledger, then the capacity plan: each month's peak, 99.9th-percentile minute and needed
 * ledger rate, set against a capacity search's knee when one is given.
 */
import path from 'node:path'
import type { Command } from 'commander'
import { UserError } from '../../engine/errors.js'
import { reachLedger } from '../../engine/ledger/index.js'
import { printable } from '../../engine/printable.js'
import {
  grouped,
  planTable,
  readCapacityReport,
  writeRolloutFiles,
  type RunFolder,
} from '../../engine/report/index.js'
import { formatShare } from '../../engine/report/format.js'
import { rolloutMonths, runRollout, type RolloutOutcome } from '../../engine/rollout/index.js'
import { defaultWorkers } from '../../engine/run/index.js'
import { wallClock } from '../../engine/time/index.js'
import { calendarGap, loadScenario } from '../../scenarios/index.js'
import { keepFiles, ledgerConnection, ledgerOptions, runFolderWithSignals } from '../city.js'
import { exitRunFailed, signalExit } from '../exitCodes.js'
import { withCityFlags, withOutputFlags, type CityFlags } from '../flags.js'
import { printJson, printsJson, runJson } from '../outcome.js'
import type { SignalStop } from '../signals.js'

interface RolloutFlags extends CityFlags {
  capacity?: string
}

/** Adds `citytwin rollout` to the program. */
export function addRolloutCommand(cli: Command): void {
  const command = cli
    .command('rollout')
    .description(
      "simulate a scenario's rollout over months on sampled days, and plan the ledger capacity each month needs",
    )
    .argument('<scenario>', 'scenario file (YAML) with a rollout section')
  withCityFlags(
    command,
    `simulation worker threads (default ${defaultWorkers('flat-out')})`,
  ).option(
    '--capacity <file>',
    "capacity.json of a citytwin capacity search: each month is set against the ledger's knee",
  )
  withOutputFlags(command, {
    out: 'folder for rollout.json, plan.csv, days.csv and rollout.html (default: runs/<timestamp>-seed<seed>)',
    json: 'print the rollout as JSON on stdout; progress goes to stderr',
  }).action(async (file: string, flags: RolloutFlags) => {
    printsJson(flags.json)
    process.exitCode = await rolloutCommand(file, flags)
  })
}

export async function rolloutCommand(file: string, flags: RolloutFlags): Promise<number> {
  const loaded = await loadScenario(file)
  if (loaded.scenario.rollout === undefined) {
    throw new UserError(
      `${file}: has no rollout section, so there is no rollout to simulate (docs/scenarios.md says how to write one; citytwin run runs the scenario's period)`,
    )
  }
  const months = rolloutMonths(loaded.scenario.rollout, loaded.scenario.calendar)
  const gap = calendarGap(
    loaded.scenario.calendar,
    months.at(-1)?.to ?? loaded.scenario.rollout.start,
  )
  if (gap !== undefined) process.stderr.write(`citytwin: ${gap}\n`)
  const knee = await kneeOf(flags.capacity)
  const connection = ledgerConnection(`rollout ${file}`, flags)
  await reachLedger(flags.ledger, flags.ledgerUrl)
  const { folder, stopper } = await runFolderWithSignals(flags, loaded.scenario.seed)
  let outcome: RolloutOutcome
  try {
    outcome = await runRollout(loaded, {
      ...ledgerOptions(flags, connection),
      seed: flags.seed,
      residents: flags.residents,
      workers: flags.workers ?? defaultWorkers('flat-out'),
      now: wallClock.nowMs,
      stop: stopper.signal,
      kneeTps: knee?.tps,
      kneeAtLeast: knee?.atLeast,
      onDay: (day, done, total) => {
        if (flags.json === true) return
        process.stderr.write(
          `day ${String(done).padStart(3)}/${total}  ${day.date} ${day.kind.padEnd(4)}  adoption ${formatShare(day.adoption).padStart(6)}  ${grouped(day.payments).padStart(11)} payments  busiest minute ${grouped(day.peakPerMinute)}\n`,
        )
      },
    })
  } catch (error) {
    await folder.discard()
    stopper.release()
    throw error
  }
  return await keepRollout(folder, stopper, outcome, flags)
}

/** The knee of the capacity search `file` holds, checked; none when no file is given. */
async function kneeOf(
  file: string | undefined,
): Promise<{ tps: number; atLeast: boolean } | undefined> {
  if (file === undefined) return undefined
  const report = await readCapacityReport(path.dirname(file), path.basename(file))
  if (report.outcome === 'none') {
    throw new UserError(
      `--capacity: ${file} found no rate the ledger sustained within its SLO, so there is no knee to plan against`,
    )
  }
  return { tps: report.kneeTps, atLeast: report.outcome !== 'found' }
}

/** Writes the rollout's files and tells the plan: the exit code. */
async function keepRollout(
  folder: RunFolder,
  stopper: SignalStop,
  outcome: RolloutOutcome,
  flags: RolloutFlags,
): Promise<number> {
  const interrupted = stopper.signal.aborted ? String(stopper.signal.reason) : undefined
  const kept = await keepFiles(() => writeRolloutFiles(folder, outcome), stopper)
  const { written } = kept
  const code =
    kept.notKept !== undefined
      ? exitRunFailed
      : interrupted !== undefined
        ? signalExit(interrupted)
        : 0
  if (kept.notKept !== undefined) process.stderr.write(`citytwin: ${kept.notKept.message}\n`)
  if (flags.json === true) {
    // The districts' outlines stay in rollout.json: the figures are what a pipeline reads.
    const printed = Object.fromEntries(Object.entries(outcome).filter(([key]) => key !== 'map'))
    printJson(runJson({ code }, written?.folder, printed))
    return code
  }
  const stopped =
    interrupted === undefined
      ? ''
      : `\nstopped by ${interrupted} after ${outcome.days.length} days: the plan covers those\n`
  const files =
    written === undefined
      ? 'files     not kept (see above)'
      : `plan       ${printable(written.plan)}\nreport     ${printable(written.report)}`
  process.stdout.write(`\n${planTable(outcome)}\n${stopped}\n${files}\n`)
  return code
}
