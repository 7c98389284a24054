/**
 * The run's transfer ids, handed out in the order transfers go to the ledger: the opening, each
 * tick's payments, each evening's institutional steps. One sequence for the whole run, so an id
 * names one transfer whoever sent it.
 */
import { assert } from '../assert.js'
import { transfersPerRunMax } from '../limits.js'

export class TransferIds {
  private next = 0

  /** Ids for `count` transfers, in order: the first of them. */
  take(count: number): number {
    assert(this.next + count <= transfersPerRunMax, 'transfer ids fit a Uint32')
    const first = this.next
    this.next += count
    return first
  }

  /** Ids handed out so far. */
  get taken(): number {
    return this.next
  }
}
