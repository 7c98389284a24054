/** The exit codes of the command line (see bin/citytwin.ts). */
import os from 'node:os'

/** A run that failed: a broken invariant, a ledger lost, files not written, an internal error. */
export const exitRunFailed = 1
/** Bad input (a flag, a scenario, a map), with a message naming it. */
export const exitBadInput = 2

/**
 * The exit code of a process that ends because of `signal`, as shells count it: 128 + its number.
 */
export function signalExit(signal: string): number {
  const number = (os.constants.signals as Record<string, number | undefined>)[signal]
  return number === undefined ? exitRunFailed : 128 + number
}
