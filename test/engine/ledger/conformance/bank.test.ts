// Proves: with several clients' calls in flight at once (more than the ledger has batch slots),
// every read of all accounts sums to the money issued, no account but the issuer is ever short, and
// the ledger applied the calls in the order they were made (replaying them in that order through
// the reference model gives every code and every read).
import { afterAll, describe, expect, it } from 'vitest'
import {
  AccountFlag,
  TransferFlag,
  TransferKind,
  resultCodes,
  type LedgerCore,
} from '../../../../engine/ledger/index.js'
import { Random } from '../../../../engine/random/index.js'
import {
  accounts,
  adapters,
  mondayMinute,
  tiers,
  transfers,
  utcOffsetMinutes,
  type AccountRow,
  type TransferRow,
} from './harness.js'
import { ReferenceLedger, type ReferenceBalance } from './referenceLedger.js'

const seed =
  process.env.CITYTWIN_BANK_SEED !== undefined ? Number(process.env.CITYTWIN_BANK_SEED) : 20_261_123
const clients = 8
const operationsPerClient = 250
const accountsMax = 64
const pendingMax = 64
const issuer = 0
/** Accounts 1..16: odd ids untiered (no limits), even ids on wallet tiers 1..4. */
const bankAccounts: readonly AccountRow[] = Array.from({ length: 16 }, (_, index) => ({
  id: index + 1,
  tier: index % 2 === 0 ? 0 : 1 + ((index >> 1) % 4),
}))
const ids = bankAccounts.map((account) => account.id)
/** What each account is funded with: half its cap, or 5,000 yuan untiered. */
function fundingOf(account: AccountRow): number {
  const cap = tiers[account.tier ?? 0]?.balanceCapFen ?? 0
  return cap > 0 ? cap / 2 : 500_000
}

interface Report {
  reads: number
  wrongTotals: number
  negativeValues: number
}

/** Counts calls in flight, to show they overlapped. */
class InFlight {
  now = 0
  most = 0
  async track<T>(call: Promise<T>): Promise<T> {
    this.now += 1
    this.most = Math.max(this.most, this.now)
    try {
      return await call
    } finally {
      this.now -= 1
    }
  }
}

/** One call as it was made, in the order made, with what it returned. */
type Call =
  | { op: 'submit'; rows: TransferRow[]; codes?: number[] }
  | { op: 'read'; ids: number[]; balances?: ReferenceBalance[] }

