/**
 * What a run reports: the figures the CLI prints, `--json` emits and `summary.json` keeps.
 * Aggregates only: no row of it describes one resident.
 */
import type { LedgerHealth, ResultCodeName, TransferKindName } from '../ledger/index.js'
import type { ThresholdResult } from '../load/threshold.js'
import type { DistrictFigures, HourlyFigures } from '../counting/districtCounters.js'
import type { PeopleFigures } from '../population/index.js'
import type { BankFlowFigures } from '../counting/bankFlows.js'
import type { MerchantFigures } from '../counting/merchantCounters.js'
import type { PaymentMix } from '../counting/mixCounters.js'
import type { Ridership } from '../counting/ridership.js'
import type { LatencyBucketCounts, LatencySummary } from '../metrics/latencyHistogram.js'
import type { KindFigures } from '../metrics/transferCounters.js'
import type { RunEvent } from './runCommand.js'

export type { KindFigures } from '../metrics/transferCounters.js'

/**
 * A row of districts' payments, with its simulated residents and planned wallet share (absent in
 * summaries written before them).
 */
export interface DistrictRow extends DistrictFigures {
  readonly residents?: number
  readonly adoption?: number
}

export interface RunSummary {
  readonly scenario: string
  readonly seed: number
  /** sha256 of the ordered transfer stream and its result codes. */
  readonly digest: string
  /**
   * `flat-out`: ticks run as fast as they go; the intents and, on the memory ledger, the outcomes
   * are reproducible, and the digest covers both. `load`: the open model sends the city's payments
   * at a target rate; the payments are reproducible and the digest covers them as made (without
   * results, which depend on timing).
   */
  readonly mode: 'flat-out' | 'load'
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
    /**
     * Payments answered by simulated hour, payer's district (those below the residents' floor
     * folded together) and kind: the cells with a payment (demand.csv, the report's heat-map).
     * Absent in summaries written before it.
     */
    readonly hourly?: HourlyFigures
  }
  /** Payments by the payer's district (residents by home, merchants by their own). */
  readonly districts: readonly DistrictRow[]
  readonly wallSeconds: number
  readonly phases: {
    readonly synthesisSeconds: number
    readonly simulationSeconds: number
    readonly auditSeconds: number
  }
  readonly throughput: { readonly transfersPerSecond: number }
  readonly conservation: {
    readonly ok: boolean
    /** Issued by the central bank (kind `issue`). */
    readonly issuedFen: number
    /** Returned to the central bank and so out of circulation (kind `retire`). */
    readonly redeemedFen: number
    readonly balancesFen: number
    readonly negativeBalances: number
    /**
     * The deposit book (banks' customers' deposits, apart from the e-CNY), all banks together; its
     * check is in `ok`. Absent in summaries written before it.
     */
    readonly deposits?: {
      readonly ok: boolean
      /** The customers' deposits when the run opened. */
      readonly openedFen: number
      /** Turned into e-CNY by top-ups (wallets' and employers'). */
      readonly toEcnyFen: number
      /** Turned back into deposits by redemptions. */
      readonly toDepositsFen: number
      /** Held at the end: opened − toEcny + toDeposits, if the book is right. */
      readonly heldFen: number
      readonly heldByBankFen: readonly number[]
    }
  }
  /**
   * Double entry, by kind: what the ledger itself posted on the debit side and on the credit side,
   * each summed apart, against the amounts its result codes reported accepted. All three agree
   * for every kind, and no pending transfer is left holding money, or `ok` is false.
   */
  readonly doubleEntry: {
    readonly ok: boolean
    readonly byKind: Record<
      TransferKindName,
      { readonly debitsFen: number; readonly creditsFen: number; readonly acceptedFen: number }
    >
    /** What pending transfers the ledger holds at the end reserve (open parking, parcels). */
    readonly pendingFen: number
    /** How many it holds, and what the run's results say they should reserve. */
    readonly pendingHeld?: number
    readonly pendingExpectedFen?: number
  }
  /**
   * Present when the run was stopped before its end, by a signal (`by`: SIGINT, SIGTERM): its
   * figures, the audit's included, cover what ran until then (`simulated`, and in load mode the
   * seconds sent), not the period planned. `reason` says so in words, for the table and the page.
   */
  readonly stoppedEarly?: { readonly by: string; readonly reason: string }
  /**
   * A networked ledger's failed attempts by class (timeout, refused, connection, server) and
   * recoveries.
   */
  readonly ledgerHealth?: LedgerHealth
  /** Present in load mode: the open model's figures. */
  readonly load?: LoadSection
  /**
   * Who the residents are, when the scenario has a people section: residents and wallet holders by
   * age band and income band, bank accounts, hard wallets.
   */
  readonly people?: PeopleFigures
  /**
   * The two tiers: by operating bank, deposits turned into e-CNY by the opening's top-ups and by
   * the period's, and e-CNY turned back into deposits by redemptions. Absent in older summaries.
   */
  readonly banks?: readonly BankFlowFigures[]
  /**
   * The merchants by size (largest first): how many, how many accept e-CNY, the retail payments
   * each size took. Absent in summaries written before it.
   */
  readonly merchants?: MerchantFigures
  /**
   * How the city paid: by channel (QR, tap, gate, auto-debit, online, face, credit), by wallet
   * provider (the e-CNY app, the banks' apps each apart, third-party apps, cards), and its
   * two-phase payments (parking, escrow) reserved, posted, voided and held. Absent in summaries
   * written before it.
   */
  readonly mix?: PaymentMix
  /** Metro taps by station and line, and bus rides, for a city with its real metro. */
  readonly ridership?: Ridership
}

