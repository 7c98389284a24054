/**
 * How a command's outcome is told: its exit code, each failure on stderr and, with --json, one
 * JSON object on stdout.
 */
import { RunFailed, UserError } from '../engine/errors.js'
import { thresholdActual } from '../engine/load/index.js'
import type { RunFolderWriteFailed, RunSummary } from '../engine/report/index.js'
import { printable } from '../engine/printable.js'
import { exitInvalidLoad, exitRunFailed, exitThresholdFailed, signalExit } from './exitCodes.js'

/** How an outcome is told in --json: what went wrong, by the exit code it goes with. */
export type FailureKind =
  'bad-input' | 'run-failed' | 'invalid-load' | 'threshold-failed' | 'interrupted' | 'internal'

/**
 * What --json prints for a run that ended without a result (or beside one): the failure, by kind.
 */
export interface JsonFailure {
  readonly kind: FailureKind
  readonly message: string
  readonly issues?: readonly string[]
}

/**
 * Whether the command being run prints its outcome as JSON on stdout (set as its action starts).
 */
let jsonOutput = false

/** Says whether the command now running prints its outcome as JSON, as its action starts. */
export function printsJson(json: boolean | undefined): void {
  jsonOutput = json === true
}

/** Whether the command now running prints its outcome as JSON. */
export function jsonOutputOn(): boolean {
  return jsonOutput
}

/** Prints the one JSON object of an outcome, on one line of stdout. */
export function printJson(value: object): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}

/** Writes a failure on stderr, as the command line tells every one. */
export function tell(line: string): void {
  process.stderr.write(`citytwin: ${line}\n`)
}

/**
 * The verdict of a finished run: its exit code, and what failed (each told on stderr as it is
 * found).
 */
export interface Verdict {
  readonly code: number
  readonly failure?: JsonFailure
}

/**
 * A finished run in --json: `ok` and any failure first, where its files are (null: not kept), then
 * its summary.
 */
export function runJson(outcome: Verdict, folder: string | undefined, summary: object): object {
  return {
    ok: outcome.code === 0,
    ...(outcome.failure === undefined ? {} : { error: outcome.failure }),
    folder: folder ?? null,
    ...summary,
  }
}

/**
 * The exit code of a finished run, with each reason on stderr. The gravest failure decides it: 1
 * for broken money or files that could not be written, 3 for an invalid load (its figures are not
 * the target's, so its thresholds say little), 99 for a failed threshold; else, for a run stopped
 * early by a signal, 128 + the signal's number (130 for SIGINT); else 0.
 */
export function verdict(summary: RunSummary, notKept?: RunFolderWriteFailed): Verdict {
  const failures: { readonly line: string; readonly kind: FailureKind; readonly code: number }[] =
    []
  const fail = (line: string, kind: FailureKind, code: number) => {
    tell(line)
    failures.push({ line, kind, code })
  }
  for (const line of auditFailures(summary)) fail(line, 'run-failed', exitRunFailed)
  const load = summary.load
  if (load !== undefined) {
    const failed = load.thresholds.filter((check) => !check.ok)
    if (failed.length > 0) {
      fail(
        `threshold${failed.length === 1 ? '' : 's'} failed: ${printable(failed.map((check) => `${check.threshold} (was ${thresholdActual(check)})`).join(', '))}`,
        'threshold-failed',
        exitThresholdFailed,
      )
    }
    if (!load.valid) {
      fail(
        `the load run is INVALID, its figures are not those of the target: ${printable(load.invalidReasons.join('; '))}`,
        'invalid-load',
        exitInvalidLoad,
      )
    }
  }
  if (notKept !== undefined)
    fail(`${printable(notKept.message)}. The run failed.`, 'run-failed', exitRunFailed)
  const gravest = [exitRunFailed, exitInvalidLoad, exitThresholdFailed]
    .map((code) => failures.find((failure) => failure.code === code))
    .find((failure) => failure !== undefined)
  if (gravest !== undefined) {
    const message = failures.map((failure) => failure.line).join('; ')
    return { code: gravest.code, failure: { kind: gravest.kind, message } }
  }
  if (summary.stoppedEarly !== undefined) {
    const line = `the run was ${summary.stoppedEarly.reason}: its figures and audit cover that part only`
    tell(line)
    return {
      code: signalExit(summary.stoppedEarly.by),
      failure: { kind: 'interrupted', message: line },
    }
  }
  return { code: 0 }
}

/** What the audit found wrong with a run's money: broken conservation, unbalanced double entry. */
function auditFailures(summary: RunSummary): string[] {
  const failures: string[] = []
  const { conservation, doubleEntry } = summary
  if (!conservation.ok) {
    failures.push(
      `MONEY WAS NOT CONSERVED: balances ${conservation.balancesFen} fen, issued − redeemed ${conservation.issuedFen - conservation.redeemedFen} fen, ${conservation.negativeBalances} negative balances. The run failed.`,
    )
  }
  if (!doubleEntry.ok) {
    const broken = Object.entries(doubleEntry.byKind).filter(
      ([, sides]) => sides.debitsFen !== sides.creditsFen || sides.debitsFen !== sides.acceptedFen,
    )
    failures.push(
      `THE LEDGER'S DOUBLE ENTRY DOES NOT BALANCE: ${broken.map(([kind, sides]) => `${kind} debits ${sides.debitsFen}, credits ${sides.creditsFen}, accepted ${sides.acceptedFen} fen`).join('; ') || `${doubleEntry.pendingFen} fen still reserved by pending transfers`}. The run failed.`,
    )
  }
  return failures
}

/** What a failure is, for --json: its kind (by the exit code it goes with) and its message. */
export function failureOf(error: unknown): JsonFailure {
  if (error instanceof UserError) {
    // The message's first line; the issues listed under it come as a list of their own.
    const message = error.message.split('\n', 1)[0] ?? ''
    return error.issues.length === 0
      ? { kind: 'bad-input', message }
      : { kind: 'bad-input', message, issues: error.issues }
  }
  if (error instanceof RunFailed) return { kind: 'run-failed', message: error.message }
  const message = error instanceof Error ? error.message : String(error)
  return { kind: 'internal', message: `internal error: ${message}` }
}

/** The commands whose --json prints every outcome as one JSON object on stdout. */
const jsonCommands = ['run', 'capacity', 'serve']

/**
 * Whether `argv` asks a command with --json for it (the flags are not parsed yet when parsing
 * fails).
 */
export function jsonAskedIn(argv: readonly string[]): boolean {
  const words = argv.slice(2)
  const end = words.indexOf('--')
  const given = end === -1 ? words : words.slice(0, end)
  return jsonCommands.includes(given[0] ?? '') && given.includes('--json')
}
