/**
 * The institutions' side of a run:
 *   opening       the central bank issues to each operating bank what its customers' first
 *                 top-ups, its working float and the employers it banks need; banks fund employers
 *   end of day    1. merchants, the transit operator and utilities redeem their takings at their bank
 * 2. each bank works out what it will pay tonight: top-ups of its customers' wallets that ran low
 * (from their linked bank account) and refills of its employers' payroll funds; the central bank
 * issues it any shortfall below float + payouts 3. the payouts are made 4. each bank retires to the
 * central bank what it holds beyond its float So in a flat-out run no institutional transfer is
 * ever short of funds, and each bank starts the day at its float. In a load run the evening runs
 * beside the next day's payments, which may move the balances it read (a daytime top-up debits a
 * bank): a payout can then be refused, and is counted like any rejection. Producers write into a
 * `TransferSink` (the columns of a batch): no object per transfer.
 */
import { assert } from '../assert.js'
import { holdsSalary } from './segmentAgents.js'
import { AccountFlag, TransferKind, type AccountBatch } from '../ledger/index.js'
import { ResidentFlag, ResidentTrait, type Population } from '../population/index.js'
import { employerFloatFen } from '../plan/employerFloat.js'
import type { Plan } from '../plan/plan.js'

/** Large institutional sums move in pieces no bigger than this (10 million yuan). */
export const institutionalPieceFen = 1_000_000_000

/** Where institutional transfers are written, in order. */
export interface TransferSink {
  push(debit: number, credit: number, amountFen: number, kind: number): void
}

/** What the institutions need, from the synthesized population. */
export interface InstitutionNeeds {
  /**
   * Per bank: e-CNY it keeps on hand for its customers' top-ups (issuancePerResidentFen per adopted
   * customer).
   */
  readonly bankFloatFen: readonly number[]
  /** Per bank: the opening top-ups of its customers' wallets. */
  readonly openingTopupsFen: readonly number[]
  /** Per district: what its employers hold for a day's payroll, refilled each evening. */
  readonly employerFloatFen: readonly number[]
  readonly adopted: number
  readonly riders: number
  /**
   * Per bank: its customers' deposits when the run opens (depositsPerResidentFen for each resident
   * with a bank account: every resident, unless the people section leaves some unbanked).
   */
  readonly depositsFen: readonly number[]
}

export function accountBatch(plan: Plan, population: Population): AccountBatch {
  const count = plan.accounts.count
  const id = new Uint32Array(count)
  const tier = new Uint8Array(count)
  const flags = new Uint8Array(count)
  for (let account = 0; account < count; account++) id[account] = account
  flags[plan.accounts.issuer] = AccountFlag.issuer
  // A bank's deposit liabilities are where its deposits come from: negative, as the issuer's.
  for (let bank = 0; bank < plan.accounts.bankCount; bank++) {
    flags[plan.accounts.liabilityFirst + bank] = AccountFlag.issuer
  }
  tier.set(population.tier.subarray(0, plan.residents), plan.accounts.residentFirst)
  const { visitorFirst, visitorCount } = plan.accounts
  if (plan.visitors !== undefined)
    tier.fill(plan.visitors.tier, visitorFirst, visitorFirst + visitorCount)
  return { count, id, tier, flags }
}

