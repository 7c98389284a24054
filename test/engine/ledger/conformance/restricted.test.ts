/**
 * Restricted value (ledgerCore.ts, Restricted value), for every ledger that has it: restrictions
 * created and refused, restricted accounts opened and refused, purchases paid from the value alone
 * and with the owner paying the rest, one test per new result code, the owner's own rules on the
 * rest, chains, retries, and the recovery at a restriction's end. Every submit goes through a
 * Probe, which checks after it that money is conserved across every account, envelopes included,
 * and that each kind's debits equal its credits.
 */
import { describe, expect, it } from 'vitest'
import {
  AccountFlag,
  AccountResultCode,
  RestrictionResultCode,
  TransferFlag,
  TransferKind,
  type LedgerCore,
} from '../../../../engine/ledger/index.js'
import { restrictionsMax, transferAmountFenMax } from '../../../../engine/limits.js'
import { accounts, restrictions, type RestrictionRow } from '../../../helpers/batches.js'
import {
  adapters,
  openLedger,
  tiers,
  utcOffsetMinutes,
  type AccountRow,
  type Adapter,
} from './harness.js'
import {
  Probe,
  bankA,
  bankB,
  byKind,
  cityAccounts,
  frozenWallet,
  issuer,
  local,
  neverCreated,
  shop,
  shopB,
  w1,
  w2,
  w3,
} from './rulesFixtures.js'

const K = TransferKind

/** The city's shops get a place: a restaurant (category 2) in district 3, a shop (5) in 1. */
const placed: readonly AccountRow[] = cityAccounts.map((account) =>
  account.id === shop
    ? { ...account, category: 2, district: 3 }
    : account.id === shopB
      ? { ...account, category: 5, district: 1 }
      : account,
)

/** Valid on the Monday from 08:00 to Wednesday 00:00; a district government (bankB) issues. */
const opens = local(0, 8)
const ends = local(2, 0)
const envelope = 20
const voucher = 21
const listed = 22

const rules: readonly RestrictionRow[] = [
  // A red envelope: restaurants (2) and shops (5) in district 3 only.
  {
    id: 1,
    issuer: bankB,
    categories: (1 << 2) | (1 << 5),
    districts: 1 << 3,
    validFrom: opens,
    validUntil: ends,
  },
  // A voucher: spend 100 yuan, 20 off; anywhere.
  { id: 2, issuer: bankB, minSpendFen: 100_00, validFrom: opens, validUntil: ends },
  // Designated merchants: shopB only.
  { id: 3, issuer: bankB, validFrom: opens, validUntil: ends, merchants: [shopB] },
]

const holders: readonly AccountRow[] = [
  { id: envelope, restriction: 1, owner: w3 },
  { id: voucher, restriction: 2, owner: w2 },
  { id: listed, restriction: 3, owner: w3 },
]

/** The ledgers that have restricted value (a ledger made is not opened, so nothing is reached). */
const withRestrictions = adapters.filter(
  (adapter) =>
    typeof adapter.create({ accountsMax: 64, tiers, utcOffsetMinutes }).createRestrictions ===
    'function',
)

async function createRestrictions(
  ledger: LedgerCore,
  rows: readonly RestrictionRow[],
): Promise<number[]> {
  if (ledger.createRestrictions === undefined) throw new Error(`${ledger.name} has no restrictions`)
  return [...(await ledger.createRestrictions(restrictions(rows))).code]
}

/** A ledger with the placed city, the three restrictions and their accounts, and a probe of all. */
async function withEnvelopes(adapter: Adapter, body: (p: Probe) => Promise<void>): Promise<void> {
  const ledger = await openLedger(adapter, placed)
  try {
    expect(await createRestrictions(ledger, rules)).toEqual([0, 0, 0])
    expect([...(await ledger.createAccounts(accounts(holders))).code]).toEqual([0, 0, 0])
    const p = new Probe(ledger, [...placed, ...holders])
    // The issuer's money, and the owners' wallets.
    await p.ok([p.t(issuer, bankB, 1_000_000_00, { kind: K.issue, minute: opens - 60 })])
    await p.fund(w3, 500_00, opens - 60)
    await p.fund(w2, 300_00, opens - 60)
    await body(p)
  } finally {
    await ledger.close()
  }
}

