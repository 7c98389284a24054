/**
 * What the commands that build a city share: the ledger they reach and the folder their files go
 * to.
 */
import os from 'node:os'
import { UserError } from '../engine/errors.js'
import {
  checkLedger,
  ledgerTokenFrom,
  ledgerTokenVariable,
  type LedgerConnection,
  type LedgerLease,
} from '../engine/ledger/index.js'
import { ledgerCallMsMax } from '../engine/limits.js'
import { parseDuration } from '../engine/load/index.js'
import {
  defaultRunFolder,
  RunFolder,
  RunFolderWriteFailed,
  unusedFolder,
} from '../engine/report/index.js'
import { wallClock } from '../engine/time/index.js'
import type { CityFlags } from './flags.js'
import { stopOnSignals, type SignalStop } from './signals.js'

/**
 * How this process names itself as the holder of a postgres or redis ledger (another run refused is
 * shown it).
 */
export function ledgerLease(
  command: string,
  flags: { takeOver?: boolean | undefined },
): LedgerLease {
  return {
    holder: `citytwin ${command} (pid ${process.pid} on ${os.hostname()})`,
    takeOver: flags.takeOver === true,
  }
}

/** A ledger's connection, checked, with the lease this process holds it by. */
export type LeasedConnection = LedgerConnection & { readonly lease: LedgerLease }

/**
 * Where the ledger is and how to reach it, checked: --ledger-url, and for the http ledger its token
 * (--ledger-token, or CITYTWIN_LEDGER_TOKEN, which other users cannot read in the process list)
 * and its call deadline (--ledger-timeout).
 */
export function ledgerConnection(command: string, flags: CityFlags): LeasedConnection {
  const callMsMax =
    flags.ledgerTimeout === undefined
      ? undefined
      : parseDuration(flags.ledgerTimeout, '--ledger-timeout')
  if (callMsMax !== undefined && callMsMax > ledgerCallMsMax) {
    throw new UserError(`--ledger-timeout: at most ${ledgerCallMsMax / 60_000} minutes`)
  }
  const connection = {
    url: flags.ledgerUrl,
    lease: ledgerLease(command, flags),
    // The environment's token is for the http ledger alone; a flag given to another ledger is
    // refused by checkLedger.
    token:
      flags.ledger === 'http'
        ? ledgerTokenFrom(flags.ledgerToken, process.env[ledgerTokenVariable], '--ledger-token')
        : flags.ledgerToken,
    callMsMax,
  }
  checkLedger(flags.ledger, connection)
  return connection
}

/** What a run is told of its ledger: which, where, who holds it, its token and call deadline. */
export function ledgerOptions(flags: CityFlags, connection: LeasedConnection) {
  return {
    ledger: flags.ledger,
    ledgerUrl: flags.ledgerUrl,
    ledgerLease: connection.lease,
    ledgerToken: connection.token,
    ledgerCallMsMax: connection.callMsMax,
  }
}

/** The folder under runs/ a run gets when --out names none: by the time and the seed. */
export function defaultRunPath(flags: CityFlags, seed: number): string {
  return defaultRunFolder('runs', wallClock.date(), flags.seed ?? seed)
}

/** Prepares the run folder (the one given, or a new one under runs/) before anything runs. */
export async function runFolderFor(flags: CityFlags, seed: number): Promise<RunFolder> {
  return flags.out !== undefined
    ? await RunFolder.prepare(flags.out, '--out')
    : await RunFolder.prepare(await unusedFolder(defaultRunPath(flags, seed)), 'the run folder')
}

/**
 * The run folder prepared with signals handled from just before it exists: a second signal takes
 * its staging folder away before quitting. The caller releases the handlers once the files are in.
 */
export async function runFolderWithSignals(
  flags: CityFlags,
  seed: number,
): Promise<{ folder: RunFolder; stopper: SignalStop }> {
  let prepared: RunFolder | undefined
  const stopper = stopOnSignals(() => prepared?.discardSync())
  try {
    prepared = await runFolderFor(flags, seed)
  } catch (error) {
    stopper.release()
    throw error
  }
  return { folder: prepared, stopper }
}

/** What became of a command's files: written, or not kept for the reason given. */
export interface Kept<T> {
  readonly written: T | undefined
  readonly notKept: RunFolderWriteFailed | undefined
}

/**
 * Writes a command's files, then stops handling signals. A full disk (or a quota, a read-only
 * mount) loses the files, not the verdict: the failure is returned, to be told with it.
 */
export async function keepFiles<T>(write: () => Promise<T>, stopper: SignalStop): Promise<Kept<T>> {
  try {
    return { written: await write(), notKept: undefined }
  } catch (error) {
    if (!(error instanceof RunFolderWriteFailed)) throw error
    return { written: undefined, notKept: error }
  } finally {
    stopper.release()
  }
}