export function institutionNeeds(plan: Plan, population: Population): InstitutionNeeds {
  const { bankCount } = plan.accounts
  const bankFloatFen = new Array<number>(bankCount).fill(0)
  const openingTopupsFen = new Array<number>(bankCount).fill(0)
  const payeesByDistrict = new Array<number>(plan.districts.length).fill(0)
  const depositsFen = new Array<number>(bankCount).fill(0)
  let adopted = 0
  let riders = 0
  for (let resident = 0; resident < population.residents; resident++) {
    const flags = population.flags[resident] as number
    if ((flags & ResidentFlag.rider) !== 0) riders += 1
    if (plan.people === undefined || hasBankAccount(population, resident)) {
      const bank = population.bank[resident] as number
      depositsFen[bank] = (depositsFen[bank] as number) + plan.depositsPerResidentFen
    }
    if ((flags & ResidentFlag.adopted) === 0) continue
    adopted += 1
    const tierIndex = population.tier[resident] as number
    const tier = plan.tiers[tierIndex]
    assert(tier !== undefined, 'every resident has a planned tier')
    const bank = population.bank[resident] as number
    bankFloatFen[bank] = (bankFloatFen[bank] as number) + plan.issuancePerResidentFen
    openingTopupsFen[bank] = (openingTopupsFen[bank] as number) + tier.initialBalanceFen
    if ((flags & ResidentFlag.employed) !== 0 && holdsSalary(plan, tierIndex)) {
      const work = population.work[resident] as number
      payeesByDistrict[work] = (payeesByDistrict[work] as number) + 1
    }
  }
  // The bank taking visitors' foreign cards keeps a day's top-ups for them, with room for chance.
  const visitors = plan.visitors
  if (visitors !== undefined) {
    const perDay = visitors.perSegmentDay * plan.segments.length
    bankFloatFen[visitors.bank] =
      (bankFloatFen[visitors.bank] as number) + employerFloatFen(perDay, visitors.topupFen)
  }
  const payroll = plan.payments.payroll
  const employerFloat = payeesByDistrict.map((payees) =>
    payroll.enabled && payees > 0
      ? employerFloatFen(payees * payroll.perDay, payroll.amountFen)
      : 0,
  )
  return {
    bankFloatFen,
    openingTopupsFen,
    employerFloatFen: [...employerFloat, ...publicFunds(plan, population)],
    adopted,
    riders,
    depositsFen,
  }
}

/**
 * What the treasury and the insurance fund keep for a day, refilled each evening as employers'
 * funds are: the treasury a day's grants on the busiest day of their windows (each grant's
 * recipients over its shortest window), the fund its share of a day's bills (at twice the median
 * bill, for their spread).
 */
function publicFunds(plan: Plan, population: Population): [number, number] {
  const { monthly, healthcare } = plan.services
  const grants = monthly.filter((flow) => flow.kind === 'welfare')
  const recipients = new Array<number>(grants.length).fill(0)
  const visits = [0, 0, 0]
  for (let resident = 0; resident < population.residents; resident++) {
    if (((population.flags[resident] as number) & ResidentFlag.adopted) === 0) continue
    const traits = population.traits[resident] as number
    const age = traits & ResidentTrait.ageMask
    const income = (traits & ResidentTrait.incomeMask) >> ResidentTrait.incomeShift
    visits[age] = (visits[age] as number) + 1
    const cap = plan.tiers[population.tier[resident] as number]?.balanceCapFen ?? 0
    grants.forEach((grant, index) => {
      if ((grant.ageMask & (1 << age)) === 0 || (grant.incomeMask & (1 << income)) === 0) return
      if (cap > 0 && cap < 2 * grant.amountFen) return
      recipients[index] = (recipients[index] as number) + 1
    })
  }
  let treasuryFen = 0
  grants.forEach((grant, index) => {
    const shortest = Math.max(1, Math.min(grant.lastDay, 28) - grant.firstDay + 1)
    const perDay = ((recipients[index] as number) * grant.perMonth) / shortest
    if (perDay > 0) treasuryFen += employerFloatFen(perDay, grant.amountFen)
  })
  let fundFen = 0
  if (healthcare !== undefined && plan.payments.health.enabled) {
    visits.forEach((adopted, band) => {
      const perDay = adopted * (healthcare.visitsPerDay[band] as number)
      const shareFen = ((healthcare.billFen[band] as number) * healthcare.insurerParts) / 10_000
      if (perDay > 0 && shareFen > 0) fundFen += employerFloatFen(perDay, Math.ceil(2 * shareFen))
    })
  }
  return [treasuryFen, fundFen]
}

function hasBankAccount(population: Population, resident: number): boolean {
  return ((population.traits[resident] as number) & ResidentTrait.banked) !== 0
}

/**
 * The bank that holds an employer's account: employers of district d bank with bank d mod banks.
 */
function employerBank(plan: Plan, district: number): number {
  return district % plan.accounts.bankCount
}

/**
 * Before the first tick: each bank's deposit book opens with its customers' deposits, the central
 * bank issues to every bank, then the banks fund employers.
 */
