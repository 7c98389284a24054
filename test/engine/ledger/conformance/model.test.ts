// Proves: for random sequences of account creations, transfer batches (plain, pending, post, void,
// linked, retried, altered, invalid), clock moves and lookups, every adapter returns exactly the
// reference model's codes, balances, reservations and totals, and never creates or loses money.
// On a ledger with restricted value, every run also has restrictions (random masks, minimums,
// windows and merchant lists), merchants with places and restricted accounts, so its payments
// include restricted purchases, value paid in, and recoveries as the clock passes a window's end.
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import {
  AccountFlag,
  AccountResultCode,
  TransferFlag,
  TransferKind,
  resultCodes,
  transferKindCount,
  type LedgerCore,
  type LedgerTotals,
  type WalletTierLimits,
} from '../../../../engine/ledger/index.js'
import { restrictionsMax } from '../../../../engine/limits.js'
import { localDay, yearOfDay } from '../../../../engine/time/simClock.js'
import { restrictions, type RestrictionRow } from '../../../helpers/batches.js'
import {
  accounts,
  adapters,
  dayMinutes,
  tiers,
  transfers,
  utcOffsetMinutes,
  type AccountRow,
  type Adapter,
} from './harness.js'
import {
  ReferenceLedger,
  type FullTransfer,
  type ReferenceBalance,
  type ReferenceTotals,
} from './referenceLedger.js'

// Replay a failure with what fast-check prints: CITYTWIN_FC_SEED=<seed> CITYTWIN_FC_PATH=<path>
// CITYTWIN_FC_COMMANDS=<replayPath, at the end of the counterexample>. CITYTWIN_FC_RUNS overrides
// the run count.
const seed =
  process.env.CITYTWIN_FC_SEED !== undefined
    ? Number(process.env.CITYTWIN_FC_SEED)
    : Date.now() % 0x7fff_ffff
const path = process.env.CITYTWIN_FC_PATH
const replayPath = process.env.CITYTWIN_FC_COMMANDS
const numRuns =
  process.env.CITYTWIN_FC_RUNS !== undefined ? Number(process.env.CITYTWIN_FC_RUNS) : 1000

/**
 * One long-lived ledger per adapter; each run works in its own block of account ids and range of
 * transfer ids.
 */
const accountsMax = 1 << 20
/**
 * Account ids per run: slots 0..creatableSlots-1 may be created, the rest never are (unknown
 * accounts).
 */
const blockSize = 16
const creatableSlots = 12
/** Ids beyond the ledger: picked as slots blockSize.. */
const outOfRangeIds = [accountsMax, accountsMax + 5, 0xffff_ffff]
const transferIdsPerRun = 1 << 12
/**
 * Small, so runs reach pending_capacity; every run voids what it still holds before the next
 * begins.
 */
const pendingMax = 3
/**
 * Runs start in later and later years; past this one the ledger is reopened (minutes are Uint32).
 */
const lastYear = 9000
/**
 * The harness's tiers, a tier with small limits runs reach quickly, and two with some limits 0
 * (none).
 */
const tierTable: readonly WalletTierLimits[] = [
  ...tiers,
  { balanceCapFen: 6_000, perPaymentFen: 2_500, perDayFen: 4_000, perYearFen: 7_000 },
  { balanceCapFen: 0, perPaymentFen: 0, perDayFen: 3_000, perYearFen: 0 },
  { balanceCapFen: 8_000, perPaymentFen: 0, perDayFen: 0, perYearFen: 5_000 },
]
const u32Max = 0xffff_ffff
const settleFlags = TransferFlag.pending | TransferFlag.postPending | TransferFlag.voidPending

/** Restrictions each run creates, on a ledger that has them; ids are handed out per ledger. */
const restrictionsPerRun = 2
/** Categories and districts the runs use (few, so masks both pass and fail often). */
const placeCount = 4

interface RunState {
  /** Account id of slot s is base + s. */
  readonly base: number
  /** The ids this run's restrictions were given (created or not), none without restricted value. */
  readonly restrictionIds: readonly number[]
  /** Accounts of the run the model created, and those of them that are issuers. */
  readonly created: number[]
  readonly issuers: Set<number>
  /** Restricted accounts the model created, and accounts with a place (merchants). */
  readonly envelopes: number[]
  readonly placed: number[]
  nextTransferId: number
  /** In this run's range of transfer ids, never given to a transfer. */
  readonly unusedTransferId: number
  /** Simulated minute: only moves forward. */
  now: number
  /** Every transfer submitted in this run, accepted or not, for retries. */
  readonly history: FullTransfer[]
  /** Every transfer of the run the model accepted. */
  readonly accepted: FullTransfer[]
  /** Every pending transfer submitted in this run, for posts and voids. */
  readonly pendingRows: FullTransfer[]
  /** The adapter's totals when the run began: the run compares what moved since. */
  readonly baseline: TotalsSnapshot
}

