/**
 * The two tiers, measured: money moving between each operating bank's deposits and the e-CNY its
 * customers hold. A top-up (kind topup, paid by the bank) turns a customer's deposit into e-CNY; a
 * merchant's redemption (kind redeem, paid to the bank) turns e-CNY back into a deposit. The
 * opening's top-ups (every wallet's first balance) are kept apart from the day's, and the top-ups
 * of employers' payroll funds apart from residents' wallets.
 */
import { ResultCode, TransferKind, type TransferBatch } from '../ledger/index.js'
import type { AccountLayout } from '../plan/plan.js'

export interface BankFlowFigures {
  readonly bank: string
  /** Deposits turned into residents' e-CNY by the opening's top-ups, fen. */
  readonly openingToWalletsFen: number
  /** Deposits turned into residents' e-CNY by the period's top-ups (their own and nightly), fen. */
  readonly toWalletsFen: number
  /**
   * Deposits turned into employers' payroll funds: the opening's (a day's payroll) and the period's
   * evening refills, fen. Absent in summaries written before them, whose wallet figures hold them.
   */
  readonly openingToEmployersFen?: number
  readonly toEmployersFen?: number
  /** e-CNY turned back into deposits by redemptions, fen. */
  readonly toDepositsFen: number
  /**
   * The deposit book: its customers' deposits when the run opened and at its end, fen. Absent in
   * summaries written before it, and in BankFlows' own figures (the ledger holds them).
   */
  readonly depositsOpenedFen?: number
  readonly depositsHeldFen?: number
}

export class BankFlows {
  private readonly opening: Float64Array
  private readonly toWallets: Float64Array
  private readonly toDeposits: Float64Array
  private readonly openingToEmployers: Float64Array
  private readonly toEmployers: Float64Array
  /** What the deposit book has been told of so far (settle()). */
  private readonly settledToEcny: Float64Array
  private readonly settledToDeposits: Float64Array
  private opened = false

  constructor(
    private readonly names: readonly string[],
    private readonly accounts: AccountLayout,
  ) {
    this.opening = new Float64Array(names.length)
    this.toWallets = new Float64Array(names.length)
    this.toDeposits = new Float64Array(names.length)
    this.openingToEmployers = new Float64Array(names.length)
    this.toEmployers = new Float64Array(names.length)
    this.settledToEcny = new Float64Array(names.length)
    this.settledToDeposits = new Float64Array(names.length)
  }

  /**
   * Per bank, what turned into e-CNY and back since the last call: the deposit book's next
   * settlement. Counts only answered transfers, so call it once the calls it covers are counted.
   */
  settle(): { toEcnyFen: number[]; toDepositsFen: number[] } {
    const toEcnyFen = this.names.map((_, bank) => {
      const total =
        (this.opening[bank] as number) +
        (this.toWallets[bank] as number) +
        (this.openingToEmployers[bank] as number) +
        (this.toEmployers[bank] as number)
      const due = total - (this.settledToEcny[bank] as number)
      this.settledToEcny[bank] = total
      return due
    })
    const toDepositsFen = this.names.map((_, bank) => {
      const total = this.toDeposits[bank] as number
      const due = total - (this.settledToDeposits[bank] as number)
      this.settledToDeposits[bank] = total
      return due
    })
    return { toEcnyFen, toDepositsFen }
  }

  /** The opening is done: top-ups from now on are the period's. */
  openingDone(): void {
    this.opened = true
  }

  count(batch: TransferBatch, code: Uint8Array): void {
    const { bankFirst, bankCount, employerFirst, employerCount } = this.accounts
    const { visitorFirst, visitorCount } = this.accounts
    for (let index = 0; index < batch.count; index++) {
      if (code[index] !== ResultCode.ok) continue
      const kind = batch.kind[index]
      if (kind === TransferKind.topup) {
        const bank = (batch.debit[index] as number) - bankFirst
        if (bank < 0 || bank >= bankCount) continue
        // Visitors top up from foreign cards: no deposit of the bank's customers is given up.
        const visitor = (batch.credit[index] as number) - visitorFirst
        if (visitor >= 0 && visitor < visitorCount) continue
        const employer = (batch.credit[index] as number) - employerFirst
        const toEmployer = employer >= 0 && employer < employerCount
        const into = toEmployer
          ? this.opened
            ? this.toEmployers
            : this.openingToEmployers
          : this.opened
            ? this.toWallets
            : this.opening
        into[bank] = (into[bank] as number) + (batch.amountFen[index] as number)
      } else if (kind === TransferKind.redeem) {
        const bank = (batch.credit[index] as number) - bankFirst
        if (bank < 0 || bank >= bankCount) continue
        this.toDeposits[bank] =
          (this.toDeposits[bank] as number) + (batch.amountFen[index] as number)
      }
    }
  }

  figures(): BankFlowFigures[] {
    return this.names.map((bank, index) => ({
      bank,
      openingToWalletsFen: this.opening[index] as number,
      toWalletsFen: this.toWallets[index] as number,
      toDepositsFen: this.toDeposits[index] as number,
      openingToEmployersFen: this.openingToEmployers[index] as number,
      toEmployersFen: this.toEmployers[index] as number,
    }))
  }
}
