/**
 * A plain, synchronous reference model of the rules in engine/ledger/ledgerCore.ts: Maps and plain
 * objects, one transfer at a time, a deep copy to roll back a linked chain. The conformance suites
 * feed it the same calls as an adapter and expect the same codes, balances and totals.
 *
 * Where ledgerCore.ts leaves a choice, the model reads it as TigerBeetle would: - an account row is
 * checked for id_out_of_range, invalid_flags, invalid_tier, then exists (validation before the
 * existence check); - the linked bit links even when the transfer's other flags are invalid
 * (TigerBeetle reads `linked` before validating the event); - the expiry sweep before a chain's
 * first transfer happens whatever becomes of the chain, an open one included: it is not part of the
 * chain. The suites only feed it minutes that never go back; spending given back to "counters still
 * on the pending transfer's day and year" is modelled for time moving forward.
 */
import {
  AccountFlag,
  TransferFlag,
  accountFlagsKnown,
  transferFlagsKnown,
  type WalletTierLimits,
} from '../../../../engine/ledger/ledgerCore.js'
import {
  AccountResultCode,
  ResultCode,
  RestrictionResultCode,
} from '../../../../engine/ledger/resultCode.js'
import { TransferKind, transferKindCount } from '../../../../engine/ledger/transferKind.js'
import {
  restrictionMaskBits,
  restrictionMerchantsMax,
  restrictionsMax,
  transferAmountFenMax,
} from '../../../../engine/limits.js'
import { localDay, yearOfDay } from '../../../../engine/time/simClock.js'
import type { RestrictionRow } from '../../../helpers/batches.js'
import { mondayMinute, type AccountRow, type TransferRow } from './harness.js'

export interface ReferenceOptions {
  readonly accountsMax: number
  readonly tiers: readonly WalletTierLimits[]
  readonly utcOffsetMinutes: number
  readonly pendingMax: number
}

export interface ReferenceBalance {
  readonly balance: number
  readonly pendingDebit: number
  readonly pendingCredit: number
}

export interface ReferenceTotals {
  readonly debitsFen: number[]
  readonly creditsFen: number[]
  readonly pendingCount: number
  readonly pendingFen: number
}

/** A transfer with every column filled in (the harness's defaults for the rest). */
export type FullTransfer = Required<TransferRow>

export function fullTransfer(row: TransferRow): FullTransfer {
  return {
    kind: TransferKind.p2p,
    flags: 0,
    pendingId: 0,
    timeoutMinutes: 0,
    minute: mondayMinute + 600,
    ...row,
  }
}

interface Account {
  readonly tier: number
  readonly flags: number
  readonly category: number
  readonly district: number
  /** 0: an ordinary account. */
  readonly restriction: number
  readonly owner: number
  balance: number
  pendingDebit: number
  pendingCredit: number
  /** Spending counters: the local day (year) they are on, and what was spent on it. */
  spentDay: number
  spentDayFen: number
  spentYear: number
  spentYearFen: number
}

interface Pending {
  readonly debit: number
  readonly credit: number
  readonly kind: number
  readonly amount: number
  /** minute + timeoutMinutes; 0 = never. */
  readonly deadline: number
  /** Local day and year of the pending transfer's minute: where its spending was counted. */
  readonly day: number
  readonly year: number
  state: 'pending' | 'posted' | 'voided' | 'expired'
}

interface Restriction {
  readonly issuer: number
  readonly categories: number
  readonly districts: number
  readonly minSpendFen: number
  readonly validFrom: number
  readonly validUntil: number
  readonly merchants: Set<number>
  /** Its restricted accounts, in the order they were opened. */
  readonly accounts: number[]
  recovered: boolean
}

interface State {
  accounts: Map<number, Account>
  restrictions: Map<number, Restriction>
  /** Accepted transfer id -> its body: the ledger remembers every accepted id. */
  applied: Map<number, string>
  /** Every accepted pending transfer, by id, whatever became of it. */
  pendings: Map<number, Pending>
  /** Ids of the pending transfers held now. */
  held: Set<number>
  debitsFen: number[]
  creditsFen: number[]
}

const { ok } = ResultCode
const settleFlags = TransferFlag.pending | TransferFlag.postPending | TransferFlag.voidPending

/** The body compared for idempotency: everything but the id and the minute. */
function bodyOf(t: FullTransfer): string {
  return [t.debit, t.credit, t.amountFen, t.kind, t.flags, t.pendingId, t.timeoutMinutes].join(',')
}

