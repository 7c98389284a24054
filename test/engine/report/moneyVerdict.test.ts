/**
 * What the summary says of the money, in the terminal and in report.html: "conserved" only when
 * the balances add up and the ledger's own entries agree with what it accepted; a failed double
 * entry is never reported next to "money conserved".
 */
import { describe, expect, it } from 'vitest'
import { renderReport, summaryTable, type RunSummary } from '../../../engine/report/index.js'
import { flatOutSummary } from '../../helpers/summaries.js'

/** The flat-out summary with its double entry broken on one kind: the balances still add up. */
const entriesBroken: RunSummary = {
  ...flatOutSummary,
  doubleEntry: {
    ...flatOutSummary.doubleEntry,
    ok: false,
    byKind: {
      ...flatOutSummary.doubleEntry.byKind,
      retail: { debitsFen: 100, creditsFen: 100, acceptedFen: 90 },
    },
  },
}

function moneyLine(summary: RunSummary): string {
  return (
    summaryTable(summary)
      .split('\n')
      .find((line) => line.startsWith('money')) ?? ''
  )
}

describe('the money verdict', () => {
  it('says conserved when both audits hold', () => {
    // Proves the good case still reads as it did.
    expect(moneyLine(flatOutSummary)).toMatch(/^money {6}conserved: issued /)
    expect(renderReport(flatOutSummary, [])).toContain(
      'Money <span class="badge badge-good">conserved</span>',
    )
  })

  it('does not say conserved when the double entry fails, though the balances add up', () => {
    // Proves the truth is printed: balances that meet are not conservation when the ledger's
    // entries disagree with what it accepted.
    const line = moneyLine(entriesBroken)
    expect(line).not.toMatch(/\bconserved\b/)
    expect(line).toMatch(
      /^money {6}NOT ACCOUNTED FOR \(the balances add up, the ledger's entries do not: see entries\): issued /,
    )
    expect(summaryTable(entriesBroken)).toMatch(/^entries {4}NOT BALANCED/m)
    const html = renderReport(entriesBroken, [])
    expect(html).not.toContain('badge-good">conserved')
    expect(html).toContain('Money <span class="badge badge-bad">NOT ACCOUNTED FOR</span>')
  })

  it('says NOT CONSERVED when the balances do not add up, whatever the entries say', () => {
    // Proves the worse failure is named first.
    const broken: RunSummary = {
      ...entriesBroken,
      conservation: { ...flatOutSummary.conservation, ok: false, balancesFen: 1 },
    }
    expect(moneyLine(broken)).toMatch(/^money {6}NOT CONSERVED: /)
    expect(moneyLine({ ...broken, doubleEntry: flatOutSummary.doubleEntry })).toMatch(
      /^money {6}NOT CONSERVED: /,
    )
  })
})
