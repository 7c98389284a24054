/**
 * The memory ledger's state machine: single writer, synchronous, no clock (each transfer's
 * simulated minute is its time), no allocation per transfer on the plain path. The rules are
 * those of ledgerCore.ts, in its order.
 *
 * Each account is one 24-byte record, so a transfer touches two records (two cache lines at most)
 * and an id row:
 *
 *   byte  0         8             12             16           20        22     23
 *         │ balance │ spent today │ spent this yr│ day stamp  │ year    │ tier │ flags │
 *         │ i64 fen │ u32 fen     │ u32 fen      │ u32 day+1  │ u16     │ u8   │ u8    │
 *
 * An account of tier 0 has no spending counters, so its words 2 to 4 hold what restricted value
 * needs instead: a restricted account's owner (word 2) and restriction (word 3), a merchant's
 * category and district (word 4: category | district << 8).
 *
 * Money is integers only: the balance is a 64-bit integer in two 32-bit words (fenWords.ts), as
 * are totals. What pending transfers reserve lives in a small map keyed by account
 * (reservations.ts), looked up only when the record's flags say the account has some.
 */
import { assert } from '../../assert.js'
import {
  pendingTransfersMax,
  restrictionMaskBits,
  restrictionMerchantsMax,
  tierLimitFenMax,
  transferAmountFenMax,
} from '../../limits.js'
import { localDay, yearOfDay } from '../../time/simClock.js'
import {
  AccountFlag,
  TransferFlag,
  accountFlagsKnown,
  transferFlagsKnown,
  type LedgerOptions,
  type LedgerTotals,
  type RestrictionBatch,
  type TransferBatch,
} from '../ledgerCore.js'
import { AccountResultCode, ResultCode, RestrictionResultCode } from '../resultCode.js'
import { TransferKind, transferKindCount } from '../transferKind.js'
import { ChainJournal, type JournalTarget } from './chainJournal.js'
import { IdTable } from './idTable.js'
import { addFen, fenWords, readFen, writeFen } from './fenWords.js'
import { PendingStore, type PendingFields } from './pendingStore.js'
import { Reservations } from './reservations.js'
import { RestrictionTable } from './restrictionTable.js'

const recordBytes = 24
const recordU32 = recordBytes / 4
const recordU16 = recordBytes / 2
const spentDayWord = 2
const spentYearWord = 3
const dayStampWord = 4
const yearHalf = 10
const tierByte = 22
const flagsByte = 23
/** Tier 0 only (no spending counters there): see the layout above. */
const ownerWord = spentDayWord
const restrictionWord = spentYearWord
const placeWord = dayStampWord

/** Flag bits the ledger keeps for itself, above the AccountFlag bits. */
const exists = 0x80
const hasPendingDebit = 0x40
const hasPendingCredit = 0x20
const restricted = 0x10

/** The low 3 bits of an id's value: what became of it. The other 29 are the body's fingerprint. */
const IdState = { applied: 1, pending: 2, posted: 3, voided: 4, expired: 5 } as const
const stateMask = 7

/** Transfers whose records are touched ahead of applying them, a power of two. */
const prefetchGroup = 64
const prefetchMask = prefetchGroup - 1

const twoPhase = TransferFlag.pending | TransferFlag.postPending | TransferFlag.voidPending
/** Not a result code: a payment into a restricted account that goes on as any other. */
const payInAsPlain = -1

export type TransferColumns = Omit<TransferBatch, 'count'>

/** Per account: restriction id (0: none), owner, and category | district << 8. */
export interface AccountAttributes {
  readonly restriction: Uint32Array
  readonly owner: Uint32Array
  readonly place: Uint32Array
}

export type RestrictionColumns = Omit<
  RestrictionBatch,
  'count' | 'merchantsFrom' | 'merchants' | 'validUntil'
> & {
  /** Minutes, in a float column: the ring carries them there. */
  readonly validUntil: Uint32Array | Float64Array
}