export function openingTransfers(plan: Plan, needs: InstitutionNeeds, out: TransferSink): void {
  const { bankFirst, bankCount, employerFirst, issuer, depositFirst, liabilityFirst } =
    plan.accounts
  for (let bank = 0; bank < bankCount; bank++) {
    const depositsFen = needs.depositsFen[bank] as number
    assert(Number.isSafeInteger(depositsFen), 'deposits are an exact integer of fen')
    pushPieces(out, liabilityFirst + bank, depositFirst + bank, depositsFen, TransferKind.deposit)
  }
  for (let bank = 0; bank < bankCount; bank++) {
    let needFen = (needs.bankFloatFen[bank] as number) + (needs.openingTopupsFen[bank] as number)
    needs.employerFloatFen.forEach((floatFen, district) => {
      if (employerBank(plan, district) === bank) needFen += floatFen
    })
    assert(Number.isSafeInteger(needFen), 'a bank need is an exact integer of fen')
    pushPieces(out, issuer, bankFirst + bank, needFen, TransferKind.issue)
  }
  needs.employerFloatFen.forEach((floatFen, district) => {
    pushPieces(
      out,
      bankFirst + employerBank(plan, district),
      employerFirst + district,
      floatFen,
      TransferKind.topup,
    )
  })
}

/** The accounts whose balance is redeemed at the end of each day, with their bank. */
export function sweptAccounts(
  plan: Plan,
  population: Population,
): { ids: Uint32Array; bank: Uint8Array } {
  const { merchantFirst, transit, utilityFirst, utilityCount, bankCount } = plan.accounts
  const { parking, onlineFirst, onlineCount } = plan.accounts
  // The transit operator, the utilities, the parking operator and the online shops bank with
  // bank i mod banks (in that order); merchants with their own.
  const operators = [transit, ...Array.from({ length: utilityCount }, (_, i) => utilityFirst + i)]
  operators.push(parking, ...Array.from({ length: onlineCount }, (_, i) => onlineFirst + i))
  const count = operators.length + plan.merchants
  const ids = new Uint32Array(count)
  const bank = new Uint8Array(count)
  operators.forEach((account, index) => {
    ids[index] = account
    // The transit operator banks with the first bank, as it always has.
    bank[index] = index === 0 ? 0 : (index - 1) % bankCount
  })
  for (let merchant = 0; merchant < plan.merchants; merchant++) {
    ids[operators.length + merchant] = merchantFirst + merchant
    bank[operators.length + merchant] = population.merchantBank[merchant] as number
  }
  return { ids, bank }
}

/** End of day, step 1: every swept account redeems its whole balance at its bank. */
export function redemptions(
  swept: { ids: Uint32Array; bank: Uint8Array },
  from: number,
  balanceFen: Float64Array,
  bankFirst: number,
  out: TransferSink,
): void {
  for (let index = 0; index < balanceFen.length; index++) {
    const balance = balanceFen[index] as number
    assert(
      Number.isSafeInteger(balance) && balance >= 0,
      'a swept account holds a whole, non-negative balance',
    )
    pushPieces(
      out,
      swept.ids[from + index] as number,
      bankFirst + (swept.bank[from + index] as number),
      balance,
      TransferKind.redeem,
    )
  }
}

/**
 * End of day, steps 2 and 3 for wallets: adopted wallets below `plan.nightlyTopupBelow` of their
 * tier's opening balance are topped back up to it from their bank. Adds each top-up to its bank's
 * `payoutFen`, and writes it to `out` when given (step 2 plans without writing; step 3 writes).
 * `residents` and `balanceFen` are a slice of the adopted residents in canonical order.
 */
export function nightlyTopups(
  plan: Plan,
  population: Population,
  residents: Uint32Array,
  balanceFen: Float64Array,
  payoutFen: number[] | null,
  out: TransferSink | null,
): void {
  assert(residents.length === balanceFen.length, 'one balance per resident')
  const { bankFirst, residentFirst } = plan.accounts
  for (let index = 0; index < residents.length; index++) {
    const resident = residents[index] as number
    const tier = plan.tiers[population.tier[resident] as number]
    assert(tier !== undefined, 'every resident has a planned tier')
    const balance = balanceFen[index] as number
    if (balance >= tier.initialBalanceFen * plan.nightlyTopupBelow) continue
    const bank = population.bank[resident] as number
    const amountFen = tier.initialBalanceFen - balance
    if (payoutFen !== null) payoutFen[bank] = (payoutFen[bank] as number) + amountFen
    out?.push(bankFirst + bank, residentFirst + resident, amountFen, TransferKind.topup)
  }
}

