/**
 * Payments by the payer's district: a resident's home district, or a merchant's own. Institutions'
 * transfers (issuance, payroll, top-ups from banks, redemptions) have no payer district and are
 * left out. Aggregates only: a row is a district, never a resident.
 */
import {
  ResultCode,
  TransferFlag,
  TransferKind,
  transferKindCount,
  transferKinds,
  type TransferBatch,
  type TransferKindName,
} from '../ledger/index.js'
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

/**
 * Payments by simulated hour, district and kind, compact (a year of them is a few hundred thousand
 * cells): each cell [hour since the period began, index into `districts`, index into `kinds`,
 * payments, accepted, accepted amount in fen]; only cells with a payment, hour by hour.
 */
export interface HourlyFigures {
  readonly districts: readonly string[]
  readonly kinds: readonly TransferKindName[]
  readonly cells: readonly HourlyCell[]
}

export type HourlyCell = readonly [
  hour: number,
  district: number,
  kind: number,
  payments: number,
  accepted: number,
  amountFen: number,
]

interface HourlyCells {
  readonly payments: Float64Array
  readonly accepted: Float64Array
  readonly amountFen: Float64Array
}

const settling = TransferFlag.postPending | TransferFlag.voidPending

export class DistrictCounters {
  private readonly payments: Float64Array
  private readonly accepted: Float64Array
  private readonly amountFen: Float64Array
  /**
   * Accepted retail payments from a resident's home district (row) to the merchant's district
   * (column), row-major; counted only when asked (the live map draws them), all zero otherwise.
   */
  readonly flows: Float64Array
  /**
   * The same by simulated hour and kind: [hour][district][kind], hours counted from the period's
   * start (a transfer's `minute`), for the planners' table (demand.csv) and the report's heat-map.
   */
  private readonly hourly: HourlyCells

  constructor(
    private readonly names: readonly string[],
    private readonly accounts: AccountLayout,
    private readonly population: Population,
    private readonly countFlows = false,
    private readonly period: { readonly startMinute: number; readonly ticks: number } = {
      startMinute: 0,
      ticks: 60,
    },
  ) {
    this.payments = new Float64Array(names.length)
    this.accepted = new Float64Array(names.length)
    this.amountFen = new Float64Array(names.length)
    this.flows = new Float64Array(names.length * names.length)
    const cells = Math.ceil(period.ticks / 60) * names.length * transferKindCount
    this.hourly = {
      payments: new Float64Array(cells),
      accepted: new Float64Array(cells),
      amountFen: new Float64Array(cells),
    }
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
      const cell = this.cellOf(batch.minute[index] as number, district, batch.kind[index] as number)
      // A reservation and its post or void are one payment: counted at the reservation, its
      // value at the post.
      const flags = batch.flags[index] as number
      const settles = (flags & settling) !== 0
      const payment = settles ? 0 : 1
      this.payments[district] = (this.payments[district] as number) + payment
      this.hourly.payments[cell] = (this.hourly.payments[cell] as number) + payment
      if (code[index] !== ResultCode.ok) continue
      this.accepted[district] = (this.accepted[district] as number) + payment
      this.hourly.accepted[cell] = (this.hourly.accepted[cell] as number) + payment
      const movedFen = (flags & TransferFlag.pending) !== 0 ? 0 : (batch.amountFen[index] as number)
      this.hourly.amountFen[cell] = (this.hourly.amountFen[cell] as number) + movedFen
      if (this.countFlows && batch.kind[index] === TransferKind.retail && payer >= residentFirst) {
        const cell =
          district * this.names.length +
          (merchantDistrict[(batch.credit[index] as number) - merchantFirst] as number)
        this.flows[cell] = (this.flows[cell] as number) + 1
      }
      this.amountFen[district] = (this.amountFen[district] as number) + movedFen
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

  /** The cell [hour][district][kind] a transfer at `minute` is in (hours held in the period). */
  private cellOf(minute: number, district: number, kind: number): number {
    const hours = Math.ceil(this.period.ticks / 60)
    const hour = Math.min(
      hours - 1,
      Math.max(0, Math.floor((minute - this.period.startMinute) / 60)),
    )
    return (hour * this.names.length + district) * transferKindCount + kind
  }

  /**
   * Payments by simulated hour, row of districts (`rows`: districts below the residents' floor
   * folded together) and kind, over the first `hours` hours: the cells with a payment only, hour
   * by hour, rows and kinds in order.
   */
  hourlyFigures(
    hours: number,
    rows: { readonly names: readonly string[]; readonly rowOf: readonly number[] },
  ): HourlyFigures {
    const shown = Math.min(hours, Math.ceil(this.period.ticks / 60))
    const rowCount = rows.names.length
    const folded = {
      payments: new Float64Array(shown * rowCount * transferKindCount),
      accepted: new Float64Array(shown * rowCount * transferKindCount),
      amountFen: new Float64Array(shown * rowCount * transferKindCount),
    }
    for (let hour = 0; hour < shown; hour++) {
      for (let district = 0; district < this.names.length; district++) {
        const row = rows.rowOf[district] as number
        for (let kind = 0; kind < transferKindCount; kind++) {
          const from = (hour * this.names.length + district) * transferKindCount + kind
          const to = (hour * rowCount + row) * transferKindCount + kind
          for (const figure of ['payments', 'accepted', 'amountFen'] as const)
            folded[figure][to] =
              (folded[figure][to] as number) + (this.hourly[figure][from] as number)
        }
      }
    }
    const cells: HourlyCell[] = []
    folded.payments.forEach((payments, cell) => {
      if (payments === 0) return
      cells.push([
        Math.floor(cell / (transferKindCount * rowCount)),
        Math.floor(cell / transferKindCount) % rowCount,
        cell % transferKindCount,
        payments,
        folded.accepted[cell] as number,
        folded.amountFen[cell] as number,
      ])
    })
    return { districts: rows.names, kinds: transferKinds, cells }
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