export class LedgerState {
  readonly accountsMax: number
  private readonly records: ArrayBuffer
  private readonly i32: Int32Array
  private readonly u32: Uint32Array
  private readonly u16: Uint16Array
  private readonly u8: Uint8Array
  /** Reserved by pending transfers, for the accounts that have some. */
  private readonly reservations = new Reservations()
  /** Per tier: balance cap, per payment, per day, per year (0 = none). */
  private readonly limits: Uint32Array
  private readonly tierCount: number
  private readonly utcOffsetMinutes: number
  private readonly ids: IdTable
  private readonly pending: PendingStore
  private readonly restrictions = new RestrictionTable()
  /** Designated merchants given ahead of the restrictions that list them, by restriction id. */
  private staged = new Map<number, number[]>()
  /** Posted by kind, each side summed apart: 64-bit integers (low word at 2 × kind). */
  private readonly debits = fenWords(transferKindCount)
  private readonly credits = fenWords(transferKindCount)
  private nextExpiry = Infinity
  /** While a linked chain is evaluated: how to undo each change. */
  private readonly journal = new ChainJournal(recordU32)
  /** What a rollback writes back into. */
  private readonly undo: JournalTarget = {
    restoreRecord: (account, words, at, pendingDebitFen, pendingCreditFen) => {
      // The map is looked into only where the account has or had a reservation (its flags are
      // set exactly when a sum is above zero).
      if (
        pendingDebitFen !== 0 ||
        pendingCreditFen !== 0 ||
        this.pendingDebitOf(account) !== 0 ||
        this.pendingCreditOf(account) !== 0
      )
        this.reservations.set(account, pendingDebitFen, pendingCreditFen)
      for (let word = 0; word < recordU32; word++)
        this.u32[account * recordU32 + word] = words[at + word] as number
    },
    restoreId: (id, before) => {
      if (before === 0) this.ids.forget(id)
      else this.ids.set(id, before)
    },
    restoreTotals: (kind, debitedFen, creditedFen) =>
      this.addTotals(kind, -debitedFen, -creditedFen),
  }
  /** Where prefetch() leaves what it read, so the loads are not optimised away. Means nothing. */
  touched = 0
  private cachedDay = -1
  private cachedYear = 0
  /** What checkLimits() read of the payer's day and year, for the transfer being applied. */
  private checkedDayStamp = 0
  private checkedYear = 0
  private spentDayFen = 0
  private spentYearFen = 0

  constructor(options: LedgerOptions) {
    assert(
      Number.isInteger(options.accountsMax) && options.accountsMax > 0,
      'accountsMax is a positive count',
    )
    assert(options.tiers.length >= 1 && options.tiers.length <= 0xff, 'a tier table with tier 0')
    this.accountsMax = options.accountsMax
    this.records = new ArrayBuffer(options.accountsMax * recordBytes)
    this.i32 = new Int32Array(this.records)
    this.u32 = new Uint32Array(this.records)
    this.u16 = new Uint16Array(this.records)
    this.u8 = new Uint8Array(this.records)
    this.tierCount = options.tiers.length
    this.limits = new Uint32Array(options.tiers.length * 4)
    options.tiers.forEach((tier, index) => {
      const values = [tier.balanceCapFen, tier.perPaymentFen, tier.perDayFen, tier.perYearFen]
      assert(
        values.every((value) => Number.isInteger(value) && value >= 0 && value <= tierLimitFenMax),
        'tier limits fit a Uint32',
      )
      this.limits.set(values, index * 4)
    })
    this.utcOffsetMinutes = options.utcOffsetMinutes
    this.ids = new IdTable(options.transfersExpected ?? 0)
    this.pending = new PendingStore(options.pendingMax ?? pendingTransfersMax)
  }

  /**
   * `attributes` (null: none) holds, per account, its restriction (0: none), owner, and place
   * (category | district << 8).
   */
  createAccounts(
    count: number,
    id: Uint32Array,
    tier: Uint8Array,
    flags: Uint8Array,
    attributes: AccountAttributes | null,
    code: Uint8Array,
  ): void {
    for (let index = 0; index < count; index++) {
      const account = id[index] as number
      const accountTier = tier[index] as number
      const accountFlags = flags[index] as number
      const restriction = attributes === null ? 0 : (attributes.restriction[index] as number)
      const owner = attributes === null ? 0 : (attributes.owner[index] as number)
      const place = attributes === null ? 0 : (attributes.place[index] as number)
      if (account >= this.accountsMax) code[index] = AccountResultCode.id_out_of_range
      else if ((accountFlags & ~accountFlagsKnown) !== 0)
        code[index] = AccountResultCode.invalid_flags
      else if (accountTier >= this.tierCount) code[index] = AccountResultCode.invalid_tier
      else if (!this.validAttributes(account, accountTier, accountFlags, restriction, owner, place))
        code[index] = AccountResultCode.invalid_attributes
      else if (((this.u8[account * recordBytes + flagsByte] as number) & exists) !== 0)
        code[index] = AccountResultCode.exists
      else {
        this.u8[account * recordBytes + tierByte] = accountTier
        this.u8[account * recordBytes + flagsByte] =
          accountFlags | exists | (restriction === 0 ? 0 : restricted)
        if (accountTier === 0) {
          this.u32[account * recordU32 + ownerWord] = owner
          this.u32[account * recordU32 + restrictionWord] = restriction
          this.u32[account * recordU32 + placeWord] = place
        }
        if (restriction !== 0) this.restrictions.addAccount(restriction, account)
        code[index] = AccountResultCode.created
      }
    }
  }

