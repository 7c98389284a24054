/**
 * The two tiers in the ledger: each operating bank's customers' deposits are accounts of a deposit
 * book beside the e-CNY. They open with the customers' deposits, give up what top-ups turn into
 * e-CNY and take back what redemptions turn into deposits; the audit checks the book against the
 * conversions the ledger accepted, bank by bank.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryLedger, TransferKind, type TransferBatch } from '../../../engine/ledger/index.js'
import { runSmoke, scenarioFolder, type ScenarioFolder } from '../../helpers/runs.js'

let folder: ScenarioFolder
beforeAll(async () => {
  folder = await scenarioFolder('deposit-book')
})
afterAll(async () => {
  await folder.remove()
})

/** A ledger that books one fen more than asked on every transfer of the deposit book. */
class SkimmingLedger extends MemoryLedger {
  skimmed = 0
  override submit(batch: TransferBatch) {
    for (let index = 0; index < batch.count; index++) {
      if (batch.kind[index] !== TransferKind.deposit) continue
      batch.amountFen[index] = (batch.amountFen[index] as number) + 1
      this.skimmed += 1
    }
    return super.submit(batch)
  }
}

describe('the deposit book', () => {
  it('follows every conversion over three days, bank by bank, its money whole', async () => {
    const file = await folder.writeSmoke('three-days.yaml', (scenario) => {
      scenario.period.to = '2026-11-26T00:00:00+08:00'
      scenario.banks.depositsPerResidentFen = 5_000_000
    })
    const summary = await runSmoke({}, file)
    const book = summary.conservation.deposits
    expect(book?.ok).toBe(true)
    expect(summary.conservation.ok).toBe(true)
    expect(summary.doubleEntry.ok).toBe(true)
    // Every resident banks somewhere (no people section): the book opens with all their deposits.
    expect(book?.openedFen).toBe(summary.agents.residents * 5_000_000)
    const banks = summary.banks ?? []
    const sum = (pick: (bank: (typeof banks)[number]) => number) =>
      banks.reduce((total, bank) => total + pick(bank), 0)
    const employersFen = (bank: (typeof banks)[number]) =>
      (bank.openingToEmployersFen ?? 0) + (bank.toEmployersFen ?? 0)
    expect(sum(employersFen)).toBeGreaterThan(0)
    expect(book?.toEcnyFen).toBe(
      sum((bank) => bank.openingToWalletsFen + bank.toWalletsFen + employersFen(bank)),
    )
    expect(book?.toDepositsFen).toBe(sum((bank) => bank.toDepositsFen))
    expect(book?.toDepositsFen).toBeGreaterThan(0)
    expect(book?.heldFen).toBe(
      (book?.openedFen ?? 0) - (book?.toEcnyFen ?? 0) + (book?.toDepositsFen ?? 0),
    )
    for (const bank of banks) {
      expect(bank.depositsHeldFen).toBe(
        (bank.depositsOpenedFen ?? 0) -
          bank.openingToWalletsFen -
          bank.toWalletsFen -
          employersFen(bank) +
          bank.toDepositsFen,
      )
    }
    // The book's own transfers: the opening's deposits and two a bank a settlement at most.
    expect(summary.transfers.byKind.deposit.rejected).toBe(0)
    expect(summary.transfers.byKind.deposit.amountFen).toBeGreaterThan(book?.openedFen ?? 0)
  })

  it('fails the audit when the ledger books a settlement one fen off', async () => {
    let ledger: SkimmingLedger | undefined
    const summary = await runSmoke({
      ledgerFactory: (options) => {
        ledger = new SkimmingLedger(options)
        return ledger
      },
    })
    expect(ledger?.skimmed ?? 0).toBeGreaterThan(0)
    expect(summary.conservation.deposits?.ok).toBe(false)
    expect(summary.conservation.ok).toBe(false)
  })
})