export class ReferenceLedger {
  private state: State = {
    accounts: new Map(),
    restrictions: new Map(),
    applied: new Map(),
    pendings: new Map(),
    held: new Set(),
    debitsFen: new Array<number>(transferKindCount).fill(0),
    creditsFen: new Array<number>(transferKindCount).fill(0),
  }

  constructor(readonly options: ReferenceOptions) {}

  createAccounts(rows: readonly AccountRow[]): number[] {
    return rows.map((row) => {
      const tier = row.tier ?? 0
      const flags = row.flags ?? 0
      if (row.id >= this.options.accountsMax) return AccountResultCode.id_out_of_range
      if ((flags & ~accountFlagsKnown) !== 0) return AccountResultCode.invalid_flags
      if (tier >= this.options.tiers.length) return AccountResultCode.invalid_tier
      if (!this.validAttributes(row)) return AccountResultCode.invalid_attributes
      if (this.state.accounts.has(row.id)) return AccountResultCode.exists
      const restriction = row.restriction ?? 0
      if (restriction !== 0) this.state.restrictions.get(restriction)?.accounts.push(row.id)
      this.state.accounts.set(row.id, {
        tier,
        flags,
        category: row.category ?? 0,
        district: row.district ?? 0,
        restriction,
        owner: row.owner ?? 0,
        balance: 0,
        pendingDebit: 0,
        pendingCredit: 0,
        spentDay: -1,
        spentDayFen: 0,
        spentYear: -1,
        spentYearFen: 0,
      })
      return AccountResultCode.created
    })
  }

  /** A place on tier 0 only, within the masks; a restricted account as ledgerCore.ts says. */
  private validAttributes(row: AccountRow): boolean {
    const category = row.category ?? 0
    const district = row.district ?? 0
    const tier = row.tier ?? 0
    if (category >= restrictionMaskBits || district >= restrictionMaskBits) return false
    if ((category !== 0 || district !== 0) && tier !== 0) return false
    const restriction = row.restriction ?? 0
    if (restriction === 0) return true
    if (!this.state.restrictions.has(restriction) || tier !== 0 || (row.flags ?? 0) !== 0)
      return false
    const owner = this.state.accounts.get(row.owner ?? 0)
    return owner !== undefined && row.owner !== row.id && owner.restriction === 0
  }

  createRestrictions(rows: readonly RestrictionRow[]): number[] {
    return rows.map((row) => {
      const merchants = row.merchants ?? []
      if (row.id < 1 || row.id > restrictionsMax) return RestrictionResultCode.id_out_of_range
      if (!this.state.accounts.has(row.issuer)) return RestrictionResultCode.unknown_issuer
      if (row.validFrom >= row.validUntil) return RestrictionResultCode.invalid_window
      if (
        merchants.length > restrictionMerchantsMax ||
        !merchants.every((merchant) => this.state.accounts.has(merchant))
      )
        return RestrictionResultCode.unknown_merchant
      if (this.state.restrictions.has(row.id)) return RestrictionResultCode.exists
      this.state.restrictions.set(row.id, {
        issuer: row.issuer,
        categories: row.categories ?? 0xffff_ffff,
        districts: row.districts ?? 0xffff_ffff,
        minSpendFen: row.minSpendFen ?? 0,
        validFrom: row.validFrom,
        validUntil: row.validUntil,
        merchants: new Set(merchants),
        accounts: [],
        recovered: false,
      })
      return RestrictionResultCode.created
    })
  }

  submit(rows: readonly TransferRow[]): number[] {
    const batch = rows.map(fullTransfer)
    const codes = new Array<number>(batch.length).fill(-1)
    let start = 0
    while (start < batch.length) {
      // The chain is start..end: every transfer up to the first without the linked flag.
      let end = start
      while (end < batch.length && ((batch[end] as FullTransfer).flags & TransferFlag.linked) !== 0)
        end++
      // Expiry runs before each transfer that does not continue a chain: here, the chain's first.
      this.expire((batch[start] as FullTransfer).minute)
      if (end === batch.length) {
        // Still open at the end of the batch: nothing in it applies.
        for (let index = start; index < end; index++) codes[index] = ResultCode.linked_chain_open
        break
      }
      if (end === start) {
        codes[start] = this.apply(batch[start] as FullTransfer)
      } else {
        this.applyChain(batch.slice(start, end + 1)).forEach(
          (code, offset) => (codes[start + offset] = code),
        )
      }
      start = end + 1
    }
    return codes
  }

  lookup(ids: readonly number[]): ReferenceBalance[] {
    return ids.map((id) => {
      const account = this.state.accounts.get(id)
      return {
        balance: account?.balance ?? 0,
        pendingDebit: account?.pendingDebit ?? 0,
        pendingCredit: account?.pendingCredit ?? 0,
      }
    })
  }