  /**
   * A place only on tier 0, within the masks' bits; a restricted account of tier 0 without flags,
   * on a created restriction, for an ordinary account created before it.
   */
  private validAttributes(
    account: number,
    tier: number,
    flags: number,
    restriction: number,
    owner: number,
    place: number,
  ): boolean {
    const category = place & 0xff
    const district = (place >>> 8) & 0xff
    if (place >>> 16 !== 0 || category >= restrictionMaskBits || district >= restrictionMaskBits)
      return false
    if (place !== 0 && tier !== 0) return false
    if (restriction === 0) return true
    if (!this.restrictions.has(restriction) || tier !== 0 || flags !== 0) return false
    if (owner >= this.accountsMax || owner === account) return false
    const ownerFlags = this.u8[owner * recordBytes + flagsByte] as number
    return (ownerFlags & exists) !== 0 && (ownerFlags & restricted) === 0
  }

  /** Designated merchants of restrictions about to be created: pairs (restriction, merchant). */
  stageMerchants(count: number, restriction: Uint32Array, merchant: Uint32Array): void {
    for (let index = 0; index < count; index++) {
      const id = restriction[index] as number
      let list = this.staged.get(id)
      if (list === undefined) {
        list = []
        this.staged.set(id, list)
      }
      // One past the bound is kept, so that the restriction is refused for it.
      if (list.length <= restrictionMerchantsMax) list.push(merchant[index] as number)
    }
  }

  /** Creates restrictions, each with the merchants staged for it, which are then forgotten. */
  createRestrictions(count: number, columns: RestrictionColumns, code: Uint8Array): void {
    const staged = this.staged
    this.staged = new Map()
    for (let index = 0; index < count; index++) {
      const id = columns.id[index] as number
      const issuer = columns.issuer[index] as number
      const validFrom = columns.validFrom[index] as number
      const validUntil = columns.validUntil[index] as number
      const listed = staged.get(id) ?? []
      if (id < 1 || id > this.restrictionsMax) code[index] = RestrictionResultCode.id_out_of_range
      else if (!this.created(issuer)) code[index] = RestrictionResultCode.unknown_issuer
      else if (validFrom >= validUntil) code[index] = RestrictionResultCode.invalid_window
      else if (listed.length > restrictionMerchantsMax || !listed.every((m) => this.created(m)))
        code[index] = RestrictionResultCode.unknown_merchant
      else if (this.restrictions.has(id)) code[index] = RestrictionResultCode.exists
      else {
        this.restrictions.add(id, {
          issuer,
          categories: columns.categories[index] as number,
          districts: columns.districts[index] as number,
          minSpendFen: columns.minSpendFen[index] as number,
          validFrom,
          validUntil,
          merchants: Uint32Array.from(new Set(listed)).sort(),
        })
        if (validUntil < this.nextExpiry) this.nextExpiry = validUntil
        code[index] = RestrictionResultCode.created
      }
    }
  }

  private get restrictionsMax(): number {
    return this.restrictions.issuer.length - 1
  }

  private created(account: number): boolean {
    return (
      account < this.accountsMax &&
      ((this.u8[account * recordBytes + flagsByte] as number) & exists) !== 0
    )
  }

  lookup(
    count: number,
    id: Uint32Array,
    balanceFen: Float64Array,
    pendingDebitFen: Float64Array,
    pendingCreditFen: Float64Array,
  ): void {
    for (let index = 0; index < count; index++) {
      const account = id[index] as number
      const known = account < this.accountsMax
      balanceFen[index] = known ? this.balanceOf(account) : 0
      pendingDebitFen[index] = known ? this.pendingDebitOf(account) : 0
      pendingCreditFen[index] = known ? this.pendingCreditOf(account) : 0
    }
  }

  totals(): LedgerTotals {
    return {
      debitsFen: Float64Array.from({ length: transferKindCount }, (_, kind) =>
        readFen(this.debits.low, this.debits.high, kind * 2),
      ),
      creditsFen: Float64Array.from({ length: transferKindCount }, (_, kind) =>
        readFen(this.credits.low, this.credits.high, kind * 2),
      ),
      pendingCount: this.pending.count,
      pendingFen: this.pending.reservedFen,
    }
  }

  /** Applies `count` transfers in order and writes one result code each into `code`. */
  submit(batch: TransferColumns, count: number, code: Uint8Array): void {
    assert(code.length >= count, 'a code for every transfer')
    let chainStart = -1
    let hardFailure = -1
    let firstExists = -1
    let existing = 0
    for (let index = 0; index < count; index++) {
      if ((index & prefetchMask) === 0)
        this.prefetch(batch, index, Math.min(count, index + prefetchGroup))
      const linked = ((batch.flags[index] as number) & TransferFlag.linked) !== 0
      if (chainStart < 0) {
        const minute = batch.minute[index] as number
        if (minute >= this.nextExpiry) this.expire(minute)
        if (!linked) {
          code[index] = this.apply(batch, index)
          continue
        }
        chainStart = index
        hardFailure = -1
        firstExists = -1
        existing = 0
        this.journal.start()
      }
      if (hardFailure < 0) {
        const result = this.apply(batch, index)
        code[index] = result
        if (result === ResultCode.exists) {
          existing += 1
          if (firstExists < 0) firstExists = index
        } else if (result !== ResultCode.ok) hardFailure = index
      } else code[index] = ResultCode.linked_event_failed
      if (linked) continue
      // The chain closes here.
      const length = index - chainStart + 1
      const failed =
        hardFailure >= 0 ? hardFailure : existing > 0 && existing < length ? firstExists : -1
      if (failed >= 0) {
        this.journal.rollBack(this.undo)
        for (let member = chainStart; member <= index; member++)
          if (member !== failed) code[member] = ResultCode.linked_event_failed
      } else this.journal.close()
      chainStart = -1
    }
    if (chainStart >= 0) {
      this.journal.rollBack(this.undo)
      code.fill(ResultCode.linked_chain_open, chainStart, count)
    }
  }

