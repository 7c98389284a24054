#!/usr/bin/env node
/**
 * The citytwin command line. Exit codes (bin/exitCodes.ts): 0 success, 1 a run that failed (a
 * broken invariant, a ledger lost, files that could not be written, or an internal error), 2 bad
 * input (a flag, a scenario, a map) with a message naming it, 3 an invalid load run, 99 a failed
 * threshold, 128 + the signal's number (130 SIGINT, 143 SIGTERM)
 * for a run stopped early by a signal, its files complete and marked so. With --json, every
 * outcome is one JSON object on stdout (see README). Each command is a file of bin/commands/.
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { RunFailed, UserError } from '../engine/errors.js'
import { printableLines } from '../engine/printable.js'
import { addCapacityCommand } from './commands/capacity.js'
import { addCompareCommand } from './commands/compare.js'
import { addLedgerServerCommand } from './commands/ledgerServer.js'
import { addReplayCommand } from './commands/replay.js'
import { addReportCommand } from './commands/report.js'
import { addRolloutCommand } from './commands/rollout.js'
import { addRunCommand } from './commands/run.js'
import { addServeCommand } from './commands/serve.js'
import { addValidateCommand } from './commands/validate.js'
import { exitBadInput, exitRunFailed } from './exitCodes.js'
import { failureOf, jsonAskedIn, jsonOutputOn, printJson } from './outcome.js'

/** The version in package.json, found from this file whether it runs from bin/ or dist/bin/. */
function packageVersion(): string {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      const json = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: string
        version?: string
      }
      if (json.name === 'citytwin' && typeof json.version === 'string') return json.version
    } catch {
      // Not this one: try the next folder up.
    }
  }
  return 'unknown'
}

/** The program: every command, in the order its help lists them. */
function program(): Command {
  const cli = new Command('citytwin')
    .description(
      'A city digital twin for digital-currency payments, and a load engine for the ledgers that carry them.',
    )
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    // A bad argument is quoted back, and an argument can be a hostile file's name. Every error
    // starts as citytwin's own do: "citytwin: ", not commander's "error: ".
    .configureOutput({
      writeErr: (text) => process.stderr.write(printableLines(text)),
      outputError: (text, write) => write(text.replace(/^error: /, 'citytwin: ')),
    })
  addRunCommand(cli)
  addServeCommand(cli)
  addReplayCommand(cli)
  addCapacityCommand(cli)
  addRolloutCommand(cli)
  addCompareCommand(cli)
  addLedgerServerCommand(cli)
  addReportCommand(cli)
  addValidateCommand(cli)
  return cli
}

/** Runs the command `argv` names; its exit code is left in process.exitCode. */
async function main(argv: readonly string[]): Promise<void> {
  try {
    await program().parseAsync([...argv])
  } catch (error) {
    // With --json, every outcome is one JSON object on stdout, a failure too; stderr says it as
    // always.
    if (
      jsonOutputOn() ||
      (error instanceof CommanderError && error.exitCode !== 0 && jsonAskedIn(argv))
    ) {
      printJson({ ok: false, error: jsonFailure(error) })
    }
    process.exitCode = told(error)
  }
}

/**
 * What --json says of a command that failed: a parse error is bad input, its message without
 * `error: `.
 */
function jsonFailure(error: unknown): object {
  return error instanceof CommanderError
    ? { kind: 'bad-input', message: error.message.replace(/^error: /, '') }
    : failureOf(error)
}

/** Tells a command's failure on stderr and gives its exit code. */
function told(error: unknown): number {
  // Help and version exit 0; every other parse error is bad input, already explained.
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : exitBadInput
  // Messages quote input (file names, fields, values): printed with every control made visible.
  if (error instanceof UserError) {
    process.stderr.write(`citytwin: ${printableLines(error.message)}\n`)
    return exitBadInput
  }
  if (error instanceof RunFailed) {
    process.stderr.write(`citytwin: ${printableLines(error.message)}. The run failed.\n`)
    return exitRunFailed
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error)
  process.stderr.write(`citytwin: internal error, the run failed\n${printableLines(detail)}\n`)
  return exitRunFailed
}

await main(process.argv)