export interface LoadSection {
  /** The profile as written, and its sort: a rate over wall time, or the city's own curve. */
  readonly profile: string
  readonly sort: 'rate' | 'realistic'
  /** How long the schedule ran (less than planned if a threshold stopped it). */
  readonly durationSeconds: number
  readonly plannedSeconds: number
  /** The threshold that stopped the run early (abortOnFail), if one did. */
  readonly abortedBy?: string
  readonly inFlightMax: number
  readonly targetTps: { readonly mean: number; readonly peak: number }
  /** Results per second of the schedule's duration. */
  readonly achievedTps: number
  readonly intended: number
  readonly sent: number
  /** Intended but never sent: the generator fell behind. */
  readonly dropped: number
  readonly completed: number
  /** Transfers whose call failed without a result. */
  readonly errors: number
  /** Still unanswered after the graceful stop. */
  readonly unanswered: number
  readonly rejected: number
  /** Largest miss of the target in any whole second after the first, %. */
  readonly pacingErrorPct: number
  /** From intended send time to result, over all transfers and by kind. */
  readonly latencyMs: {
    readonly overall: LatencySummary
    readonly byKind: Partial<Record<TransferKindName, LatencySummary>>
  }
  /**
   * The same latency as counts in fixed 1-2-5 buckets (10 µs to an hour), over all transfers and by
   * kind: the distribution's shape for a chart or a planner's own tools. Absent from summaries
   * written before it was kept.
   */
  readonly latencyHistogram?: LatencyBucketCounts
  /** From intended to actual send time. */
  readonly lateMs: LatencySummary
  /** Send lateness p99 beyond which the run is invalid. */
  readonly lateToleranceMs: number
  /** False when the generator fell behind: the figures are not those of the target load. */
  readonly valid: boolean
  readonly invalidReasons: readonly string[]
  readonly thresholds: readonly ThresholdResult[]
  readonly thresholdsOk: boolean
  /** Simulated time covered by the payments sent, and its speed against the wall clock. */
  readonly simulated: { readonly to: string; readonly minutes: number; readonly speed: number }
  /** Institutional evenings (redemptions, nightly top-ups) run beside the stream. */
  readonly evenings: number
  /** The scenario's period had no more payments for the profile: some were dropped for that. */
  readonly periodRanOut: boolean
  /**
   * What was done to the run from outside while it sent (the live map's controls, a stop), oldest
   * first; absent when nothing was. `eventsDropped` counts those past the bound, not kept.
   */
  readonly events?: readonly RunEvent[]
  readonly eventsDropped?: number
}

export type { LoadProgress, LoadSecond, RunProgress } from '../telemetry/events.js'
