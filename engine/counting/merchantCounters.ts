/**
 * The city's merchants by size: how many there are and accept e-CNY, and the retail payments each
 * size took (accepted, and their fen). Also counts any payment made at a merchant that does not
 * accept e-CNY, which the city never makes: a check, expected 0.
 */
import { ResultCode, TransferKind, type TransferBatch } from '../ledger/index.js'
import type { Plan } from '../plan/plan.js'

export interface MerchantSizeFigures {
  readonly size: string
  readonly merchants: number
  readonly accepting: number
  /** Retail payments accepted by merchants of the size, and their fen. */
  readonly payments: number
  readonly amountFen: number
}

export interface MerchantFigures {
  readonly merchants: number
  readonly accepting: number
  readonly bySize: readonly MerchantSizeFigures[]
  /** Retail payments submitted to merchants not accepting e-CNY: never, if the city is right. */
  readonly atNonAccepting: number
}

/** Marks merchants not accepting e-CNY, in `sizeOf`'s byte, so one lookup says both. */
const closed = 0x80

export class MerchantCounters {
  /** Per merchant: its size class, with `closed` set if it does not accept e-CNY. */
  private readonly sizeOf: Uint8Array
  private readonly payments: Float64Array
  private readonly amountFen: Float64Array
  private atNonAccepting = 0

  constructor(private readonly plan: Plan) {
    const { sizes, sizeStart, accepting } = plan.merchantCells
    const sizeCount = sizes.length
    this.sizeOf = new Uint8Array(plan.merchants)
    this.payments = new Float64Array(sizeCount)
    this.amountFen = new Float64Array(sizeCount)
    const starts = plan.merchantCellStart
    for (let cell = 0; cell + 1 < starts.length; cell++) {
      const first = starts[cell] as number
      const count = (starts[cell + 1] as number) - first
      for (let offset = 0; offset < count; offset++) {
        let size = 0
        while (
          size + 1 < sizeCount &&
          (sizeStart[cell * sizeCount + size + 1] as number) <= offset
        ) {
          size += 1
        }
        this.sizeOf[first + offset] = size | (offset < (accepting[cell] as number) ? 0 : closed)
      }
    }
  }

  /** A batch of the city's payments. */
  count(batch: TransferBatch, code: Uint8Array): void {
    const { merchantFirst, residentFirst } = this.plan.accounts
    for (let index = 0; index < batch.count; index++) {
      if (batch.kind[index] !== TransferKind.retail) continue
      const merchant = (batch.credit[index] as number) - merchantFirst
      if (merchant < 0 || merchant >= residentFirst - merchantFirst) continue
      const size = this.sizeOf[merchant] as number
      if ((size & closed) !== 0) this.atNonAccepting += 1
      if (code[index] !== ResultCode.ok) continue
      const of = size & ~closed
      this.payments[of] = (this.payments[of] as number) + 1
      this.amountFen[of] = (this.amountFen[of] as number) + (batch.amountFen[index] as number)
    }
  }

  figures(): MerchantFigures {
    const merchantsBySize = new Array<number>(this.payments.length).fill(0)
    const acceptingBySize = new Array<number>(this.payments.length).fill(0)
    for (const byte of this.sizeOf) {
      const size = byte & ~closed
      merchantsBySize[size] = (merchantsBySize[size] as number) + 1
      if ((byte & closed) === 0) acceptingBySize[size] = (acceptingBySize[size] as number) + 1
    }
    const bySize = this.plan.merchantCells.sizes.map((size, index) => ({
      size: size.name,
      merchants: merchantsBySize[index] as number,
      accepting: acceptingBySize[index] as number,
      payments: this.payments[index] as number,
      amountFen: this.amountFen[index] as number,
    }))
    return {
      merchants: this.plan.merchants,
      accepting: acceptingBySize.reduce((sum, count) => sum + count, 0),
      bySize,
      atNonAccepting: this.atNonAccepting,
    }
  }
}