  totals(): ReferenceTotals {
    let pendingFen = 0
    for (const id of this.state.held) pendingFen += (this.state.pendings.get(id) as Pending).amount
    return {
      debitsFen: [...this.state.debitsFen],
      creditsFen: [...this.state.creditsFen],
      pendingCount: this.state.held.size,
      pendingFen,
    }
  }

  /** The pending transfers held now (not posted, voided or expired). */
  held(): { id: number; debit: number; credit: number; kind: number; amount: number }[] {
    return [...this.state.held].map((id) => {
      const { debit, credit, kind, amount } = this.state.pendings.get(id) as Pending
      return { id, debit, credit, kind, amount }
    })
  }

  /**
   * All or nothing: ok everywhere applies; `exists` everywhere reports `exists`; otherwise nothing
   * applies, the first code neither ok nor `exists` (else the first `exists`) is kept and every
   * other transfer reports linked_event_failed. Nothing after the first such failure is evaluated.
   */
  private applyChain(chain: readonly FullTransfer[]): number[] {
    const saved = structuredClone(this.state)
    const codes: number[] = []
    for (const transfer of chain) {
      const code = this.apply(transfer)
      codes.push(code)
      if (code !== ok && code !== ResultCode.exists) break
    }
    if (codes.length === chain.length && codes.every((code) => code === ResultCode.exists))
      return codes
    if (codes.length === chain.length && codes.every((code) => code === ok)) return codes
    this.state = saved
    const hard = codes.findIndex((code) => code !== ok && code !== ResultCode.exists)
    const kept = hard >= 0 ? hard : codes.indexOf(ResultCode.exists)
    return chain.map((_, index) =>
      index === kept ? (codes[index] as number) : ResultCode.linked_event_failed,
    )
  }

  /** One transfer: the checks in ledgerCore.ts's order; state changes only when it is accepted. */
  private apply(t: FullTransfer): number {
    const { accounts, applied } = this.state
    const mode = t.flags & settleFlags
    // 1. Unknown bits, or more than one of pending / post / void.
    if ((t.flags & ~transferFlagsKnown) !== 0 || (mode !== 0 && (mode & (mode - 1)) !== 0))
      return ResultCode.invalid_flags
    // 2. Recovery is the ledger's own kind.
    if (t.kind >= transferKindCount || t.kind === TransferKind.recovery)
      return ResultCode.invalid_kind
    // 3. Only accepted transfers are remembered.
    const seen = applied.get(t.id)
    if (seen !== undefined)
      return seen === bodyOf(t) ? ResultCode.exists : ResultCode.exists_with_different_body
    // 4-6.
    const payer = accounts.get(t.debit)
    const payee = accounts.get(t.credit)
    if (payer === undefined || payee === undefined) return ResultCode.unknown_account
    if (t.debit === t.credit) return ResultCode.same_account
    if (((payer.flags | payee.flags) & AccountFlag.frozen) !== 0) return ResultCode.frozen
    // 7. Plain and pending: 1..max. Post and void: 0..max (a void's other amounts fail at step 8).
    const settles = mode === TransferFlag.postPending || mode === TransferFlag.voidPending
    if (t.amountFen > transferAmountFenMax || (!settles && t.amountFen < 1))
      return ResultCode.invalid_amount
    const restricted = payer.restriction !== 0 || payee.restriction !== 0
    let code: number
    if (settles) code = restricted ? ResultCode.restricted_account : this.settle(t, payer, payee)
    else if (restricted) code = this.restricted(t, payer, payee)
    else code = this.reserveOrMove(t, payer, payee)
    if (code === ok) applied.set(t.id, bodyOf(t))
    return code
  }

  /** 7a: a plain or pending transfer with a restricted account on a side. */
  private restricted(t: FullTransfer, payer: Account, payee: Account): number {
    if ((t.flags & TransferFlag.pending) !== 0) return ResultCode.restricted_account
    if (payer.restriction !== 0 && payee.restriction !== 0) return ResultCode.restricted_account
    if (payee.restriction !== 0) {
      const rule = this.state.restrictions.get(payee.restriction) as Restriction
      if (rule.issuer !== t.debit) return ResultCode.restricted_account
      if (t.minute >= rule.validUntil) return ResultCode.restriction_expired
      return this.reserveOrMove(t, payer, payee)
    }
    const rule = this.state.restrictions.get(payer.restriction) as Restriction
    // Its owner is the other payer of a purchase, so never its payee.
    if (payer.owner === t.credit) return ResultCode.restricted_account
    if (t.minute < rule.validFrom) return ResultCode.not_yet_valid
    if (t.minute >= rule.validUntil) return ResultCode.restriction_expired
    if (
      (rule.categories & (1 << payee.category)) === 0 ||
      (rule.merchants.size > 0 && !rule.merchants.has(t.credit))
    )
      return ResultCode.restricted_merchant
    if ((rule.districts & (1 << payee.district)) === 0) return ResultCode.outside_district
    if (t.amountFen < rule.minSpendFen) return ResultCode.below_minimum
    return this.purchase(t, payer, payee)
  }

