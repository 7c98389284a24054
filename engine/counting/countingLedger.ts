/**
 * The one place a run's results are counted: every call, the payments' and the institutions',
 * goes through it, and each answered call is counted once, in the order the calls were sent, for
 * the summary and the audit (TransferCounters), the districts (DistrictCounters) and the digest.
 *
 *   executor ──payments()────┐
 *   evening, opening ─institutions()─┴─▶ CountingLedger ─▶ ledger
 *                                            └─ on each answer, in order: counters, districts, digest
 *
 * A call that fails is not counted: its sender sees the failure (a flat-out run fails; the open
 * model counts its transfers as errors). Counting itself failing is a broken invariant of ours,
 * kept and thrown by `settled()`.
 */
import type { BankFlows } from './bankFlows.js'
import type { MerchantCounters } from './merchantCounters.js'
import type { MixCounters } from './mixCounters.js'
import type { RidershipCounters } from './ridership.js'
import type { MinuteBreakdown } from './minuteBreakdown.js'
import {
  resultCodeCount,
  type LedgerCore,
  type TransferBatch,
  type TransferResults,
} from '../ledger/index.js'
import type { TransferCounters } from '../metrics/transferCounters.js'
import type { CallRole, RunDigest } from './digests.js'
import type { DistrictCounters } from './districtCounters.js'

export class CountingLedger {
  /** The city's payments answered so far (the institutions' transfers are not among them). */
  paymentsAnswered = 0
  /**
   * The institutions' transfers answered so far by result code: the few beside the city's payments
   * (paymentCodes is all of them less these), so the payments' hot path counts nothing more.
   */
  private readonly institutionCodes = new Float64Array(resultCodeCount)
  private counting: Promise<void> = Promise.resolve()
  private failure: Error | undefined
  private readonly views: Record<CallRole, LedgerCore>

  constructor(
    private readonly ledger: LedgerCore,
    readonly counters: TransferCounters,
    readonly districts: DistrictCounters,
    private readonly runDigest: RunDigest,
    /** Deposits to e-CNY and back, by operating bank. */
    readonly banks?: BankFlows,
    /** Payments a minute by district and kind, when asked. */
    readonly minutes?: MinuteBreakdown,
    /** Retail by merchant size, and the merchants accepting e-CNY. */
    readonly merchants?: MerchantCounters,
    /** Payments by channel and provider, and the two-phase ones by kind. */
    readonly mix?: MixCounters,
    /** Metro taps by station and line, and bus rides (a city with its real metro). */
    readonly ridership?: RidershipCounters,
  ) {
    this.views = { payments: this.view('payments'), institutions: this.view('institutions') }
  }

  /** The ledger as the city's payments see it. */
  get payments(): LedgerCore {
    return this.views.payments
  }

  /** The ledger as the institutions (the opening, the evenings) see it. */
  get institutions(): LedgerCore {
    return this.views.institutions
  }

  /** The run's digest, hex, once every call is counted. */
  digest(): string {
    return this.runDigest.hex()
  }

  /** Waits until every call answered so far is counted; throws if counting failed. */
  async settled(): Promise<void> {
    await this.counting
    if (this.failure !== undefined) throw this.failure
  }

  private submit(batch: TransferBatch, role: CallRole): Promise<TransferResults> {
    const call = this.ledger.submit(batch)
    this.runDigest.sent(batch, role)
    const counted = this.counting.then(() =>
      call.then(
        (results) => this.count(batch, results, role),
        () => undefined,
      ),
    )
    this.counting = counted.catch((error: unknown) => {
      this.failure ??= error instanceof Error ? error : new Error(String(error))
    })
    // The institutions fill one batch again as soon as its call is answered (the evening's slices):
    // they hear the answer only once it is counted, or the count would read the next slice. The
    // payments' batches are the stream's and stay as sent, and their answer times are latencies.
    return role === 'institutions' ? counted.then(() => call) : call
  }

  private count(batch: TransferBatch, results: TransferResults, role: CallRole): void {
    this.counters.count(batch, results.code)
    this.districts.count(batch, results.code)
    this.banks?.count(batch, results.code)
    // The city's payments only: the opening's and the evenings' transfers are not its demand.
    if (role === 'payments') {
      this.minutes?.count(batch)
      this.merchants?.count(batch, results.code)
      this.mix?.count(batch, results.code)
      this.ridership?.count(batch, results.code)
    }
    this.runDigest.counted(batch, results.code)
    if (role === 'payments') {
      this.paymentsAnswered += batch.count
      return
    }
    for (let index = 0; index < batch.count; index++) {
      const code = results.code[index] as number
      this.institutionCodes[code] = (this.institutionCodes[code] as number) + 1
    }
  }

  /**
   * The city's payments answered so far by result code (indexed by ResultCode): what the people
   * watching a run count rejections against, without the institutions' transfers.
   */
  paymentCodes(): Float64Array {
    const codes = this.counters.codes()
    this.institutionCodes.forEach((count, code) => (codes[code] = (codes[code] as number) - count))
    return codes
  }

  private view(role: CallRole): LedgerCore {
    const { ledger } = this
    const health = ledger.health?.bind(ledger)
    return {
      name: ledger.name,
      ...(health === undefined ? {} : { health }),
      open: () => ledger.open(),
      createAccounts: (batch) => ledger.createAccounts(batch),
      submit: (batch) => this.submit(batch, role),
      lookup: (ids) => ledger.lookup(ids),
      totals: () => ledger.totals(),
      close: () => ledger.close(),
    }
  }
}
