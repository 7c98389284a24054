/**
 * Transfer ids are integers below 2^53 (ledgerCore.ts), for every registered ledger: ids past 2^32
 * apply, repeat as `exists`, name pending transfers to post, void and expire, and are never taken
 * for the id with the same low 32 bits; an id that is not such an integer fails the call before
 * any of its transfers applies. Every submit goes through a Probe (rulesFixtures.ts), which checks
 * after each that money is conserved.
 */
import { describe, expect, it } from 'vitest'
import { TransferFlag, TransferKind } from '../../../../engine/ledger/index.js'
import { adapters, transfers } from './harness.js'
import { bankA, issuer, local, row, shop, shopB, w1, withProbe } from './rulesFixtures.js'

const { linked, pending, postPending, voidPending } = TransferFlag
const K = TransferKind
const wordSpan = 2 ** 32
const idMax = Number.MAX_SAFE_INTEGER

describe.each(adapters)('$name ledger: transfer ids below 2^53', (adapter) => {
  it('applies ids past 2^32, up to 2^53 - 1, and answers exists when one is repeated', async () => {
    // Proves a wide id is a transfer id like any other: it applies once, a retry of it is exists,
    // another body under it is exists_with_different_body, and nothing moves on a retry.
    await withProbe(adapter, async (p) => {
      await p.ok([
        row(1, issuer, bankA, 100_000, { kind: K.issue }),
        row(wordSpan + 5, bankA, shop, 300),
        row(idMax, bankA, shop, 200),
      ])
      await p.rejects(
        [
          row(wordSpan + 5, bankA, shop, 300),
          row(idMax, bankA, shop, 200, { minute: local(2, 9) }),
        ],
        ['exists', 'exists'],
      )
      await p.rejects(
        [row(wordSpan + 5, bankA, shop, 301), row(idMax, bankA, shopB, 200)],
        ['exists_with_different_body', 'exists_with_different_body'],
      )
      expect(await p.balances([issuer, bankA, shop])).toEqual([-100_000, 99_500, 500])
    })
  })

  it('keeps ids apart that share their low 32 bits', async () => {
    // Proves no ledger keys a transfer by 32 bits of its id: 5, 2^32 + 5 and 2^48 + 5 are three
    // transfers, each remembered with its own body, whichever came first.
    await withProbe(adapter, async (p) => {
      await p.ok([row(1, issuer, bankA, 100_000, { kind: K.issue }), row(5, bankA, shop, 10)])
      await p.ok([row(wordSpan + 5, bankA, shop, 20), row(2 ** 48 + 5, bankA, shopB, 30)])
      await p.rejects(
        [row(5, bankA, shop, 10), row(wordSpan + 5, bankA, shop, 20)],
        ['exists', 'exists'],
      )
      await p.rejects([row(2 ** 48 + 5, bankA, shop, 10)], ['exists_with_different_body'])
      // An id whose low word is one already held, never sent itself, is new.
      await p.ok([row(2 * wordSpan + 5, bankA, shop, 40)])
      expect(await p.balances([bankA, shop, shopB])).toEqual([99_900, 70, 30])
    })
  })

  it('applies a run of consecutive ids across 2^32, and a linked chain of them, once', async () => {
    // Proves ids that follow each other over the 32-bit boundary are stored and found again
    // (the memory ledger's rows of 16 ids, the redis ledger's runs of consecutive records).
    await withProbe(adapter, async (p) => {
      const first = wordSpan - 3
      const ids = Array.from({ length: 8 }, (_, index) => first + index)
      await p.ok([row(1, issuer, bankA, 100_000, { kind: K.issue })])
      await p.ok(ids.slice(0, 5).map((id) => row(id, bankA, shop, 100)))
      const chain = ids
        .slice(5)
        .map((id, index) => row(id, bankA, shopB, 100, { flags: index < 2 ? linked : 0 }))
      await p.ok(chain)
      await p.rejects(
        ids.slice(0, 5).map((id) => row(id, bankA, shop, 100)),
        Array.from({ length: 5 }, () => 'exists' as const),
      )
      await p.rejects(chain, ['exists', 'exists', 'exists'])
      expect(await p.balances([bankA, shop, shopB])).toEqual([99_200, 500, 300])
    })
  })

  it('posts and voids pending transfers whose id and pendingId are past 2^32', async () => {
    // Proves a wide pendingId finds its pending transfer (and only it: the same low word is not
    // found), and that a post or void of one resolves it once.
    await withProbe(adapter, async (p) => {
      await p.fund(w1, 1_000_000)
      const held = wordSpan + 7
      const voided = 2 ** 52 + 9
      await p.ok([
        row(held, w1, shop, 300_000, { flags: pending, kind: K.retail }),
        row(voided, w1, shopB, 200_000, { flags: pending, kind: K.retail }),
      ])
      expect(await p.account(w1)).toEqual([1_000_000, 500_000, 0])
      await p.rejects(
        [row(wordSpan + 100, w1, shop, 0, { flags: postPending, pendingId: 7, kind: K.retail })],
        ['pending_not_found'],
      )
      await p.ok([
        row(idMax - 1, w1, shop, 0, { flags: postPending, pendingId: held, kind: K.retail }),
        row(idMax, w1, shopB, 0, { flags: voidPending, pendingId: voided, kind: K.retail }),
      ])
      expect(await p.account(w1)).toEqual([700_000, 0, 0])
      expect(await p.balances([shop, shopB])).toEqual([300_000, 0])
      await p.rejects(
        [
          row(idMax - 1, w1, shop, 0, { flags: postPending, pendingId: held, kind: K.retail }),
          row(wordSpan + 101, w1, shop, 0, { flags: postPending, pendingId: held, kind: K.retail }),
          row(wordSpan + 102, w1, shopB, 0, {
            flags: voidPending,
            pendingId: voided,
            kind: K.retail,
          }),
        ],
        ['exists', 'pending_already_posted', 'pending_already_voided'],
      )
      // The pendingId is part of the body: another wide one under the same id is another body.
      await p.rejects(
        [
          row(idMax - 1, w1, shop, 0, {
            flags: postPending,
            pendingId: held + wordSpan,
            kind: K.retail,
          }),
        ],
        ['exists_with_different_body'],
      )
      const totals = await p.ledger.totals()
      expect([totals.pendingCount, totals.pendingFen]).toEqual([0, 0])
    })
  })

  it('expires a pending transfer whose id is past 2^32 at its deadline', async () => {
    // Proves expiry finds a wide id by its deadline (the redis ledger's deadlines set holds the
    // id as its key) and releases the reservation.
    await withProbe(adapter, async (p) => {
      await p.fund(w1, 100_000)
      const held = 3 * wordSpan + 1
      await p.ok([
        row(held, w1, shop, 40_000, {
          flags: pending,
          kind: K.retail,
          timeoutMinutes: 30,
          minute: local(0, 10),
        }),
      ])
      expect(await p.account(w1)).toEqual([100_000, 40_000, 0])
      // The post comes after the deadline: the pending expires first, then the post finds it so.
      expect(
        await p.submit([
          row(held + 1, w1, shop, 0, {
            flags: postPending,
            pendingId: held,
            kind: K.retail,
            minute: local(0, 11),
          }),
        ]),
      ).toEqual(['pending_expired'])
      expect(await p.account(w1)).toEqual([100_000, 0, 0])
      const totals = await p.ledger.totals()
      expect([totals.pendingCount, totals.pendingFen]).toEqual([0, 0])
    })
  })

  it('refuses a batch with an id or pendingId that is not an integer below 2^53, applying none of it', async () => {
    // Proves ids are checked before anything applies: 2^53, 1.5, -1 and NaN fail the call (an
    // embedded ledger's assertion, the http client's before it sends), a good transfer in the
    // same batch does not apply, and the ledger goes on as it was.
    await withProbe(adapter, async (p) => {
      await p.ok([row(1, issuer, bankA, 100_000, { kind: K.issue })])
      const before = await p.snapshot()
      for (const bad of [2 ** 53, 2 ** 53 + 2, 1.5, -1, Number.NaN, Infinity]) {
        await expect(
          p.ledger.submit(transfers([row(2, bankA, shop, 100), row(bad, bankA, shop, 100)])),
        ).rejects.toThrow(/transfer 1: id .* is not an integer in \[0, 2\^53\)/)
        await expect(
          p.ledger.submit(
            transfers([
              row(3, bankA, shop, 100, { flags: postPending, pendingId: bad, kind: K.retail }),
            ]),
          ),
        ).rejects.toThrow(/transfer 0: pendingId .* is not an integer in \[0, 2\^53\)/)
      }
      expect(await p.snapshot()).toEqual(before)
      // Neither id 2 nor 3 was remembered: both apply now.
      await p.ok([row(2, bankA, shop, 100), row(3, bankA, shop, 100)])
      expect(await p.balances([bankA, shop])).toEqual([99_800, 200])
    })
  })
})