interface Model {
  readonly ref: ReferenceLedger
  readonly run: RunState
}
interface Real {
  readonly ledger: LedgerCore
  readonly run: RunState
}

interface TotalsSnapshot {
  readonly debitsFen: number[]
  readonly creditsFen: number[]
  readonly pendingCount: number
  readonly pendingFen: number
}

function snapshot(totals: LedgerTotals): TotalsSnapshot {
  const debitsFen = [...totals.debitsFen]
  const creditsFen = [...totals.creditsFen]
  // A wider table is allowed, with nothing beyond the known kinds.
  expect(
    debitsFen
      .slice(transferKindCount)
      .concat(creditsFen.slice(transferKindCount))
      .every((fen) => fen === 0),
  ).toBe(true)
  return {
    debitsFen: debitsFen.slice(0, transferKindCount),
    creditsFen: creditsFen.slice(0, transferKindCount),
    pendingCount: totals.pendingCount,
    pendingFen: totals.pendingFen,
  }
}

/** 10:00 local on 23 November of `year`. */
function startMinute(year: number): number {
  return Date.UTC(year, 10, 23, 10, 0) / 60_000 - utcOffsetMinutes
}

function localYear(minute: number): number {
  return yearOfDay(localDay(minute, utcOffsetMinutes))
}

/** The adapter's long-lived ledger, and the namespaces handed to runs. */
class Lane {
  private ledger: LedgerCore | undefined
  private nextBlock = 0
  private nextTransferId = 1
  private nextYear = 2026
  private nextRestriction = 1
  /** Set when a run failed: its leftovers are unknown, so the next run gets a fresh ledger. */
  dirty = false
  readonly restricted: boolean

  constructor(readonly adapter: Adapter) {
    this.restricted =
      typeof adapter.create({ accountsMax, tiers: tierTable, utcOffsetMinutes })
        .createRestrictions === 'function'
  }

  async begin(): Promise<{ ledger: LedgerCore; run: RunState }> {
    const spent =
      (this.nextBlock + 1) * blockSize > accountsMax ||
      this.nextTransferId + transferIdsPerRun > u32Max ||
      this.nextYear > lastYear ||
      this.nextRestriction + restrictionsPerRun > restrictionsMax
    if (this.ledger === undefined || this.dirty || spent) await this.reopen()
    const ledger = this.ledger as LedgerCore
    let baseline = snapshot(await ledger.totals())
    if (baseline.pendingCount !== 0) {
      await this.reopen()
      baseline = snapshot(await (this.ledger as LedgerCore).totals())
    }
    const restrictionIds = this.restricted
      ? Array.from({ length: restrictionsPerRun }, (_, index) => this.nextRestriction + index)
      : []
    this.nextRestriction += restrictionIds.length
    const run: RunState = {
      base: this.nextBlock * blockSize,
      restrictionIds,
      created: [],
      issuers: new Set(),
      envelopes: [],
      placed: [],
      nextTransferId: this.nextTransferId,
      unusedTransferId: this.nextTransferId + transferIdsPerRun - 1,
      now: startMinute(this.nextYear),
      history: [],
      accepted: [],
      pendingRows: [],
      baseline,
    }
    this.nextBlock += 1
    this.nextTransferId += transferIdsPerRun
    return { ledger: this.ledger as LedgerCore, run }
  }

  end(run: RunState): void {
    this.nextYear = localYear(run.now) + 1
  }

  async close(): Promise<void> {
    const ledger = this.ledger
    this.ledger = undefined
    if (ledger !== undefined) await ledger.close()
  }

  private async reopen(): Promise<void> {
    await this.close()
    const ledger = this.adapter.create({
      accountsMax,
      tiers: tierTable,
      utcOffsetMinutes,
      pendingMax,
    })
    await ledger.open()
    this.ledger = ledger
    this.nextBlock = 0
    this.nextTransferId = 1
    this.nextYear = 2026
    this.nextRestriction = 1
    this.dirty = false
  }
}

// ---- What commands are made of: plain data, resolved against the run when they run. ----

