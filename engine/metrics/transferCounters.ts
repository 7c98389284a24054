/**
 * Counts submitted, accepted and rejected transfers by kind and by reason, and the money the
 * central bank issued and took back, from each batch and its result codes.
 */
import { assert } from '../assert.js'
import {
  ResultCode,
  resultCodeCount,
  resultCodes,
  transferKindCount,
  transferKinds,
  type ResultCodeName,
  type TransferKindName,
} from '../ledger/index.js'

/** One kind's transfers, and the amount accepted. */
export interface KindFigures {
  submitted: number
  accepted: number
  rejected: number
  /** Accepted amount, fen. */
  amountFen: number
}

export class TransferCounters {
  submitted = 0
  accepted = 0
  issuedFen = 0
  redeemedFen = 0
  private readonly submittedByKind = new Float64Array(transferKindCount)
  private readonly acceptedByKind = new Float64Array(transferKindCount)
  private readonly amountFenByKind = new Float64Array(transferKindCount)
  private readonly byCode = new Float64Array(resultCodeCount)

  constructor(private readonly issuer: number) {}

  count(
    length: number,
    debit: Uint32Array,
    credit: Uint32Array,
    amountFen: Uint32Array,
    kind: Uint8Array,
    code: Uint8Array,
  ): void {
    assert(code.length === length, 'one result per transfer')
    for (let index = 0; index < length; index++) {
      const transferKind = kind[index] as number
      const result = code[index] as number
      this.submittedByKind[transferKind] = (this.submittedByKind[transferKind] as number) + 1
      this.byCode[result] = (this.byCode[result] as number) + 1
      if (result !== ResultCode.ok) continue
      const amount = amountFen[index] as number
      this.acceptedByKind[transferKind] = (this.acceptedByKind[transferKind] as number) + 1
      this.amountFenByKind[transferKind] = (this.amountFenByKind[transferKind] as number) + amount
      if (debit[index] === this.issuer) this.issuedFen += amount
      if (credit[index] === this.issuer) this.redeemedFen += amount
    }
    this.submitted += length
    this.accepted = this.byCode[ResultCode.ok] as number
    assert(
      Number.isSafeInteger(this.issuedFen) && Number.isSafeInteger(this.redeemedFen),
      'money totals stay exact integers',
    )
  }

  /** Transfers by result code so far (indexed by ResultCode), as a copy. */
  codes(): Float64Array {
    return this.byCode.slice()
  }

  get rejected(): number {
    return this.submitted - this.accepted
  }

  byKind(): Record<TransferKindName, KindFigures> {
    const out = {} as Record<TransferKindName, KindFigures>
    transferKinds.forEach((name, index) => {
      const submitted = this.submittedByKind[index] as number
      const accepted = this.acceptedByKind[index] as number
      out[name] = {
        submitted,
        accepted,
        rejected: submitted - accepted,
        amountFen: this.amountFenByKind[index] as number,
      }
    })
    return out
  }

  byReason(): Partial<Record<ResultCodeName, number>> {
    const out: Partial<Record<ResultCodeName, number>> = {}
    resultCodes.forEach((name, index) => {
      if (name !== 'ok' && (this.byCode[index] as number) > 0)
        out[name] = this.byCode[index] as number
    })
    return out
  }
}
