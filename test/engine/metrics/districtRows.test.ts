/**
 * The residents' floor on per-district figures: districts below it are shown only folded into one
 * "other districts" row that itself reaches the floor, in the summary of a real run too; a city
 * above the floor keeps every district.
 */
import { describe, expect, it } from 'vitest'
import { districtResidentsMin } from '../../../engine/limits.js'
import {
  districtRows,
  foldByRow,
  foldFigures,
  foldMatrixByRow,
  otherDistrictsName,
} from '../../../engine/counting/districtRows.js'
import { runSmoke } from '../../helpers/runs.js'

const city = (...residents: number[]) =>
  residents.map((count, index) => ({ name: `d${index}`, residents: count }))

describe('district rows', () => {
  it('keeps every district at or above the floor, in order', () => {
    // Proves a city like the smoke scenario's (its smallest district well above the floor) is shown
    // as it is.
    const rows = districtRows(city(4000, 86, 50, 1200))
    expect(rows).toEqual({
      names: ['d0', 'd1', 'd2', 'd3'],
      rowOf: [0, 1, 2, 3],
      members: [[0], [1], [2], [3]],
      hasOther: false,
    })
  })

  it('folds districts below the floor into one row, and adds the smallest shown one while that row is short', () => {
    // Proves one small district is never shown alone under another name: three residents folded
    // alone would still be three residents.
    expect(districtRows(city(4000, 20, 30, 1200)).names).toEqual(['d0', 'd3', otherDistrictsName])
    const short = districtRows(city(4000, 3, 90, 1200))
    expect(short.names).toEqual(['d0', 'd3', otherDistrictsName])
    expect(short.members[2]).toEqual([1, 2])
    expect(short.rowOf).toEqual([0, 2, 2, 1])
    // A whole city below the floor is one row.
    expect(districtRows(city(3, 4, 5)).names).toEqual([otherDistrictsName])
  })

  it('sums figures, vectors and district-by-district matrices into their rows', () => {
    // Proves nothing is lost in the folding: every total is the same before and after.
    const rows = districtRows(city(4000, 3, 1200, 60))
    expect(foldByRow([10, 1, 20, 2], rows)).toEqual([10, 20, 3])
    const flows = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    const folded = foldMatrixByRow(flows, rows)
    expect(folded.reduce((a, b) => a + b)).toBe(flows.reduce((a, b) => a + b))
    expect(folded).toEqual([1, 3, 2 + 4, 9, 11, 10 + 12, 5 + 13, 7 + 15, 6 + 8 + 14 + 16])
    const figures = foldFigures(
      ['d0', 'd1', 'd2', 'd3'].map((district, index) => ({
        district,
        payments: index + 1,
        accepted: index,
        rejected: 1,
        amountFen: 100 * index,
      })),
      rows,
    )
    expect(figures.map((figure) => figure.district)).toEqual(['d0', 'd2', otherDistrictsName])
    expect(figures[2]).toEqual({
      district: otherDistrictsName,
      payments: 2 + 4,
      accepted: 1 + 3,
      rejected: 2,
      amountFen: 100 + 300,
    })
  })

  it('gives a run of a few hundred residents no summary row for a district of a few residents', async () => {
    // Proves the finding's case end to end: the smoke city at 300 residents has districts of a
    // handful of residents, shown only as "other districts".
    const summary = await runSmoke({ residents: 300 })
    const names = summary.districts.map((row) => row.district)
    expect(names).toContain(otherDistrictsName)
    expect(names).not.toContain('Yantian')
    expect(names.length).toBeLessThan(8)
    expect(summary.districts.reduce((sum, row) => sum + row.payments, 0)).toBeGreaterThan(0)
    // The smoke city at its own size (about 7,000) keeps all eight.
    expect(districtResidentsMin).toBeLessThan(86)
  })
})
