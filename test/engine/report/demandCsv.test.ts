/**
 * demand.csv: a row per hour, district and kind with payments, the hour's start in the city's own
 * offset, money in fen, and district names that cannot break a row or run as a formula.
 */
import { describe, expect, it } from 'vitest'
import { demandCsv } from '../../../engine/report/demandCsv.js'
import type { RunSummary } from '../../../engine/report/index.js'
import { flatOutSummary } from '../../helpers/summaries.js'

describe('demand.csv', () => {
  it('writes each cell as a row, in the scenario offset, with hostile names made inert', () => {
    // Proves what a planner's spreadsheet reads: the columns, the hour's local start, rejected as
    // payments less accepted, fen as integers, and names quoted or defused.
    const summary: RunSummary = {
      ...flatOutSummary,
      simulated: { ...flatOutSummary.simulated, from: '2026-11-23T00:00:00+08:00' },
      demand: {
        ...flatOutSummary.demand,
        hourly: {
          districts: ['Futian', 'Bao, "an"', '=HYPERLINK("x")'],
          kinds: ['issue', 'topup', 'retail', 'transit'],
          cells: [
            [0, 0, 2, 10, 9, 12_345],
            [8, 1, 3, 4, 4, 800],
            [25, 2, 2, 1, 0, 0],
          ],
        },
      },
    }
    expect(demandCsv(summary).split('\n')).toEqual([
      'hour,simulated_from,district,kind,payments,accepted,rejected,accepted_fen',
      '0,2026-11-23T00:00+08:00,Futian,retail,10,9,1,12345',
      '8,2026-11-23T08:00+08:00,"Bao, ""an""",transit,4,4,0,800',
      `25,2026-11-24T01:00+08:00,"'=HYPERLINK(""x"")",retail,1,0,1,0`,
      '',
    ])
  })

  it('is the header alone for a summary without the table (one written before it)', () => {
    expect(demandCsv(flatOutSummary)).toBe(
      'hour,simulated_from,district,kind,payments,accepted,rejected,accepted_fen\n',
    )
  })
})