  /** The value pays what it holds, the owner the rest, under the owner's own rules. */
  private purchase(t: FullTransfer, payer: Account, payee: Account): number {
    const value = Math.min(payer.balance, t.amountFen)
    const rest = t.amountFen - value
    const owner = this.state.accounts.get(payer.owner) as Account
    const day = localDay(t.minute, this.options.utcOffsetMinutes)
    const year = yearOfDay(day)
    if (rest > 0) {
      if ((owner.flags & AccountFlag.frozen) !== 0) return ResultCode.frozen
      const limited = this.checkLimits(owner, rest, day, year)
      if (limited !== ok) return limited
      const available = owner.balance - owner.pendingDebit
      if ((owner.flags & AccountFlag.issuer) === 0 && available < rest)
        return ResultCode.insufficient_funds
      if (available - rest < Number.MIN_SAFE_INTEGER) return ResultCode.overflows
    }
    const cap = (this.options.tiers[payee.tier] as WalletTierLimits).balanceCapFen
    if (payee.tier !== 0 && cap > 0 && payee.balance + payee.pendingCredit + t.amountFen > cap)
      return ResultCode.balance_cap
    if (payee.balance + payee.pendingCredit + t.amountFen > Number.MAX_SAFE_INTEGER)
      return ResultCode.overflows
    if (rest > 0) {
      owner.spentDayFen = (owner.spentDay === day ? owner.spentDayFen : 0) + rest
      owner.spentYearFen = (owner.spentYear === year ? owner.spentYearFen : 0) + rest
      owner.spentDay = day
      owner.spentYear = year
      this.move(owner, payee, rest, t.kind)
    }
    if (value > 0) this.move(payer, payee, value, t.kind)
    return ok
  }

  /** 9 for `payer` paying `amount` on local `day` of `year`. */
  private checkLimits(payer: Account, amount: number, day: number, year: number): number {
    if (payer.tier === 0) return ok
    const limits = this.options.tiers[payer.tier] as WalletTierLimits
    const spentToday = payer.spentDay === day ? payer.spentDayFen : 0
    const spentThisYear = payer.spentYear === year ? payer.spentYearFen : 0
    if (limits.perPaymentFen > 0 && amount > limits.perPaymentFen)
      return ResultCode.per_payment_limit
    if (limits.perDayFen > 0 && spentToday + amount > limits.perDayFen)
      return ResultCode.daily_limit
    if (limits.perYearFen > 0 && spentThisYear + amount > limits.perYearFen)
      return ResultCode.yearly_limit
    return ok
  }

  /**
   * 8. Post or void of the pending transfer `t.pendingId` (no pending transfer ever had it: not
   * found).
   */
  private settle(t: FullTransfer, payer: Account, payee: Account): number {
    const pending = this.state.pendings.get(t.pendingId)
    if (pending === undefined) return ResultCode.pending_not_found
    if (pending.state === 'posted') return ResultCode.pending_already_posted
    if (pending.state === 'voided') return ResultCode.pending_already_voided
    // Expired by a sweep, or due by this transfer's minute (inside a chain, no sweep ran).
    if (pending.state === 'expired' || (pending.deadline !== 0 && pending.deadline <= t.minute))
      return ResultCode.pending_expired
    if (pending.debit !== t.debit || pending.credit !== t.credit || pending.kind !== t.kind)
      return ResultCode.pending_mismatch
    const post = t.flags & TransferFlag.postPending
    if (
      post !== 0
        ? t.amountFen > pending.amount
        : t.amountFen !== 0 && t.amountFen !== pending.amount
    ) {
      return ResultCode.exceeds_pending_amount
    }
    // Accepted: the reservation goes; a post moves `amount` (0 = all) under the pending's kind.
    const posted = post === 0 ? 0 : t.amountFen === 0 ? pending.amount : t.amountFen
    this.release(t.pendingId, pending, posted)
    pending.state = post !== 0 ? 'posted' : 'voided'
    if (posted > 0) this.move(payer, payee, posted, pending.kind)
    return ok
  }

