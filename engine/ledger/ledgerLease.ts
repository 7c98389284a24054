/**
 * One run at a time on a ledger other runs can reach. A postgres schema or a redis key is a ledger
 * any run given its URL can open, and open() empties it: a second run pointed at a ledger in use
 * would wipe the first run's money from under it. So each adapter marks its ledger as held by the
 * run that opened it, and open() refuses a ledger held by another:
 *
 *   nobody holds it ─────────────────────────────▶ taken
 *   held, the holder alive ──────────────────────▶ refused, naming the holder (always)
 *   held, the holder gone (crashed, cut off) ────▶ refused, naming it and saying it is gone;
 *                                                  taken over only with `takeOver` (--take-over)
 *
 * How a holder is known to be alive is each adapter's: on PostgreSQL its own connection holds an
 * advisory lock for the ledger's life, beside a row naming it; on Redis it renews a key that
 * expires. close() lets go (the row or the record goes too). A run whose ledger was taken over
 * from it fails its next call, naming who took it, instead of writing into another run's ledger.
 *
 * The memory ledger is private to its process, and an http ledger's server holds the lease of the
 * ledger behind it: neither takes one here.
 */
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { RunFailed, UserError } from '../errors.js'
import { ledgerHolderCharsMax } from '../limits.js'

/** What a run asks of the ledger it opens. */
export interface LedgerLease {
  /**
   * Names the run to anyone refused, like "citytwin run scenarios/smoke.yaml (pid 1234 on
   * build-7)".
   */
  readonly holder?: string | undefined
  /** Take over a ledger whose holder is gone; a live holder is refused all the same. */
  readonly takeOver?: boolean | undefined
}

/** The ledgers that take leases: those another process can open. */
export const leasedLedgers: readonly string[] = ['postgres', 'redis']

/** How a run names itself when its caller did not: enough for a person to find the process. */
export function defaultHolder(): string {
  return `a citytwin process (pid ${process.pid} on ${os.hostname()})`
}

/** The run's name as it is stored: printable, on one line, bounded (the next run prints it). */
export function holderName(lease: LedgerLease | undefined): string {
  return shownHolder(lease?.holder ?? defaultHolder())
}

/**
 * A holder's name read back from a ledger, fit to print: control characters (escape codes, new
 * lines) become '?', and a name past the bound is cut. Anyone who can write to the database could
 * have put it there. (Also for a message from the database that quotes one: give it room for both.)
 */
export function shownHolder(text: string, charsMax = ledgerHolderCharsMax): string {
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?')
  return printable.length <= charsMax ? printable : `${printable.slice(0, charsMax - 1)}…`
}

/**
 * A lease's own id: random, so that a holder is never mistaken for another, or for the run it
 * took over from. (An identity, not a draw of the simulation: the seeded streams are not for this.)
 */
export function newLeaseId(): string {
  return randomUUID()
}

/**
 * Who holds a ledger, as its adapter found it: the name, and since when by the server's clock (ISO,
 * UTC).
 */
export interface LeaseHolder {
  readonly holder: string
  readonly since: string | undefined
}

function named(found: LeaseHolder): string {
  return `${shownHolder(found.holder)}${found.since === undefined ? '' : `, since ${found.since}`}`
}

/**
 * The refusal of a ledger in use.
 * @param ledger like 'the postgres ledger in schema "citytwin" at 127.0.0.1:5432/test'
 * @param elsewhere how to name another ledger, like '?schema=<name>'
 */
export function ledgerInUse(
  ledger: string,
  found: LeaseHolder | undefined,
  elsewhere: string,
): UserError {
  const who = found === undefined ? 'another run, opening it now' : named(found)
  return new UserError(
    `--ledger-url: ${ledger} is in use by ${who}. Two runs on one ledger would empty each other's: wait for that run to end, or give this one its own ${elsewhere}`,
  )
}

/** The refusal of a ledger whose holder is gone, when take-over was not asked for. */
export function ledgerHolderGone(
  ledger: string,
  found: LeaseHolder,
  elsewhere: string,
  gone: string,
): UserError {
  return new UserError(
    `--ledger-url: ${ledger} is still marked as held by ${named(found)}, but ${gone}: it crashed or lost the server. If that run is over, give --take-over to take the ledger over (it starts empty); or give this run its own ${elsewhere}`,
  )
}

/** What a run is told when its ledger was taken over by another: it stops. */
export function ledgerTakenOver(ledger: string, found: LeaseHolder | undefined): RunFailed {
  const by =
    found === undefined
      ? 'it was taken from this run, and nobody holds it now'
      : `it was taken over by ${named(found)}`
  return new RunFailed(`${ledger} is no longer this run's: ${by}. Nothing more was written to it`)
}
