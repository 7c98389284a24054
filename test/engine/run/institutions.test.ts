/**
 * The institutions' transfers (issuance, employer funding, redemptions, nightly top-ups, payroll
 * refills, retirements) are the plumbing of the city: none of them may ever be rejected, however
 * thin the banks' floats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  MemoryLedger,
  ResultCode,
  TransferKind,
  type TransferBatch,
} from '../../../engine/ledger/index.js'
import type { Scenario } from '../../../scenarios/schema.js'
import { runSmoke, scenarioFolder, type ScenarioFolder } from '../../helpers/runs.js'

let folder: ScenarioFolder
beforeAll(async () => {
  folder = await scenarioFolder('institutions')
})
afterAll(async () => {
  await folder.remove()
})

/**
 * The smoke scenario with `edit` applied; residents' own daytime top-ups are off, so every top-up
 * is an institution's.
 */
function scenarioWith(name: string, edit: (scenario: Scenario) => void): Promise<string> {
  return folder.writeSmoke(name, (scenario) => {
    scenario.payments.topup.enabled = false
    edit(scenario)
  })
}

const institutionalKinds = new Set<number>([
  TransferKind.issue,
  TransferKind.topup,
  TransferKind.redeem,
  TransferKind.retire,
  TransferKind.deposit,
])

/** A memory ledger that remembers every rejected institutional transfer. */
class WatchedLedger extends MemoryLedger {
  readonly rejected: { debit: number; kind: number; code: number }[] = []
  watched = 0

  override async submit(batch: TransferBatch) {
    const results = await super.submit(batch)
    for (let index = 0; index < batch.count; index++) {
      const kind = batch.kind[index] as number
      if (!institutionalKinds.has(kind)) continue
      this.watched += 1
      const code = results.code[index] as number
      if (code !== ResultCode.ok)
        this.rejected.push({ debit: batch.debit[index] as number, kind, code })
    }
    return results
  }
}

async function watchedRun(file: string) {
  let ledger: WatchedLedger | undefined
  const summary = await runSmoke(
    { ledgerFactory: (options) => (ledger = new WatchedLedger(options)) },
    file,
  )
  expect(ledger?.watched ?? 0).toBeGreaterThan(0)
  return { summary, rejected: ledger?.rejected ?? [] }
}

describe('institutional transfers', () => {
  it('are never rejected when banks keep a float of 1 fen and every wallet is topped up each night', async () => {
    // Proves shortfalls are issued before the evening's payouts, over several days.
    const file = await scenarioWith('thin.yaml', (scenario) => {
      scenario.banks.issuancePerResidentFen = 1
      scenario.wallets.nightlyTopupBelow = 1
      scenario.period.to = '2026-11-26T00:00:00+08:00'
    })
    const { summary, rejected } = await watchedRun(file)
    expect(rejected).toEqual([])
    expect(summary.conservation.ok).toBe(true)
    expect(summary.transfers.byKind.issue.accepted).toBeGreaterThan(6)
    expect(summary.transfers.byKind.payroll.rejected).toBe(0)
  })

  it('are never rejected with a single bank', async () => {
    // Proves the same when one bank carries the whole city.
    const file = await scenarioWith('one-bank.yaml', (scenario) => {
      scenario.banks.names = ['ICBC']
      scenario.period.to = '2026-11-25T00:00:00+08:00'
    })
    const { summary, rejected } = await watchedRun(file)
    expect(rejected).toEqual([])
    expect(summary.conservation.ok).toBe(true)
  })

  it('leave each bank at its float at the end of the day (what it holds beyond it is retired)', async () => {
    // Proves retirements: with a long period, takings exceed payouts on some evening and go back.
    const file = await scenarioWith('long.yaml', (scenario) => {
      scenario.wallets.nightlyTopupBelow = 0
      scenario.period.to = '2026-11-27T00:00:00+08:00'
    })
    const { summary, rejected } = await watchedRun(file)
    expect(rejected).toEqual([])
    expect(summary.transfers.byKind.retire.accepted).toBeGreaterThan(0)
    expect(summary.conservation.redeemedFen).toBeGreaterThan(0)
  })
})

describe('a run too big for the memory ledger', () => {
  it('is refused before it starts, naming the ledger and what to change', async () => {
    // Proves: the memory ledger's id table holds some 2.9 billion ids a run; a run expected to
    // pass that is bad input at the start, not a failure hours in.
    const file = await scenarioWith('huge.yaml', (scenario) => {
      scenario.payments.retail.perDay = 10_000
      scenario.payments.p2p.perDay = 10_000
    })
    await expect(runSmoke({ residents: 200_000 }, file)).rejects.toThrow(
      /more than the .* it holds in one run .*use --ledger postgres/,
    )
  })
})
