/**
 * The institutions' side of a run: the accounts to open, the central bank's issuance to the
 * operating banks and the banks' funding of employers at the start, and the sweep at the end
 * of each day, when merchants, the transit operator and utilities redeem their e-CNY at their
 * bank and the banks return it to the central bank.
 */
import { assert } from '../assert.js'
import { holdsSalary } from '../behaviour/index.js'
import { AccountFlag, TransferKind, type AccountBatch } from '../ledger/index.js'
import { ResidentFlag, type Population } from '../population/index.js'
import type { Plan } from './plan.js'

/** Large institutional sums move in pieces no bigger than this (10 million yuan). */
export const institutionalPieceFen = 1_000_000_000

/** Employers are funded for this many times the payroll they are expected to pay. */
const employerFloatFactor = 2

export interface PopulationTotals {
  readonly adopted: number
  readonly riders: number
  readonly adoptedRiders: number
  readonly employed: number
}

export interface PlannedTransfer {
  readonly debit: number
  readonly credit: number
  readonly amountFen: number
  readonly kind: number
}

export function accountBatch(plan: Plan, population: Population): AccountBatch {
  const count = plan.accounts.count
  const id = new Uint32Array(count)
  const tier = new Uint8Array(count)
  const flags = new Uint8Array(count)
  for (let account = 0; account < count; account++) id[account] = account
  flags[plan.accounts.issuer] = AccountFlag.issuer
  tier.set(population.tier.subarray(0, plan.residents), plan.accounts.residentFirst)
  return { count, id, tier, flags }
}

export function populationTotals(population: Population): PopulationTotals {
  let adopted = 0
  let riders = 0
  let adoptedRiders = 0
  let employed = 0
  for (let resident = 0; resident < population.residents; resident++) {
    const flags = population.flags[resident] as number
    if ((flags & ResidentFlag.adopted) !== 0) adopted += 1
    if ((flags & ResidentFlag.rider) !== 0) riders += 1
    if ((flags & (ResidentFlag.rider | ResidentFlag.adopted)) === (ResidentFlag.rider | ResidentFlag.adopted)) adoptedRiders += 1
    if ((flags & ResidentFlag.employed) !== 0) employed += 1
  }
  return { adopted, riders, adoptedRiders, employed }
}

/**
 * Before the first tick: the central bank issues to each bank what its customers' opening
 * top-ups and a reserve per customer need, plus what the employers it banks need for payroll;
 * then the banks fund the employers.
 */
export function openingTransfers(plan: Plan, population: Population): PlannedTransfer[] {
  const { bankFirst, bankCount, employerFirst, issuer } = plan.accounts
  const bankNeedFen = new Array<number>(bankCount).fill(0)
  const payeesByDistrict = new Array<number>(plan.districts.length).fill(0)
  const salaryFen = plan.payments.payroll.amountFen
  for (let resident = 0; resident < population.residents; resident++) {
    const flags = population.flags[resident] as number
    if ((flags & ResidentFlag.adopted) === 0) continue
    const tier = plan.tiers[population.tier[resident] as number]
    assert(tier !== undefined, 'every resident has a planned tier')
    const bank = population.bank[resident] as number
    bankNeedFen[bank] = (bankNeedFen[bank] as number) + tier.initialBalanceFen + plan.issuancePerResidentFen
    if ((flags & ResidentFlag.employed) !== 0 && holdsSalary(plan, population.tier[resident] as number)) {
      const work = population.work[resident] as number
      payeesByDistrict[work] = (payeesByDistrict[work] as number) + 1
    }
  }
  const days = plan.clock.ticks / (24 * 60)
  const payroll = plan.payments.payroll
  const employerFloatFen = payeesByDistrict.map((payees) =>
    payroll.enabled ? Math.ceil(payees * payroll.perDay * Math.max(days, 1) * salaryFen * employerFloatFactor) : 0,
  )
  employerFloatFen.forEach((floatFen, district) => {
    const bank = district % bankCount
    bankNeedFen[bank] = (bankNeedFen[bank] as number) + floatFen
  })

  const transfers: PlannedTransfer[] = []
  bankNeedFen.forEach((needFen, bank) => {
    assert(Number.isSafeInteger(needFen), 'a bank need is an exact integer of fen')
    pushPieces(transfers, issuer, bankFirst + bank, needFen, TransferKind.issue)
  })
  employerFloatFen.forEach((floatFen, district) => {
    pushPieces(transfers, bankFirst + (district % bankCount), employerFirst + district, floatFen, TransferKind.topup)
  })
  return transfers
}

/** The accounts whose balance is swept to a bank at the end of each day, with their bank. */
export function sweptAccounts(plan: Plan, population: Population): { ids: Uint32Array; bank: Uint8Array } {
  const { merchantFirst, transit, utilityFirst, utilityCount, bankCount } = plan.accounts
  const count = 1 + utilityCount + plan.merchants
  const ids = new Uint32Array(count)
  const bank = new Uint8Array(count)
  ids[0] = transit
  bank[0] = 0
  for (let utility = 0; utility < utilityCount; utility++) {
    ids[1 + utility] = utilityFirst + utility
    bank[1 + utility] = utility % bankCount
  }
  for (let merchant = 0; merchant < plan.merchants; merchant++) {
    ids[1 + utilityCount + merchant] = merchantFirst + merchant
    bank[1 + utilityCount + merchant] = population.merchantBank[merchant] as number
  }
  return { ids, bank }
}

/** Redemptions: each swept account's whole balance to its bank, then each bank's takings to the central bank. */
export function sweepTransfers(plan: Plan, swept: { ids: Uint32Array; bank: Uint8Array }, balanceFen: Float64Array): PlannedTransfer[] {
  const { bankFirst, bankCount, issuer } = plan.accounts
  const takenFen = new Array<number>(bankCount).fill(0)
  const transfers: PlannedTransfer[] = []
  for (let index = 0; index < swept.ids.length; index++) {
    const balance = balanceFen[index] as number
    assert(Number.isSafeInteger(balance) && balance >= 0, 'a swept account holds a whole, non-negative balance')
    if (balance === 0) continue
    const bank = swept.bank[index] as number
    pushPieces(transfers, swept.ids[index] as number, bankFirst + bank, balance, TransferKind.redeem)
    takenFen[bank] = (takenFen[bank] as number) + balance
  }
  takenFen.forEach((amount, bank) => pushPieces(transfers, bankFirst + bank, issuer, amount, TransferKind.redeem))
  return transfers
}

function pushPieces(out: PlannedTransfer[], debit: number, credit: number, totalFen: number, kind: number): void {
  let left = totalFen
  while (left > 0) {
    const amountFen = Math.min(left, institutionalPieceFen)
    out.push({ debit, credit, amountFen, kind })
    left -= amountFen
  }
}