  /**
   * Touches the records of the next transfers' payers and payees before they are applied. The loads
   * are independent, so the processor overlaps their cache misses instead of waiting for each in
   * turn: at millions of accounts, that wait is most of a transfer's cost.
   */
  private prefetch(batch: TransferColumns, from: number, to: number): void {
    let touched = 0
    for (let index = from; index < to; index++) {
      const debit = batch.debit[index] as number
      const credit = batch.credit[index] as number
      if (debit < this.accountsMax)
        touched ^=
          (this.u8[debit * recordBytes] as number) ^
          (this.u8[debit * recordBytes + flagsByte] as number)
      if (credit < this.accountsMax)
        touched ^=
          (this.u8[credit * recordBytes] as number) ^
          (this.u8[credit * recordBytes + flagsByte] as number)
    }
    this.touched = touched
  }

  /** One transfer, every check in order; it moves money only when the code is ok. */
  private apply(batch: TransferColumns, index: number): number {
    const flags = batch.flags[index] as number
    const kind = batch.kind[index] as number
    const phase = flags & twoPhase
    if ((flags & ~transferFlagsKnown) !== 0 || (phase & (phase - 1)) !== 0)
      return ResultCode.invalid_flags
    if (kind >= transferKindCount || kind === TransferKind.recovery) return ResultCode.invalid_kind
    const id = batch.id[index] as number
    const debit = batch.debit[index] as number
    const credit = batch.credit[index] as number
    const amountFen = batch.amountFen[index] as number
    const pendingId = batch.pendingId[index] as number
    const timeoutMinutes = batch.timeoutMinutes[index] as number
    const print = fingerprint(debit, credit, amountFen, kind, flags, pendingId, timeoutMinutes)
    const held = this.ids.get(id)
    if (held !== 0)
      return (held & ~stateMask) >>> 0 === print
        ? ResultCode.exists
        : ResultCode.exists_with_different_body

    if (debit >= this.accountsMax || credit >= this.accountsMax) return ResultCode.unknown_account
    const debitFlags = this.u8[debit * recordBytes + flagsByte] as number
    const creditFlags = this.u8[credit * recordBytes + flagsByte] as number
    if ((debitFlags & creditFlags & exists) === 0) return ResultCode.unknown_account
    if (debit === credit) return ResultCode.same_account
    if (((debitFlags | creditFlags) & AccountFlag.frozen) !== 0) return ResultCode.frozen
    if (amountFen > transferAmountFenMax) return ResultCode.invalid_amount
    const minute = batch.minute[index] as number
    const restrictedSide = ((debitFlags | creditFlags) & restricted) !== 0
    if ((phase & (TransferFlag.postPending | TransferFlag.voidPending)) !== 0) {
      if (restrictedSide) return ResultCode.restricted_account
      return this.resolve(
        id,
        print,
        debit,
        credit,
        amountFen,
        kind,
        phase === TransferFlag.postPending,
        pendingId,
        minute,
      )
    }
    if (amountFen === 0) return ResultCode.invalid_amount
    if (restrictedSide) {
      const code = this.restrictedSide(id, print, debit, credit, amountFen, kind, phase, minute)
      if (code !== payInAsPlain) return code
    }
    const tier = this.u8[debit * recordBytes + tierByte] as number
    const limited = this.checkLimits(debit, tier, amountFen, minute)
    if (limited !== ResultCode.ok) return limited
    const reserve = phase === TransferFlag.pending
    const room = this.checkFunds(debit, credit, amountFen, debitFlags, creditFlags, reserve)
    if (room !== ResultCode.ok) return room

    // Accepted: from here on, nothing fails.
    if (this.journal.open) this.keepTransfer(id, debit, credit)
    const { checkedDayStamp: dayStamp, checkedYear: year } = this
    if (tier !== 0)
      this.spend(debit, tier, amountFen, dayStamp, year, this.spentDayFen, this.spentYearFen)
    if (reserve) {
      this.hold(id, print, debit, credit, amountFen, kind, dayStamp, year, minute, timeoutMinutes)
    } else {
      this.post(debit, credit, amountFen, kind)
      this.ids.set(id, print | IdState.applied)
    }
    return ResultCode.ok
  }

