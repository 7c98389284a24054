/**
 * The rows per-district figures are shown in: every district of at least `districtResidentsMin`
 * residents on its own, the rest folded into one "other districts" row. A district of three
 * residents would otherwise get a row of its own in the summary, the report and on the map, and
 * its figures would be those of three people. Until k-cell suppression comes to every output,
 * this is the floor.
 *
 *   districts  A(40k) B(30) C(12k) D(20)  floor 50      rows  A  C  other(B+D)
 *   rowOf      0      2     1      2
 *
 * The "other" row must itself reach the floor (one small district folded alone would show the
 * same figures under another name): while it is short, the smallest district still shown joins
 * it. When the whole city is below the floor, it is all one row.
 */
import { assert } from '../assert.js'
import { districtResidentsMin } from '../limits.js'
import type { DistrictFigures } from './districtCounters.js'

/** The name of the row that holds the districts below the floor. */
export const otherDistrictsName = 'other districts'

export interface DistrictRows {
  /**
   * One per row: each district kept, in the city's order, then the "other" row when any is folded.
   */
  readonly names: readonly string[]
  /** For each district, in the city's order, the row its figures go to. */
  readonly rowOf: readonly number[]
  /** For each row, the districts in it (one, except in the "other" row). */
  readonly members: readonly (readonly number[])[]
  /** Whether the last row is the "other" row. */
  readonly hasOther: boolean
}

export function districtRows(
  districts: readonly { readonly name: string; readonly residents: number }[],
  floor = districtResidentsMin,
): DistrictRows {
  const folded = new Set<number>()
  districts.forEach((district, index) => {
    if (district.residents < floor) folded.add(index)
  })
  if (folded.size > 0) {
    const sum = () =>
      [...folded].reduce((total, index) => total + (districts[index]?.residents ?? 0), 0)
    while (sum() < floor && folded.size < districts.length) {
      let smallest = -1
      districts.forEach((district, index) => {
        if (
          !folded.has(index) &&
          (smallest < 0 || district.residents < (districts[smallest]?.residents ?? Infinity))
        )
          smallest = index
      })
      folded.add(smallest)
    }
  }
  const names: string[] = []
  const members: number[][] = []
  const rowOf: number[] = []
  districts.forEach((district, index) => {
    if (folded.has(index)) return
    rowOf[index] = names.length
    names.push(district.name)
    members.push([index])
  })
  if (folded.size > 0) {
    const other = names.length
    names.push(otherDistrictsName)
    members.push([...folded].sort((a, b) => a - b))
    for (const index of folded) rowOf[index] = other
  }
  assert(
    rowOf.length === districts.length && members.flat().length === districts.length,
    'every district is in exactly one row',
  )
  return { names, rowOf, members, hasOther: folded.size > 0 }
}

/** Per-district values summed into their rows. */
export function foldByRow(values: ArrayLike<number>, rows: DistrictRows): number[] {
  assert(values.length === rows.rowOf.length, 'one value per district')
  const folded = new Array<number>(rows.names.length).fill(0)
  for (let index = 0; index < values.length; index++) {
    const row = rows.rowOf[index] as number
    folded[row] = (folded[row] as number) + (values[index] as number)
  }
  return folded
}

/** A district-by-district matrix (row-major) summed into rows by rows. */
export function foldMatrixByRow(values: ArrayLike<number>, rows: DistrictRows): number[] {
  const districts = rows.rowOf.length
  const n = rows.names.length
  assert(values.length === districts * districts, 'a square matrix of districts')
  const folded = new Array<number>(n * n).fill(0)
  for (let from = 0; from < districts; from++) {
    const row = (rows.rowOf[from] as number) * n
    for (let to = 0; to < districts; to++) {
      const cell = row + (rows.rowOf[to] as number)
      folded[cell] = (folded[cell] as number) + (values[from * districts + to] as number)
    }
  }
  return folded
}

/** A summary's district figures, in rows. */
export function foldFigures(
  figures: readonly DistrictFigures[],
  rows: DistrictRows,
): DistrictFigures[] {
  assert(figures.length === rows.rowOf.length, 'one figure per district')
  const sum = (field: 'payments' | 'accepted' | 'rejected' | 'amountFen') =>
    foldByRow(
      figures.map((figure) => figure[field]),
      rows,
    )
  const payments = sum('payments')
  const accepted = sum('accepted')
  const rejected = sum('rejected')
  const amountFen = sum('amountFen')
  return rows.names.map((district, row) => ({
    district,
    payments: payments[row] as number,
    accepted: accepted[row] as number,
    rejected: rejected[row] as number,
    amountFen: amountFen[row] as number,
  }))
}
