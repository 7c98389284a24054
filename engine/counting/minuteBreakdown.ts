/**
 * Payments in each simulated minute by the payer's district and by kind: what a rollout's capacity
 * plan reads each district's and each kind's busiest minute from. Counted only when asked (a day's
 * worth is small; a year's would not be), from the city's payments only: every kind counts for its
 * kind, and a resident's or a merchant's payment for the payer's district (payroll and top-ups,
 * paid by employers and banks, have none).
 */
import { transferKindCount, transferKinds, type TransferBatch } from '../ledger/index.js'
import type { Population } from '../population/index.js'
import type { AccountLayout } from '../plan/plan.js'

export interface MinuteFigures {
  /** Payments in each minute of the period, all of them (the stream's own count). */
  readonly payments: Float64Array
  /** [minute][district], row-major, districts in the plan's order. */
  readonly byDistrict: Float64Array
  /** [minute][kind], row-major, kinds in transferKinds' order. */
  readonly byKind: Float64Array
  readonly districts: readonly string[]
  readonly kinds: readonly string[]
}

export class MinuteBreakdown {
  readonly byDistrict: Float64Array
  readonly byKind: Float64Array

  constructor(
    readonly districts: readonly string[],
    private readonly accounts: AccountLayout,
    private readonly population: Population,
    private readonly period: { readonly startMinute: number; readonly ticks: number },
  ) {
    this.byDistrict = new Float64Array(period.ticks * districts.length)
    this.byKind = new Float64Array(period.ticks * transferKindCount)
  }

  /** A batch of the city's payments (the stream's, not the institutions'). */
  count(batch: TransferBatch): void {
    const { residentFirst, merchantFirst } = this.accounts
    const { home, merchantDistrict } = this.population
    const districtCount = this.districts.length
    for (let index = 0; index < batch.count; index++) {
      const minute = (batch.minute[index] as number) - this.period.startMinute
      if (minute < 0 || minute >= this.period.ticks) continue
      // Every kind of payment counts for its kind (payroll and top-ups too, paid by institutions).
      const kindAt = minute * transferKindCount + (batch.kind[index] as number)
      this.byKind[kindAt] = (this.byKind[kindAt] as number) + 1
      const payer = batch.debit[index] as number
      let district: number
      if (payer >= residentFirst) district = home[payer - residentFirst] as number
      else if (payer >= merchantFirst) district = merchantDistrict[payer - merchantFirst] as number
      else continue
      const at = minute * districtCount + district
      this.byDistrict[at] = (this.byDistrict[at] as number) + 1
    }
  }

  figures(payments: Float64Array, minutes: number): MinuteFigures {
    const shown = Math.min(this.period.ticks, minutes)
    return {
      payments,
      byDistrict: this.byDistrict.slice(0, shown * this.districts.length),
      byKind: this.byKind.slice(0, shown * transferKindCount),
      districts: this.districts,
      kinds: transferKinds,
    }
  }
}