  /**
   * A plain or pending transfer with a restricted account on a side: refused, a purchase, or value
   * paid in by the issuer, which then goes on as any payment (`payInAsPlain`).
   */
  private restrictedSide(
    id: number,
    print: number,
    debit: number,
    credit: number,
    amountFen: number,
    kind: number,
    phase: number,
    minute: number,
  ): number {
    const debitFlags = this.u8[debit * recordBytes + flagsByte] as number
    const creditFlags = this.u8[credit * recordBytes + flagsByte] as number
    if (phase !== 0 || (debitFlags & creditFlags & restricted) !== 0)
      return ResultCode.restricted_account
    if ((debitFlags & restricted) !== 0)
      return this.purchase(id, print, debit, credit, amountFen, kind, minute)
    const restriction = this.u32[credit * recordU32 + restrictionWord] as number
    if (this.restrictions.issuer[restriction] !== debit) return ResultCode.restricted_account
    if (minute >= (this.restrictions.validUntil[restriction] as number))
      return ResultCode.restriction_expired
    return payInAsPlain
  }

  /**
   * A purchase paid from restricted account `debit`: its restriction's conditions, then what the
   * account holds pays first and its owner the rest, in one step.
   */
  private purchase(
    id: number,
    print: number,
    debit: number,
    credit: number,
    amountFen: number,
    kind: number,
    minute: number,
  ): number {
    const restriction = this.u32[debit * recordU32 + restrictionWord] as number
    const owner = this.u32[debit * recordU32 + ownerWord] as number
    if (owner === credit) return ResultCode.restricted_account
    const refused = this.checkRestriction(restriction, credit, amountFen, minute)
    if (refused !== ResultCode.ok) return refused
    const valueFen = Math.min(this.balanceOf(debit), amountFen)
    const restFen = amountFen - valueFen
    const ownerFlags = this.u8[owner * recordBytes + flagsByte] as number
    const ownerTier = this.u8[owner * recordBytes + tierByte] as number
    if (restFen > 0) {
      if ((ownerFlags & AccountFlag.frozen) !== 0) return ResultCode.frozen
      const limited = this.checkLimits(owner, ownerTier, restFen, minute)
      if (limited !== ResultCode.ok) return limited
      const availableFen = this.balanceOf(owner) - this.pendingDebitOf(owner)
      if (availableFen < restFen && (ownerFlags & AccountFlag.issuer) === 0)
        return ResultCode.insufficient_funds
      if (availableFen - restFen < Number.MIN_SAFE_INTEGER) return ResultCode.overflows
    }
    const payeeTier = this.u8[credit * recordBytes + tierByte] as number
    const heldFen = this.balanceOf(credit) + this.pendingCreditOf(credit)
    if (payeeTier !== 0) {
      const capFen = this.limits[payeeTier * 4] as number
      if (capFen !== 0 && heldFen + amountFen > capFen) return ResultCode.balance_cap
    }
    if (heldFen + amountFen > Number.MAX_SAFE_INTEGER) return ResultCode.overflows

    // Accepted: from here on, nothing fails.
    if (this.journal.open) {
      this.keepTransfer(id, debit, credit)
      if (restFen > 0) this.keep(owner)
    }
    if (restFen > 0 && ownerTier !== 0) {
      const { checkedDayStamp: dayStamp, checkedYear: year } = this
      this.spend(owner, ownerTier, restFen, dayStamp, year, this.spentDayFen, this.spentYearFen)
    }
    if (valueFen > 0) this.post(debit, credit, valueFen, kind)
    if (restFen > 0) this.post(owner, credit, restFen, kind)
    this.ids.set(id, print | IdState.applied)
    return ResultCode.ok
  }

  /** A restricted purchase's conditions, in ledgerCore.ts's order. */
  private checkRestriction(
    restriction: number,
    credit: number,
    amountFen: number,
    minute: number,
  ): number {
    const table = this.restrictions
    if (minute < (table.validFrom[restriction] as number)) return ResultCode.not_yet_valid
    if (minute >= (table.validUntil[restriction] as number)) return ResultCode.restriction_expired
    const place = this.placeOf(credit)
    const category = place & 0xff
    const district = (place >>> 8) & 0xff
    if (
      ((table.categories[restriction] as number) & (1 << category)) === 0 ||
      !table.lists(restriction, credit)
    )
      return ResultCode.restricted_merchant
    if (((table.districts[restriction] as number) & (1 << district)) === 0)
      return ResultCode.outside_district
    if (amountFen < (table.minSpendFen[restriction] as number)) return ResultCode.below_minimum
    return ResultCode.ok
  }

  /** A tier-0 account's category | district << 8; an account with a tier has neither (0). */
  private placeOf(account: number): number {
    return this.u8[account * recordBytes + tierByte] === 0
      ? (this.u32[account * recordU32 + placeWord] as number)
      : 0
  }

