/**
 * The flags several commands share, each spelt, parsed and defaulted here once: the city's (run,
 * serve, capacity), a load run's (run, serve), the run files' (run, serve, capacity) and a
 * server's (serve, replay, ledger-server). A command gives its own words where its help differs.
 */
import { Option, type Command } from 'commander'
import { ledgerNames, ledgerTokenVariable } from '../engine/ledger/index.js'
import {
  ledgerCallMsDefault,
  loadInFlightDefault,
  loadInFlightMax,
  loadInFlightNetworkedDefault,
  residentsMax,
  workersMax,
} from '../engine/limits.js'
import { collect, integer } from './parsers.js'

/** The flags of every command that builds a city and drives a ledger. */
export interface CityFlags {
  ledgerUrl?: string
  ledgerToken?: string
  ledgerTimeout?: string
  seed?: number
  workers?: number
  residents?: number
  out?: string
  json?: boolean
  ledger: string
  inFlight?: number
  takeOver?: boolean
}

/** The flags of a load run, beside the city's. */
export interface LoadRunFlags extends CityFlags {
  lateTolerance?: string
  tps?: string
  duration?: string
  profile?: string
  threshold?: string[]
  abortOnFail?: boolean
}

const takeOverHelp =
  'postgres and redis: take over a ledger still marked as held by a run that is gone (crashed, killed); a ledger in use by a live run is refused all the same'

/** --take-over, for the ledgers that keep a lease: the city's commands and ledger-server. */
export function takeOverOption(): Option {
  return new Option('--take-over', takeOverHelp)
}

/** Adds the flags of every command that builds a city and drives a ledger: run, serve, capacity. */
export function withCityFlags(command: Command, workersHelp: string): Command {
  return command
    .option('--seed <n>', "root seed (default: the scenario's)", integer('--seed', 0, 0xffff_ffff))
    .option('--workers <n>', workersHelp, integer('--workers', 1, workersMax))
    .option(
      '--residents <n>',
      "residents to simulate (overrides the scenario's scale)",
      integer('--residents', 1, residentsMax),
    )
    .addOption(
      new Option('--ledger <name>', 'ledger to drive').choices(ledgerNames).default('memory'),
    )
    .option(
      '--ledger-url <url>',
      'where the ledger is: http://host:port (http), postgres://user@host:5432/db?schema=citytwin (postgres; none: an embedded server), redis://host:6379/0?key=citytwin (redis)',
    )
    .addOption(takeOverOption())
    .option(
      '--ledger-token <secret>',
      `the http ledger's token (citytwin ledger-server prints one at start). Or set ${ledgerTokenVariable}, which other users cannot see in the process list`,
    )
    .option(
      '--ledger-timeout <time>',
      `the http ledger: the longest one call may take, its retries included (default ${ledgerCallMsDefault / 60_000}m)`,
    )
}

/** What --out and --json say for a command: where its files go, what it prints. */
export interface OutputHelp {
  readonly out: string
  readonly json: string
}

/** Adds --out (the run folder) and --json (the outcome as JSON on stdout). */
export function withOutputFlags(command: Command, help: OutputHelp): Command {
  return command.option('--out <dir>', help.out).option('--json', help.json)
}

/** What a command says of calls outstanding at most, the ledgers' defaults after it. */
export const inFlightHelp = `calls outstanding at most (default ${loadInFlightDefault} on the memory ledger, ${loadInFlightNetworkedDefault} on the others)`

/** --in-flight, the bound on calls outstanding, with the command's words for it. */
export function inFlightOption(help: string): Option {
  return new Option('--in-flight <n>', help).argParser(integer('--in-flight', 1, loadInFlightMax))
}

/**
 * --late-tolerance, the send lateness that makes a load invalid, with the command's words for it.
 */
export function lateToleranceOption(help: string): Option {
  return new Option('--late-tolerance <time>', help)
}

/** What each load flag says for a command. */
export interface LoadHelp {
  readonly tps: string
  readonly duration: string
  readonly profile: string
  readonly threshold: string
  readonly abortOnFail: string
  readonly inFlight: string
  readonly lateTolerance: string
}

/** Adds the flags of a load run: its pace, its gates and its bounds (run, serve). */
export function withLoadFlags(command: Command, help: LoadHelp): Command {
  return command
    .option('--tps <rate>', help.tps)
    .option('--duration <time>', help.duration)
    .option('--profile <profile>', help.profile)
    .option('--threshold <gate>', help.threshold, collect, [])
    .option('--abort-on-fail', help.abortOnFail)
    .addOption(inFlightOption(help.inFlight))
    .addOption(lateToleranceOption(help.lateTolerance))
}

/** The flags of every command that listens: where. */
export interface ServerFlags {
  readonly port: number
  readonly host: string
}

/** What a server's flags say for a command, and its port; a flag without words is left out. */
export interface ServerHelp {
  readonly portDefault: number
  readonly port: string
  readonly host: string
  readonly token?: string
  readonly allowOrigin?: string
  readonly allowHost?: string
}

/**
 * Adds --port, --host and, where the command has them, --token, --allow-origin and --allow-host.
 */
export function withServerFlags(command: Command, help: ServerHelp): Command {
  command
    .option('--port <n>', help.port, integer('--port', 0, 65_535), help.portDefault)
    .option('--host <address>', help.host, '127.0.0.1')
  if (help.token !== undefined) command.option('--token <secret>', help.token)
  if (help.allowOrigin !== undefined) {
    command.option('--allow-origin <origin>', help.allowOrigin, collect, [])
  }
  if (help.allowHost !== undefined) {
    command.option('--allow-host <name>', help.allowHost, collect, [])
  }
  return command
}
