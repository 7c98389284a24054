/**
 * `citytwin ledger-server`: a ledger served over the HTTP ledger protocol (docs/http-ledger.md).
 */
import { Option, type Command } from 'commander'
import { UserError } from '../../engine/errors.js'
import { isLoopbackAddress } from '../../engine/httpListen.js'
import {
  checkLedger,
  createLedger,
  encodeCodes,
  generateLedgerToken,
  ledgerNames,
  LedgerServer,
  ledgerTokenFrom,
  ledgerTokenVariable,
  PostgresLedger,
  type LedgerLease,
  type LedgerServerState,
} from '../../engine/ledger/index.js'
import { wallClock } from '../../engine/time/index.js'
import { ledgerLease } from '../city.js'
import { takeOverOption, withServerFlags, type ServerFlags } from '../flags.js'
import { untilSignal } from '../signals.js'

interface LedgerServerFlags extends ServerFlags {
  readonly backend: string
  readonly ledgerUrl?: string
  readonly resume?: boolean
  readonly takeOver?: boolean
  readonly token?: string
}

/** Adds `citytwin ledger-server` to the program. */
export function addLedgerServerCommand(cli: Command): void {
  const command = cli
    .command('ledger-server')
    .description(
      'serve a ledger over the HTTP ledger protocol (docs/http-ledger.md), for --ledger http and as its reference',
    )
    .addOption(
      new Option('--backend <name>', 'the ledger behind the server')
        .choices(ledgerNames.filter((name) => name !== 'http'))
        .default('memory'),
    )
  withServerFlags(command, {
    portDefault: 8081,
    port: 'port to listen on (0: any free one)',
    host: 'address to listen on (another than 127.0.0.1 exposes the ledger to the network, guarded by its token alone)',
    token: `the token every request must carry (default: one made at start, printed once). Or set ${ledgerTokenVariable}, which other users cannot see in the process list`,
  })
    .option(
      '--ledger-url <url>',
      "the backend's own server, for postgres and redis (postgres without one: an embedded server)",
    )
    .option(
      '--resume',
      'take up the ledger and the client session a killed server left in --ledger-url (postgres only), rather than wait for a new client',
    )
    .addOption(takeOverOption())
    .action(async (flags: LedgerServerFlags) => {
      process.exitCode = await ledgerServerCommand(flags)
    })
}

/** The backend's connection: where it is, and the lease the server holds it by. */
interface BackendConnection {
  readonly url: string | undefined
  readonly now: () => number
  readonly lease: LedgerLease
}

/** Serves until SIGINT or SIGTERM, then closes the ledger and exits 0. */
async function ledgerServerCommand(flags: LedgerServerFlags): Promise<number> {
  const connection: BackendConnection = {
    url: flags.ledgerUrl,
    now: wallClock.nowMs,
    lease: ledgerLease(`ledger-server --backend ${flags.backend}`, flags),
  }
  checkLedger(flags.backend, connection)
  // Always a token: 127.0.0.1 is shared by every user and process of the machine. One given, or one
  // made now.
  const given = ledgerTokenFrom(flags.token, process.env[ledgerTokenVariable], '--token')
  const token = given ?? generateLedgerToken()
  const resume = flags.resume === true ? await resumed(flags, connection) : undefined
  const server = await LedgerServer.start({
    host: flags.host,
    port: flags.port,
    token,
    backend: (options) => createLedger(flags.backend, options, connection),
    ...(resume === undefined ? {} : { resume }),
  }).catch(async (error: NodeJS.ErrnoException) => {
    await resume?.ledger.close()
    throw listenError(error, flags)
  })
  if (resume !== undefined) {
    process.stderr.write(`took up session ${resume.session} after call ${resume.lastNumber}\n`)
  }
  // Signals are handled before the server says it is up: whoever reads the lines may stop it at
  // once. One write, so whoever reads it (a person, a script) gets the address and how to use it
  // together.
  const stopped = untilSignal()
  process.stderr.write(`${startLines(flags, server.url, token, given !== undefined).join('\n')}\n`)
  await stopped
  await server.close()
  return 0
}

/** The ledger and the client session a killed server left in postgres, taken up (--resume). */
async function resumed(
  flags: LedgerServerFlags,
  connection: BackendConnection,
): Promise<LedgerServerState> {
  if (flags.backend !== 'postgres' || flags.ledgerUrl === undefined) {
    throw new UserError(
      '--resume: only with --backend postgres and its --ledger-url (a ledger that keeps its calls in the database)',
    )
  }
  const { ledger, kept } = await PostgresLedger.resume(
    flags.ledgerUrl,
    { now: wallClock.nowMs },
    connection.lease,
  )
  return {
    ledger,
    session: kept.session,
    lastNumber: kept.lastNumber,
    lastAnswer: Promise.resolve(kept.lastCodes === undefined ? {} : encodeCodes(kept.lastCodes)),
    numbersMaySkip: true,
  }
}

/** A failure to listen as the flag it comes from; any other error as it is. */
function listenError(error: NodeJS.ErrnoException, flags: LedgerServerFlags): Error {
  if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
    return new UserError(`--port: cannot listen on ${flags.host}:${flags.port} (${error.code})`)
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return new UserError(`--host: cannot listen on ${flags.host} (${error.code})`)
  }
  return error
}

/**
 * What the server says as it starts: where it is, the token to use, and a warning if it is
 * reachable from other machines.
 */
function startLines(
  flags: LedgerServerFlags,
  url: string,
  token: string,
  tokenGiven: boolean,
): string[] {
  const lines = [`ledger server (${flags.backend}) at ${url}; stop with Ctrl-C`]
  if (!tokenGiven) {
    lines.push(
      `every request needs this token, made for this start (--token or ${ledgerTokenVariable} sets your own); a run against it:`,
      '',
      `    ${ledgerTokenVariable}=${token} citytwin run scenarios/smoke.yaml --ledger http --ledger-url ${url}`,
      '',
    )
  } else {
    lines.push(
      `every request needs the token of ${flags.token === undefined ? ledgerTokenVariable : '--token'}; a run gives it with --ledger-token or ${ledgerTokenVariable}`,
    )
  }
  const bound = new URL(url).hostname
  if (!isLoopbackAddress(bound)) {
    lines.push(
      `citytwin: WARNING: this ledger server listens on ${bound}${bound === '0.0.0.0' || bound === '[::]' ? ', every network interface' : ''}: other machines can reach it, not only this one. ` +
        'The token is its only guard: with it, a caller reads every balance, moves and mints money and replaces the ledger (on postgres, emptying its schema). ' +
        'And the traffic is plain HTTP: anyone on the network path can read the token and every call, and change them. ' +
        'Keep the default 127.0.0.1 unless the network is yours alone, or put a TLS proxy in front.',
    )
  }
  return lines
}