  /**
   * Checks a payment against the limits of its payer's tier, on the local day and year of the
   * transfer. The day and year it read, and what was spent in them, are left in fields for
   * spend() and hold(), so that no transfer allocates a record of them.
   */
  private checkLimits(debit: number, tier: number, amountFen: number, minute: number): number {
    this.checkedDayStamp = 0
    this.checkedYear = 0
    this.spentDayFen = 0
    this.spentYearFen = 0
    if (tier === 0) return ResultCode.ok
    const perPayment = this.limits[tier * 4 + 1] as number
    const perDay = this.limits[tier * 4 + 2] as number
    const perYear = this.limits[tier * 4 + 3] as number
    if (perPayment !== 0 && amountFen > perPayment) return ResultCode.per_payment_limit
    const day = localDay(minute, this.utcOffsetMinutes)
    const dayStamp = day + 1
    this.checkedDayStamp = dayStamp
    let spentDayFen = 0
    if (this.u32[debit * recordU32 + dayStampWord] === dayStamp)
      spentDayFen = this.u32[debit * recordU32 + spentDayWord] as number
    this.spentDayFen = spentDayFen
    if (perDay !== 0 && spentDayFen + amountFen > perDay) return ResultCode.daily_limit
    const year = this.yearOf(day)
    this.checkedYear = year
    let spentYearFen = 0
    if (this.u16[debit * recordU16 + yearHalf] === year)
      spentYearFen = this.u32[debit * recordU32 + spentYearWord] as number
    this.spentYearFen = spentYearFen
    if (perYear !== 0 && spentYearFen + amountFen > perYear) return ResultCode.yearly_limit
    return ResultCode.ok
  }

  /**
   * Checks that the payer can pay and the payee can hold a payment: funds net of reservations
   * (an issuer may go below zero), the payee's balance cap, room for one more pending transfer,
   * and sums that stay exact.
   */
  private checkFunds(
    debit: number,
    credit: number,
    amountFen: number,
    debitFlags: number,
    creditFlags: number,
    reserve: boolean,
  ): number {
    const balanceFen = this.balanceOf(debit)
    const availableFen =
      (debitFlags & hasPendingDebit) === 0
        ? balanceFen
        : balanceFen - this.reservations.debitOf(debit)
    if (availableFen < amountFen && (debitFlags & AccountFlag.issuer) === 0)
      return ResultCode.insufficient_funds
    const payeeTier = this.u8[credit * recordBytes + tierByte] as number
    const heldFen =
      this.balanceOf(credit) +
      ((creditFlags & hasPendingCredit) === 0 ? 0 : this.reservations.creditOf(credit))
    if (payeeTier !== 0) {
      const capFen = this.limits[payeeTier * 4] as number
      if (capFen !== 0 && heldFen + amountFen > capFen) return ResultCode.balance_cap
    }
    if (reserve && this.pending.full) return ResultCode.pending_capacity
    // Only the issuer's side can run past what a balance holds exactly; the payee's always can.
    if (
      heldFen + amountFen > Number.MAX_SAFE_INTEGER ||
      availableFen - amountFen < Number.MIN_SAFE_INTEGER
    )
      return ResultCode.overflows
    if (reserve && this.pendingDebitOf(debit) + amountFen > Number.MAX_SAFE_INTEGER)
      return ResultCode.overflows
    return ResultCode.ok
  }

  /**
   * Counts an accepted payment against its payer's day and year, where its tier limits them: the
   * counters restart on a new day or year, as the checks read them.
   */
  private spend(
    debit: number,
    tier: number,
    amountFen: number,
    dayStamp: number,
    year: number,
    spentDayFen: number,
    spentYearFen: number,
  ): void {
    if (this.limits[tier * 4 + 2] !== 0) {
      this.u32[debit * recordU32 + dayStampWord] = dayStamp
      this.u32[debit * recordU32 + spentDayWord] = spentDayFen + amountFen
    }
    if (this.limits[tier * 4 + 3] !== 0) {
      this.u16[debit * recordU16 + yearHalf] = year
      this.u32[debit * recordU32 + spentYearWord] = spentYearFen + amountFen
    }
  }

  /** Reserves an accepted pending transfer and stores it until it is posted, voided or expires. */
  private hold(
    id: number,
    print: number,
    debit: number,
    credit: number,
    amountFen: number,
    kind: number,
    dayStamp: number,
    year: number,
    minute: number,
    timeoutMinutes: number,
  ): void {
    this.reserve(debit, credit, amountFen)
    const deadline = timeoutMinutes === 0 ? Infinity : minute + timeoutMinutes
    this.pending.add({ id, debit, credit, amountFen, kind, day: dayStamp, year, deadline })
    if (deadline < this.nextExpiry) this.nextExpiry = deadline
    if (this.journal.open)
      this.journal.keepPending(() => this.pending.remove(this.pending.find(id)))
    this.ids.set(id, print | IdState.pending)
  }

