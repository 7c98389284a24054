/**
 * The two tiers, measured: each bank's deposits turned into e-CNY (the opening's top-ups and the
 * day's) and back (redemptions) add up to the ledger's own top-ups and redemptions, and the money
 * is conserved through them.
 */
import { describe, expect, it } from 'vitest'
import { runSmoke } from '../../helpers/runs.js'

describe('bank flows', () => {
  it('add up to the top-ups and redemptions the ledger took, bank by bank', async () => {
    const summary = await runSmoke({ residents: 5_000 })
    const banks = summary.banks ?? []
    expect(banks.map((bank) => bank.bank)).toEqual(['ICBC', 'ABC', 'BOC', 'CCB', 'BOCOM', 'PSBC'])
    const toWallets = banks.reduce(
      (sum, bank) => sum + bank.openingToWalletsFen + bank.toWalletsFen,
      0,
    )
    const toEmployers = banks.reduce(
      (sum, bank) => sum + (bank.openingToEmployersFen ?? 0) + (bank.toEmployersFen ?? 0),
      0,
    )
    const toDeposits = banks.reduce((sum, bank) => sum + bank.toDepositsFen, 0)
    // Proves: every accepted top-up is paid by a bank and every redemption paid to one.
    expect(toWallets + toEmployers).toBe(summary.transfers.byKind.topup.amountFen)
    // Employers' payroll funds are counted apart from residents' wallets: opened, then refilled.
    expect(summary.transfers.byKind.payroll.amountFen).toBeGreaterThan(0)
    expect(banks.some((bank) => (bank.openingToEmployersFen ?? 0) > 0)).toBe(true)
    expect(banks.some((bank) => (bank.toEmployersFen ?? 0) > 0)).toBe(true)
    expect(toDeposits).toBe(summary.transfers.byKind.redeem.amountFen)
    // The opening gives each wallet its first balance; the day tops up and redeems besides.
    expect(banks.every((bank) => bank.openingToWalletsFen > 0)).toBe(true)
    expect(toDeposits).toBeGreaterThan(0)
    expect(banks.some((bank) => bank.toWalletsFen > 0)).toBe(true)
    expect(summary.conservation.ok && summary.doubleEntry.ok).toBe(true)
  }, 60_000)
})
