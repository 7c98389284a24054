/**
 * Ledger adapters by name. `citytwin run --ledger <name>` looks here; an unknown name is a user
 * error that lists the known ones.
 */
import { UserError } from '../errors.js'
import type { LedgerCore, LedgerOptions } from './ledgerCore.js'
import { MemoryLedger } from './memory/memoryLedger.js'

type LedgerFactory = (options: LedgerOptions) => LedgerCore

const ledgers: Record<string, LedgerFactory> = {
  memory: (options) => new MemoryLedger(options),
}

export const ledgerNames: readonly string[] = Object.keys(ledgers)

export function createLedger(name: string, options: LedgerOptions): LedgerCore {
  const factory = Object.hasOwn(ledgers, name) ? ledgers[name] : undefined
  if (factory === undefined) throw new UserError(`--ledger: unknown ledger "${name}" (known: ${ledgerNames.join(', ')})`)
  return factory(options)
}
