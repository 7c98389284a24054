/**
 * The rules of ledgerCore.ts, one test per rule, for every registered ledger. Every submit goes
 * through a Probe (rulesFixtures.ts), which afterwards checks that money is conserved (all
 * balances, the issuer's included, sum to 0), that reservations balance, that no tiered payee is
 * over its cap and that each kind's debits equal its credits. `rejects` also checks that nothing
 * moved: balances, reservations and totals are the same before and after.
 */
import { describe, expect, it } from 'vitest'
import {
  AccountFlag,
  AccountResultCode,
  ResultCode,
  TransferFlag,
  TransferKind,
  transferKindCount,
  type ResultCodeName,
} from '../../../../engine/ledger/index.js'
import { transferAmountFenMax, transferBatchMax } from '../../../../engine/limits.js'
import { Random } from '../../../../engine/random/index.js'
import {
  accounts,
  adapters,
  mondayMinute,
  openLedger,
  submitCodes,
  tiers,
  type AccountRow,
  type TransferRow,
} from './harness.js'
import {
  Probe,
  bankA,
  bankB,
  byKind,
  cityAccounts,
  frozenShop,
  frozenWallet,
  issuer,
  local,
  localAt,
  neverCreated,
  row,
  shop,
  shopB,
  tierLimits,
  w1,
  w2,
  w3,
  w4,
  w4b,
  walletOfTier,
  withProbe,
  withTiers,
} from './rulesFixtures.js'

const { linked, pending, postPending, voidPending } = TransferFlag
const K = TransferKind

function walletFor(tier: number): number {
  const wallet = walletOfTier[tier]
  if (wallet === undefined) throw new Error(`no wallet of tier ${tier}`)
  return wallet
}

