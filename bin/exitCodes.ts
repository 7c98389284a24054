/** The exit codes of the command line (see bin/citytwin.ts). */
import os from 'node:os'

/** A run that failed: a broken invariant, a ledger lost, files not written, an internal error. */
export const exitRunFailed = 1
/** Bad input (a flag, a scenario, a map), with a message naming it. */
export const exitBadInput = 2
/**
 * A load run that is invalid: the sender could not hold the target (the city or the machine fell
 * behind, the period ran out), so its figures are not those of the load asked for.
 */
export const exitInvalidLoad = 3
/** A valid run that failed a threshold: the code k6 gives, so CI that knows k6 reads it alike. */
export const exitThresholdFailed = 99

/**
 * The exit code of a process that ends because of `signal`, as shells count it: 128 + its number.
 */
export function signalExit(signal: string): number {
  const number = (os.constants.signals as Record<string, number | undefined>)[signal]
  return number === undefined ? exitRunFailed : 128 + number
}
