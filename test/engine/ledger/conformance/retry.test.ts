// Proves: a transfer submitted many times (in different batches and orders, some resubmitted while
// the first try is still in flight and abandoned) applies exactly once: one ok, then only exists; a
// changed body gets exists_with_different_body; balances are those of applying each accepted
// transfer once, and money is conserved.
import { afterAll, describe, expect, it } from 'vitest'
import {
  AccountFlag,
  ResultCode,
  TransferFlag,
  TransferKind,
  resultCodes,
  type LedgerCore,
  type TransferResults,
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
import { ReferenceLedger } from './referenceLedger.js'

const seed =
  process.env.CITYTWIN_RETRY_SEED !== undefined
    ? Number(process.env.CITYTWIN_RETRY_SEED)
    : 20_261_124
const accountsMax = 64
const issuer = 0
/** Untiered accounts that pay each other, each funded well beyond what it can pay here. */
const payers = Array.from({ length: 10 }, (_, index) => index + 1)
const fundingFen = 5_000_000
/**
 * A tier-4 wallet (one payment at most 500 yuan) and an id never created: transfers from or to them
 * never apply.
 */
const smallWallet = 20
const neverCreated = 40
const plainCount = 80
const pendingCount = 20

interface Planned {
  readonly row: TransferRow
  /** Whether the transfer can ever be accepted. */
  readonly applies: boolean
}

/** The transfers: plain ones, pending ones each with a post, and some that are always refused. */
function plan(random: Random): Planned[] {
  let nextId = 1_000
  const pick = (): [number, number] => {
    const debit = payers[random.below(payers.length)] as number
    let credit = payers[random.below(payers.length)] as number
    if (credit === debit) credit = (debit % payers.length) + 1
    return [debit, credit]
  }
  const out: Planned[] = []
  for (let index = 0; index < plainCount; index++) {
    const [debit, credit] = pick()
    out.push({
      row: {
        id: nextId++,
        debit,
        credit,
        amountFen: 1 + random.below(20_000),
        kind: TransferKind.p2p,
      },
      applies: true,
    })
  }
  for (let index = 0; index < pendingCount; index++) {
    const [debit, credit] = pick()
    const amountFen = 1 + random.below(20_000)
    const pending = {
      id: nextId++,
      debit,
      credit,
      amountFen,
      kind: TransferKind.retail,
      flags: TransferFlag.pending,
    }
    // Posts all (0), or part; until its pending transfer applies, a post is refused
    // (pending_not_found) and not remembered.
    const post = {
      id: nextId++,
      debit,
      credit,
      amountFen: random.chance(0.5) ? 0 : random.below(amountFen + 1),
      kind: TransferKind.retail,
      flags: TransferFlag.postPending,
      pendingId: pending.id,
    }
    out.push({ row: pending, applies: true }, { row: post, applies: true })
  }
  out.push(
    {
      row: {
        id: nextId++,
        debit: smallWallet,
        credit: 1,
        amountFen: 60_000,
        kind: TransferKind.p2p,
      },
      applies: false,
    },
    {
      row: { id: nextId++, debit: 1, credit: neverCreated, amountFen: 100, kind: TransferKind.p2p },
      applies: false,
    },
  )
  return out
}

function shuffle<T>(random: Random, items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = random.below(index + 1)
    ;[items[index], items[other]] = [items[other] as T, items[index] as T]
  }
  return items
}

/** What an account holds: posted, reserved out, reserved in. */
interface Held {
  balance: number
  pendingDebit: number
  pendingCredit: number
}

/** A call as made, in the order made. */
interface Call {
  readonly rows: TransferRow[]
  readonly result: Promise<TransferResults>
}