  /** A post or a void of pending transfer `pendingId`. */
  private resolve(
    id: number,
    print: number,
    debit: number,
    credit: number,
    amountFen: number,
    kind: number,
    posting: boolean,
    pendingId: number,
    minute: number,
  ): number {
    const held = this.ids.get(pendingId)
    const state = held & stateMask
    if (held === 0 || state === IdState.applied) return ResultCode.pending_not_found
    if (state === IdState.posted) return ResultCode.pending_already_posted
    if (state === IdState.voided) return ResultCode.pending_already_voided
    if (state === IdState.expired) return ResultCode.pending_expired
    assert(state === IdState.pending, 'an id is applied, pending, posted, voided or expired')
    const slot = this.pending.find(pendingId)
    assert(slot >= 0, 'a pending id has its transfer in the store')
    if ((this.pending.deadline[slot] as number) <= minute) return ResultCode.pending_expired
    if (
      this.pending.debit[slot] !== debit ||
      this.pending.credit[slot] !== credit ||
      this.pending.kind[slot] !== kind
    ) {
      return ResultCode.pending_mismatch
    }
    const reservedFen = this.pending.amountFen[slot] as number
    if (posting ? amountFen > reservedFen : amountFen !== 0 && amountFen !== reservedFen)
      return ResultCode.exceeds_pending_amount

    const postedFen = posting ? (amountFen === 0 ? reservedFen : amountFen) : 0
    if (this.journal.open) {
      this.keepTransfer(id, debit, credit)
      this.keepId(pendingId)
      const fields = this.pending.fields(slot)
      this.journal.keepPending(() => this.restorePending(fields))
    }
    this.settle(slot, postedFen)
    this.ids.set(pendingId, (held & ~stateMask) | (posting ? IdState.posted : IdState.voided))
    this.ids.set(id, print | IdState.applied)
    return ResultCode.ok
  }

  /**
   * Ends the reservation in `slot`: `postedFen` of it posts, the rest goes back to the payer's
   * allowance.
   */
  private settle(slot: number, postedFen: number): void {
    const debit = this.pending.debit[slot] as number
    const credit = this.pending.credit[slot] as number
    const reservedFen = this.pending.amountFen[slot] as number
    assert(postedFen >= 0 && postedFen <= reservedFen, 'a post takes at most what is reserved')
    this.reserve(debit, credit, -reservedFen)
    if (postedFen > 0) this.post(debit, credit, postedFen, this.pending.kind[slot] as number)
    if (postedFen < reservedFen)
      this.giveBack(
        debit,
        reservedFen - postedFen,
        this.pending.day[slot] as number,
        this.pending.year[slot] as number,
      )
    this.pending.remove(slot)
  }

  /**
   * Pending transfers whose deadline is at or before `minute` expire; then restrictions that end
   * at or before it are recovered.
   */
  private expire(minute: number): void {
    assert(!this.journal.open, 'expiry happens between chains, never inside one')
    for (
      let deadline = this.pending.nextDeadline();
      deadline <= minute;
      deadline = this.pending.nextDeadline()
    ) {
      const slot = this.pending.popEarliest()
      const id = this.pending.id[slot] as number
      this.ids.set(id, (this.ids.get(id) & ~stateMask) | IdState.expired)
      this.settle(slot, 0)
    }
    this.restrictions.recoverDue(minute, this.recoverAccount)
    this.nextExpiry = Math.min(this.pending.nextDeadline(), this.restrictions.nextEnd)
  }

  /** What restricted `account` still holds goes back to its restriction's issuer. */
  private readonly recoverAccount = (restriction: number, account: number): void => {
    const issuer = this.restrictions.issuer[restriction] as number
    for (let heldFen = this.balanceOf(account); heldFen > 0; heldFen = this.balanceOf(account))
      this.post(account, issuer, Math.min(heldFen, transferAmountFenMax), TransferKind.recovery)
  }

  /** Both sides of one entry. */
  private post(debit: number, credit: number, amountFen: number, kind: number): void {
    const payerBeforeFen = this.balanceOf(debit)
    const payeeBeforeFen = this.balanceOf(credit)
    const payerFen = payerBeforeFen - amountFen
    assert(
      payerFen >= 0 ||
        ((this.u8[debit * recordBytes + flagsByte] as number) & AccountFlag.issuer) !== 0,
      'only the issuer goes below zero',
    )
    writeFen(this.u32, this.i32, debit * recordU32, payerFen)
    writeFen(this.u32, this.i32, credit * recordU32, payeeBeforeFen + amountFen)
    // Each side's total is what its balance moved by, read back: a slip on one side shows in the
    // audit.
    const debitedFen = payerBeforeFen - this.balanceOf(debit)
    const creditedFen = this.balanceOf(credit) - payeeBeforeFen
    this.addTotals(kind, debitedFen, creditedFen)
    if (this.journal.open) this.journal.keepTotals(kind, debitedFen, creditedFen)
  }

  private addTotals(kind: number, debitedFen: number, creditedFen: number): void {
    addFen(this.debits.low, this.debits.high, kind * 2, debitedFen)
    addFen(this.credits.low, this.credits.high, kind * 2, creditedFen)
  }

