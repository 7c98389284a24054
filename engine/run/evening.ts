/**
 * The end of a simulated day, in the steps of behaviour/institutions.ts; each step reads the
 * balances the last one left:
 *   1. redemptions of merchants', the transit operator's and utilities' takings, a slice at a time
 *   2. what each bank pays out tonight, and the central bank's issuance of any shortfall
 *   3. the payouts: nightly top-ups of low wallets, refills of employers' payroll funds
 *   4. retirement of what each bank holds beyond its float
 * Every call goes through the institutions' side of the counting ledger, its ids from the run's
 * one sequence, and is awaited before the next step reads balances.
 */
import { assert } from '../assert.js'
import type { AgentIndexBuffers } from '../behaviour/index.js'
import type { BankFlows } from '../counting/bankFlows.js'
import {
  depositSettlement,
  excessRetirements,
  nightlyTopups,
  payrollRefills,
  redemptions,
  shortfallIssues,
  sweptAccounts,
  type InstitutionNeeds,
} from '../behaviour/institutions.js'
import { balancesBySlice, lookupAll, type LedgerCore } from '../ledger/index.js'
import { lookupBatchMax, transferBatchMax } from '../limits.js'
import type { Plan } from '../plan/index.js'
import type { Population } from '../population/index.js'
import { TickBatch } from '../stream/tickBatch.js'
import type { TransferIds } from '../stream/transferIds.js'

export class Evening {
  private readonly swept: { ids: Uint32Array; bank: Uint8Array }
  private readonly bankIds: Uint32Array
  private readonly employerIds: Uint32Array
  /** Every adopted resident, segment by segment (the agent index's own order). */
  private readonly adopted: Uint32Array
  /** The evening's transfers, sent a slice at a time: never one batch per wallet of the city. */
  private readonly batch = new TickBatch(transferBatchMax)

  constructor(
    private readonly plan: Plan,
    private readonly population: Population,
    index: AgentIndexBuffers,
    private readonly needs: InstitutionNeeds,
    /** The institutions' side of the counting ledger. */
    private readonly ledger: LedgerCore,
    private readonly ids: TransferIds,
    /** The run's conversions by bank, which the deposit book follows. */
    readonly conversions: BankFlows,
    /** Accounts looked up (and so evening transfers made) per call to the ledger. */
    private readonly slice: number = lookupBatchMax,
  ) {
    assert(slice >= 1 && slice <= lookupBatchMax, 'an evening slice fits a lookup call')
    this.swept = sweptAccounts(plan, population)
    // A view on the shared index, not a copy; without nightly top-ups the evening never reads it.
    this.adopted = plan.nightlyTopupBelow > 0 ? new Uint32Array(index.adopted) : new Uint32Array(0)
    this.bankIds = Uint32Array.from(
      { length: plan.accounts.bankCount },
      (_, bank) => plan.accounts.bankFirst + bank,
    )
    this.employerIds = Uint32Array.from(
      { length: plan.accounts.employerCount },
      (_, district) => plan.accounts.employerFirst + district,
    )
  }

  /** The evening of the day whose last tick is `tick`. */
  async run(tick: number): Promise<void> {
    const { plan, batch } = this
    await this.redeem(tick)
    // Wallets are read here and again for the payouts rather than kept: a city's wallets are many
    // (flat out nothing moves them in between; under load the next day's payments may).
    const payoutFen = new Array<number>(plan.accounts.bankCount).fill(0)
    await this.eachWalletSlice((from, balances) => {
      nightlyTopups(
        plan,
        this.population,
        this.adopted.subarray(from, from + balances.length),
        balances,
        payoutFen,
        null,
      )
    })
    const refills = new TickBatch(plan.accounts.employerCount + 1)
    payrollRefills(
      plan,
      this.needs,
      await lookupAll(this.ledger, this.employerIds),
      payoutFen,
      refills,
    )
    const banks = await lookupAll(this.ledger, this.bankIds)
    batch.reset()
    shortfallIssues(plan, this.needs, banks, payoutFen, batch)
    await this.send(batch, tick)
    await this.eachWalletSlice(async (from, balances) => {
      batch.reset()
      nightlyTopups(
        plan,
        this.population,
        this.adopted.subarray(from, from + balances.length),
        balances,
        null,
        batch,
      )
      await this.send(batch, tick)
    })
    await this.send(refills, tick)
    batch.reset()
    excessRetirements(plan, this.needs, banks, payoutFen, batch)
    await this.send(batch, tick)
    await this.settleDeposits(tick)
  }

  /**
   * The deposit book takes in what turned into e-CNY and back since it last did: after the opening,
   * each evening and at the end of the run.
   */
  async settleDeposits(tick: number): Promise<void> {
    const { toEcnyFen, toDepositsFen } = this.conversions.settle()
    const batch = new TickBatch(2 * this.plan.accounts.bankCount + 16)
    depositSettlement(this.plan, toEcnyFen, toDepositsFen, batch)
    await this.send(batch, tick)
  }

  private async redeem(tick: number): Promise<void> {
    const { swept, batch } = this
    const bankFirst = this.plan.accounts.bankFirst
    await balancesBySlice(
      this.ledger,
      swept.ids.length,
      (index) => swept.ids[index] as number,
      async (from, balances) => {
        batch.reset()
        redemptions(swept, from, balances, bankFirst, batch)
        await this.send(batch, tick)
      },
      this.slice,
    )
  }

  private eachWalletSlice(
    use: (from: number, balances: Float64Array) => Promise<void> | void,
  ): Promise<void> {
    const walletOf = (index: number) =>
      this.plan.accounts.residentFirst + (this.adopted[index] as number)
    return balancesBySlice(this.ledger, this.adopted.length, walletOf, use, this.slice)
  }

  private send(batch: TickBatch, tick: number): Promise<void> {
    return sendBatch(this.ledger, this.ids, batch, this.plan.clock.startMinute + tick)
  }
}

/**
 * Sends all of `batch` in calls of at most `transferBatchMax`, ids stamped in order, and waits
 * until the ledger has answered every call (in order, for the counting ledger behind it).
 */
export async function sendBatch(
  ledger: LedgerCore,
  ids: TransferIds,
  batch: TickBatch,
  minute: number,
): Promise<void> {
  const calls: Promise<unknown>[] = []
  for (let from = 0, to = 0; from < batch.count; from = to) {
    to = batch.chainSafeEnd(from, Math.min(batch.count, from + transferBatchMax))
    const call = ledger.submit(batch.seal(ids.take(to - from), minute, from, to))
    // Awaited below; this only keeps it from being reported unhandled meanwhile.
    call.catch(() => undefined)
    calls.push(call)
  }
  await Promise.all(calls)
}
