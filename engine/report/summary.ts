/**
 * What a run reports: the figures the CLI prints, `--json` emits and `summary.json` keeps.
 * Aggregates only: no row of it describes one resident.
 */
import type { ResultCodeName, TransferKindName } from '../ledger/index.js'

export interface KindFigures {
  submitted: number
  accepted: number
  rejected: number
  /** Accepted amount, fen. */
  amountFen: number
}

export interface RunSummary {
  readonly scenario: string
  readonly seed: number
  /** sha256 of the ordered transfer stream and its result codes. */
  readonly digest: string
  /** `flat-out`: ticks run as fast as they go; the intents and, on the memory ledger, the outcomes are reproducible. */
  readonly mode: 'flat-out'
  readonly ledger: string
  readonly workers: number
  readonly scale: number
  readonly agents: {
    readonly residents: number
    readonly adopted: number
    readonly merchants: number
    readonly riders: number
    readonly institutions: number
  }
  readonly simulated: { readonly from: string; readonly to: string; readonly minutes: number }
  readonly transfers: {
    readonly submitted: number
    readonly accepted: number
    readonly rejected: number
    readonly byKind: Record<TransferKindName, KindFigures>
    readonly byReason: Partial<Record<ResultCodeName, number>>
  }
  /**
   * The city's payment demand over the period: payments submitted per simulated hour, and the
   * busiest minute. Payments are what residents and employers do in the day (retail, transit,
   * bills, payroll, P2P, top-ups); the institutions' transfers of the opening and the evenings
   * are left out.
   */
  readonly demand: {
    /** Payments per simulated hour, counted from the start of the period. */
    readonly perHour: readonly number[]
    readonly peakPerMinute: number
    readonly peakAt: string
  }
  readonly wallSeconds: number
  readonly phases: { readonly synthesisSeconds: number; readonly simulationSeconds: number; readonly auditSeconds: number }
  readonly throughput: { readonly transfersPerSecond: number }
  readonly conservation: {
    readonly ok: boolean
    /** Issued by the central bank (kind `issue`). */
    readonly issuedFen: number
    /** Returned to the central bank and so out of circulation (kind `retire`). */
    readonly redeemedFen: number
    readonly balancesFen: number
    readonly negativeBalances: number
  }
  /**
   * Double entry, by kind: what the ledger itself posted on the debit side and on the credit side,
   * each summed apart, against the amounts its result codes reported accepted. All three agree
   * for every kind, and no pending transfer is left holding money, or `ok` is false.
   */
  readonly doubleEntry: {
    readonly ok: boolean
    readonly byKind: Record<TransferKindName, { readonly debitsFen: number; readonly creditsFen: number; readonly acceptedFen: number }>
    readonly pendingFen: number
  }
}

export interface RunProgress {
  /** building: population synthesis; opening: accounts and first top-ups; running: the ticks; auditing: the conservation check. */
  readonly phase: 'building' | 'opening' | 'running' | 'auditing'
  readonly tick: number
  readonly ticks: number
  /** Local simulated time reached, ISO 8601. */
  readonly simulatedAt: string
  readonly submitted: number
  readonly accepted: number
  readonly rejected: number
  readonly wallSeconds: number
}