const at = (day: number, hour: number): { minute: number } => ({ minute: local(day, hour) })

describe.each(withRestrictions)('$name ledger: restricted value', (adapter) => {
  it('creates restrictions, and refuses each bad one with its code, leaving the others', async () => {
    const ledger = await openLedger(adapter, placed)
    try {
      const window = { validFrom: opens, validUntil: ends }
      expect(
        await createRestrictions(ledger, [
          { id: 1, issuer: bankB, ...window },
          { id: 1, issuer: bankA, ...window },
          { id: 0, issuer: bankB, ...window },
          { id: restrictionsMax + 1, issuer: bankB, ...window },
          { id: 2, issuer: neverCreated, ...window },
          { id: 3, issuer: bankB, validFrom: ends, validUntil: ends },
          { id: 4, issuer: bankB, ...window, merchants: [shop, neverCreated] },
          { id: restrictionsMax, issuer: bankB, ...window, merchants: [shop, shop, shopB] },
        ]),
      ).toEqual([
        RestrictionResultCode.created,
        RestrictionResultCode.exists,
        RestrictionResultCode.id_out_of_range,
        RestrictionResultCode.id_out_of_range,
        RestrictionResultCode.unknown_issuer,
        RestrictionResultCode.invalid_window,
        RestrictionResultCode.unknown_merchant,
        RestrictionResultCode.created,
      ])
      // A refused id is free: it can be created afterwards.
      expect(await createRestrictions(ledger, [{ id: 4, issuer: bankB, ...window }])).toEqual([
        RestrictionResultCode.created,
      ])
    } finally {
      await ledger.close()
    }
  })

  it('refuses restricted accounts and places that break the rules, with invalid_attributes', async () => {
    const ledger = await openLedger(adapter, placed)
    try {
      await createRestrictions(ledger, [rules[0] as RestrictionRow])
      const bad: AccountRow[] = [
        { id: 30, restriction: 9, owner: w3 }, // no such restriction
        { id: 31, restriction: 1, owner: neverCreated }, // no such owner
        { id: 32, restriction: 1, owner: 32 }, // its own owner
        { id: 33, restriction: 1, owner: w3, tier: 1 }, // with a tier
        { id: 34, restriction: 1, owner: w3, flags: AccountFlag.frozen }, // with flags
        { id: 35, category: 32 }, // beyond the masks
        { id: 36, district: 40 },
        { id: 37, tier: 2, category: 1 }, // a place on a tiered wallet
        { id: 38, restriction: 1, owner: w3 }, // fine
        { id: 39, restriction: 1, owner: 38 }, // owned by a restricted account
      ]
      const invalid = AccountResultCode.invalid_attributes
      expect([...(await ledger.createAccounts(accounts(bad))).code]).toEqual([
        invalid,
        invalid,
        invalid,
        invalid,
        invalid,
        invalid,
        invalid,
        invalid,
        AccountResultCode.created,
        invalid,
      ])
    } finally {
      await ledger.close()
    }
  })

  it('ok: the issuer pays value in (kind voucher); a purchase within it is paid from it alone', async () => {
    await withEnvelopes(adapter, async (p) => {
      await p.ok([p.t(bankB, envelope, 50_00, { kind: K.voucher, ...at(0, 9) })])
      await p.ok([p.t(envelope, shop, 30_00, { kind: K.retail, ...at(0, 12) })])
      expect(await p.balances([envelope, w3, shop])).toEqual([20_00, 500_00, 30_00])
      const posted = await p.posted()
      expect(posted[K.voucher]).toBe(50_00)
      expect(posted[K.retail]).toBe(30_00)
    })
  })

  it('ok: a purchase beyond the value takes the rest from the owner, in one step', async () => {
    await withEnvelopes(adapter, async (p) => {
      await p.ok([p.t(bankB, envelope, 20_00, { kind: K.voucher, ...at(0, 9) })])
      await p.ok([p.t(envelope, shop, 75_00, { kind: K.retail, ...at(0, 12) })])
      expect(await p.balances([envelope, w3, shop])).toEqual([0, 445_00, 75_00])
      // Once the value is gone, the owner pays all of a purchase, still under the restriction.
      await p.ok([p.t(envelope, shop, 10_00, { kind: K.retail, ...at(0, 13) })])
      expect(await p.balances([envelope, w3, shop])).toEqual([0, 435_00, 85_00])
      await p.rejects([p.t(envelope, shopB, 10_00, at(0, 13))], ['outside_district'])
    })
  })

  it('ok: "spend 100, save 20": the voucher pays 20 and the wallet 80', async () => {
    await withEnvelopes(adapter, async (p) => {
      await p.ok([p.t(bankB, voucher, 20_00, { kind: K.voucher, ...at(0, 9) })])
      await p.ok([p.t(voucher, shopB, 100_00, { kind: K.retail, ...at(0, 15) })])
      expect(await p.balances([voucher, w2, shopB])).toEqual([0, 220_00, 100_00])
    })
  })

  describe('one code per condition, nothing moved', () => {
    it('not_yet_valid: before the window opens', async () => {
      await withEnvelopes(adapter, async (p) => {
        await p.ok([p.t(bankB, envelope, 20_00, { kind: K.voucher, minute: opens - 30 })])
        await p.rejects([p.t(envelope, shop, 5_00, { minute: opens - 1 })], ['not_yet_valid'])
      })
    })

    it("restriction_expired: at the window's end, also for value paid in", async () => {
      await withEnvelopes(adapter, async (p) => {
        await p.ok([p.t(bankB, envelope, 20_00, { kind: K.voucher, ...at(0, 9) })])
        // In a chain no recovery runs before its second transfer: the code still holds.
        await p.rejects(
          [
            p.t(w3, w2, 1, { minute: ends - 1, flags: TransferFlag.linked }),
            p.t(envelope, shop, 5_00, { minute: ends }),
          ],
          ['linked_event_failed', 'restriction_expired'],
        )
        // The first transfer at the end recovers the value; none can be paid in after it.
        await p.ok([p.t(w3, w2, 1, { minute: ends })])
        expect(await p.balances([envelope])).toEqual([0])
        await p.rejects(
          [p.t(bankB, envelope, 5_00, { kind: K.voucher, minute: ends })],
          ['restriction_expired'],
        )
      })
    })

    it('restricted_merchant: a category the mask leaves out, or a merchant off the list', async () => {
      await withEnvelopes(adapter, async (p) => {
        await p.ok([
          p.t(bankB, envelope, 20_00, { kind: K.voucher, ...at(0, 9) }),
          p.t(bankB, listed, 20_00, { kind: K.voucher, ...at(0, 9) }),
        ])
        // bankA has category 0, not in the envelope's mask; shop is not on the list.
        await p.rejects([p.t(envelope, bankA, 5_00, at(0, 10))], ['restricted_merchant'])
        await p.rejects([p.t(listed, shop, 5_00, at(0, 10))], ['restricted_merchant'])
        await p.ok([p.t(listed, shopB, 5_00, at(0, 10))])
      })
    })

    it('outside_district: a merchant of an allowed category elsewhere', async () => {
      await withEnvelopes(adapter, async (p) => {
        await p.ok([p.t(bankB, envelope, 20_00, { kind: K.voucher, ...at(0, 9) })])
        await p.rejects([p.t(envelope, shopB, 5_00, at(0, 10))], ['outside_district'])
      })
    })

    it('below_minimum: a purchase under the minimum spend', async () => {
      await withEnvelopes(adapter, async (p) => {
        await p.ok([p.t(bankB, voucher, 20_00, { kind: K.voucher, ...at(0, 9) })])
        await p.rejects([p.t(voucher, shopB, 99_99, at(0, 10))], ['below_minimum'])
      })
    })

    it('restricted_account: reserved, paid in by another, or paid to another restricted account', async () => {
      await withEnvelopes(adapter, async (p) => {
        await p.ok([p.t(bankB, envelope, 20_00, { kind: K.voucher, ...at(0, 9) })])
        await p.rejects(
          [p.t(envelope, shop, 5_00, { flags: TransferFlag.pending, ...at(0, 10) })],
          ['restricted_account'],
        )
        await p.rejects(
          [p.t(bankA, envelope, 5_00, { kind: K.voucher, ...at(0, 10) })],
          ['restricted_account'],
        )
        await p.rejects([p.t(w3, envelope, 5_00, at(0, 10))], ['restricted_account'])
        await p.rejects([p.t(envelope, listed, 5_00, at(0, 10))], ['restricted_account'])
      })
    })
  })

  describe("the owner's rules on the rest", () => {
    it('insufficient_funds: the owner cannot pay the rest', async () => {
      await withEnvelopes(adapter, async (p) => {
        await p.ok([p.t(bankB, envelope, 20_00, { kind: K.voucher, ...at(0, 9) })])
        await p.rejects([p.t(envelope, shop, 520_01, at(0, 10))], ['insufficient_funds'])
        await p.ok([p.t(envelope, shop, 520_00, at(0, 10))])
        expect(await p.balances([envelope, w3])).toEqual([0, 0])
      })
    })

    it("the owner's tier limits count the rest only", async () => {
      await withEnvelopes(adapter, async (p) => {
        // Tier 2 (w2) pays at most 5,000 yuan at once: a purchase of more passes when the voucher
        // brings the rest under it.
        const perPayment = 5_000_00
        await p.fund(w2, perPayment, opens - 30)
        await p.ok([p.t(bankB, voucher, 20_00, { kind: K.voucher, ...at(0, 9) })])
        await p.rejects([p.t(voucher, shopB, perPayment + 20_01, at(0, 10))], ['per_payment_limit'])
        await p.ok([p.t(voucher, shopB, perPayment + 20_00, at(0, 10))])
      })
    })

    it('frozen: a frozen owner cannot pay the rest, though the value alone may be spent', async () => {
      const ledger = await openLedger(adapter, placed)
      try {
        await createRestrictions(ledger, [rules[0] as RestrictionRow])
        const own: AccountRow = { id: envelope, restriction: 1, owner: frozenWallet }
        expect([...(await ledger.createAccounts(accounts([own]))).code]).toEqual([0])
        const p = new Probe(ledger, [...placed, own])
        await p.ok([
          p.t(issuer, bankB, 100_00, { kind: K.issue, ...at(0, 7) }),
          p.t(bankB, envelope, 20_00, { kind: K.voucher, ...at(0, 9) }),
        ])
        await p.rejects([p.t(envelope, shop, 20_01, at(0, 10))], ['frozen'])
        await p.ok([p.t(envelope, shop, 20_00, at(0, 10))])
      } finally {
        await ledger.close()
      }
    })
  })

  it('a linked chain with a restricted purchase applies all or nothing, the owner included', async () => {
    await withEnvelopes(adapter, async (p) => {
      await p.ok([p.t(bankB, envelope, 20_00, { kind: K.voucher, ...at(0, 9) })])
      await p.rejects(
        [
          p.t(envelope, shop, 50_00, { flags: TransferFlag.linked, ...at(0, 10) }),
          p.t(w1, w2, 1_00, at(0, 10)),
        ],
        ['linked_event_failed', 'insufficient_funds'],
      )
      await p.ok([
        p.t(envelope, shop, 50_00, { flags: TransferFlag.linked, ...at(0, 10) }),
        p.t(envelope, shop, 5_00, at(0, 10)),
      ])
      expect(await p.balances([envelope, w3, shop])).toEqual([0, 465_00, 55_00])
    })
  })

  it('a retry of a purchase is exists and moves nothing', async () => {
    await withEnvelopes(adapter, async (p) => {
      await p.ok([p.t(bankB, envelope, 20_00, { kind: K.voucher, ...at(0, 9) })])
      const purchase = p.t(envelope, shop, 30_00, at(0, 10))
      await p.ok([purchase])
      await p.rejects([purchase], ['exists'])
      expect(await p.balances([envelope, w3, shop])).toEqual([0, 490_00, 30_00])
    })
  })

  it('at its end, what each account still holds goes back to the issuer as recovery', async () => {
    await withEnvelopes(adapter, async (p) => {
      await p.ok([
        p.t(bankB, envelope, 50_00, { kind: K.voucher, ...at(0, 9) }),
        p.t(bankB, listed, 7_00, { kind: K.voucher, ...at(0, 9) }),
        p.t(envelope, shop, 30_00, at(1, 12)),
      ])
      const issuerBefore = (await p.balances([bankB]))[0] as number
      // Nothing is recovered by a transfer before the end...
      await p.ok([p.t(w3, w2, 1, { minute: ends - 1 })])
      expect(await p.balances([envelope, listed])).toEqual([20_00, 7_00])
      // ...and everything by the first at or after it.
      await p.ok([p.t(w3, w2, 1, { minute: ends })])
      expect(await p.balances([envelope, listed, bankB])).toEqual([0, 0, issuerBefore + 27_00])
      expect((await p.posted())[K.recovery]).toBe(27_00)
      await p.rejects([p.t(envelope, shop, 1_00, { minute: ends + 1 })], ['restriction_expired'])
    })
  })

  it("kind recovery is the ledger's own: a transfer that names it is invalid_kind", async () => {
    await withEnvelopes(adapter, async (p) => {
      await p.rejects([p.t(bankA, w1, 1_00, { kind: K.recovery, ...at(0, 9) })], ['invalid_kind'])
    })
  })

  it('recovers more than one transfer can carry, in parts', async () => {
    await withEnvelopes(adapter, async (p) => {
      await p.ok([
        p.t(issuer, bankB, transferAmountFenMax, { kind: K.issue, ...at(0, 9) }),
        p.t(bankB, voucher, transferAmountFenMax, { kind: K.voucher, ...at(0, 9) }),
        p.t(bankB, voucher, 5, { kind: K.voucher, ...at(0, 9) }),
      ])
      await p.ok([p.t(w3, w2, 1, { minute: ends })])
      expect(await p.balances([voucher])).toEqual([0])
      expect((await p.posted())[K.recovery]).toBe(transferAmountFenMax + 5)
    })
  })

  it('keeps byKind honest: the whole purchase counts under its kind, both sides', async () => {
    await withEnvelopes(adapter, async (p) => {
      const before = await p.posted()
      await p.ok([p.t(bankB, envelope, 20_00, { kind: K.voucher, ...at(0, 9) })])
      await p.ok([p.t(envelope, shop, 75_00, { kind: K.retail, ...at(0, 12) })])
      const after = await p.posted()
      expect(after.map((fen, kind) => fen - (before[kind] ?? 0))).toEqual(
        byKind({ voucher: 20_00, retail: 75_00 }),
      )
    })
  })
})

describe('restricted value', () => {
  it('is held by the memory ledger, the reference', () => {
    expect(withRestrictions.map((adapter) => adapter.name)).toContain('memory')
  })
})
