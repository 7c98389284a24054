/**
 * Reservations (engine/ledger/memory/reservations.ts) against a plain Map: accounts from a small
 * pool (so runs collide, deletions shift entries back and entries come and go), accounts over the
 * whole u32 range, growth through many doublings, and rollbacks that put sums back.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AssertionError } from '../../../../engine/assert.js'
import { Reservations } from '../../../../engine/ledger/memory/reservations.js'

type Op =
  | { kind: 'debit' | 'credit'; account: number; fen: number }
  | { kind: 'set'; account: number; debitFen: number; creditFen: number }

/** Applies `ops` to both and checks every account touched after each step. */
function checkAgainstModel(ops: Op[]): void {
  const map = new Reservations()
  const model = new Map<number, { debit: number; credit: number }>()
  for (const op of ops) {
    const held = model.get(op.account) ?? { debit: 0, credit: 0 }
    if (op.kind === 'set') {
      map.set(op.account, op.debitFen, op.creditFen)
      held.debit = op.debitFen
      held.credit = op.creditFen
    } else {
      // A release never takes more than is held, and a sum stays exact: the ledger only releases
      // what it reserved, and refuses a reservation that would overflow before making it.
      const sum = Math.min(Math.max(0, held[op.kind] + op.fen), Number.MAX_SAFE_INTEGER)
      const delta = sum - held[op.kind]
      const result =
        op.kind === 'debit' ? map.addDebit(op.account, delta) : map.addCredit(op.account, delta)
      expect(result).toBe(sum)
      held[op.kind] = sum
    }
    if (held.debit === 0 && held.credit === 0) model.delete(op.account)
    else model.set(op.account, held)
    expect(map.count).toBe(model.size)
  }
  for (const op of ops) {
    const held = model.get(op.account) ?? { debit: 0, credit: 0 }
    expect([map.debitOf(op.account), map.creditOf(op.account)]).toEqual([held.debit, held.credit])
  }
}

function opsOver(account: fc.Arbitrary<number>): fc.Arbitrary<Op[]> {
  const fen = fc.oneof(fc.integer({ min: -2_000, max: 2_000 }), fc.constant(2 ** 52))
  const held = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 53 - 1 }))
  return fc.array(
    fc.oneof(
      fc.record({ kind: fc.constantFrom('debit' as const, 'credit' as const), account, fen }),
      fc.record({ kind: fc.constant('set' as const), account, debitFen: held, creditFen: held }),
    ),
    { maxLength: 400 },
  )
}

describe('Reservations', () => {
  it('agrees with a Map over a small pool of accounts', () => {
    fc.assert(fc.property(opsOver(fc.integer({ min: 0, max: 40 })), checkAgainstModel), {
      numRuns: 300,
      interruptAfterTimeLimit: 10_000,
    })
  })

  it('agrees with a Map over the whole u32 range of accounts', () => {
    const account = fc.oneof(
      fc.integer({ min: 0, max: 0xffff_fffe }),
      fc.constantFrom(0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe),
    )
    fc.assert(fc.property(opsOver(account), checkAgainstModel), {
      numRuns: 200,
      interruptAfterTimeLimit: 10_000,
    })
  })

  it('grows through many doublings and empties again', () => {
    const map = new Reservations()
    const accounts = Array.from({ length: 50_000 }, (_, index) => index * 7 + 3)
    accounts.forEach((account, index) => map.addDebit(account, index + 1))
    accounts.forEach((account) => map.addCredit(account, 5))
    expect(map.count).toBe(accounts.length)
    accounts.forEach((account, index) => {
      expect(map.debitOf(account)).toBe(index + 1)
      expect(map.creditOf(account)).toBe(5)
    })
    accounts.forEach((account, index) => map.addDebit(account, -(index + 1)))
    expect(map.count).toBe(accounts.length)
    accounts.forEach((account) => map.addCredit(account, -5))
    expect(map.count).toBe(0)
    expect(map.debitOf(3)).toBe(0)
  })

  it('refuses a release below zero', () => {
    const map = new Reservations()
    map.addDebit(9, 100)
    expect(() => map.addDebit(9, -101)).toThrow(AssertionError)
    expect(() => map.addCredit(10, -1)).toThrow(AssertionError)
  })
})