  private balanceOf(account: number): number {
    return readFen(this.u32, this.i32, account * recordU32)
  }

  /** Adds `amountFen` (negative to release) to the reservations of both sides. */
  private reserve(debit: number, credit: number, amountFen: number): void {
    const debitFen = this.reservations.addDebit(debit, amountFen)
    const creditFen = this.reservations.addCredit(credit, amountFen)
    const debitAt = debit * recordBytes + flagsByte
    const creditAt = credit * recordBytes + flagsByte
    this.u8[debitAt] =
      debitFen > 0
        ? (this.u8[debitAt] as number) | hasPendingDebit
        : (this.u8[debitAt] as number) & ~hasPendingDebit
    this.u8[creditAt] =
      creditFen > 0
        ? (this.u8[creditAt] as number) | hasPendingCredit
        : (this.u8[creditAt] as number) & ~hasPendingCredit
  }

  /**
   * Unposted reserved spending goes back to the payer's counters if they are still on its day and
   * year.
   */
  private giveBack(debit: number, amountFen: number, dayStamp: number, year: number): void {
    const tier = this.u8[debit * recordBytes + tierByte] as number
    if (tier === 0) return
    if (
      this.limits[tier * 4 + 2] !== 0 &&
      this.u32[debit * recordU32 + dayStampWord] === dayStamp
    ) {
      const at = debit * recordU32 + spentDayWord
      this.u32[at] = (this.u32[at] as number) - Math.min(amountFen, this.u32[at] as number)
    }
    if (this.limits[tier * 4 + 3] !== 0 && this.u16[debit * recordU16 + yearHalf] === year) {
      const at = debit * recordU32 + spentYearWord
      this.u32[at] = (this.u32[at] as number) - Math.min(amountFen, this.u32[at] as number)
    }
  }

  private restorePending(fields: PendingFields): void {
    this.pending.add(fields)
    if (fields.deadline < this.nextExpiry) this.nextExpiry = fields.deadline
  }

  /** Journals an account's record and reservations, to put back if the chain fails. */
  private keep(account: number): void {
    this.journal.keepRecord(
      account,
      this.u32,
      account * recordU32,
      this.pendingDebitOf(account),
      this.pendingCreditOf(account),
    )
  }

  /**
   * What an account has reserved to pay, and to be paid: looked up only when its flags say there
   * is some, so that an account that never reserves costs no lookup.
   */
  private pendingDebitOf(account: number): number {
    return ((this.u8[account * recordBytes + flagsByte] as number) & hasPendingDebit) === 0
      ? 0
      : this.reservations.debitOf(account)
  }

  private pendingCreditOf(account: number): number {
    return ((this.u8[account * recordBytes + flagsByte] as number) & hasPendingCredit) === 0
      ? 0
      : this.reservations.creditOf(account)
  }

  /** Journals both accounts of a transfer and its id, to put back if the chain fails. */
  private keepTransfer(id: number, debit: number, credit: number): void {
    this.keep(debit)
    this.keep(credit)
    this.keepId(id)
  }

  /** Journals an id's value (0 when not held), to put back if the chain fails. */
  private keepId(id: number): void {
    this.journal.keepId(id, this.ids.get(id))
  }

  private yearOf(day: number): number {
    if (day !== this.cachedDay) {
      this.cachedDay = day
      this.cachedYear = yearOfDay(day)
    }
    return this.cachedYear
  }
}

/**
 * 29 bits standing for a transfer's body (everything but its id and minute), in the high bits: the
 * low 3 carry the id's state. Two different bodies share a fingerprint with odds of 1 in 2^29; a
 * retry of such a pair would read `exists` instead of `exists_with_different_body` (and still move
 * nothing).
 */
function fingerprint(
  debit: number,
  credit: number,
  amountFen: number,
  kind: number,
  flags: number,
  pendingId: number,
  timeoutMinutes: number,
): number {
  let h = 0x9e37_79b9
  h = Math.imul(h ^ debit, 0x85eb_ca6b)
  h = Math.imul(h ^ (h >>> 15) ^ credit, 0xc2b2_ae35)
  h = Math.imul(h ^ (h >>> 13) ^ amountFen, 0x27d4_eb2f)
  h = Math.imul(h ^ (h >>> 16) ^ ((kind << 8) | flags), 0x1656_67b1)
  // The pending id is below 2^53: its low word (`^` takes it) and its high word, apart.
  h = Math.imul(h ^ (h >>> 15) ^ pendingId, 0x85eb_ca6b)
  h = Math.imul(h ^ (h >>> 13) ^ ((pendingId / 0x1_0000_0000) >>> 0), 0x1656_67b1)
  h = Math.imul(h ^ (h >>> 15) ^ timeoutMinutes, 0xc2b2_ae35)
  h ^= h >>> 16
  return (h & ~stateMask) >>> 0
}
