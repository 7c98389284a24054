/**
 * The memory ledger's restrictions: the conditions of restricted value (ledgerCore.ts, Restricted
 * value), in columns indexed by restriction id, with each one's designated merchants (sorted, for
 * a binary search) and the restricted accounts holding its value (for the recovery at its end).
 *
 *   id:        1 … restrictionsMax     (0 is never a restriction)
 *   columns:   issuer │ categories │ districts │ min spend │ valid from │ valid until │ state
 *   merchants: sorted Uint32Array, or none (any merchant the masks allow)
 *   accounts:  the restricted accounts of each, in the order they were opened
 */
import { assert } from '../../assert.js'
import { grown } from '../../grown.js'
import { restrictionsMax } from '../../limits.js'

const State = { absent: 0, live: 1, recovered: 2 } as const

export interface RestrictionFields {
  readonly issuer: number
  readonly categories: number
  readonly districts: number
  readonly minSpendFen: number
  readonly validFrom: number
  readonly validUntil: number
  /** Sorted, without repeats; empty for none. */
  readonly merchants: Uint32Array
}

export class RestrictionTable {
  readonly issuer = new Uint32Array(restrictionsMax + 1)
  readonly categories = new Uint32Array(restrictionsMax + 1)
  readonly districts = new Uint32Array(restrictionsMax + 1)
  readonly minSpendFen = new Uint32Array(restrictionsMax + 1)
  readonly validFrom = new Uint32Array(restrictionsMax + 1)
  readonly validUntil = new Uint32Array(restrictionsMax + 1)
  private readonly state = new Uint8Array(restrictionsMax + 1)
  private readonly merchants: (Uint32Array | null)[] = []
  private readonly accounts: (Uint32Array | null)[] = []
  private readonly accountCount = new Uint32Array(restrictionsMax + 1)
  /** The earliest end of a live restriction, Infinity for none. */
  nextEnd = Infinity

  has(id: number): boolean {
    return id >= 1 && id <= restrictionsMax && this.state[id] !== State.absent
  }

  add(id: number, fields: RestrictionFields): void {
    assert(!this.has(id) && id >= 1 && id <= restrictionsMax, 'a new restriction id')
    this.issuer[id] = fields.issuer
    this.categories[id] = fields.categories
    this.districts[id] = fields.districts
    this.minSpendFen[id] = fields.minSpendFen
    this.validFrom[id] = fields.validFrom
    this.validUntil[id] = fields.validUntil
    this.merchants[id] = fields.merchants.length === 0 ? null : fields.merchants
    this.state[id] = State.live
    if (fields.validUntil < this.nextEnd) this.nextEnd = fields.validUntil
  }

  /** Whether restriction `id`'s list holds `merchant` (a restriction without one allows all). */
  lists(id: number, merchant: number): boolean {
    const list = this.merchants[id]
    if (list === null || list === undefined) return true
    let low = 0
    let high = list.length - 1
    while (low <= high) {
      const middle = (low + high) >>> 1
      const held = list[middle] as number
      if (held === merchant) return true
      if (held < merchant) low = middle + 1
      else high = middle - 1
    }
    return false
  }

  /** Records a restricted account opened on restriction `id`. */
  addAccount(id: number, account: number): void {
    const count = this.accountCount[id] as number
    let list = this.accounts[id] ?? null
    if (list === null || count === list.length) {
      list = list === null ? new Uint32Array(16) : grown(list, list.length * 2, count)
      this.accounts[id] = list
    }
    list[count] = account
    this.accountCount[id] = count + 1
  }

  /**
   * Marks every live restriction ending at or before `minute` recovered and calls `recover` with
   * each of its accounts, earliest end first (ties by id).
   */
  recoverDue(minute: number, recover: (id: number, account: number) => void): void {
    while (this.nextEnd <= minute) {
      const id = this.earliestLive()
      this.state[id] = State.recovered
      const list = this.accounts[id] ?? null
      const count = this.accountCount[id] as number
      for (let at = 0; at < count; at++) recover(id, (list as Uint32Array)[at] as number)
      const next = this.earliestLive()
      this.nextEnd = next === 0 ? Infinity : (this.validUntil[next] as number)
    }
  }

  /** The live restriction that ends first (lowest id of those), or 0 for none. */
  private earliestLive(): number {
    let found = 0
    let end = Infinity
    for (let id = 1; id <= restrictionsMax; id++) {
      if (this.state[id] !== State.live) continue
      const until = this.validUntil[id] as number
      if (until < end) {
        end = until
        found = id
      }
    }
    return found
  }
}