/** 0..blockSize-1: a slot of the run's block; above: an id beyond the ledger. */
function accountId(run: RunState, pick: number): number {
  return pick < blockSize
    ? run.base + pick
    : (outOfRangeIds[(pick - blockSize) % outOfRangeIds.length] as number)
}

interface AccountSpec {
  readonly slot: number
  readonly tier: number
  readonly flags: number
  /** A merchant's place, or a restricted account (restriction index; past the run's: unknown). */
  readonly place?: { readonly category: number; readonly district: number } | undefined
  readonly envelope?: { readonly which: number; readonly ownerSlot: number } | undefined
}

/** Any tier of the table, now and then one beyond it (invalid). */
const tierArb = fc.oneof(
  { weight: 24, arbitrary: fc.integer({ min: 0, max: tierTable.length - 1 }) },
  { weight: 1, arbitrary: fc.constant(tierTable.length) },
)
/** Mostly none; issuers, frozen accounts, both, and unknown bits. */
const accountFlagsArb = fc.oneof(
  { weight: 30, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.constant(AccountFlag.issuer) },
  { weight: 2, arbitrary: fc.constant(AccountFlag.frozen) },
  { weight: 1, arbitrary: fc.constantFrom(AccountFlag.issuer | AccountFlag.frozen, 4, 0x80) },
)
/** Mostly no place; now and then one beyond the masks (invalid). */
const placeArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: fc.record({
      category: fc.nat({ max: placeCount - 1 }),
      district: fc.nat({ max: placeCount - 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ category: fc.constant(32), district: fc.constant(0) }) },
)
/** A restricted account of one of the run's restrictions (or an unknown one), for an owner. */
const envelopeArb = fc.record({
  which: fc.nat({ max: restrictionsPerRun }),
  ownerSlot: fc.nat({ max: blockSize - 1 }),
})

function accountSpecArb(restricted: boolean): fc.Arbitrary<AccountSpec> {
  return fc.record({
    // Slots from blockSize stand for ids beyond the ledger.
    slot: fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 0, max: creatableSlots - 1 }) },
      { weight: 1, arbitrary: fc.integer({ min: blockSize, max: blockSize + 2 }) },
    ),
    tier: tierArb,
    flags: accountFlagsArb,
    place: restricted ? placeArb : fc.constant(undefined),
    envelope: restricted
      ? fc.oneof(
          { weight: 6, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: envelopeArb },
        )
      : fc.constant(undefined),
  })
}

function accountRow(run: RunState, spec: AccountSpec): AccountRow {
  const id = spec.slot < creatableSlots ? run.base + spec.slot : accountId(run, spec.slot)
  if (spec.envelope !== undefined) {
    // Past the run's restrictions: an id no run is given.
    const restriction = run.restrictionIds[spec.envelope.which] ?? restrictionsMax
    // A tier or flags make it invalid, as they should.
    return {
      id,
      tier: spec.tier,
      flags: spec.flags,
      restriction,
      owner: run.base + spec.envelope.ownerSlot,
    }
  }
  return { id, tier: spec.tier, flags: spec.flags, ...spec.place }
}

/** A run's restriction: masks over the few places, a minimum, a window about the run's start. */
interface RestrictionSpec {
  readonly issuerSlot: number
  readonly categories: number
  readonly districts: number
  readonly minSpendFen: number
  /** Minutes from the run's start to the window's opening (may be before it), and its length. */
  readonly opensIn: number
  readonly length: number
  readonly merchantSlots: readonly number[]
}

const restrictionSpecArb: fc.Arbitrary<RestrictionSpec> = fc.record({
  issuerSlot: fc.oneof(
    { weight: 6, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.nat({ max: blockSize - 1 }) },
  ),
  categories: fc.oneof(fc.constant(0xffff_ffff), fc.nat({ max: (1 << placeCount) - 1 })),
  districts: fc.oneof(fc.constant(0xffff_ffff), fc.nat({ max: (1 << placeCount) - 1 })),
  minSpendFen: fc.constantFrom(0, 0, 2_500, 50_000),
  opensIn: fc.integer({ min: -120, max: 60 }),
  length: fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 60 }) },
    { weight: 8, arbitrary: fc.integer({ min: 60, max: 10 * dayMinutes }) },
    { weight: 1, arbitrary: fc.constant(0) },
  ),
  merchantSlots: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(fc.nat({ max: blockSize - 1 }), { maxLength: 4 }) },
  ),
})

