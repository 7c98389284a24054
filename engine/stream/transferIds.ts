/**
 * The run's transfer ids, handed out in the order transfers go to the ledger: the opening, each
 * tick's payments, each evening's institutional steps. One sequence for the whole run, so an id
 * names one transfer whoever sent it. Ids are exact integers below 2^53 (ledgerCore.ts): the plan
 * refuses a scenario that could come near the end of them, so the assertion is a bug check.
 */
import { assert } from '../assert.js'
import { transfersPerRunMax } from '../limits.js'

export class TransferIds {
  private next = 0

  /** Ids for `count` transfers, in order: the first of them. */
  take(count: number): number {
    assert(Number.isInteger(count) && count >= 0, 'a count of ids')
    assert(
      this.next + count <= transfersPerRunMax,
      'transfer ids stay exact integers (below Number.MAX_SAFE_INTEGER)',
    )
    const first = this.next
    this.next += count
    return first
  }

  /** Ids handed out so far. */
  get taken(): number {
    return this.next
  }
}