describe.each(adapters)('$name ledger: the rules of ledgerCore.ts', (adapter) => {
  describe('plain transfers and the two tiers of money', () => {
    it('ok: a plain transfer moves its amount from payer to payee, and the issuer may go negative', async () => {
      // Proves the basic debit and credit, posted at once (nothing reserved), with the issuer below
      // zero.
      await withProbe(adapter, async (p) => {
        await p.ok([
          row(1, issuer, bankA, 1_000_000, { kind: K.issue }),
          row(2, bankA, shop, 12_345),
        ])
        expect(await p.balances([issuer, bankA, shop])).toEqual([-1_000_000, 987_655, 12_345])
        expect(await p.account(bankA)).toEqual([987_655, 0, 0])
        expect(await p.account(shop)).toEqual([12_345, 0, 0])
        expect(await p.posted()).toEqual(byKind({ issue: 1_000_000, p2p: 12_345 }))
      })
    })

    it('two-tier money: issue, topup, retail, redeem and retire, with one account per operating bank', async () => {
      // Proves the five flows of the two-tier system land where they should, bank by bank, and the
      // totals count each kind.
      await withProbe(adapter, async (p) => {
        await p.ok([
          row(1, issuer, bankA, 5_000_000, { kind: K.issue }),
          row(2, issuer, bankB, 3_000_000, { kind: K.issue }),
        ])
        expect(await p.balances([issuer, bankA, bankB])).toEqual([-8_000_000, 5_000_000, 3_000_000])
        await p.ok([
          row(3, bankA, w1, 400_000, { kind: K.topup }),
          row(4, bankB, w2, 300_000, { kind: K.topup }),
        ])
        await p.ok([
          row(5, w1, shop, 150_000, { kind: K.retail }),
          row(6, w2, shopB, 100_000, { kind: K.retail }),
        ])
        await p.ok([
          row(7, shop, bankA, 150_000, { kind: K.redeem }),
          row(8, shopB, bankB, 100_000, { kind: K.redeem }),
        ])
        await p.ok([
          row(9, bankA, issuer, 1_000_000, { kind: K.retire }),
          row(10, bankB, issuer, 500_000, { kind: K.retire }),
        ])
        expect(await p.balances([issuer, bankA, bankB, w1, w2, shop, shopB])).toEqual([
          -6_500_000, 3_750_000, 2_300_000, 250_000, 200_000, 0, 0,
        ])
        expect(await p.posted()).toEqual(
          byKind({
            issue: 8_000_000,
            topup: 700_000,
            retail: 250_000,
            redeem: 250_000,
            retire: 1_500_000,
          }),
        )
      })
    })

    it('tier 0 has no limits: institutions pay and receive the largest amount, again and again the same day', async () => {
      // Proves tier-0 payers have no per-payment, daily or yearly limit, tier-0 payees no cap, and
      // transferAmountFenMax is accepted.
      await withProbe(adapter, async (p) => {
        const max = transferAmountFenMax
        await p.ok([
          p.t(issuer, bankA, max, { kind: K.issue }),
          p.t(issuer, bankA, max, { kind: K.issue }),
          p.t(bankA, shop, max),
          p.t(bankA, shop, max),
          p.t(shop, bankB, max, { kind: K.redeem }),
          p.t(shop, bankB, max, { kind: K.redeem }),
        ])
        expect(await p.balances([issuer, bankA, shop, bankB])).toEqual([-2 * max, 0, 0, 2 * max])
      })
    })

    it('a limit of 0 in a wallet tier means none', async () => {
      // Proves each limit of a tier is off when 0 while the tier's other limits still apply.
      const custom = [
        { balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 },
        { balanceCapFen: 0, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 },
        { balanceCapFen: 0, perPaymentFen: 100, perDayFen: 0, perYearFen: 0 },
        { balanceCapFen: 1_000, perPaymentFen: 0, perDayFen: 0, perYearFen: 0 },
      ]
      const rows: AccountRow[] = [
        { id: 0, flags: AccountFlag.issuer },
        { id: 1 },
        { id: 2, tier: 1 },
        { id: 3, tier: 2 },
        { id: 4, tier: 3 },
        { id: 5 },
      ]
      await withTiers(adapter, custom, rows, async (p) => {
        await p.ok([
          p.t(0, 1, 4_000_000_000, { kind: K.issue }),
          p.t(0, 1, 4_000_000_000, { kind: K.issue }),
        ])
        // Tier 1: no cap, no per-payment, daily or yearly limit.
        await p.ok([
          p.t(1, 2, 3_000_000_000),
          p.t(1, 2, 3_000_000_000),
          p.t(2, 5, 3_000_000_000),
          p.t(2, 5, 3_000_000_000),
        ])
        // Tier 2: 100 per payment, nothing else.
        await p.ok([p.t(1, 3, 1_000)])
        await p.rejects([p.t(3, 5, 101)], ['per_payment_limit'])
        await p.ok(Array.from({ length: 10 }, () => p.t(3, 5, 100)))
        // Tier 3: a cap of 1,000, nothing else.
        await p.ok([p.t(1, 4, 1_000)])
        await p.rejects([p.t(1, 4, 1)], ['balance_cap'])
        await p.ok([p.t(4, 5, 1_000)])
        expect(await p.balances([2, 3, 4, 5])).toEqual([0, 0, 0, 6_000_002_000])
      })
    })
  })

  describe('rejections, each leaving every balance as it was', () => {
    it('insufficient_funds: no account but the issuer pays more than it holds', async () => {
      // Proves a tiered wallet and a tier-0 institution alike cannot go below zero, while exactly
      // their balance passes.
      await withProbe(adapter, async (p) => {
        await p.fund(w4, 30_000)
        await p.rejects([p.t(w4, shop, 30_001)], ['insufficient_funds'])
        await p.rejects([p.t(shop, bankB, 1)], ['insufficient_funds'])
        await p.ok([p.t(issuer, bankA, 500, { kind: K.issue })])
        await p.rejects([p.t(bankA, shop, 501)], ['insufficient_funds'])
        await p.ok([p.t(bankA, shop, 500), p.t(w4, shop, 30_000)])
        expect(await p.balances([w4, bankA, shop])).toEqual([0, 0, 30_500])
      })
    })

    it("balance_cap: no payer may take a tiered payee over its tier's cap", async () => {
      // Proves the cap is the payee's, whoever pays (a bank or another wallet), and a full wallet
      // still pays out.
      await withProbe(adapter, async (p) => {
        await p.fund(w4b, tierLimits(4).balanceCapFen)
        await p.fund(w4, 50_000)
        await p.ok([p.t(issuer, bankA, 10, { kind: K.issue })])
        await p.rejects([p.t(w4, w4b, 1), p.t(bankA, w4b, 1)], ['balance_cap', 'balance_cap'])
        await p.ok([p.t(w4b, w4, 1), p.t(bankA, w4b, 1)])
        expect(await p.balances([w4, w4b])).toEqual([50_001, 100_000])
      })
    })

    describe.each([1, 2, 3, 4])(
      'wallet tier %i of the 2020 agreement, at its exact limits',
      (tier) => {
        const limits = tierLimits(tier)
        const wallet = walletFor(tier)

        it('balance cap: a balance of exactly the cap is accepted, one fen more is balance_cap', async () => {
          // Proves the tier's cap is inclusive and enforced to the fen.
          await withProbe(adapter, async (p) => {
            await p.ok([p.t(issuer, bankA, limits.balanceCapFen + 1, { kind: K.issue })])
            await p.ok([
              p.t(bankA, wallet, limits.balanceCapFen - 1, { kind: K.topup }),
              p.t(bankA, wallet, 1, { kind: K.topup }),
            ])
            await p.rejects([p.t(bankA, wallet, 1, { kind: K.topup })], ['balance_cap'])
            expect(await p.balances([wallet])).toEqual([limits.balanceCapFen])
          })
        })

        it('per payment: a payment of exactly the limit is accepted, one fen more is per_payment_limit', async () => {
          // Proves the tier's per-payment limit is inclusive and enforced to the fen.
          await withProbe(adapter, async (p) => {
            await p.fund(wallet, Math.min(limits.balanceCapFen, limits.perPaymentFen + 1))
            await p.rejects(
              [p.t(wallet, shop, limits.perPaymentFen + 1, { kind: K.retail })],
              ['per_payment_limit'],
            )
            await p.rejects(
              [p.t(wallet, shop, limits.perPaymentFen + 1, { kind: K.retail, flags: pending })],
              ['per_payment_limit'],
            )
            await p.ok([p.t(wallet, shop, limits.perPaymentFen, { kind: K.retail })])
            expect(await p.balances([shop])).toEqual([limits.perPaymentFen])
          })
        })

        it('daily: spending exactly the limit in a local day is accepted, one fen more is daily_limit until local midnight', async () => {
          // Proves the daily limit is inclusive, counts every payment of the local day, and resets
          // at 00:00 local.
          await withProbe(adapter, async (p) => {
            const payments = limits.perDayFen / limits.perPaymentFen
            expect(Number.isInteger(payments)).toBe(true)
            await p.ok([
              p.t(issuer, bankA, limits.perDayFen + 2, { kind: K.issue, minute: local(1, 8) }),
            ])
            const rows: TransferRow[] = []
            for (let index = 0; index < payments; index++) {
              rows.push(
                p.t(bankA, wallet, limits.perPaymentFen, {
                  kind: K.topup,
                  minute: local(1, 9, index),
                }),
              )
              rows.push(
                p.t(wallet, shop, limits.perPaymentFen, {
                  kind: K.retail,
                  minute: local(1, 9, index),
                }),
              )
            }
            await p.ok(rows)
            await p.ok([p.t(bankA, wallet, 2, { kind: K.topup, minute: local(1, 12) })])
            await p.rejects(
              [p.t(wallet, shop, 1, { kind: K.retail, minute: local(1, 23, 59) })],
              ['daily_limit'],
            )
            await p.ok([p.t(wallet, shop, 1, { kind: K.retail, minute: local(2, 0, 0) })])
            expect(await p.balances([wallet, shop])).toEqual([1, limits.perDayFen + 1])
          })
        })

        it('yearly: spending exactly the limit in a local year is accepted, one fen more is yearly_limit until the local new year', async () => {
          // Proves the yearly limit is inclusive, sums the days of the local year, and resets at
          // 2027-01-01T00:00 local (16:00 UTC the day before).
          await withProbe(adapter, async (p) => {
            const perDay = limits.perDayFen / limits.perPaymentFen
            const days = limits.perYearFen / limits.perDayFen
            expect(Number.isInteger(perDay) && Number.isInteger(days)).toBe(true)
            expect(local(days, 0)).toBeLessThan(localAt('2026-12-31T00:00'))
            await p.ok([
              p.t(issuer, bankA, limits.perYearFen + 2, { kind: K.issue, minute: local(0, 8) }),
            ])
            const rows: TransferRow[] = []
            for (let day = 0; day < days; day++) {
              for (let index = 0; index < perDay; index++) {
                rows.push(
                  p.t(bankA, wallet, limits.perPaymentFen, {
                    kind: K.topup,
                    minute: local(day, 9, index),
                  }),
                )
                rows.push(
                  p.t(wallet, shop, limits.perPaymentFen, {
                    kind: K.retail,
                    minute: local(day, 9, index),
                  }),
                )
              }
            }
            await p.ok(rows)
            expect(await p.balances([shop])).toEqual([limits.perYearFen])
            await p.ok([p.t(bankA, wallet, 2, { kind: K.topup, minute: local(days, 9) })])
            await p.rejects(
              [p.t(wallet, shop, 1, { kind: K.retail, minute: local(days, 10) })],
              ['yearly_limit'],
            )
            await p.rejects(
              [p.t(wallet, shop, 1, { kind: K.retail, minute: localAt('2026-12-31T23:59') })],
              ['yearly_limit'],
            )
            await p.ok([
              p.t(wallet, shop, 1, { kind: K.retail, minute: localAt('2027-01-01T00:00') }),
            ])
            expect(await p.balances([wallet])).toEqual([1])
          })
        })
      },
    )

    it('daily_limit follows the local (UTC+8) day, not the UTC one', async () => {
      // Proves 07:00 and 09:00 local Monday are one day though their UTC dates differ, and 00:00
      // local Tuesday is a new day though UTC is still Monday.
      await withProbe(adapter, async (p) => {
        await p.fund(w4, 100_000, local(0, 6))
        await p.ok([
          p.t(w4, shop, 50_000, { minute: local(0, 7) }),
          p.t(w4, shop, 50_000, { minute: local(0, 9) }),
        ])
        await p.fund(w4, 50_000, local(0, 10))
        await p.rejects([p.t(w4, shop, 1, { minute: local(0, 23, 59) })], ['daily_limit'])
        await p.ok([p.t(w4, shop, 1, { minute: local(1, 0, 0) })])
      })
    })

    it('frozen: a frozen account neither pays nor receives', async () => {
      // Proves frozen applies to either side, to pending transfers too, and is checked before the
      // amount.
      await withProbe(adapter, async (p) => {
        await p.ok([p.t(issuer, bankA, 1_000, { kind: K.issue })])
        await p.rejects(
          [
            p.t(frozenWallet, shop, 1),
            p.t(bankA, frozenShop, 1),
            p.t(bankA, frozenWallet, 1, { kind: K.topup }),
            p.t(frozenShop, bankA, 0),
            p.t(bankA, frozenShop, 1, { flags: pending }),
          ],
          ['frozen', 'frozen', 'frozen', 'frozen', 'frozen'],
        )
      })
    })

    it('unknown_account: debit or credit never created, or beyond accountsMax', async () => {
      // Proves both sides are checked against created accounts, including ids at and far beyond
      // accountsMax.
      await withProbe(adapter, async (p) => {
        await p.ok([p.t(issuer, bankA, 1_000, { kind: K.issue })])
        await p.rejects(
          [
            p.t(neverCreated, shop, 1),
            p.t(bankA, neverCreated, 1),
            p.t(bankA, 64, 1),
            p.t(bankA, 1_000, 1),
            p.t(0xffff_ffff, bankA, 1),
            p.t(neverCreated, neverCreated, 1),
            p.t(bankA, 0xffff_ffff, 0),
          ],
          [
            'unknown_account',
            'unknown_account',
            'unknown_account',
            'unknown_account',
            'unknown_account',
            'unknown_account',
            'unknown_account',
          ],
        )
      })
    })

    it('same_account: debit and credit are the same account', async () => {
      // Proves a transfer to itself is refused for any account, the issuer's included, and before
      // the amount is looked at.
      await withProbe(adapter, async (p) => {
        await p.fund(w4, 1_000)
        await p.rejects(
          [p.t(w4, w4, 1), p.t(issuer, issuer, 5), p.t(bankA, bankA, 0)],
          ['same_account', 'same_account', 'same_account'],
        )
      })
    })

    it('invalid_amount: 0 for plain and pending; -1 written into the Uint32 column judged against transferAmountFenMax', async () => {
      // Proves a zero amount is refused, and that 0xffffffff (a wrapped -1) is refused only if
      // above the documented maximum, accepted otherwise.
      await withProbe(adapter, async (p) => {
        await p.fund(w4, 100)
        await p.rejects(
          [
            p.t(bankA, shop, 0),
            p.t(w4, shop, 0, { flags: pending }),
            p.t(issuer, bankA, 0, { kind: K.issue }),
          ],
          ['invalid_amount', 'invalid_amount', 'invalid_amount'],
        )
        const wrapped = Uint32Array.of(-1)[0] ?? 0
        expect(wrapped).toBe(0xffff_ffff)
        if (wrapped > transferAmountFenMax) {
          await p.rejects([p.t(issuer, bankA, -1, { kind: K.issue })], ['invalid_amount'])
        } else {
          // transferAmountFenMax is 0xffffffff: the wrapped -1 is the documented maximum, and is
          // accepted.
          await p.ok([p.t(issuer, bankA, -1, { kind: K.issue })])
          expect(await p.balances([issuer, bankA])).toEqual([-100 - 0xffff_ffff, 0xffff_ffff])
        }
      })
    })

    it('invalid_flags: unknown bits, or more than one of pending, postPending and voidPending', async () => {
      // Proves every bad flag combination is refused first, before the kind, the accounts and the
      // amount.
      await withProbe(adapter, async (p) => {
        await p.ok([
          row(1, issuer, bankA, 1_000, { kind: K.issue }),
          row(2, bankA, shop, 10, { flags: pending }),
        ])
        await p.rejects(
          [
            p.t(bankA, shop, 1, { flags: 16 }),
            p.t(bankA, shop, 1, { flags: 128 }),
            p.t(bankA, shop, 1, { flags: pending | postPending }),
            p.t(bankA, shop, 1, { flags: pending | voidPending, pendingId: 2 }),
            p.t(bankA, shop, 0, { flags: postPending | voidPending, pendingId: 2 }),
            p.t(bankA, shop, 0, { flags: pending | postPending | voidPending, pendingId: 2 }),
            p.t(neverCreated, neverCreated, 0, { flags: 64, kind: 200 }),
          ],
          [
            'invalid_flags',
            'invalid_flags',
            'invalid_flags',
            'invalid_flags',
            'invalid_flags',
            'invalid_flags',
            'invalid_flags',
          ],
        )
      })
    })

    it('invalid_kind: a kind outside transferKinds', async () => {
      // Proves kinds past the last known one are refused, before the accounts and the amount.
      await withProbe(adapter, async (p) => {
        await p.ok([p.t(issuer, bankA, 1_000, { kind: K.issue })])
        await p.rejects(
          [
            p.t(bankA, shop, 1, { kind: transferKindCount }),
            p.t(bankA, shop, 1, { kind: 255 }),
            p.t(neverCreated, 99, 0, { kind: 200 }),
          ],
          ['invalid_kind', 'invalid_kind', 'invalid_kind'],
        )
      })
    })

    it('the checks run in the documented order: of two broken rules, the earlier is reported', async () => {
      // Proves the order invalid_flags, invalid_kind, exists*, unknown_account, same_account,
      // frozen, invalid_amount, limits, insufficient_funds, balance_cap.
      await withProbe(adapter, async (p) => {
        await p.ok([row(1, issuer, bankA, 1_000_000, { kind: K.issue })])
        await p.ok([
          p.t(bankA, w4, 100_000),
          p.t(w4, shop, 50_000),
          p.t(w4, shop, 50_000),
          p.t(bankA, w4b, 100_000),
          p.t(bankA, w3, 10),
        ])
        const cases: [TransferRow, ResultCodeName][] = [
          [row(900, bankA, shop, 1, { flags: 16, kind: 200 }), 'invalid_flags'],
          [row(1, issuer, bankA, 1_000_000, { kind: K.issue, flags: 16 }), 'invalid_flags'],
          [row(1, issuer, bankA, 1_000_000, { kind: 200 }), 'invalid_kind'],
          [
            row(1, issuer, neverCreated, 1_000_000, { kind: K.issue }),
            'exists_with_different_body',
          ],
          [p.t(neverCreated, neverCreated, 1), 'unknown_account'],
          [p.t(frozenShop, frozenShop, 1), 'same_account'],
          [p.t(bankA, frozenShop, 0), 'frozen'],
          [p.t(w4, shop, 50_001), 'per_payment_limit'],
          [p.t(w4, shop, 1), 'daily_limit'],
          [p.t(w3, w4b, 11), 'insufficient_funds'],
          [
            p.t(neverCreated, shop, 0, { flags: postPending, pendingId: 999_999 }),
            'unknown_account',
          ],
          [p.t(shop, shop, 0, { flags: voidPending, pendingId: 999_999 }), 'same_account'],
        ]
        await p.rejects(
          cases.map(([transfer]) => transfer),
          cases.map(([, code]) => code),
        )
      })
    })
  })

  describe('idempotency', () => {
    it('the same id with the same body is exists and moves nothing; the minute is not part of the body', async () => {
      // Proves a retried transfer, in a later batch, at another minute or twice in one batch,
      // applies once.
      await withProbe(adapter, async (p) => {
        await p.ok([row(1, issuer, bankA, 1_000, { kind: K.issue }), row(2, bankA, shop, 300)])
        await p.rejects([row(2, bankA, shop, 300)], ['exists'])
        await p.rejects([row(2, bankA, shop, 300, { minute: local(3, 15) })], ['exists'])
        await p.rejects(
          [row(1, issuer, bankA, 1_000, { kind: K.issue, minute: local(40, 0) })],
          ['exists'],
        )
        expect(
          await p.submit([
            row(3, bankA, shop, 100),
            row(3, bankA, shop, 100, { minute: local(0, 11) }),
          ]),
        ).toEqual(['ok', 'exists'])
        expect(await p.balances([issuer, bankA, shop])).toEqual([-1_000, 600, 400])
      })
    })

    it('the same id with another body is exists_with_different_body, whichever field differs', async () => {
      // Proves amount, debit, credit, kind, flags, timeoutMinutes and pendingId are each part of
      // the body, and nothing moves.
      await withProbe(adapter, async (p) => {
        await p.ok([
          row(1, issuer, bankA, 1_000, { kind: K.issue }),
          row(2, bankA, shop, 300),
          row(3, bankA, w4, 100, { flags: pending, timeoutMinutes: 60 }),
          row(4, bankA, w4, 0, { flags: postPending, pendingId: 3 }),
          row(5, bankA, w4, 50, { flags: pending }),
        ])
        await p.rejects(
          [
            row(2, bankA, shop, 301),
            row(2, bankB, shop, 300),
            row(2, bankA, shopB, 300),
            row(2, bankA, shop, 300, { kind: K.retail }),
            row(2, bankA, shop, 300, { flags: pending }),
            row(3, bankA, w4, 100, { flags: pending, timeoutMinutes: 61 }),
            row(3, bankA, w4, 100, { flags: pending }),
            row(4, bankA, w4, 0, { flags: postPending, pendingId: 5 }),
            row(4, bankA, w4, 0, { flags: voidPending, pendingId: 3 }),
            row(5, bankA, w4, 50),
          ],
          Array.from({ length: 10 }, () => 'exists_with_different_body' as const),
        )
        await p.rejects(
          [
            row(3, bankA, w4, 100, { flags: pending, timeoutMinutes: 60 }),
            row(4, bankA, w4, 0, { flags: postPending, pendingId: 3 }),
          ],
          ['exists', 'exists'],
        )
      })
    })

    it('a rejected transfer is not remembered: its id may be retried and then applies', async () => {
      // Proves only accepted ids are remembered: a refused id applies later with the same body, or
      // with another one.
      await withProbe(adapter, async (p) => {
        await p.ok([row(1, issuer, bankA, 100_000, { kind: K.issue })])
        await p.rejects([row(10, w4, shop, 20_000)], ['insufficient_funds'])
        await p.ok([row(2, bankA, w4, 50_000, { kind: K.topup })])
        await p.ok([row(10, w4, shop, 20_000)])
        await p.rejects([row(10, w4, shop, 20_000)], ['exists'])
        await p.rejects([row(11, w4, shop, 60_000)], ['per_payment_limit'])
        await p.ok([row(11, w4, shop, 30_000)])
        expect(await p.balances([w4, shop])).toEqual([0, 50_000])
      })
    })
  })

  describe('linked chains', () => {
    it('a chain whose members all pass applies all of them', async () => {
      // Proves linked members apply together when each passes.
      await withProbe(adapter, async (p) => {
        await p.ok([
          p.t(issuer, bankA, 100_000, { kind: K.issue, flags: linked }),
          p.t(bankA, w4, 50_000, { kind: K.topup, flags: linked }),
          p.t(w4, shop, 20_000, { kind: K.retail }),
        ])
        expect(await p.balances([issuer, bankA, w4, shop])).toEqual([
          -100_000, 50_000, 30_000, 20_000,
        ])
      })
    })

    it('a member may spend what an earlier member of its chain just paid it', async () => {
      // Proves members see the effects of the members before them: A pays B, then B pays C with
      // that money.
      await withProbe(adapter, async (p) => {
        await p.ok([p.t(issuer, bankA, 50_000, { kind: K.issue })])
        await p.rejects([p.t(w4, w4b, 30_000)], ['insufficient_funds'])
        await p.ok([
          p.t(bankA, w4, 50_000, { flags: linked }),
          p.t(w4, w4b, 30_000, { flags: linked }),
          p.t(w4b, shop, 30_000),
        ])
        expect(await p.balances([bankA, w4, w4b, shop])).toEqual([0, 20_000, 0, 30_000])
      })
    })

    it("one failure rolls the whole chain back: the first failure's code, linked_event_failed for the rest", async () => {
      // Proves all-or-nothing, that only the first failure reports its own code (a later broken
      // member too reports linked_event_failed), and that chains and single transfers of one batch
      // are independent.
      await withProbe(adapter, async (p) => {
        await p.ok([p.t(issuer, bankA, 100_000, { kind: K.issue })])
        await p.rejects(
          [
            p.t(bankA, w4, 50_000, { flags: linked }),
            p.t(w4, shop, 50_000, { flags: linked }),
            p.t(w4, shop, 1, { flags: linked }),
            p.t(shop, bankA, 0),
          ],
          [
            'linked_event_failed',
            'linked_event_failed',
            'insufficient_funds',
            'linked_event_failed',
          ],
        )
        await p.rejects(
          [p.t(neverCreated, shop, 1, { flags: linked }), p.t(bankA, shop, 1)],
          ['unknown_account', 'linked_event_failed'],
        )
        expect(
          await p.submit([
            p.t(bankA, shop, 10),
            p.t(bankA, shopB, 10, { flags: linked }),
            p.t(bankA, neverCreated, 10),
            p.t(bankA, w4, 10, { flags: linked }),
            p.t(w4, shop, 5),
            p.t(bankA, shopB, 1),
          ]),
        ).toEqual(['ok', 'linked_event_failed', 'unknown_account', 'ok', 'ok', 'ok'])
        expect(await p.balances([bankA, shop, shopB, w4])).toEqual([100_000 - 21, 15, 1, 5])
      })
    })

    it('a rolled-back chain gives back the daily spending and cap room its earlier members took', async () => {
      // Proves rollback undoes limit counters, not only balances: after failed chains the payer can
      // still spend its whole daily limit and the payee take its whole cap.
      await withProbe(adapter, async (p) => {
        await p.fund(w4, 100_000)
        await p.ok([p.t(issuer, bankA, 100_000, { kind: K.issue })])
        await p.rejects(
          [
            p.t(w4, shop, 50_000, { flags: linked }),
            p.t(w4, shop, 50_000, { flags: linked }),
            p.t(w4, shop, 1),
          ],
          ['linked_event_failed', 'linked_event_failed', 'daily_limit'],
        )
        await p.rejects(
          [
            p.t(w4, shop, 50_000, { flags: linked }),
            p.t(w4, shop, 50_000, { flags: linked }),
            p.t(shop, neverCreated, 1),
          ],
          ['linked_event_failed', 'linked_event_failed', 'unknown_account'],
        )
        await p.rejects(
          [
            p.t(w4, w4b, 50_000, { flags: linked }),
            p.t(bankA, w4b, 50_000, { flags: linked }),
            p.t(bankA, w4b, 1),
          ],
          ['linked_event_failed', 'linked_event_failed', 'balance_cap'],
        )
        await p.ok([p.t(w4, shop, 50_000), p.t(w4, shop, 50_000)])
        await p.rejects([p.t(w4, shop, 1)], ['daily_limit'])
        await p.ok([p.t(bankA, w4b, 100_000)])
      })
    })

    it('a rolled-back chain leaves no reservation and forgets its pending; a rolled-back post leaves the reservation held', async () => {
      // Proves rollback also undoes two-phase state: pending transfers made and pending transfers
      // posted inside the failed chain.
      await withProbe(adapter, async (p) => {
        await p.ok([row(1, issuer, bankA, 10_000, { kind: K.issue })])
        await p.rejects(
          [
            row(40, bankA, shop, 4_000, { flags: pending | linked }),
            row(41, bankA, neverCreated, 1),
          ],
          ['linked_event_failed', 'unknown_account'],
        )
        await p.ok([row(40, bankA, shop, 4_000, { flags: pending })])
        expect(await p.account(bankA)).toEqual([10_000, 4_000, 0])
        await p.rejects(
          [
            row(42, bankA, shop, 0, { flags: postPending | linked, pendingId: 40 }),
            row(43, bankA, shop, 0),
          ],
          ['linked_event_failed', 'invalid_amount'],
        )
        expect(await p.account(bankA)).toEqual([10_000, 4_000, 0])
        expect(await p.account(shop)).toEqual([0, 0, 4_000])
        await p.ok([row(42, bankA, shop, 0, { flags: postPending, pendingId: 40 })])
        expect(await p.balances([bankA, shop])).toEqual([6_000, 4_000])
      })
    })

    it('a chain still open at the end of the batch is linked_chain_open for each member, and applies nothing', async () => {
      // Proves a batch ending on a linked transfer applies nothing of that chain, and its ids stay
      // free.
      await withProbe(adapter, async (p) => {
        await p.ok([p.t(issuer, bankA, 1_000, { kind: K.issue })])
        expect(
          await p.submit([
            row(20, bankA, shop, 100),
            row(21, bankA, shopB, 100, { flags: linked }),
            row(22, bankA, w4, 100, { flags: linked }),
          ]),
        ).toEqual(['ok', 'linked_chain_open', 'linked_chain_open'])
        expect(await p.balances([bankA, shop, shopB, w4])).toEqual([900, 100, 0, 0])
        await p.rejects([row(23, bankA, shop, 1, { flags: linked })], ['linked_chain_open'])
        await p.ok([row(21, bankA, shopB, 100, { flags: linked }), row(22, bankA, w4, 100)])
        expect(await p.balances([bankA, shopB, w4])).toEqual([700, 100, 100])
      })
    })

    it('re-submitting an applied chain is exists for every member and moves nothing', async () => {
      // Proves idempotency holds for whole chains.
      await withProbe(adapter, async (p) => {
        const chain = [
          row(30, issuer, bankA, 1_000, { kind: K.issue, flags: linked }),
          row(31, bankA, w4, 600, { kind: K.topup, flags: linked }),
          row(32, w4, shop, 200, { kind: K.retail }),
        ]
        await p.ok(chain)
        await p.rejects(chain, ['exists', 'exists', 'exists'])
        expect(await p.balances([issuer, bankA, w4, shop])).toEqual([-1_000, 400, 400, 200])
      })
    })
  })

  describe('two-phase transfers', () => {
    it('a pending transfer reserves: pendingDebit and pendingCredit show it and the available balance shrinks', async () => {
      // Proves a pending posts nothing, reserves on both sides, counts in totals as held, and
      // available = balance - pendingDebit.
      await withProbe(adapter, async (p) => {
        await p.fund(w1, 1_000_000)
        await p.ok([row(1, w1, shop, 300_000, { flags: pending, kind: K.retail })])
        expect(await p.account(w1)).toEqual([1_000_000, 300_000, 0])
        expect(await p.account(shop)).toEqual([0, 0, 300_000])
        const totals = await p.ledger.totals()
        expect([totals.pendingCount, totals.pendingFen]).toEqual([1, 300_000])
        expect(await p.posted()).toEqual(byKind({ issue: 1_000_000, topup: 1_000_000 }))
        await p.rejects(
          [p.t(w1, shopB, 700_001), p.t(w1, shopB, 700_001, { flags: pending })],
          ['insufficient_funds', 'insufficient_funds'],
        )
        await p.ok([p.t(w1, shopB, 700_000)])
        expect(await p.account(w1)).toEqual([300_000, 300_000, 0])
      })
    })

    it('post: amount 0 posts the whole reservation, an exact amount posts that amount', async () => {
      // Proves a post releases the reservation and moves the money, counted under the pending's
      // kind.
      await withProbe(adapter, async (p) => {
        await p.fund(w1, 1_000_000)
        await p.ok([
          row(1, w1, shop, 300_000, { flags: pending, kind: K.retail }),
          row(2, w1, shopB, 200_000, { flags: pending, kind: K.retail }),
        ])
        await p.ok([
          row(3, w1, shop, 0, { flags: postPending, pendingId: 1, kind: K.retail }),
          row(4, w1, shopB, 200_000, { flags: postPending, pendingId: 2, kind: K.retail }),
        ])
        expect(await p.account(w1)).toEqual([500_000, 0, 0])
        expect(await p.account(shop)).toEqual([300_000, 0, 0])
        expect(await p.account(shopB)).toEqual([200_000, 0, 0])
        expect(await p.posted()).toEqual(
          byKind({ issue: 1_000_000, topup: 1_000_000, retail: 500_000 }),
        )
        const totals = await p.ledger.totals()
        expect([totals.pendingCount, totals.pendingFen]).toEqual([0, 0])
      })
    })

    it('a partial post posts its amount and releases the rest', async () => {
      // Proves posting less than reserved moves only that amount, frees the rest for spending, and
      // closes the pending.
      await withProbe(adapter, async (p) => {
        await p.fund(w1, 1_000_000)
        await p.ok([row(1, w1, shop, 300_000, { flags: pending, kind: K.retail })])
        await p.ok([
          row(2, w1, shop, 100_000, { flags: postPending, pendingId: 1, kind: K.retail }),
        ])
        expect(await p.account(w1)).toEqual([900_000, 0, 0])
        expect(await p.account(shop)).toEqual([100_000, 0, 0])
        expect(await p.posted()).toEqual(
          byKind({ issue: 1_000_000, topup: 1_000_000, retail: 100_000 }),
        )
        await p.rejects(
          [row(3, w1, shop, 0, { flags: postPending, pendingId: 1, kind: K.retail })],
          ['pending_already_posted'],
        )
        await p.ok([p.t(w1, shopB, 900_000)])
      })
    })

    it('void: amount 0 or the reserved amount releases everything and posts nothing; another amount is exceeds_pending_amount', async () => {
      // Proves a void gives the reservation back untouched, and only 0 or the exact reserved amount
      // voids.
      await withProbe(adapter, async (p) => {
        await p.fund(w1, 1_000_000)
        await p.ok([
          row(1, w1, shop, 300_000, { flags: pending }),
          row(2, w1, shop, 200_000, { flags: pending }),
        ])
        await p.rejects(
          [row(3, w1, shop, 100_000, { flags: voidPending, pendingId: 1 })],
          ['exceeds_pending_amount'],
        )
        await p.rejects(
          [row(3, w1, shop, 300_001, { flags: voidPending, pendingId: 1 })],
          ['exceeds_pending_amount'],
        )
        await p.ok([
          row(3, w1, shop, 0, { flags: voidPending, pendingId: 1 }),
          row(4, w1, shop, 200_000, { flags: voidPending, pendingId: 2 }),
        ])
        expect(await p.account(w1)).toEqual([1_000_000, 0, 0])
        expect(await p.account(shop)).toEqual([0, 0, 0])
        expect(await p.posted()).toEqual(byKind({ issue: 1_000_000, topup: 1_000_000 }))
      })
    })

    it('a pending resolves once: pending_already_voided, pending_already_posted; a post or void id retried is exists', async () => {
      // Proves post after void, void after void, void after post and post after post are refused
      // with their codes.
      await withProbe(adapter, async (p) => {
        await p.fund(w1, 1_000_000)
        await p.ok([
          row(1, w1, shop, 1_000, { flags: pending }),
          row(2, w1, shop, 2_000, { flags: pending }),
        ])
        await p.ok([
          row(3, w1, shop, 0, { flags: voidPending, pendingId: 1 }),
          row(4, w1, shop, 0, { flags: postPending, pendingId: 2 }),
        ])
        await p.rejects(
          [
            row(5, w1, shop, 0, { flags: postPending, pendingId: 1 }),
            row(6, w1, shop, 0, { flags: voidPending, pendingId: 1 }),
            row(7, w1, shop, 0, { flags: voidPending, pendingId: 2 }),
            row(8, w1, shop, 0, { flags: postPending, pendingId: 2 }),
            row(3, w1, shop, 0, { flags: voidPending, pendingId: 1 }),
            row(4, w1, shop, 0, { flags: postPending, pendingId: 2 }),
            row(10, w1, shop, 5_000, { flags: postPending, pendingId: 2 }),
          ],
          [
            'pending_already_voided',
            'pending_already_voided',
            'pending_already_posted',
            'pending_already_posted',
            'exists',
            'exists',
            'pending_already_posted',
          ],
        )
        expect(await p.balances([w1, shop])).toEqual([998_000, 2_000])
      })
    })

    it('pending_already_posted, pending_already_voided and pending_expired are checked before pending_mismatch', async () => {
      // Proves the order within rule 8 of ledgerCore.ts (not_found, already_posted, already_voided,
      // expired, mismatch, exceeds): what became of a pending comes first.
      await withProbe(adapter, async (p) => {
        await p.fund(w1, 1_000_000, local(0, 8))
        await p.ok([
          row(1, w1, shop, 1_000, { flags: pending, minute: local(0, 9) }),
          row(2, w1, shop, 2_000, { flags: pending, minute: local(0, 9) }),
          row(3, w1, shop, 3_000, { flags: pending, timeoutMinutes: 30, minute: local(0, 9) }),
        ])
        await p.ok([
          row(4, w1, shop, 0, { flags: voidPending, pendingId: 1, minute: local(0, 10) }),
          row(5, w1, shop, 0, { flags: postPending, pendingId: 2, minute: local(0, 10) }),
        ])
        await p.rejects(
          [
            row(6, w1, shopB, 0, { flags: postPending, pendingId: 1, minute: local(0, 10) }),
            row(7, w1, shopB, 0, { flags: voidPending, pendingId: 2, minute: local(0, 10) }),
            row(8, w1, shop, 0, {
              flags: postPending,
              pendingId: 3,
              kind: K.retail,
              minute: local(0, 10),
            }),
          ],
          ['pending_already_voided', 'pending_already_posted', 'pending_expired'],
        )
      })
    })

    it('pending_not_found: a post or void of an id the ledger holds no pending transfer for', async () => {
      // Proves unknown ids, plain transfers' ids, and refused pendings' ids are not pending
      // transfers.
      await withProbe(adapter, async (p) => {
        await p.fund(w1, 10_000)
        await p.ok([row(1, w1, shop, 100)])
        await p.rejects([row(6, w1, shop, 20_000, { flags: pending })], ['insufficient_funds'])
        await p.rejects(
          [
            row(2, w1, shop, 0, { flags: postPending, pendingId: 999 }),
            row(3, w1, shop, 0, { flags: voidPending, pendingId: 999 }),
            row(4, w1, shop, 0, { flags: postPending, pendingId: 1 }),
            row(5, w1, shop, 0, { flags: postPending, pendingId: 0 }),
            row(7, w1, shop, 0, { flags: postPending, pendingId: 6 }),
          ],
          [
            'pending_not_found',
            'pending_not_found',
            'pending_not_found',
            'pending_not_found',
            'pending_not_found',
          ],
        )
      })
    })

    it('pending_mismatch: a post or void naming other accounts or another kind than its pending', async () => {
      // Proves debit, credit and kind of a post or void must be the pending's own, and a mismatch
      // moves nothing.
      await withProbe(adapter, async (p) => {
        await p.fund(w1, 100_000)
        await p.ok([row(1, w1, shop, 50_000, { flags: pending, kind: K.retail })])
        await p.rejects(
          [
            row(2, w2, shop, 0, { flags: postPending, pendingId: 1, kind: K.retail }),
            row(3, w1, shopB, 0, { flags: postPending, pendingId: 1, kind: K.retail }),
            row(4, shop, w1, 0, { flags: postPending, pendingId: 1, kind: K.retail }),
            row(5, w1, shop, 0, { flags: postPending, pendingId: 1, kind: K.p2p }),
            row(6, w1, shopB, 0, { flags: voidPending, pendingId: 1, kind: K.retail }),
          ],
          [
            'pending_mismatch',
            'pending_mismatch',
            'pending_mismatch',
            'pending_mismatch',
            'pending_mismatch',
          ],
        )
        await p.ok([row(7, w1, shop, 0, { flags: postPending, pendingId: 1, kind: K.retail })])
        expect(await p.balances([w1, shop])).toEqual([50_000, 50_000])
      })
    })

    it('exceeds_pending_amount: a post for more than was reserved', async () => {
      // Proves a post is bounded by its reservation, to the fen, and a refused post leaves the
      // reservation whole.
      await withProbe(adapter, async (p) => {
        await p.fund(w1, 100_000)
        await p.ok([row(1, w1, shop, 50_000, { flags: pending })])
        await p.rejects(
          [
            row(2, w1, shop, 50_001, { flags: postPending, pendingId: 1 }),
            row(3, w1, shop, 0xffff_ffff, { flags: postPending, pendingId: 1 }),
          ],
          ['exceeds_pending_amount', 'exceeds_pending_amount'],
        )
        expect(await p.account(w1)).toEqual([100_000, 50_000, 0])
        await p.ok([row(4, w1, shop, 50_000, { flags: postPending, pendingId: 1 })])
        expect(await p.balances([w1, shop])).toEqual([50_000, 50_000])
      })
    })

    it('timeout: at minute >= deadline the pending expires (reservation released), and then post or void is pending_expired', async () => {
      // Proves the deadline is minute + timeoutMinutes, exclusive: one minute before it a post
      // passes; a transfer at it expires pendings first; a post at it is pending_expired.
      await withProbe(adapter, async (p) => {
        await p.fund(w1, 1_000_000, local(0, 8))
        await p.ok([
          row(1, w1, shop, 100_000, { flags: pending, timeoutMinutes: 60, minute: local(0, 10) }),
          row(2, w1, shop, 200_000, { flags: pending, timeoutMinutes: 60, minute: local(0, 10) }),
        ])
        await p.ok([
          row(3, w1, shop, 0, { flags: postPending, pendingId: 1, minute: local(0, 10, 59) }),
        ])
        expect(await p.account(w1)).toEqual([900_000, 200_000, 0])
        await p.ok([p.t(shop, shopB, 1, { minute: local(0, 11) })])
        expect(await p.account(w1)).toEqual([900_000, 0, 0])
        expect(await p.account(shop)).toEqual([99_999, 0, 0])
        const totals = await p.ledger.totals()
        expect([totals.pendingCount, totals.pendingFen]).toEqual([0, 0])
        await p.rejects(
          [
            row(4, w1, shop, 0, { flags: postPending, pendingId: 2, minute: local(0, 11) }),
            row(5, w1, shop, 0, { flags: voidPending, pendingId: 2, minute: local(0, 11) }),
            row(6, w1, shop, 200_001, { flags: postPending, pendingId: 2, minute: local(0, 11) }),
          ],
          ['pending_expired', 'pending_expired', 'pending_expired'],
        )
        // No transfer in between: the post at the deadline itself finds the pending expired.
        await p.ok([
          row(7, w1, shop, 50_000, { flags: pending, timeoutMinutes: 30, minute: local(0, 12) }),
        ])
        expect(
          await p.submit([
            row(8, w1, shop, 0, { flags: postPending, pendingId: 7, minute: local(0, 12, 30) }),
          ]),
        ).toEqual(['pending_expired'])
        expect(await p.account(w1)).toEqual([900_000, 0, 0])
        expect(await p.account(shop)).toEqual([99_999, 0, 0])
      })
    })

    it('timeoutMinutes 0 never expires', async () => {
      // Proves a pending without a deadline is still held, and posts, 400 simulated days later.
      await withProbe(adapter, async (p) => {
        await p.fund(w1, 100_000)
        await p.ok([
          row(1, w1, shop, 40_000, { flags: pending, timeoutMinutes: 0, minute: local(0, 10) }),
        ])
        await p.ok([p.t(issuer, bankB, 1, { kind: K.issue, minute: local(400, 10) })])
        expect(await p.account(w1)).toEqual([100_000, 40_000, 0])
        await p.ok([
          row(2, w1, shop, 0, { flags: postPending, pendingId: 1, minute: local(400, 11) }),
        ])
        expect(await p.balances([w1, shop])).toEqual([60_000, 40_000])
      })
    })

    it("the unposted part of a reservation goes back to the payer's day: void, partial post, expiry", async () => {
      // Proves pendings count against the payer's limits, and what a void, a partial post or an
      // expiry does not post is spendable again the same local day.
      await withProbe(adapter, async (p) => {
        const day = tierLimits(3).perDayFen
        // Monday: a void.
        await p.fund(w3, day, local(0, 8))
        await p.rejects(
          [p.t(w3, shop, day + 1, { flags: pending, minute: local(0, 9) })],
          ['per_payment_limit'],
        )
        await p.ok([row(1, w3, shop, day, { flags: pending, minute: local(0, 9) })])
        await p.rejects([p.t(w3, shop, 1, { minute: local(0, 9, 30) })], ['daily_limit'])
        await p.ok([
          row(2, w3, shop, 0, { flags: voidPending, pendingId: 1, minute: local(0, 10) }),
        ])
        await p.ok([p.t(w3, shop, day, { minute: local(0, 11) })])
        // Tuesday: a partial post of 150,000 gives back 50,000 exactly.
        await p.fund(w3, day, local(1, 8))
        await p.ok([row(3, w3, shop, day, { flags: pending, minute: local(1, 9) })])
        await p.ok([
          row(4, w3, shop, day - 50_000, {
            flags: postPending,
            pendingId: 3,
            minute: local(1, 10),
          }),
        ])
        await p.rejects([p.t(w3, shop, 50_001, { minute: local(1, 11) })], ['daily_limit'])
        await p.ok([p.t(w3, shop, 50_000, { minute: local(1, 11) })])
        // Wednesday: an expiry, run before the next transfer.
        await p.fund(w3, day, local(2, 8))
        await p.ok([
          row(5, w3, shop, day, { flags: pending, timeoutMinutes: 60, minute: local(2, 9) }),
        ])
        await p.ok([p.t(w3, shop, day, { minute: local(2, 10) })])
        expect(await p.account(w3)).toEqual([0, 0, 0])
        expect(await p.balances([shop])).toEqual([3 * day])
      })
    })

    it("a void on a later local day does not lower that day's spending", async () => {
      // Proves the give-back applies only while the payer's counters are still on the pending's
      // day.
      await withProbe(adapter, async (p) => {
        await p.fund(w2, 1_000_000, local(0, 8))
        await p.ok([row(1, w2, shop, 500_000, { flags: pending, minute: local(0, 9) })])
        await p.ok([p.t(w2, shop, 500_000, { minute: local(1, 9) })])
        await p.ok([
          row(2, w2, shop, 0, { flags: voidPending, pendingId: 1, minute: local(1, 10) }),
        ])
        await p.ok([p.t(w2, shop, 500_000, { minute: local(1, 11) })])
        await p.fund(w2, 1, local(1, 12))
        await p.rejects([p.t(w2, shop, 1, { minute: local(1, 13) })], ['daily_limit'])
      })
    })

    it("a pending credit counts against the payee's balance cap; its post needs no new room", async () => {
      // Proves balance + pendingCredit + amount is held to the cap for plain and pending credits
      // alike.
      await withProbe(adapter, async (p) => {
        const cap = tierLimits(3).balanceCapFen
        await p.ok([p.t(issuer, bankA, 1_000_000, { kind: K.issue })])
        await p.ok([row(1, bankA, w3, cap - 50_000, { flags: pending, kind: K.topup })])
        expect(await p.account(w3)).toEqual([0, 0, cap - 50_000])
        await p.rejects(
          [
            p.t(bankA, w3, 50_001, { kind: K.topup }),
            p.t(bankA, w3, 50_001, { kind: K.topup, flags: pending }),
          ],
          ['balance_cap', 'balance_cap'],
        )
        await p.ok([p.t(bankA, w3, 50_000, { kind: K.topup })])
        await p.ok([row(2, bankA, w3, 0, { flags: postPending, pendingId: 1, kind: K.topup })])
        expect(await p.account(w3)).toEqual([cap, 0, 0])
      })
    })

    it('pending_capacity: a ledger opened with pendingMax 2 holds two pendings; a void or an expiry frees a place', async () => {
      // Proves the bound on pending transfers held at once, that plain transfers are not bound by
      // it, and that balance_cap is checked before it.
      await withProbe(
        adapter,
        async (p) => {
          await p.ok([p.t(issuer, bankA, 1_000_000, { kind: K.issue })])
          await p.ok([
            row(1, bankA, shop, 100, { flags: pending }),
            row(2, bankA, shop, 200, { flags: pending, timeoutMinutes: 60 }),
          ])
          await p.rejects([row(3, bankA, shopB, 300, { flags: pending })], ['pending_capacity'])
          await p.rejects([row(3, bankA, w4, 100_001, { flags: pending })], ['balance_cap'])
          await p.ok([p.t(bankA, shopB, 300)])
          await p.ok([row(4, bankA, shop, 0, { flags: voidPending, pendingId: 1 })])
          await p.ok([row(3, bankA, shopB, 300, { flags: pending })])
          await p.rejects([row(5, bankA, shopB, 1, { flags: pending })], ['pending_capacity'])
          await p.ok([row(5, bankA, shopB, 1, { flags: pending, minute: local(0, 11) })])
          const totals = await p.ledger.totals()
          expect([totals.pendingCount, totals.pendingFen]).toEqual([2, 301])
        },
        cityAccounts,
        { pendingMax: 2 },
      )
    })
  })

  describe('overflows', () => {
    it('overflows: a balance never passes 2^53 − 1 fen, and nothing moves when it would', async () => {
      // Proves the issuer may issue until the payee's balance would pass what it holds exactly,
      // then gets overflows instead of a crash.
      const ledger = await openLedger(adapter, [{ id: 0, flags: AccountFlag.issuer }, { id: 1 }])
      try {
        const count = transferBatchMax
        const maxFen = 0xffff_ffff
        const batches = Math.floor(Number.MAX_SAFE_INTEGER / maxFen / count)
        const batch = (first: number, length: number) => ({
          count: length,
          id: Float64Array.from({ length }, (_, index) => first + index),
          debit: new Uint32Array(length),
          credit: new Uint32Array(length).fill(1),
          amountFen: new Uint32Array(length).fill(maxFen),
          kind: new Uint8Array(length).fill(TransferKind.issue),
          flags: new Uint8Array(length),
          pendingId: new Float64Array(length),
          timeoutMinutes: new Uint32Array(length),
          minute: new Uint32Array(length).fill(mondayMinute),
        })
        const results = await Promise.all(
          Array.from({ length: batches }, (_, index) => ledger.submit(batch(index * count, count))),
        )
        expect(results.every((result) => result.code.every((code) => code === ResultCode.ok))).toBe(
          true,
        )
        const issuedFen = batches * count * maxFen
        expect(
          await ledger.lookup(Uint32Array.of(0, 1)).then((found) => [...found.balanceFen]),
        ).toEqual([-issuedFen, issuedFen])
        const headroomFen = Number.MAX_SAFE_INTEGER - issuedFen
        const last = batch(batches * count, 2)
        last.amountFen[0] = headroomFen + 1
        last.amountFen[1] = headroomFen
        expect([...(await ledger.submit(last)).code]).toEqual([ResultCode.overflows, ResultCode.ok])
        expect(
          await ledger.lookup(Uint32Array.of(0, 1)).then((found) => [...found.balanceFen]),
        ).toEqual([-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER])
        const totals = await ledger.totals()
        expect([
          totals.debitsFen[TransferKind.issue],
          totals.creditsFen[TransferKind.issue],
        ]).toEqual([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER])
      } finally {
        await ledger.close()
      }
    })
  })

  describe('accounts', () => {
    it('createAccounts: created, exists, id_out_of_range, invalid_tier, invalid_flags', async () => {
      // Proves each account code, that refused ids stay free, and that an existing account is left
      // as it was (tier and flags).
      const ledger = await openLedger(adapter, [], { accountsMax: 16 })
      try {
        const first: AccountRow[] = [
          { id: 0, flags: AccountFlag.issuer },
          { id: 1 },
          { id: 2, tier: 3 },
          { id: 2, tier: 1, flags: AccountFlag.frozen },
          { id: 16 },
          { id: 0xffff_ffff },
          { id: 3, tier: tiers.length },
          { id: 4, tier: 255 },
          { id: 5, flags: 4 },
          { id: 6, flags: 128 },
        ]
        const { created, exists, id_out_of_range, invalid_tier, invalid_flags } = AccountResultCode
        expect([...(await ledger.createAccounts(accounts(first))).code]).toEqual([
          created,
          created,
          created,
          exists,
          id_out_of_range,
          id_out_of_range,
          invalid_tier,
          invalid_tier,
          invalid_flags,
          invalid_flags,
        ])
        expect([
          ...(
            await ledger.createAccounts(
              accounts([{ id: 1, tier: 2 }, { id: 3, tier: 4 }, { id: 5 }]),
            )
          ).code,
        ]).toEqual([exists, created, created])
        const p = new Probe(ledger, [
          { id: 0, flags: AccountFlag.issuer },
          { id: 1 },
          { id: 2, tier: 3 },
          { id: 3, tier: 4 },
          { id: 5 },
        ])
        await p.ok([p.t(0, 1, 1_000_000, { kind: K.issue })])
        // Account 2 kept tier 3 (cap 200,000) and was not frozen by the second attempt.
        await p.ok([p.t(1, 2, tierLimits(3).balanceCapFen)])
        await p.rejects([p.t(1, 2, 1)], ['balance_cap'])
        // Account 1 kept tier 0 (the second attempt asked tier 2): it pays beyond tier 2's
        // per-payment limit.
        await p.ok([p.t(1, 5, tierLimits(2).perPaymentFen + 1)])
        await p.rejects([p.t(1, 3, tierLimits(4).balanceCapFen + 1)], ['balance_cap'])
        await p.rejects([p.t(1, 4, 1), p.t(1, 6, 1)], ['unknown_account', 'unknown_account'])
      } finally {
        await ledger.close()
      }
    })

    it('createAccounts takes a whole city in one batch: more accounts than a transfer batch holds', async () => {
      // Proves an account batch is not bound by transferBatchMax (a run opens every account at
      // once), with codes in order.
      const count = transferBatchMax * 2 + 3
      const ledger = await openLedger(adapter, [], { accountsMax: count })
      try {
        const rows: AccountRow[] = Array.from({ length: count + 1 }, (_, id) => ({
          id: id === count ? count - 1 : id,
          tier: id % 5,
        }))
        const { code } = await ledger.createAccounts(accounts(rows))
        expect(code.length).toBe(count + 1)
        expect(code.subarray(0, count).every((value) => value === AccountResultCode.created)).toBe(
          true,
        )
        expect(code[count]).toBe(AccountResultCode.exists)
        expect(
          await submitCodes(ledger, [{ id: 1, debit: count - 1, credit: 0, amountFen: 1 }]),
        ).toEqual([ResultCode.insufficient_funds])
      } finally {
        await ledger.close()
      }
    })
  })

  describe('totals', () => {
    it('totals count what was posted by kind, both sides alike, and the pendings held', async () => {
      // Proves rejected transfers, pendings, voids and expiries post nothing, a post counts its
      // posted amount under the pending's kind, and pendingCount/pendingFen follow the
      // reservations.
      await withProbe(adapter, async (p) => {
        await p.ok([
          row(1, issuer, bankA, 1_000_000, { kind: K.issue }),
          row(2, issuer, bankB, 500_000, { kind: K.issue }),
          row(3, bankA, w1, 300_000, { kind: K.topup }),
        ])
        await p.rejects([row(4, bankA, w1, 0, { kind: K.topup })], ['invalid_amount'])
        await p.rejects(
          [
            row(5, w1, shop, 1_000, { kind: K.retail, flags: linked }),
            row(6, w1, neverCreated, 1, { kind: K.retail }),
          ],
          ['linked_event_failed', 'unknown_account'],
        )
        expect(await p.posted()).toEqual(byKind({ issue: 1_500_000, topup: 300_000 }))
        await p.ok([
          row(7, w1, shop, 100_000, { kind: K.retail, flags: pending }),
          row(8, w1, shopB, 50_000, { kind: K.retail, flags: pending }),
          row(9, issuer, bankB, 200_000, { kind: K.issue, flags: pending, timeoutMinutes: 60 }),
          row(10, bankA, w2, 20_000, { kind: K.topup, flags: pending }),
        ])
        let totals = await p.ledger.totals()
        expect([totals.pendingCount, totals.pendingFen]).toEqual([4, 370_000])
        expect(await p.posted()).toEqual(byKind({ issue: 1_500_000, topup: 300_000 }))
        await p.ok([
          row(11, w1, shop, 60_000, { kind: K.retail, flags: postPending, pendingId: 7 }),
          row(12, w1, shopB, 0, { kind: K.retail, flags: voidPending, pendingId: 8 }),
          row(13, bankA, w2, 0, { kind: K.topup, flags: postPending, pendingId: 10 }),
        ])
        totals = await p.ledger.totals()
        expect([totals.pendingCount, totals.pendingFen]).toEqual([1, 200_000])
        expect(await p.posted()).toEqual(
          byKind({ issue: 1_500_000, topup: 320_000, retail: 60_000 }),
        )
        await p.ok([row(14, shop, bankA, 60_000, { kind: K.redeem, minute: local(0, 11) })])
        totals = await p.ledger.totals()
        expect([totals.pendingCount, totals.pendingFen]).toEqual([0, 0])
        await p.ok([
          row(15, bankB, issuer, 100_000, { kind: K.retire, minute: local(0, 12) }),
          row(16, w1, w4, 1_000, { kind: K.p2p, minute: local(0, 12) }),
          row(17, w1, shopB, 500, { kind: K.transit, minute: local(0, 12) }),
          row(18, w1, shopB, 700, { kind: K.bill, minute: local(0, 12) }),
          row(19, bankB, w1, 900, { kind: K.payroll, minute: local(0, 12) }),
        ])
        expect(await p.posted()).toEqual(
          byKind({
            issue: 1_500_000,
            topup: 320_000,
            retail: 60_000,
            transit: 500,
            bill: 700,
            payroll: 900,
            p2p: 1_000,
            redeem: 60_000,
            retire: 100_000,
          }),
        )
        expect(await p.balances([issuer, w1, w2, shop, shopB])).toEqual([
          -1_400_000,
          300_000 - 60_000 - 1_000 - 500 - 700 + 900,
          20_000,
          0,
          1_200,
        ])
      })
    })
  })

  describe('conservation', () => {
    it('money is conserved over many random transfers, plain and two-phase', async () => {
      // Proves, batch after batch, the invariants of the Probe (sum 0, nothing below zero but the
      // issuer, reservations balanced, caps held) and that the issuer holds minus what it issued
      // net.
      await withProbe(adapter, async (p) => {
        const random = new Random(42, 'ledger-rules')
        const accountCount = cityAccounts.length
        const held: TransferRow[] = []
        let issuedNetFen = 0
        const accepted = { plain: 0, pending: 0, resolved: 0 }
        for (let round = 0; round < 30; round++) {
          const rows: TransferRow[] = []
          const minute = mondayMinute + round * 20
          for (let index = 0; index < 100; index++) {
            const draw = random.below(10)
            const target = held.length > 0 ? held[random.below(held.length)] : undefined
            if (draw >= 8 && target !== undefined) {
              const post = random.chance(0.6)
              const amountFen = post && random.chance(0.5) ? 1 + random.below(target.amountFen) : 0
              rows.push(
                p.t(target.debit, target.credit, amountFen, {
                  kind: target.kind ?? K.p2p,
                  flags: post ? postPending : voidPending,
                  pendingId: target.id,
                  minute,
                }),
              )
              continue
            }
            const twoPhase = draw >= 6
            const debit = twoPhase ? 1 + random.below(accountCount - 1) : random.below(accountCount)
            let credit = twoPhase ? 1 + random.below(accountCount - 1) : random.below(accountCount)
            if (credit === debit) credit = debit === accountCount - 1 ? 1 : debit + 1
            const more = twoPhase ? { flags: pending, timeoutMinutes: 30 * random.below(3) } : {}
            rows.push(
              p.t(debit, credit, 1 + random.below(60_000), {
                kind: random.below(transferKindCount),
                minute,
                ...more,
              }),
            )
          }
          const codes = await p.submit(rows)
          rows.forEach((transfer, index) => {
            if (codes[index] !== 'ok') return
            const flags = transfer.flags ?? 0
            if (flags === 0) {
              accepted.plain++
              if (transfer.debit === issuer) issuedNetFen += transfer.amountFen
              if (transfer.credit === issuer) issuedNetFen -= transfer.amountFen
            } else if (flags === pending) {
              accepted.pending++
              held.push(transfer)
            } else {
              accepted.resolved++
            }
          })
        }
        expect(accepted.plain).toBeGreaterThan(100)
        expect(accepted.pending).toBeGreaterThan(10)
        expect(accepted.resolved).toBeGreaterThan(5)
        expect(issuedNetFen).toBeGreaterThan(0)
        expect(await p.balances([issuer])).toEqual([-issuedNetFen])
      })
    })
  })
})