function restrictionRow(run: RunState, id: number, spec: RestrictionSpec): RestrictionRow {
  const validFrom = run.now + spec.opensIn
  return {
    id,
    issuer: run.base + spec.issuerSlot,
    categories: spec.categories,
    districts: spec.districts,
    minSpendFen: spec.minSpendFen,
    validFrom,
    validUntil: validFrom + spec.length,
    merchants: spec.merchantSlots.map((slot) => run.base + slot),
  }
}

/** From a fen to past every limit, 0, and the edges of the tiers' limits. */
const amountArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 5_000 }) },
  { weight: 4, arbitrary: fc.integer({ min: 5_000, max: 300_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 300_000, max: 60_000_000 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0,
      2_500,
      2_501,
      3_000,
      4_000,
      5_000,
      50_000,
      50_001,
      100_000,
      100_001,
      200_000,
      500_000,
      5_000_000,
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0x8000_0000, max: u32Max }) },
)
/** Minutes to the transfer from the one before it: mostly none, sometimes across a timeout. */
const dtArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 10 }) },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 3 * dayMinutes }) },
)
const timeoutArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 10 }) },
  { weight: 2, arbitrary: fc.integer({ min: 11, max: 2 * dayMinutes }) },
  { weight: 1, arbitrary: fc.integer({ min: u32Max - 10, max: u32Max }) },
)
/**
 * Payer or payee: one of the run's issuers, one of its created accounts, one of its restricted
 * accounts or merchants (when it has some), or any slot of the block (those never created
 * included) or an id beyond the ledger. Resolved against the run when the command runs.
 */
interface Party {
  readonly of: 'issuer' | 'created' | 'slot' | 'envelope' | 'placed'
  readonly n: number
}
function partyArb(issuerWeight: number, envelopeWeight: number): fc.Arbitrary<Party> {
  return fc.record({
    of: fc.oneof(
      { weight: issuerWeight, arbitrary: fc.constant('issuer' as const) },
      { weight: 12, arbitrary: fc.constant('created' as const) },
      { weight: 1, arbitrary: fc.constant('slot' as const) },
      { weight: envelopeWeight, arbitrary: fc.constant('envelope' as const) },
      { weight: 6 - envelopeWeight, arbitrary: fc.constant('placed' as const) },
    ),
    n: fc.nat({ max: blockSize + outOfRangeIds.length - 1 }),
  })
}
const payerArb = partyArb(6, 5)
const payeeArb = partyArb(1, 1)

function partyId(run: RunState, party: Party): number {
  const lists = {
    issuer: [...run.issuers],
    created: run.created,
    slot: [],
    envelope: run.envelopes,
    placed: run.placed,
  }
  const among = lists[party.of].length > 0 || party.of === 'slot' ? lists[party.of] : run.created
  return among.length > 0 ? (among[party.n % among.length] as number) : accountId(run, party.n)
}
const kindArb = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: transferKindCount - 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(transferKindCount, 255) },
)
/** Mostly none; sometimes an unknown bit, or two of pending / post / void. */
const extraFlagsArb = fc.oneof(
  { weight: 30, arbitrary: fc.constant(0) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(16, 0x80, TransferFlag.postPending, TransferFlag.voidPending),
  },
)

type TransferSpec =
  | {
      readonly t: 'plain' | 'pending'
      readonly payer: Party
      readonly payee: Party
      readonly amount: number
      readonly kind: number
      readonly timeout: number
      readonly extraFlags: number
      readonly linked: boolean
      readonly dt: number
    }
  | {
      readonly t: 'post' | 'void'
      /**
       * Which pending transfer (the latest first): one the model accepted, any of the run's, an
       * unused id, a plain transfer's.
       */
      readonly target: {
        readonly of: 'accepted' | 'pending' | 'unused' | 'plain'
        readonly back: number
      }
      readonly amount: 'zero' | 'exact' | 'less' | 'more' | 'other'
      readonly other: number
      readonly mismatch: 'none' | 'debit' | 'credit' | 'kind'
      readonly party: Party
      readonly linked: boolean
      readonly dt: number
    }
  | {
      readonly t: 'retry'
      /** An earlier transfer of the run: one that was accepted, or any (the latest first). */
      readonly of: 'accepted' | 'any'
      readonly back: number
      readonly alter: 'none' | 'amount' | 'credit' | 'linked' | 'timeout'
      readonly dt: number
    }

