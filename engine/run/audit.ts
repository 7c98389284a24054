/**
 * The audit at a run's end, through the ledger interface only:
 *   conservation  every e-CNY balance but the central bank's adds up to what it issued less what
 *                 it took back, the central bank holds the negative of that, no other balance is
 *                 below zero; and in the deposit book apart, each bank's customers hold what they
 *                 opened with less what they turned into e-CNY plus what they turned back
 *   double entry  the ledger's own debit and credit totals by kind, each equal to what its result
 *                 codes accepted, nothing left reserved
 * A failure fails the run.
 */
import {
  balancesBySlice,
  lookupAll,
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
  book: DepositBookExpected,
): Promise<RunSummary['conservation']> {
  const { issuer, depositFirst, liabilityFirst, bankCount } = plan.accounts
  const inBook = (account: number) =>
    account >= depositFirst && account < liabilityFirst + bankCount
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
        if (from + index === issuer) issuerBalanceFen = balance
        else if (!inBook(from + index)) {
          balancesFen += balance
          if (balance < 0) negativeBalances += 1
        }
      }
    },
  )
  const deposits = await auditDepositBook(ledger, plan, book)
  const inCirculationFen = counters.issuedFen - counters.redeemedFen
  const ok =
    Number.isSafeInteger(balancesFen) &&
    balancesFen === inCirculationFen &&
    issuerBalanceFen === -inCirculationFen &&
    negativeBalances === 0 &&
    deposits.ok
  return {
    ok,
    issuedFen: counters.issuedFen,
    redeemedFen: counters.redeemedFen,
    balancesFen,
    negativeBalances,
    deposits,
  }
}

/** What the deposit book must hold per bank: its opening deposits and the conversions since. */
export interface DepositBookExpected {
  readonly openedFen: readonly number[]
  /** Turned into e-CNY (top-ups of wallets and employers' funds), per bank. */
  readonly toEcnyFen: readonly number[]
  /** Turned back into deposits (redemptions), per bank. */
  readonly toDepositsFen: readonly number[]
}

/**
 * The deposit book, per bank: its customers' deposits are what they opened with, less what they
 * turned into e-CNY, plus what they turned back; never below zero; and the bank's liabilities are
 * their negative.
 */
async function auditDepositBook(
  ledger: LedgerCore,
  plan: Plan,
  book: DepositBookExpected,
): Promise<DepositBookAudit> {
  const { depositFirst, liabilityFirst, bankCount } = plan.accounts
  const ids = Uint32Array.from({ length: 2 * bankCount }, (_, index) =>
    index < bankCount ? depositFirst + index : liabilityFirst + index - bankCount,
  )
  const balances = await lookupAll(ledger, ids)
  let ok = true
  const heldFen: number[] = []
  for (let bank = 0; bank < bankCount; bank++) {
    const held = balances[bank] as number
    const owed = balances[bankCount + bank] as number
    const expected =
      (book.openedFen[bank] as number) -
      (book.toEcnyFen[bank] as number) +
      (book.toDepositsFen[bank] as number)
    if (held !== expected || held < 0 || held + owed !== 0) ok = false
    heldFen.push(held)
  }
  const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0)
  return {
    ok,
    openedFen: sum(book.openedFen),
    toEcnyFen: sum(book.toEcnyFen),
    toDepositsFen: sum(book.toDepositsFen),
    heldFen: sum(heldFen),
    heldByBankFen: heldFen,
  }
}

type DepositBookAudit = NonNullable<RunSummary['conservation']['deposits']>

/**
 * Each kind's debits, credits and posted amounts agree (what accepted plain transfers and posts
 * moved), and the reservations the ledger holds are those the run's results left: the pending
 * transfers accepted less those posted, voided or seen expired. A few may have expired unseen (a
 * post refused by an outage leaves its reservation to its deadline): the ledger may hold up to
 * that many fewer, never more.
 */
export function auditEntries(
  totals: LedgerTotals,
  counters: TransferCounters,
): RunSummary['doubleEntry'] {
  const accepted = counters.byKind()
  const held = counters.pendingHeld
  const reserved = counters.reservedFen
  let ok =
    totals.pendingCount <= held &&
    totals.pendingCount >= held - counters.pendingUnsure &&
    totals.pendingFen <= reserved &&
    totals.pendingFen >= reserved - counters.unsureFen
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
  return {
    ok,
    byKind,
    pendingFen: totals.pendingFen,
    pendingHeld: totals.pendingCount,
    pendingExpectedFen: reserved,
  }
}
