/**
 * The audit at a run's end, through the ledger interface only:
 *   conservation  every balance but the central bank's adds up to what it issued less what it
 *                 took back, the central bank holds the negative of that, no other balance is
 *                 below zero
 *   double entry  the ledger's own debit and credit totals by kind, each equal to what its result
 *                 codes accepted, nothing left reserved
 * A failure fails the run.
 */
import {
  balancesBySlice,
  transferKinds,
  type LedgerCore,
  type LedgerTotals,
  type TransferKindName,
} from '../ledger/index.js'
import type { TransferCounters } from '../metrics/transferCounters.js'
import type { Plan } from '../plan/index.js'
import type { RunSummary } from './summary.js'

export async function auditConservation(
  ledger: LedgerCore,
  plan: Plan,
  counters: TransferCounters,
): Promise<RunSummary['conservation']> {
  let balancesFen = 0
  let negativeBalances = 0
  let issuerBalanceFen = 0
  await balancesBySlice(
    ledger,
    plan.accounts.count,
    (account) => account,
    (from, balances) => {
      for (let index = 0; index < balances.length; index++) {
        const balance = balances[index] as number
        if (from + index === plan.accounts.issuer) {
          issuerBalanceFen = balance
          continue
        }
        balancesFen += balance
        if (balance < 0) negativeBalances += 1
      }
    },
  )
  const inCirculationFen = counters.issuedFen - counters.redeemedFen
  const ok =
    Number.isSafeInteger(balancesFen) &&
    balancesFen === inCirculationFen &&
    issuerBalanceFen === -inCirculationFen &&
    negativeBalances === 0
  return {
    ok,
    issuedFen: counters.issuedFen,
    redeemedFen: counters.redeemedFen,
    balancesFen,
    negativeBalances,
  }
}

/**
 * Each kind's debits, credits and accepted amounts agree, and nothing is left reserved. Runs submit
 * plain transfers only, so an accepted transfer posts exactly its amount; once runs make pending
 * transfers and posts, the accepted side must count what posts settle (0 = the whole reservation).
 */
export function auditEntries(
  totals: LedgerTotals,
  counters: TransferCounters,
): RunSummary['doubleEntry'] {
  const accepted = counters.byKind()
  let ok = totals.pendingCount === 0 && totals.pendingFen === 0
  const byKind = {} as Record<
    TransferKindName,
    { debitsFen: number; creditsFen: number; acceptedFen: number }
  >
  transferKinds.forEach((kind, index) => {
    const debitsFen = totals.debitsFen[index] as number
    const creditsFen = totals.creditsFen[index] as number
    const acceptedFen = accepted[kind].amountFen
    if (debitsFen !== creditsFen || debitsFen !== acceptedFen) ok = false
    byKind[kind] = { debitsFen, creditsFen, acceptedFen }
  })
  return { ok, byKind, pendingFen: totals.pendingFen }
}