const linkedArb = fc.oneof(
  { weight: 7, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
)

const transferSpecArb: fc.Arbitrary<TransferSpec> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constantFrom('plain' as const, 'pending' as const),
      payer: payerArb,
      payee: payeeArb,
      amount: amountArb,
      kind: kindArb,
      timeout: timeoutArb,
      extraFlags: extraFlagsArb,
      linked: linkedArb,
      dt: dtArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constantFrom('post' as const, 'void' as const),
      target: fc.record({
        of: fc.oneof(
          { weight: 8, arbitrary: fc.constant('accepted' as const) },
          { weight: 2, arbitrary: fc.constant('pending' as const) },
          { weight: 1, arbitrary: fc.constantFrom('unused' as const, 'plain' as const) },
        ),
        back: fc.nat({ max: 40 }),
      }),
      amount: fc.constantFrom(
        'zero' as const,
        'exact' as const,
        'less' as const,
        'more' as const,
        'other' as const,
      ),
      other: amountArb,
      mismatch: fc.oneof(
        { weight: 8, arbitrary: fc.constant('none' as const) },
        {
          weight: 1,
          arbitrary: fc.constantFrom('debit' as const, 'credit' as const, 'kind' as const),
        },
      ),
      party: payeeArb,
      linked: linkedArb,
      dt: dtArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('retry' as const),
      of: fc.oneof(
        { weight: 3, arbitrary: fc.constant('accepted' as const) },
        { weight: 1, arbitrary: fc.constant('any' as const) },
      ),
      back: fc.nat({ max: 100 }),
      alter: fc.oneof(
        { weight: 3, arbitrary: fc.constant('none' as const) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'amount' as const,
            'credit' as const,
            'linked' as const,
            'timeout' as const,
          ),
        },
      ),
      dt: dtArb,
    }),
  },
)

/** The transfer a spec stands for in this run now, or undefined (a retry with nothing to retry). */
function resolve(run: RunState, spec: TransferSpec): FullTransfer | undefined {
  run.now += spec.dt
  const minute = run.now
  switch (spec.t) {
    case 'plain':
    case 'pending': {
      const pending = spec.t === 'pending'
      return {
        id: run.nextTransferId++,
        debit: partyId(run, spec.payer),
        credit: partyId(run, spec.payee),
        amountFen: spec.amount,
        kind: spec.kind,
        flags:
          (spec.linked ? TransferFlag.linked : 0) |
          (pending ? TransferFlag.pending : 0) |
          spec.extraFlags,
        pendingId: 0,
        timeoutMinutes: pending ? spec.timeout : 0,
        minute,
      }
    }
    case 'post':
    case 'void': {
      const acceptedPending = run.accepted.filter((row) => (row.flags & TransferFlag.pending) !== 0)
      const among =
        spec.target.of === 'accepted' && acceptedPending.length > 0
          ? acceptedPending
          : spec.target.of === 'unused' || spec.target.of === 'plain'
            ? []
            : run.pendingRows
      const target = among[among.length - 1 - (spec.target.back % Math.max(1, among.length))]
      const plain =
        spec.target.of === 'plain'
          ? run.accepted.find((row) => (row.flags & settleFlags) === 0)
          : undefined
      // Against no pending transfer: some accounts of the run, and an amount of its own.
      const pendingId = target?.id ?? plain?.id ?? run.unusedTransferId
      let debit = target?.debit ?? partyId(run, spec.party)
      let credit = target?.credit ?? partyId(run, { of: 'created', n: spec.party.n + 1 })
      let kind = target?.kind ?? TransferKind.p2p
      const reserved = target?.amountFen ?? spec.other
      if (spec.mismatch === 'debit') debit = partyId(run, spec.party)
      if (spec.mismatch === 'credit') credit = partyId(run, spec.party)
      if (spec.mismatch === 'kind') kind = (kind + 1) % transferKindCount
      const amounts = {
        zero: 0,
        exact: reserved,
        less: Math.max(1, Math.floor(reserved / 2)),
        more: Math.min(u32Max, reserved + 1),
        other: spec.other,
      }
      return {
        id: run.nextTransferId++,
        debit,
        credit,
        amountFen: amounts[spec.amount],
        kind,
        flags:
          (spec.linked ? TransferFlag.linked : 0) |
          (spec.t === 'post' ? TransferFlag.postPending : TransferFlag.voidPending),
        pendingId,
        timeoutMinutes: 0,
        minute,
      }
    }
    case 'retry': {
      const from = spec.of === 'accepted' && run.accepted.length > 0 ? run.accepted : run.history
      const earlier = from[from.length - 1 - (spec.back % Math.max(1, from.length))]
      if (earlier === undefined) return undefined
      const row = { ...earlier, minute }
      if (spec.alter === 'amount')
        row.amountFen = earlier.amountFen === u32Max ? 1 : earlier.amountFen + 1
      if (spec.alter === 'credit')
        row.credit = earlier.credit === run.base ? run.base + 1 : run.base
      if (spec.alter === 'linked') row.flags = earlier.flags ^ TransferFlag.linked
      if (spec.alter === 'timeout') row.timeoutMinutes = earlier.timeoutMinutes + 1
      return row
    }
  }
}

