/**
 * Faults injected into a running run from the live map: a slow ledger and district outages. They
 * sit between the run and its ledger, as a LedgerCore around the real one:
 *
 *   run ─▶ faultyLedger ─┬─ payments touching a district that is out ─▶ `unavailable`, never sent
 *                        └─ the rest ─▶ ledger ─▶ (answer held back `slowdownMs`) ─▶ run
 *
 * An outage cuts a district's residents and merchants off: their retail, transit, bill, P2P,
 * healthcare, levy, parking and online payments (as payer, or as the merchant or P2P payee; a
 * parking or escrow post or void too, leaving its reservation held) fail before reaching the
 * ledger, so nothing moves and money stays conserved. The institutions' own transfers (issuance,
 * payroll, grants, top-ups, redemptions) are not cut: banks, employers and the treasury are not in
 * the district's network.
 *
 * The ledger still applies calls in the order they were made: a slowdown delays answers, never
 * requests. Fault settings change only between two steps of the sender (see RunControl).
 */
import {
  ResultCode,
  TransferFlag,
  TransferKind,
  type LedgerCore,
  type TransferBatch,
  type TransferResults,
} from '../ledger/index.js'
import { joinBatches, sliceBatch } from '../ledger/transferBatches.js'
import { ledgerSlowdownMsMax } from '../limits.js'
import { assert } from '../assert.js'
import type { Population } from '../population/index.js'
import type { AccountLayout } from '../plan/plan.js'
import { wallScheduler, type Scheduler } from '../time/index.js'

export class Faults {
  /** Every ledger answer is held back this long, ms (0: none). */
  slowdownMs = 0
  /** 1 for a district cut off. */
  readonly outage: Uint8Array

  constructor(districts: number) {
    this.outage = new Uint8Array(districts)
  }

  get anyOutage(): boolean {
    return this.outage.some((out) => out === 1)
  }

  setSlowdown(ms: number): void {
    assert(Number.isInteger(ms) && ms >= 0 && ms <= ledgerSlowdownMsMax, 'a slowdown within bounds')
    this.slowdownMs = ms
  }

  setOutage(district: number, on: boolean): void {
    assert(
      Number.isInteger(district) && district >= 0 && district < this.outage.length,
      'a district of the city',
    )
    this.outage[district] = on ? 1 : 0
  }
}

const cutKinds = new Set<number>([
  TransferKind.retail,
  TransferKind.transit,
  TransferKind.bill,
  TransferKind.p2p,
  TransferKind.health,
  TransferKind.tax,
  TransferKind.parking,
  TransferKind.online,
])

/** `ledger` with `faults` applied to its submits; everything else passes straight through. */
export function faultyLedger(
  ledger: LedgerCore,
  faults: Faults,
  accounts: AccountLayout,
  population: Population,
  scheduler: Scheduler = wallScheduler,
): LedgerCore {
  const districtOf = (account: number): number => {
    if (account >= accounts.residentFirst)
      return population.home[account - accounts.residentFirst] as number
    if (account >= accounts.merchantFirst)
      return population.merchantDistrict[account - accounts.merchantFirst] as number
    return -1
  }
  const isCut = (batch: TransferBatch, index: number): boolean => {
    if (!cutKinds.has(batch.kind[index] as number)) return false
    const payer = districtOf(batch.debit[index] as number)
    const payee = districtOf(batch.credit[index] as number)
    return (payer >= 0 && faults.outage[payer] === 1) || (payee >= 0 && faults.outage[payee] === 1)
  }
  const held = async (results: TransferResults): Promise<TransferResults> => {
    const ms = faults.slowdownMs
    if (ms > 0) await scheduler.sleep(ms)
    return results
  }
  return {
    name: ledger.name,
    ...(ledger.health === undefined ? {} : { health: ledger.health.bind(ledger) }),
    open: () => ledger.open(),
    createAccounts: (batch) => ledger.createAccounts(batch),
    lookup: (ids) => ledger.lookup(ids),
    totals: () => ledger.totals(),
    close: () => ledger.close(),
    async submit(batch: TransferBatch): Promise<TransferResults> {
      if (!faults.anyOutage) return held(await ledger.submit(batch))
      const code = new Uint8Array(batch.count)
      const reached: number[] = []
      // A linked chain is cut whole when any of it is: all or nothing, before the ledger too.
      for (let start = 0, end = 0; start < batch.count; start = end) {
        let cut = false
        for (end = start; ;) {
          cut ||= isCut(batch, end)
          end += 1
          if (end >= batch.count || (batch.flags[end - 1]! & TransferFlag.linked) === 0) break
        }
        for (let index = start; index < end; index++) {
          if (cut) code[index] = ResultCode.unavailable
          else reached.push(index)
        }
      }
      if (reached.length === batch.count) return held(await ledger.submit(batch))
      if (reached.length > 0) {
        const answered = await ledger.submit(runsOf(batch, reached))
        reached.forEach((index, at) => {
          code[index] = answered.code[at] as number
        })
      }
      return held({ code })
    },
  }
}

/**
 * The transfers at `indices` (ascending) of `batch`, in order, as one batch: consecutive runs
 * joined.
 */
function runsOf(batch: TransferBatch, indices: readonly number[]): TransferBatch {
  const slices: TransferBatch[] = []
  let from = indices[0] as number
  let to = from + 1
  for (let at = 1; at < indices.length; at++) {
    const index = indices[at] as number
    if (index === to) {
      to += 1
      continue
    }
    slices.push(sliceBatch(batch, from, to))
    from = index
    to = index + 1
  }
  slices.push(sliceBatch(batch, from, to))
  return joinBatches(slices)
}