  /** 9-12, then a plain transfer moves money or a pending one reserves it. */
  private reserveOrMove(t: FullTransfer, payer: Account, payee: Account): number {
    const day = localDay(t.minute, this.options.utcOffsetMinutes)
    const year = yearOfDay(day)
    // 9. Tier 0 has no limits; a limit of 0 means none.
    const limited = this.checkLimits(payer, t.amountFen, day, year)
    if (limited !== ok) return limited
    // 10. The issuer may go negative.
    if (
      (payer.flags & AccountFlag.issuer) === 0 &&
      payer.balance - payer.pendingDebit < t.amountFen
    )
      return ResultCode.insufficient_funds
    // 11. Counting credits already reserved for the payee.
    const cap = (this.options.tiers[payee.tier] as WalletTierLimits).balanceCapFen
    if (payee.tier !== 0 && cap > 0 && payee.balance + payee.pendingCredit + t.amountFen > cap)
      return ResultCode.balance_cap
    // 12.
    const pending = (t.flags & TransferFlag.pending) !== 0
    if (pending && this.state.held.size >= this.options.pendingMax)
      return ResultCode.pending_capacity
    // 13. Nothing may pass what a float64 holds exactly; only the issuer's side can fall that far.
    if (payee.balance + payee.pendingCredit + t.amountFen > Number.MAX_SAFE_INTEGER)
      return ResultCode.overflows
    if (payer.balance - payer.pendingDebit - t.amountFen < Number.MIN_SAFE_INTEGER)
      return ResultCode.overflows
    if (pending && payer.pendingDebit + t.amountFen > Number.MAX_SAFE_INTEGER)
      return ResultCode.overflows

    // Accepted. Spending grows (counters move to this day and year), for pending transfers too.
    payer.spentDayFen = (payer.spentDay === day ? payer.spentDayFen : 0) + t.amountFen
    payer.spentYearFen = (payer.spentYear === year ? payer.spentYearFen : 0) + t.amountFen
    payer.spentDay = day
    payer.spentYear = year
    if (!pending) {
      this.move(payer, payee, t.amountFen, t.kind)
      return ok
    }
    payer.pendingDebit += t.amountFen
    payee.pendingCredit += t.amountFen
    const deadline = t.timeoutMinutes === 0 ? 0 : t.minute + t.timeoutMinutes
    this.state.pendings.set(t.id, {
      debit: t.debit,
      credit: t.credit,
      kind: t.kind,
      amount: t.amountFen,
      deadline,
      day,
      year,
      state: 'pending',
    })
    this.state.held.add(t.id)
    return ok
  }

  private move(payer: Account, payee: Account, amount: number, kind: number): void {
    payer.balance -= amount
    payee.balance += amount
    this.state.debitsFen[kind] = (this.state.debitsFen[kind] ?? 0) + amount
    this.state.creditsFen[kind] = (this.state.creditsFen[kind] ?? 0) + amount
  }

  /**
   * The reservation goes; the unposted part returns to the payer's spending if still on its day /
   * year.
   */
  private release(id: number, pending: Pending, posted: number): void {
    const payer = this.state.accounts.get(pending.debit) as Account
    const payee = this.state.accounts.get(pending.credit) as Account
    payer.pendingDebit -= pending.amount
    payee.pendingCredit -= pending.amount
    const unposted = pending.amount - posted
    if (payer.spentDay === pending.day) payer.spentDayFen -= unposted
    if (payer.spentYear === pending.year) payer.spentYearFen -= unposted
    this.state.held.delete(id)
  }

  /**
   * Every held pending transfer whose deadline is at or before `minute` expires; then every
   * restriction ending at or before it gives what its accounts hold back to its issuer.
   */
  private expire(minute: number): void {
    for (const id of [...this.state.held]) {
      const pending = this.state.pendings.get(id) as Pending
      if (pending.deadline !== 0 && pending.deadline <= minute) {
        this.release(id, pending, 0)
        pending.state = 'expired'
      }
    }
    for (const rule of this.state.restrictions.values()) {
      if (rule.recovered || rule.validUntil > minute) continue
      rule.recovered = true
      const issuer = this.state.accounts.get(rule.issuer) as Account
      for (const id of rule.accounts) {
        const account = this.state.accounts.get(id) as Account
        while (account.balance > 0)
          this.move(
            account,
            issuer,
            Math.min(account.balance, transferAmountFenMax),
            TransferKind.recovery,
          )
      }
    }
  }
}