// ---- Checks ----

function names(codes: readonly number[]): string[] {
  return codes.map((code) => resultCodes[code] ?? `code ${code}`)
}

/** -0 and 0 are the same money. */
function fen(value: number | undefined): number {
  return (value ?? Number.NaN) + 0
}

/**
 * Every balance and reservation of the run's block, the totals moved since the run began, and
 * conservation.
 */
async function compareState(model: Model, real: Real, context: string): Promise<void> {
  const { run } = model
  const ids = Array.from({ length: blockSize }, (_, slot) => run.base + slot)
  const got = await real.ledger.lookup(Uint32Array.from(ids))
  const gotRows: ReferenceBalance[] = ids.map((_, index) => ({
    balance: fen(got.balanceFen[index]),
    pendingDebit: fen(got.pendingDebitFen[index]),
    pendingCredit: fen(got.pendingCreditFen[index]),
  }))
  expect(
    gotRows,
    `balances of accounts ${run.base}..${run.base + blockSize - 1} after ${context}`,
  ).toEqual(model.ref.lookup(ids))

  const now = snapshot(await real.ledger.totals())
  const moved: ReferenceTotals = {
    debitsFen: now.debitsFen.map((value, kind) => value - (run.baseline.debitsFen[kind] ?? 0)),
    creditsFen: now.creditsFen.map((value, kind) => value - (run.baseline.creditsFen[kind] ?? 0)),
    pendingCount: now.pendingCount - run.baseline.pendingCount,
    pendingFen: now.pendingFen - run.baseline.pendingFen,
  }
  expect(moved, `totals moved in this run after ${context}`).toEqual(model.ref.totals())

  // Conservation: money only moves between the run's accounts, so their balances sum to 0 (the
  // issuer's negative balance is everything held elsewhere); reserved out equals reserved in; only
  // an issuer is short.
  const sum = (values: readonly number[]): number =>
    values.reduce((total, value) => total + value, 0)
  expect(sum(gotRows.map((row) => row.balance)), `sum of the run's balances after ${context}`).toBe(
    0,
  )
  expect(sum(gotRows.map((row) => row.pendingDebit))).toBe(moved.pendingFen)
  expect(sum(gotRows.map((row) => row.pendingCredit))).toBe(moved.pendingFen)
  gotRows.forEach((row, slot) => {
    if (!run.issuers.has(run.base + slot))
      expect(
        row.balance - row.pendingDebit,
        `available of account ${run.base + slot}`,
      ).toBeGreaterThanOrEqual(0)
  })
}

async function createRestrictionsAndCompare(
  model: Model,
  real: Real,
  rows: readonly RestrictionRow[],
): Promise<void> {
  const want = model.ref.createRestrictions(rows)
  const create = real.ledger.createRestrictions?.bind(real.ledger)
  if (create === undefined) throw new Error(`${real.ledger.name} has no restricted value`)
  const got = [...(await create(restrictions(rows))).code]
  expect(got, `restriction codes of ${JSON.stringify(rows)}`).toEqual(want)
}

async function createAndCompare(
  model: Model,
  real: Real,
  rows: readonly AccountRow[],
): Promise<void> {
  const want = model.ref.createAccounts(rows)
  const got = [...(await real.ledger.createAccounts(accounts(rows))).code]
  expect(got, `account codes of ${JSON.stringify(rows)}`).toEqual(want)
  rows.forEach((row, index) => {
    if (want[index] !== AccountResultCode.created) return
    model.run.created.push(row.id)
    if (((row.flags ?? 0) & AccountFlag.issuer) !== 0) model.run.issuers.add(row.id)
    if ((row.restriction ?? 0) !== 0) model.run.envelopes.push(row.id)
    if ((row.category ?? 0) !== 0 || (row.district ?? 0) !== 0) model.run.placed.push(row.id)
  })
  await compareState(model, real, `creating ${JSON.stringify(rows)}`)
}

async function submitAndCompare(
  model: Model,
  real: Real,
  rows: readonly FullTransfer[],
): Promise<void> {
  const want = model.ref.submit(rows)
  const got = [...(await real.ledger.submit(transfers(rows))).code]
  const context = `submitting ${JSON.stringify(rows)}`
  expect(names(got), `codes after ${context}`).toEqual(names(want))
  rows.forEach((row, index) => {
    if (want[index] === 0) model.run.accepted.push(row)
  })
  await compareState(model, real, context)
}