for (const adapter of adapters) {
  describe(`idempotency under retry: ${adapter.name}`, () => {
    let ledger: LedgerCore | undefined
    afterAll(async () => {
      await ledger?.close()
    })

    it(`applies each transfer once however often and however it is retried (seed ${seed}; replay: CITYTWIN_RETRY_SEED=${seed})`, async () => {
      const opened = adapter.create({ accountsMax, tiers, utcOffsetMinutes })
      ledger = opened
      await opened.open()
      const random = new Random(seed, 'retry')
      // Every transfer at one minute (the harness's default): nothing here depends on time.
      const minute = mondayMinute + 600

      const accountRows: AccountRow[] = [
        { id: issuer, flags: AccountFlag.issuer },
        ...payers.map((id) => ({ id })),
        { id: smallWallet, tier: 4 },
      ]
      expect([...(await opened.createAccounts(accounts(accountRows))).code]).toEqual(
        accountRows.map(() => 0),
      )
      const funding: TransferRow[] = [...payers, smallWallet].map((id, index) => ({
        id: index + 1,
        debit: issuer,
        credit: id,
        amountFen: id === smallWallet ? 100_000 : fundingFen,
        kind: TransferKind.topup,
        minute,
      }))
      expect([...(await opened.submit(transfers(funding))).code]).toEqual(funding.map(() => 0))

      // Each transfer 2-5 times, shuffled, cut into batches of 1-8.
      const planned = plan(random)
      const submissions = shuffle(
        random,
        planned.flatMap((item) => Array.from({ length: 2 + random.below(4) }, () => item.row)),
      )
      const calls: Call[] = []
      const submit = (rows: TransferRow[]): Promise<TransferResults> => {
        const result = opened.submit(transfers(rows.map((row) => ({ ...row, minute }))))
        calls.push({ rows, result })
        return result
      }
      let abandoned = 0
      for (let start = 0; start < submissions.length;) {
        const batch = submissions.slice(start, start + 1 + random.below(8))
        start += batch.length
        if (random.chance(0.3)) {
          // A simulated timeout: the client stops waiting for this call and resubmits the same ids,
          // reordered.
          void submit(batch)
          abandoned += 1
          await submit(shuffle(random, [...batch]))
        } else await submit(batch)
      }
      const codes = await Promise.all(calls.map(async (call) => [...(await call.result).code]))
      expect(abandoned).toBeGreaterThan(5)

      // Per id, in the order applied (calls in order, rows in order): its codes, and where each try
      // stood.
      const seen = new Map<number, number[]>()
      const tries = new Map<number, number[]>()
      let order = 0
      calls.forEach((call, position) =>
        call.rows.forEach((row, index) => {
          seen.set(row.id, [...(seen.get(row.id) ?? []), codes[position]?.[index] ?? -1])
          tries.set(row.id, [...(tries.get(row.id) ?? []), order++])
        }),
      )
      /** Where the transfer was first accepted, or Infinity. */
      const acceptedAt = (id: number): number => {
        const index = (seen.get(id) ?? []).indexOf(ResultCode.ok)
        return index < 0 ? Infinity : (tries.get(id)?.[index] as number)
      }
      // Refusals (never exists) until one ok, then only exists. A post applies if tried after its
      // pending transfer applied.
      const wrong: string[] = []
      for (const { row, applies } of planned) {
        const history = seen.get(row.id) ?? []
        const pendingAt = row.pendingId === undefined ? -1 : acceptedAt(row.pendingId)
        const canApply = applies && (tries.get(row.id) ?? []).some((at) => at > pendingAt)
        const firstOk = history.indexOf(ResultCode.ok)
        const before = firstOk < 0 ? history : history.slice(0, firstOk)
        const after = firstOk < 0 ? [] : history.slice(firstOk + 1)
        const good =
          history.length >= 2 &&
          firstOk >= 0 === canApply &&
          before.every(
            (code) =>
              code !== ResultCode.exists &&
              code !== ResultCode.exists_with_different_body &&
              code !== ResultCode.ok,
          ) &&
          after.every((code) => code === ResultCode.exists)
        if (!good)
          wrong.push(
            `transfer ${row.id}: ${history.map((code) => resultCodes[code] ?? code).join(', ')}`,
          )
      }
      expect(wrong.length, wrong.slice(0, 5).join('\n')).toBe(0)

      // Balances are the effect of each accepted transfer applied once, worked out here from the
      // plan.
      const expected = new Map<number, Held>(
        accountRows.map((account) => [
          account.id,
          { balance: 0, pendingDebit: 0, pendingCredit: 0 },
        ]),
      )
      const at = (id: number): Held => expected.get(id) as Held
      const accepted = (id: number): boolean => (seen.get(id) ?? []).includes(ResultCode.ok)
      for (const row of funding) {
        at(row.debit).balance -= row.amountFen
        at(row.credit).balance += row.amountFen
      }
      for (const { row } of planned) {
        if (!accepted(row.id)) continue
        const flags = row.flags ?? 0
        if (flags === TransferFlag.pending) {
          at(row.debit).pendingDebit += row.amountFen
          at(row.credit).pendingCredit += row.amountFen
        } else if (flags === TransferFlag.postPending) {
          const pending = planned.find((item) => item.row.id === row.pendingId)?.row as TransferRow
          const posted = row.amountFen === 0 ? pending.amountFen : row.amountFen
          at(row.debit).pendingDebit -= pending.amountFen
          at(row.credit).pendingCredit -= pending.amountFen
          at(row.debit).balance -= posted
          at(row.credit).balance += posted
        } else {
          at(row.debit).balance -= row.amountFen
          at(row.credit).balance += row.amountFen
        }
      }
      const ids = accountRows.map((account) => account.id)
      const lookupAll = async (): Promise<Held[]> => {
        const got = await opened.lookup(Uint32Array.from(ids))
        return ids.map((_, index) => ({
          balance: got.balanceFen[index] ?? NaN,
          pendingDebit: got.pendingDebitFen[index] ?? NaN,
          pendingCredit: got.pendingCreditFen[index] ?? NaN,
        }))
      }
      const after = await lookupAll()
      expect(after).toEqual(ids.map(at))

      // The reference model, fed the same calls in the same order, agrees on every code.
      const reference = new ReferenceLedger({
        accountsMax,
        tiers,
        utcOffsetMinutes,
        pendingMax: 1 << 22,
      })
      reference.createAccounts(accountRows)
      reference.submit(funding)
      calls.forEach((call, position) => {
        const want = reference.submit(call.rows.map((row) => ({ ...row, minute })))
        expect(codes[position], `call ${position}: ${JSON.stringify(call.rows)}`).toEqual(want)
      })

      // Resubmitted with a changed amount, an applied transfer gets exists_with_different_body and
      // moves nothing.
      const applied = planned
        .filter((item) => accepted(item.row.id))
        .map((item) => ({ ...item.row, amountFen: item.row.amountFen + 1, minute }))
      expect([...(await opened.submit(transfers(applied))).code]).toEqual(
        applied.map(() => ResultCode.exists_with_different_body),
      )
      expect(await lookupAll()).toEqual(after)

      // Conservation: the issuer's negative balance is everything the others hold; reserved out
      // equals reserved in.
      const sum = (values: readonly number[]): number =>
        values.reduce((total, value) => total + value, 0)
      const totals = await opened.totals()
      expect(sum(after.map((row) => row.balance))).toBe(0)
      expect(sum(after.map((row) => row.pendingDebit))).toBe(totals.pendingFen)
      expect(sum(after.map((row) => row.pendingCredit))).toBe(totals.pendingFen)
    })
  })
}