/**
 * End of day, steps 2 and 3 for employers: their payroll funds are brought back up to a day's
 * worth.
 */
export function payrollRefills(
  plan: Plan,
  needs: InstitutionNeeds,
  employerBalanceFen: Float64Array,
  payoutFen: number[],
  out: TransferSink,
): void {
  const { bankFirst, employerFirst } = plan.accounts
  needs.employerFloatFen.forEach((floatFen, district) => {
    const balance = employerBalanceFen[district] as number
    assert(
      Number.isSafeInteger(balance) && balance >= 0,
      'an employer holds a whole, non-negative balance',
    )
    if (balance >= floatFen) return
    const bank = employerBank(plan, district)
    payoutFen[bank] = (payoutFen[bank] as number) + (floatFen - balance)
    pushPieces(
      out,
      bankFirst + bank,
      employerFirst + district,
      floatFen - balance,
      TransferKind.topup,
    )
  })
}

/**
 * End of day, step 2: the central bank issues each bank what it lacks for tonight's payouts and its
 * float.
 */
export function shortfallIssues(
  plan: Plan,
  needs: InstitutionNeeds,
  bankBalanceFen: Float64Array,
  payoutFen: readonly number[],
  out: TransferSink,
): void {
  const { bankFirst, bankCount, issuer } = plan.accounts
  assert(
    bankBalanceFen.length === bankCount && payoutFen.length === bankCount,
    'one balance and one payout per bank',
  )
  for (let bank = 0; bank < bankCount; bank++) {
    const shortFen =
      (needs.bankFloatFen[bank] as number) +
      (payoutFen[bank] as number) -
      (bankBalanceFen[bank] as number)
    assert(Number.isSafeInteger(shortFen), 'a bank balance is an exact integer of fen')
    if (shortFen > 0) pushPieces(out, issuer, bankFirst + bank, shortFen, TransferKind.issue)
  }
}

/**
 * End of day, step 4: each bank retires what it holds beyond its float once tonight's payouts are
 * made.
 */
export function excessRetirements(
  plan: Plan,
  needs: InstitutionNeeds,
  bankBalanceFen: Float64Array,
  payoutFen: readonly number[],
  out: TransferSink,
): void {
  const { bankFirst, bankCount, issuer } = plan.accounts
  for (let bank = 0; bank < bankCount; bank++) {
    const floatFen = needs.bankFloatFen[bank] as number
    // After step 2 the bank held at least float + payouts; after step 3, that less the payouts.
    const afterPayoutsFen =
      Math.max(bankBalanceFen[bank] as number, floatFen + (payoutFen[bank] as number)) -
      (payoutFen[bank] as number)
    if (afterPayoutsFen > floatFen)
      pushPieces(out, bankFirst + bank, issuer, afterPayoutsFen - floatFen, TransferKind.retire)
  }
}

/**
 * The deposit book follows the e-CNY: what each bank's customers turned into e-CNY since the last
 * settlement (top-ups of wallets and employers' funds) leaves their deposits, and what they turned
 * back (redemptions) returns to them. Both given per bank, fen.
 */
export function depositSettlement(
  plan: Plan,
  toEcnyFen: readonly number[],
  toDepositsFen: readonly number[],
  out: TransferSink,
): void {
  const { bankCount, depositFirst, liabilityFirst } = plan.accounts
  for (let bank = 0; bank < bankCount; bank++) {
    const deposits = depositFirst + bank
    const liabilities = liabilityFirst + bank
    const outFen = toEcnyFen[bank] as number
    const backFen = toDepositsFen[bank] as number
    assert(Number.isSafeInteger(outFen) && outFen >= 0, 'conversions are whole fen')
    assert(Number.isSafeInteger(backFen) && backFen >= 0, 'conversions are whole fen')
    // Returns first: a bank's customers never run short for a day's top-ups by the order posted.
    pushPieces(out, liabilities, deposits, backFen, TransferKind.deposit)
    pushPieces(out, deposits, liabilities, outFen, TransferKind.deposit)
  }
}

function pushPieces(
  out: TransferSink,
  debit: number,
  credit: number,
  totalFen: number,
  kind: number,
): void {
  let left = totalFen
  while (left > 0) {
    const amountFen = Math.min(left, institutionalPieceFen)
    out.push(debit, credit, amountFen, kind)
    left -= amountFen
  }
}