// ---- Commands ----

type Cmd = fc.AsyncCommand<Model, Real>

class CreateAccounts implements Cmd {
  constructor(readonly specs: readonly AccountSpec[]) {}
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    await createAndCompare(
      model,
      real,
      this.specs.map((spec) => accountRow(model.run, spec)),
    )
  }
  toString(): string {
    return `createAccounts(${JSON.stringify(this.specs)})`
  }
}

class Submit implements Cmd {
  constructor(readonly specs: readonly TransferSpec[]) {}
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    const rows: FullTransfer[] = []
    for (const spec of this.specs) {
      const row = resolve(model.run, spec)
      if (row === undefined) continue
      rows.push(row)
      model.run.history.push(row)
      if ((row.flags & TransferFlag.pending) !== 0) model.run.pendingRows.push(row)
    }
    if (rows.length > 0) await submitAndCompare(model, real, rows)
  }
  toString(): string {
    return `submit(${JSON.stringify(this.specs)})`
  }
}

type Advance =
  | { readonly by: 'minutes' | 'days'; readonly n: number }
  | { readonly by: 'dayEnd' | 'yearEnd'; readonly n: number }

class AdvanceClock implements Cmd {
  constructor(readonly advance: Advance) {}
  check(): boolean {
    return true
  }
  async run(model: Model): Promise<void> {
    const { run } = model
    const { by, n } = this.advance
    if (by === 'minutes') run.now += n
    else if (by === 'days') run.now += n * dayMinutes
    else {
      // n minutes before the next local midnight, or the next local new year.
      const day = localDay(run.now, utcOffsetMinutes)
      const midnight =
        by === 'dayEnd' ? (day + 1) * dayMinutes : Date.UTC(yearOfDay(day) + 1, 0, 1) / 60_000
      run.now = Math.max(run.now, midnight - utcOffsetMinutes - n)
    }
  }
  toString(): string {
    return `advance(${JSON.stringify(this.advance)})`
  }
}

class Lookup implements Cmd {
  constructor(readonly slots: readonly number[]) {}
  check(): boolean {
    return true
  }
  async run(model: Model, real: Real): Promise<void> {
    const ids = this.slots.map((slot) => model.run.base + slot)
    const got = await real.ledger.lookup(Uint32Array.from(ids))
    const rows = ids.map((_, index) => ({
      balance: fen(got.balanceFen[index]),
      pendingDebit: fen(got.pendingDebitFen[index]),
      pendingCredit: fen(got.pendingCreditFen[index]),
    }))
    expect(rows, `lookup of ${JSON.stringify(ids)}`).toEqual(model.ref.lookup(ids))
  }
  toString(): string {
    return `lookup(${JSON.stringify(this.slots)})`
  }
}

const submitArb = fc
  .array(transferSpecArb, { minLength: 1, maxLength: 8 })
  .map((specs): Cmd => new Submit(specs))
const commandArbs = (restricted: boolean): fc.Arbitrary<Cmd>[] => [
  fc
    .array(accountSpecArb(restricted), { minLength: 1, maxLength: 5 })
    .map((specs): Cmd => new CreateAccounts(specs)),
  submitArb,
  submitArb,
  submitArb,
  submitArb,
  fc
    .oneof(
      fc.record({ by: fc.constant('minutes' as const), n: fc.integer({ min: 1, max: 180 }) }),
      fc.record({ by: fc.constant('days' as const), n: fc.integer({ min: 1, max: 3 }) }),
      fc.record({
        by: fc.constantFrom('dayEnd' as const, 'yearEnd' as const),
        n: fc.integer({ min: 0, max: 3 }),
      }),
    )
    .map((advance): Cmd => new AdvanceClock(advance)),
  fc
    .array(fc.nat({ max: blockSize - 1 }), { minLength: 1, maxLength: 20 })
    .map((slots): Cmd => new Lookup(slots)),
]

/**
 * Accounts every run starts with: usually an issuer in slot 0, and most other slots, of any tier
 * and flags.
 */
