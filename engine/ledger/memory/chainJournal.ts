/**
 * How to undo what a linked chain changed, kept while the chain is evaluated: in number arrays
 * reused from chain to chain, so that a chain allocates nothing but the rare pending transfer's
 * undo. Each sort of change has a log of its own, undone newest first; the sorts touch apart
 * state (account records, ids, totals, the pending store), so undoing them log by log puts every
 * piece back as it was before the chain.
 *
 *   records   an account's record words and reservations as they were, to write back
 *   ids       an id's value as it was (0 when not held)
 *   totals    a posting's kind and sums, to take back out
 *   pending   closures for the pending store (a reservation added, one settled)
 */
export class ChainJournal {
  /** Whether a chain is open: while it is not, nothing is kept. */
  open = false
  private readonly records: number[] = []
  private recordsUsed = 0
  private readonly ids: number[] = []
  private idsUsed = 0
  private readonly totals: number[] = []
  private totalsUsed = 0
  private readonly pending: (() => void)[] = []

  constructor(
    /** Words of an account's record, kept whole. */
    readonly recordWords: number,
  ) {}

  start(): void {
    this.open = true
    this.recordsUsed = 0
    this.idsUsed = 0
    this.totalsUsed = 0
    this.pending.length = 0
  }

  /** Keeps an account's record words (`words[at]`, `recordWords` of them) and reservations. */
  keepRecord(
    account: number,
    words: Uint32Array,
    at: number,
    pendingDebitFen: number,
    pendingCreditFen: number,
  ): void {
    const { records } = this
    let used = this.recordsUsed
    records[used++] = account
    for (let word = 0; word < this.recordWords; word++) records[used++] = words[at + word] as number
    records[used++] = pendingDebitFen
    records[used++] = pendingCreditFen
    this.recordsUsed = used
  }

  keepId(id: number, before: number): void {
    this.ids[this.idsUsed++] = id
    this.ids[this.idsUsed++] = before
  }

  keepTotals(kind: number, debitedFen: number, creditedFen: number): void {
    this.totals[this.totalsUsed++] = kind
    this.totals[this.totalsUsed++] = debitedFen
    this.totals[this.totalsUsed++] = creditedFen
  }

  keepPending(undo: () => void): void {
    this.pending.push(undo)
  }

  /** Hands every kept change, newest first, to the one that puts it back; then closes. */
  rollBack(into: JournalTarget): void {
    const { records, ids, totals, pending } = this
    const entry = this.recordWords + 3
    for (let at = this.recordsUsed - entry; at >= 0; at -= entry) {
      into.restoreRecord(
        records[at] as number,
        records,
        at + 1,
        records[at + 1 + this.recordWords] as number,
        records[at + 2 + this.recordWords] as number,
      )
    }
    for (let at = this.idsUsed - 2; at >= 0; at -= 2)
      into.restoreId(ids[at] as number, ids[at + 1] as number)
    for (let at = this.totalsUsed - 3; at >= 0; at -= 3)
      into.restoreTotals(totals[at] as number, totals[at + 1] as number, totals[at + 2] as number)
    for (let index = pending.length - 1; index >= 0; index--) (pending[index] as () => void)()
    this.close()
  }

  close(): void {
    this.open = false
    this.pending.length = 0
  }
}

/** What a rollback writes back into. */
export interface JournalTarget {
  restoreRecord(
    account: number,
    words: readonly number[],
    at: number,
    pendingDebitFen: number,
    pendingCreditFen: number,
  ): void
  restoreId(id: number, before: number): void
  restoreTotals(kind: number, debitedFen: number, creditedFen: number): void
}
