/**
 * The embedded ledger and the reference every other adapter is checked against: a single-writer
 * state machine over typed arrays. It never reads a clock: the simulated minute of each transfer
 * says which day and year its limits count against.
 */
import { assert } from '../../assert.js'
import { accountsMax as accountsLimit, transferAmountFenMax } from '../../limits.js'
import { localDay, yearOfDay } from '../../time/simClock.js'
import {
  AccountFlag,
  type AccountBatch,
  type AccountResults,
  type Balances,
  type LedgerCore,
  type LedgerOptions,
  type TransferBatch,
  type TransferResults,
  type WalletTierLimits,
} from '../ledgerCore.js'
import { ResultCode } from '../resultCode.js'

const noDay = -1

export class MemoryLedger implements LedgerCore {
  readonly name = 'memory'
  private readonly accountsMax: number
  private readonly tierCount: number
  /** Per tier: [balanceCap, perPayment, perDay, perYear], 0 = unlimited. */
  private readonly tierLimits: Float64Array
  private readonly utcOffsetMinutes: number

  private exists = new Uint8Array(0)
  private flags = new Uint8Array(0)
  private tier = new Uint8Array(0)
  /** Integer fen, exact in float64 below 2^53. */
  private balanceFen = new Float64Array(0)
  /** Spent today and this year, reset lazily when the account's day or year changes. */
  private spentDayFen = new Float64Array(0)
  private spentYearFen = new Float64Array(0)
  private spentDay = new Int32Array(0)
  private spentYear = new Int32Array(0)
  private opened = false
  /** Last day seen and its year: the calendar is computed once per day, not per transfer. */
  private cachedDay = noDay
  private cachedYear = 0

  constructor(options: LedgerOptions) {
    assert(options.accountsMax > 0 && options.accountsMax <= accountsLimit, 'accountsMax within limits')
    assert(options.tiers.length >= 1, 'the tier table has the unlimited tier 0')
    this.accountsMax = options.accountsMax
    this.tierCount = options.tiers.length
    this.tierLimits = new Float64Array(options.tiers.length * 4)
    options.tiers.forEach((limits: WalletTierLimits, index) => {
      this.tierLimits.set([limits.balanceCapFen, limits.perPaymentFen, limits.perDayFen, limits.perYearFen], index * 4)
    })
    this.utcOffsetMinutes = options.utcOffsetMinutes
  }

  async open(): Promise<void> {
    assert(!this.opened, 'open once')
    const n = this.accountsMax
    this.exists = new Uint8Array(n)
    this.flags = new Uint8Array(n)
    this.tier = new Uint8Array(n)
    this.balanceFen = new Float64Array(n)
    this.spentDayFen = new Float64Array(n)
    this.spentYearFen = new Float64Array(n)
    this.spentDay = new Int32Array(n).fill(noDay)
    this.spentYear = new Int32Array(n).fill(noDay)
    this.opened = true
  }

  async createAccounts(batch: AccountBatch): Promise<AccountResults> {
    assert(this.opened, 'open before use')
    const code = new Uint8Array(batch.count)
    for (let index = 0; index < batch.count; index++) {
      const id = batch.id[index] as number
      const tier = batch.tier[index] as number
      assert(tier < this.tierCount, 'an account tier is in the tier table')
      if (id >= this.accountsMax) code[index] = 2
      else if (this.exists[id] === 1) code[index] = 1
      else {
        this.exists[id] = 1
        this.flags[id] = batch.flags[index] as number
        this.tier[id] = tier
      }
    }
    return { code }
  }

  async submit(batch: TransferBatch): Promise<TransferResults> {
    assert(this.opened, 'open before use')
    const code = new Uint8Array(batch.count)
    for (let index = 0; index < batch.count; index++) {
      code[index] = this.apply(batch.debit[index] as number, batch.credit[index] as number, batch.amountFen[index] as number, batch.minute[index] as number)
    }
    return { code }
  }

  async lookup(ids: Uint32Array): Promise<Balances> {
    assert(this.opened, 'open before use')
    const balanceFen = new Float64Array(ids.length)
    for (let index = 0; index < ids.length; index++) {
      const id = ids[index] as number
      balanceFen[index] = id < this.accountsMax ? (this.balanceFen[id] as number) : 0
    }
    return { balanceFen }
  }

  async close(): Promise<void> {
    this.opened = false
  }

  /** One transfer: every check, then both sides move, or nothing does. */
  private apply(debit: number, credit: number, amountFen: number, minute: number): number {
    if (debit >= this.accountsMax || credit >= this.accountsMax || this.exists[debit] !== 1 || this.exists[credit] !== 1) {
      return ResultCode.unknown_account
    }
    if (debit === credit) return ResultCode.same_account
    if (amountFen <= 0 || amountFen > transferAmountFenMax || !Number.isInteger(amountFen)) return ResultCode.invalid_amount

    const payerTier = this.tier[debit] as number
    const day = localDay(minute, this.utcOffsetMinutes)
    if (payerTier !== 0) {
      const limits = payerTier * 4
      const perPayment = this.tierLimits[limits + 1] as number
      const perDay = this.tierLimits[limits + 2] as number
      const perYear = this.tierLimits[limits + 3] as number
      if (perPayment > 0 && amountFen > perPayment) return ResultCode.per_payment_limit
      if (this.spentDay[debit] !== day) {
        this.spentDay[debit] = day
        this.spentDayFen[debit] = 0
      }
      if (perDay > 0 && (this.spentDayFen[debit] as number) + amountFen > perDay) return ResultCode.daily_limit
      const year = this.yearOf(day)
      if (this.spentYear[debit] !== year) {
        this.spentYear[debit] = year
        this.spentYearFen[debit] = 0
      }
      if (perYear > 0 && (this.spentYearFen[debit] as number) + amountFen > perYear) return ResultCode.yearly_limit
    }
    const payerBalance = this.balanceFen[debit] as number
    if (payerBalance < amountFen && ((this.flags[debit] as number) & AccountFlag.issuer) === 0) return ResultCode.insufficient_funds

    const payeeTier = this.tier[credit] as number
    const payeeBalance = this.balanceFen[credit] as number
    if (payeeTier !== 0) {
      const cap = this.tierLimits[payeeTier * 4] as number
      if (cap > 0 && payeeBalance + amountFen > cap) return ResultCode.balance_cap
    }

    const payerAfter = payerBalance - amountFen
    const payeeAfter = payeeBalance + amountFen
    // Both sides move by the same whole amount, and stay exact in a float64.
    assert(Number.isSafeInteger(payerAfter) && Number.isSafeInteger(payeeAfter), 'balances stay exact integers of fen')
    this.balanceFen[debit] = payerAfter
    this.balanceFen[credit] = payeeAfter
    if (payerTier !== 0) {
      this.spentDayFen[debit] = (this.spentDayFen[debit] as number) + amountFen
      this.spentYearFen[debit] = (this.spentYearFen[debit] as number) + amountFen
    }
    return ResultCode.ok
  }

  private yearOf(day: number): number {
    if (day !== this.cachedDay) {
      this.cachedDay = day
      this.cachedYear = yearOfDay(day)
    }
    return this.cachedYear
  }
}