for (const adapter of adapters) {
  describe(`bank: ${adapter.name}`, () => {
    let ledger: LedgerCore | undefined
    afterAll(async () => {
      await ledger?.close()
    })

    it(`keeps every concurrent read's total and applies calls in their order (seed ${seed}; replay: CITYTWIN_BANK_SEED=${seed})`, async () => {
      const opened = adapter.create({ accountsMax, tiers, utcOffsetMinutes, pendingMax })
      ledger = opened
      await opened.open()
      const reference = new ReferenceLedger({ accountsMax, tiers, utcOffsetMinutes, pendingMax })
      const calls: Call[] = []
      let nextId = 1
      let minute = mondayMinute + 8 * 60
      const inFlight = new InFlight()

      // Every call goes through here: logged in the order it is made, then made.
      const submit = async (rows: TransferRow[]): Promise<number[]> => {
        const call: Call = { op: 'submit', rows }
        calls.push(call)
        call.codes = [...(await inFlight.track(opened.submit(transfers(rows)))).code]
        return call.codes
      }
      const read = async (): Promise<ReferenceBalance[]> => {
        const call: Call = { op: 'read', ids: [issuer, ...ids] }
        calls.push(call)
        const got = await inFlight.track(opened.lookup(Uint32Array.from(call.ids)))
        call.balances = call.ids.map((_, index) => ({
          balance: got.balanceFen[index] ?? NaN,
          pendingDebit: got.pendingDebitFen[index] ?? NaN,
          pendingCredit: got.pendingCreditFen[index] ?? NaN,
        }))
        return call.balances
      }

      const rows: readonly AccountRow[] = [
        { id: issuer, flags: AccountFlag.issuer },
        ...bankAccounts,
      ]
      expect([...(await opened.createAccounts(accounts(rows))).code]).toEqual(rows.map(() => 0))
      reference.createAccounts(rows)
      const funding = bankAccounts.map((account) => ({
        id: nextId++,
        debit: issuer,
        credit: account.id,
        amountFen: fundingOf(account),
        kind: TransferKind.topup,
        minute,
      }))
      expect(await submit(funding)).toEqual(funding.map(() => 0))
      const total = funding.reduce((sum, row) => sum + row.amountFen, 0)

      const report: Report = { reads: 0, wrongTotals: 0, negativeValues: 0 }
      const check = (balances: readonly ReferenceBalance[]): void => {
        report.reads += 1
        const [issued, ...held] = balances
        if (held.reduce((sum, row) => sum + row.balance, 0) !== total || issued?.balance !== -total)
          report.wrongTotals += 1
        for (const row of held) {
          if (
            row.balance < 0 ||
            row.pendingDebit < 0 ||
            row.pendingCredit < 0 ||
            row.balance - row.pendingDebit < 0
          )
            report.negativeValues += 1
        }
      }

      /**
       * One client: random batches (plain, pending, posts and voids of its own pending transfers,
       * linked pairs) and reads.
       */
      const client = async (index: number): Promise<void> => {
        const random = new Random(seed, 'bank', index)
        const mine: TransferRow[] = []
        const account = (): number => ids[random.below(ids.length)] as number
        for (let operation = 0; operation < operationsPerClient; operation++) {
          if (random.chance(0.3)) {
            check(await read())
            continue
          }
          // Minutes are taken when the call is made, so they never go back in the order calls
          // apply.
          minute += random.below(4)
          const batch: TransferRow[] = []
          const size = 1 + random.below(6)
          while (batch.length < size) {
            const debit = account()
            const credit = account()
            const amountFen = 1 + random.below(random.chance(0.8) ? 20_000 : 400_000)
            const base = { id: nextId++, debit, credit, amountFen, kind: TransferKind.p2p, minute }
            const choice = random.float()
            if (choice < 0.55) batch.push(base)
            else if (choice < 0.7) {
              const pending = {
                ...base,
                flags: TransferFlag.pending,
                timeoutMinutes: random.chance(0.5) ? 0 : 1 + random.below(30),
              }
              mine.push(pending)
              batch.push(pending)
            } else if (choice < 0.85 && mine.length > 0) {
              const pending = mine[random.below(mine.length)] as TransferRow
              const post = random.chance(0.6)
              const amountFen = post ? random.below(pending.amountFen + 1) : 0
              batch.push({
                ...base,
                debit: pending.debit,
                credit: pending.credit,
                amountFen,
                flags: post ? TransferFlag.postPending : TransferFlag.voidPending,
                pendingId: pending.id,
              })
            } else {
              // Two transfers, all or nothing.
              batch.push(
                { ...base, flags: TransferFlag.linked },
                {
                  id: nextId++,
                  debit: credit,
                  credit: account(),
                  amountFen,
                  kind: TransferKind.p2p,
                  minute,
                },
              )
            }
          }
          await submit(batch)
        }
      }

      await Promise.all(Array.from({ length: clients }, (_, index) => client(index)))
      check(await read())

      expect(report.reads).toBeGreaterThan(clients * operationsPerClient * 0.2)
      expect(inFlight.most).toBe(clients)
      expect({ wrongTotals: report.wrongTotals, negativeValues: report.negativeValues }).toEqual({
        wrongTotals: 0,
        negativeValues: 0,
      })

      // Linearizability in call order: the reference model, fed the calls in the order they were
      // made, returns every code and every read the ledger returned.
      const differences: string[] = []
      let accepted = 0
      for (const [position, call] of calls.entries()) {
        if (call.op === 'submit') {
          const want = reference.submit(call.rows)
          accepted += want.filter((code) => code === 0).length
          if (JSON.stringify(want) !== JSON.stringify(call.codes)) {
            differences.push(
              `call ${position}: submit ${JSON.stringify(call.rows)} got ${(call.codes ?? []).map((code) => resultCodes[code]).join(',')}, expected ${want.map((code) => resultCodes[code]).join(',')}`,
            )
          }
        } else {
          const want = reference.lookup(call.ids)
          if (JSON.stringify(want) !== JSON.stringify(call.balances))
            differences.push(
              `call ${position}: read got ${JSON.stringify(call.balances)}, expected ${JSON.stringify(want)}`,
            )
        }
      }
      expect(differences.length, differences.slice(0, 5).join('\n')).toBe(0)
      // The run did something: most batches moved money, and some were refused.
      expect(accepted).toBeGreaterThan(clients * operationsPerClient)
      const totals = await opened.totals()
      expect({ pendingCount: totals.pendingCount, pendingFen: totals.pendingFen }).toEqual({
        pendingCount: reference.totals().pendingCount,
        pendingFen: reference.totals().pendingFen,
      })
    })
  })
}