const initialArb = (restricted: boolean) =>
  fc.record({
    issuer: fc.oneof(
      { weight: 9, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    others: fc.array(
      fc.record({
        created: fc.oneof(
          { weight: 10, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
        tier: tierArb,
        flags: accountFlagsArb,
        place: restricted ? placeArb : fc.constant(undefined),
      }),
      {
        minLength: creatableSlots - 1,
        maxLength: creatableSlots - 1,
      },
    ),
    restrictions: fc.array(restrictionSpecArb, {
      minLength: restricted ? restrictionsPerRun : 0,
      maxLength: restricted ? restrictionsPerRun : 0,
    }),
    /** Restricted accounts in the slots never otherwise created. */
    envelopes: fc.array(envelopeArb, {
      minLength: restricted ? 1 : 0,
      maxLength: restricted ? blockSize - creatableSlots : 0,
    }),
  })

/**
 * Voids every pending transfer the run still holds (each ok or pending_expired, as the model says).
 */
async function releaseHeld(model: Model, real: Real): Promise<void> {
  const rows = model.ref.held().map((pending): FullTransfer => ({
    id: model.run.nextTransferId++,
    debit: pending.debit,
    credit: pending.credit,
    amountFen: 0,
    kind: pending.kind,
    flags: TransferFlag.voidPending,
    pendingId: pending.id,
    timeoutMinutes: 0,
    minute: model.run.now,
  }))
  if (rows.length > 0) await submitAndCompare(model, real, rows)
  expect(model.ref.totals().pendingCount).toBe(0)
}

/**
 * Passes the end of every restriction of the run, so what its accounts hold goes back within the
 * run: one refused transfer (an unknown payer) at the latest end is enough, as recovery runs
 * before each transfer whatever becomes of it. A later run then sees none of this run's recoveries.
 */
async function recoverAll(model: Model, real: Real, ends: readonly number[]): Promise<void> {
  if (ends.length === 0) return
  model.run.now = Math.max(model.run.now, ...ends)
  const row: FullTransfer = {
    id: model.run.nextTransferId++,
    debit: outOfRangeIds[0] as number,
    credit: model.run.base,
    amountFen: 1,
    kind: TransferKind.p2p,
    flags: 0,
    pendingId: 0,
    timeoutMinutes: 0,
    minute: model.run.now,
  }
  await submitAndCompare(model, real, [row])
}

for (const adapter of adapters) {
  describe(`model-based conformance: ${adapter.name}`, () => {
    const lane = new Lane(adapter)
    afterAll(async () => {
      await lane.close()
    })

    it(`matches the reference model in ${numRuns} runs of random commands (seed ${seed}; replay a failure: CITYTWIN_FC_SEED=${seed} CITYTWIN_FC_PATH=<path> CITYTWIN_FC_COMMANDS=<replayPath>, as printed)`, async () => {
      const property = fc.asyncProperty(
        initialArb(lane.restricted),
        fc.commands(commandArbs(lane.restricted), {
          maxCommands: 50,
          size: 'large',
          ...(replayPath !== undefined ? { replayPath } : {}),
        }),
        async (initial, cmds) => {
          const { ledger, run } = await lane.begin()
          const model: Model = {
            ref: new ReferenceLedger({
              accountsMax,
              tiers: tierTable,
              utcOffsetMinutes,
              pendingMax,
            }),
            run,
          }
          const real: Real = { ledger, run }
          const ends: number[] = []
          try {
            const rows = [
              ...(initial.issuer ? [{ id: run.base, tier: 0, flags: AccountFlag.issuer }] : []),
              ...initial.others.flatMap(({ created, tier, flags, place }, index) =>
                created ? [accountRow(run, { slot: index + 1, tier, flags, place })] : [],
              ),
            ]
            await createAndCompare(model, real, rows)
            if (lane.restricted) {
              const restrictionRows = initial.restrictions.map((spec, index) =>
                restrictionRow(run, run.restrictionIds[index] as number, spec),
              )
              ends.push(...restrictionRows.map((rule) => rule.validUntil))
              await createRestrictionsAndCompare(model, real, restrictionRows)
              const envelopes = initial.envelopes.map((envelope, index): AccountRow => ({
                id: run.base + creatableSlots + index,
                restriction: run.restrictionIds[envelope.which] ?? restrictionsMax,
                owner: run.base + envelope.ownerSlot,
              }))
              if (envelopes.length > 0) await createAndCompare(model, real, envelopes)
            }
            await fc.asyncModelRun(() => ({ model, real }), cmds)
            await releaseHeld(model, real)
            await recoverAll(model, real, ends)
          } catch (error) {
            lane.dirty = true
            throw error
          } finally {
            lane.end(run)
          }
        },
      )
      await fc.assert(property, { numRuns, seed, ...(path !== undefined ? { path } : {}) })
    }, 600_000)
  })
}
