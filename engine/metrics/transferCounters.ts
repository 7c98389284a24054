/**
 * Counts submitted, accepted and rejected transfers by kind and by reason, and the money the
 * central bank issued and took back, from each batch and its result codes.
 */
import { assert } from '../assert.js'
import {
  ResultCode,
  TransferFlag,
  type TransferBatch,
  resultCodeCount,
  resultCodes,
  transferKindCount,
  transferKinds,
  type ResultCodeName,
  type TransferKindName,
} from '../ledger/index.js'

const twoPhase = TransferFlag.pending | TransferFlag.postPending | TransferFlag.voidPending
/**
 * A post or void refused for these leaves no reservation behind that it made: there was none, or
 * it was settled before.
 */
const settledElsewhere = new Set<number>([
  ResultCode.pending_not_found,
  ResultCode.pending_already_posted,
  ResultCode.pending_already_voided,
  ResultCode.exists,
])

/** One kind's transfers, and the amount accepted (what posted). */
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
  /** Pending transfers accepted and not since posted, voided or seen expired. */
  pendingHeld = 0
  /** What they reserve, fen. */
  reservedFen = 0
  /**
   * Of those, the ones a post or void of theirs was refused for a reason that leaves them held
   * (an outage, a failed chain): the ledger may since have let them expire. Count and fen.
   */
  pendingUnsure = 0
  unsureFen = 0
  private readonly submittedByKind = new Float64Array(transferKindCount)
  private readonly acceptedByKind = new Float64Array(transferKindCount)
  /** What accepted transfers posted, by kind: plain transfers and posts (not reservations). */
  private readonly amountFenByKind = new Float64Array(transferKindCount)
  private readonly byCode = new Float64Array(resultCodeCount)

  constructor(private readonly issuer: number) {}

  count(batch: TransferBatch, code: Uint8Array): void {
    const { count: length, debit, credit, amountFen, kind, flags } = batch
    assert(code.length === length, 'one result per transfer')
    for (let index = 0; index < length; index++) {
      const transferKind = kind[index] as number
      const result = code[index] as number
      this.submittedByKind[transferKind] = (this.submittedByKind[transferKind] as number) + 1
      this.byCode[result] = (this.byCode[result] as number) + 1
      const special = (flags[index] as number) & twoPhase
      if (special !== 0) this.reservation(batch, index, special, result)
      if (result !== ResultCode.ok) continue
      this.acceptedByKind[transferKind] = (this.acceptedByKind[transferKind] as number) + 1
      if (special === TransferFlag.pending || special === TransferFlag.voidPending) continue
      // A post of 0 posts the whole reservation.
      const amount = (amountFen[index] as number) || (batch.heldFen?.[index] ?? 0)
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

  /** What a pending transfer, or a post or void of one, did to the reservations held. */
  private reservation(batch: TransferBatch, index: number, special: number, result: number): void {
    if (special === TransferFlag.pending) {
      if (result !== ResultCode.ok) return
      this.pendingHeld += 1
      this.reservedFen += batch.amountFen[index] as number
      return
    }
    const heldFen = batch.heldFen?.[index] ?? 0
    if (result === ResultCode.ok || result === ResultCode.pending_expired) {
      this.pendingHeld -= 1
      this.reservedFen -= heldFen
    } else if (!settledElsewhere.has(result)) {
      this.pendingUnsure += 1
      this.unsureFen += heldFen
    }
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
