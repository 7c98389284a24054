/**
 * What every conformance test shares: the adapters under test (every registered ledger), the
 * wallet tiers of the published 2020 agreement, and builders for account and transfer batches.
 */
import { postgresAdapters } from './postgresTarget.js'
import { redisAdapters } from './redisTarget.js'
import type { Adapter } from './adapter.js'
import { publishedTierLimits } from '../../../../scenarios/walletTiers.js'
import {
  AccountFlag,
  HttpLedger,
  LedgerServer,
  createLedger,
  ledgerNames,
  type AccountBatch,
  type LedgerCore,
  type LedgerOptions,
  type TransferBatch,
  type WalletTierLimits,
} from '../../../../engine/ledger/index.js'

export type { Adapter } from './adapter.js'

/**
 * Every registered ledger, each against every server it is tried on. The suite runs once per
 * adapter. Embedded ledgers come from the registry; a networked one from its target below: the
 * http adapter against the reference server (`citytwin ledger-server`) over the memory ledger, a
 * server of its own per ledger on a free port of 127.0.0.1. A target whose server is missing gives
 * no adapters outside CI (saying in one line what to install) and fails the suite in CI.
 */
const networked: Readonly<Record<string, () => Promise<readonly Adapter[]>>> = {
  http: async () => [{ name: 'http', create: httpLedger }],
  postgres: () => postgresAdapters(unavailable),
  redis: () => redisAdapters(unavailable),
}

export const adapters: readonly Adapter[] = await gatherAdapters()

async function gatherAdapters(): Promise<Adapter[]> {
  const gathered: Adapter[] = []
  for (const name of ledgerNames) {
    const target = Object.hasOwn(networked, name) ? networked[name] : undefined
    if (target === undefined)
      gathered.push({ name, create: (options: LedgerOptions) => createLedger(name, options) })
    else gathered.push(...(await target()))
  }
  return gathered
}

/**
 * A target whose server is not here: fails in CI, where every suite runs; elsewhere skips with one
 * line.
 */
export function unavailable(ledger: string, why: string, install: string): readonly Adapter[] {
  if (process.env.CI === 'true')
    throw new Error(
      `the ${ledger} ledger's conformance suite cannot run: ${why} (CI runs every suite)`,
    )
  console.warn(`${ledger} ledger: conformance suite skipped: ${why}; to run it: ${install}`)
  return []
}

/**
 * The http adapter against the reference server, or against the service at CITYTWIN_HTTP_LEDGER_URL
 * with the token in CITYTWIN_LEDGER_TOKEN, if it needs one (your own: run the suite one file at a
 * time, `--no-file-parallelism`, as each test opens a ledger).
 */
function httpLedger(options: LedgerOptions): LedgerCore {
  const url = process.env.CITYTWIN_HTTP_LEDGER_URL
  const token = process.env.CITYTWIN_LEDGER_TOKEN
  return url === undefined || url === ''
    ? new ServedHttpLedger(options)
    : new HttpLedger(options, url, token === undefined || token === '' ? {} : { token })
}

/** The token of the reference servers the tests start. */
export const testLedgerToken = 'conformance-test-token'

/** The http adapter with its own reference server, started at open and stopped at close. */
class ServedHttpLedger implements LedgerCore {
  readonly name = 'http'
  private server: LedgerServer | undefined
  private client: HttpLedger | undefined

  constructor(private readonly options: LedgerOptions) {}

  async open(): Promise<void> {
    this.server = await LedgerServer.start({
      host: '127.0.0.1',
      port: 0,
      token: testLedgerToken,
      backend: (options) => createLedger('memory', options),
    })
    this.client = new HttpLedger(this.options, this.server.url, { token: testLedgerToken })
    await this.client.open()
  }

  createAccounts(batch: AccountBatch): ReturnType<LedgerCore['createAccounts']> {
    return this.opened().createAccounts(batch)
  }

  submit(batch: TransferBatch): ReturnType<LedgerCore['submit']> {
    return this.opened().submit(batch)
  }

  lookup(ids: Uint32Array): ReturnType<LedgerCore['lookup']> {
    return this.opened().lookup(ids)
  }

  totals(): ReturnType<LedgerCore['totals']> {
    return this.opened().totals()
  }

  async close(): Promise<void> {
    await this.client?.close()
    await this.server?.close()
  }

  private opened(): HttpLedger {
    if (this.client === undefined) throw new Error('open the ledger first')
    return this.client
  }
}

/**
 * Tier 0 is the unlimited tier of institutions; 1..4 are the product's defaults, the limits an
 * operating bank published in its 2020 wallet agreement (the plan test checks those numbers).
 */
export const tiers: readonly WalletTierLimits[] = [
  { balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 },
  ...[1, 2, 3, 4].map((tier) => publishedTierLimits[tier] as WalletTierLimits),
]

export const utcOffsetMinutes = 8 * 60
export {
  accounts,
  dayMinutes,
  mondayMinute,
  transfers,
  type AccountRow,
  type TransferRow,
} from '../../../helpers/batches.js'
import { accounts, transfers, type AccountRow, type TransferRow } from '../../../helpers/batches.js'

export interface OpenOptions {
  readonly accountsMax?: number
  readonly pendingMax?: number
}

/** A ledger opened with `rows` created (each must be created), closed by the caller. */
export async function openLedger(
  adapter: Adapter,
  rows: readonly AccountRow[],
  options: OpenOptions = {},
): Promise<LedgerCore> {
  const ledger = adapter.create({
    accountsMax: options.accountsMax ?? 64,
    tiers,
    utcOffsetMinutes,
    pendingMax: options.pendingMax,
  })
  await ledger.open()
  if (rows.length > 0) {
    const { code } = await ledger.createAccounts(accounts(rows))
    if (code.some((value) => value !== 0))
      throw new Error(`accounts not created: ${[...code].join(',')}`)
  }
  return ledger
}

export async function submitCodes(
  ledger: LedgerCore,
  rows: readonly TransferRow[],
): Promise<number[]> {
  return [...(await ledger.submit(transfers(rows))).code]
}

export async function balances(ledger: LedgerCore, ids: readonly number[]): Promise<number[]> {
  return [...(await ledger.lookup(Uint32Array.from(ids))).balanceFen]
}

export { AccountFlag }
