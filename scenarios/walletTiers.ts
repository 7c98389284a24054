/**
 * Wallet limits an operating bank published in its 2020 e-CNY wallet agreement, in fen (yuan ×
 * 100). A scenario's tier 1 to 4 takes these for any limit it leaves out; tiers 5 to 8 must give
 * their own. Tier 4 is the anonymous wallet opened with a phone number alone.
 *
 *   tier   balance cap   per payment   per day     per year      (yuan)
 *   1      500,000       50,000        100,000     500,000
 *   2       10,000        5,000         10,000     300,000
 *   3        2,000        2,000          2,000      50,000
 *   4        1,000          500          1,000      10,000
 */
export interface TierLimitsFen {
  readonly balanceCapFen: number
  readonly perPaymentFen: number
  readonly perDayFen: number
  readonly perYearFen: number
}

const yuan = 100

export const publishedTierLimits: Readonly<Record<number, TierLimitsFen>> = {
  1: {
    balanceCapFen: 500_000 * yuan,
    perPaymentFen: 50_000 * yuan,
    perDayFen: 100_000 * yuan,
    perYearFen: 500_000 * yuan,
  },
  2: {
    balanceCapFen: 10_000 * yuan,
    perPaymentFen: 5_000 * yuan,
    perDayFen: 10_000 * yuan,
    perYearFen: 300_000 * yuan,
  },
  3: {
    balanceCapFen: 2_000 * yuan,
    perPaymentFen: 2_000 * yuan,
    perDayFen: 2_000 * yuan,
    perYearFen: 50_000 * yuan,
  },
  4: {
    balanceCapFen: 1_000 * yuan,
    perPaymentFen: 500 * yuan,
    perDayFen: 1_000 * yuan,
    perYearFen: 10_000 * yuan,
  },
}

export const tierLimitFields = [
  'balanceCapFen',
  'perPaymentFen',
  'perDayFen',
  'perYearFen',
] as const

/**
 * A tier's limits: its own where given, else the published ones; undefined where neither has one.
 */
export function tierLimit(
  tier: number,
  field: (typeof tierLimitFields)[number],
  given: number | undefined,
): number | undefined {
  return given ?? publishedTierLimits[tier]?.[field]
}
