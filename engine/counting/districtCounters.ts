/**
 * Payments by the payer's district: a resident's home district, or a merchant's own. Institutions'
 * transfers (issuance, payroll, top-ups from banks, redemptions) have no payer district and are
 * left out. Aggregates only: a row is a district, never a resident.
 */
import { ResultCode, TransferKind, type TransferBatch } from '../ledger/index.js'
import type { Population } from '../population/index.js'
import type { AccountLayout } from '../plan/plan.js'

export interface DistrictFigures {
  readonly district: string
  readonly payments: number
  readonly accepted: number
  readonly rejected: number
  /** Accepted amount, fen. */
  readonly amountFen: number
}

export class DistrictCounters {
  private readonly payments: Float64Array
  private readonly accepted: Float64Array
  private readonly amountFen: Float64Array
  /**
   * Accepted retail payments from a resident's home district (row) to the merchant's district
   * (column), row-major; counted only when asked (the live map draws them), all zero otherwise.
   */
  readonly flows: Float64Array

  constructor(
    private readonly names: readonly string[],
    private readonly accounts: AccountLayout,
    private readonly population: Population,
    private readonly countFlows = false,
  ) {
    this.payments = new Float64Array(names.length)
    this.accepted = new Float64Array(names.length)
    this.amountFen = new Float64Array(names.length)
    this.flows = new Float64Array(names.length * names.length)
  }

  count(batch: TransferBatch, code: Uint8Array): void {
    const { residentFirst, merchantFirst } = this.accounts
    const { home, merchantDistrict } = this.population
    for (let index = 0; index < batch.count; index++) {
      // A merchant's evening redemption is an institutional sweep, not a payment.
      if (batch.kind[index] === TransferKind.redeem) continue
      const payer = batch.debit[index] as number
      let district: number
      if (payer >= residentFirst) district = home[payer - residentFirst] as number
      else if (payer >= merchantFirst) district = merchantDistrict[payer - merchantFirst] as number
      else continue
      this.payments[district] = (this.payments[district] as number) + 1
      if (code[index] !== ResultCode.ok) continue
      this.accepted[district] = (this.accepted[district] as number) + 1
      if (this.countFlows && batch.kind[index] === TransferKind.retail && payer >= residentFirst) {
        const cell =
          district * this.names.length +
          (merchantDistrict[(batch.credit[index] as number) - merchantFirst] as number)
        this.flows[cell] = (this.flows[cell] as number) + 1
      }
      this.amountFen[district] =
        (this.amountFen[district] as number) + (batch.amountFen[index] as number)
    }
  }

  /**
   * Payments so far by district, in the city's order (live views read these a few times a second).
   */
  get paymentsByDistrict(): Float64Array {
    return this.payments
  }

  get acceptedByDistrict(): Float64Array {
    return this.accepted
  }

  get amountFenByDistrict(): Float64Array {
    return this.amountFen
  }

  figures(): DistrictFigures[] {
    return this.names.map((district, index) => {
      const payments = this.payments[index] as number
      const accepted = this.accepted[index] as number
      return {
        district,
        payments,
        accepted,
        rejected: payments - accepted,
        amountFen: this.amountFen[index] as number,
      }
    })
  }
}
