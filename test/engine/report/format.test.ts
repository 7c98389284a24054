/**
 * The one number format of the report, the terminal and the live page: each rule of its header,
 * at the boundaries where a rounding would otherwise print the wrong unit or digits.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatFen,
  formatInteger,
  formatMs,
  formatMsNumber,
  formatNumber,
  formatPercent,
  formatPercentOf,
  formatRate,
  formatRunTime,
  formatShare,
  missingFigure,
  tickFormat,
} from '../../../engine/report/format.js'

describe('counts', () => {
  it('are whole below 1,000, then three significant figures and k, M, G (never B)', () => {
    // Proves the SI rule and its edges: 999.6 rounds into the prefix, 999,999 into the next one,
    // and G is a billion.
    const cases: [number, string][] = [
      [0, '0'],
      [7.4, '7'],
      [950, '950'],
      [999.4, '999'],
      [999.6, '1k'],
      [1_000, '1k'],
      [1_234, '1.23k'],
      [12_345, '12.3k'],
      [123_456, '123k'],
      [999_999, '1M'],
      [3_400_000, '3.4M'],
      [1_500_000_000, '1.5G'],
      [-2_500, '-2.5k'],
      [-0.4, '0'],
    ]
    for (const [value, text] of cases) expect(formatCount(value), String(value)).toBe(text)
  })

  it('in full are grouped by thousands and rounded', () => {
    // Proves the tables' form: separators, no decimals, and a rounding that never prints -0.
    expect(formatInteger(1_234_567)).toBe('1,234,567')
    expect(formatInteger(999.5)).toBe('1,000')
    expect(formatInteger(-0.2)).toBe('0')
    expect(formatInteger(-12_345)).toBe('-12,345')
  })

  it('never print NaN or Infinity', () => {
    // Proves the missing figure: every formatter answers a dash for what is not a number.
    const all = [
      formatCount,
      formatInteger,
      formatNumber,
      formatRate,
      formatMs,
      formatMsNumber,
      formatDuration,
      formatPercent,
      formatShare,
      formatBytes,
      formatFen,
      formatRunTime,
    ]
    for (const format of all)
      for (const value of [Number.NaN, Infinity, -Infinity])
        expect(format(value)).toBe(missingFigure)
  })

  it('keep within six characters whatever their size, and read back within their rounding', () => {
    // Proves the point of the short form (a panel keeps its width) and that it rounds, never
    // truncates, at three figures.
    const prefixes: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }
    fc.assert(
      fc.property(fc.double({ min: 0, max: 9e14, noNaN: true }), (value) => {
        const text = formatCount(value)
        expect(text.length).toBeLessThanOrEqual(6)
        const match = /^([\d.,]+)([kMGT]?)$/.exec(text)
        expect(match, text).not.toBeNull()
        const back =
          Number((match?.[1] ?? '').replace(/,/g, '')) * (prefixes[match?.[2] ?? ''] ?? Number.NaN)
        expect(Math.abs(back - value)).toBeLessThanOrEqual(Math.max(0.5, value * 0.005))
      }),
    )
  })
})

describe('numbers, rates and latency', () => {
  it('numbers keep three significant figures and go SI from 1,000', () => {
    // Proves the tick form: small values keep their digits (0.00114, not 1.14m), large ones their
    // prefix.
    expect([0.00114, 0.25, 2.5, 12.5, 950, 999.7, 1_500, 2_000_000].map(formatNumber)).toEqual([
      '0.00114',
      '0.25',
      '2.5',
      '12.5',
      '950',
      '1k',
      '1.5k',
      '2M',
    ])
  })

  it('rates keep one decimal below 100, so a trickle does not read as zero', () => {
    // Proves the rate rule and its turn into a count at 100.
    expect([0.04, 0.4, 12.5, 99.94, 99.96, 950, 1_860].map(formatRate)).toEqual([
      '0.0',
      '0.4',
      '12.5',
      '99.9',
      '100',
      '950',
      '1.86k',
    ])
  })

  it('latency has two decimals below 10 ms, one below 100 ms, none above, rounding before choosing', () => {
    // Proves the latency rule: 9.996 reads 10.0 (not 10.00), 99.96 reads 100, and thousands are
    // grouped.
    expect([0.053, 1.1, 9.996, 14.74, 99.96, 133.4, 1_250].map(formatMs)).toEqual([
      '0.05 ms',
      '1.10 ms',
      '10.0 ms',
      '14.7 ms',
      '100 ms',
      '133 ms',
      '1,250 ms',
    ])
    expect(formatMsNumber(0.4)).toBe('0.40')
  })
})

describe('durations', () => {
  it('read in the largest units that say them, two at most, never as a pile of milliseconds', () => {
    // Proves each unit's turn: ms, tenths of seconds, m ss, h mm, d hh, with the rounding carried
    // into the larger unit.
    const cases: [number, string][] = [
      [0.35, '0.35 ms'],
      [350, '350 ms'],
      [999.4, '999 ms'],
      [999.6, '1 s'],
      [12_340, '12.3 s'],
      [20_000, '20 s'],
      [59_960, '1m'],
      [720_000, '12m'],
      [725_000, '12m 05s'],
      [3_599_600, '1h'],
      [3_900_000, '1h 05m'],
      [86_400_000, '1d'],
      [187_200_000, '2d 04h'],
      [-1_500, '-1.5 s'],
    ]
    for (const [ms, text] of cases) expect(formatDuration(ms), String(ms)).toBe(text)
  })

  it('never print more than three digits of one unit', () => {
    // Proves no unit piles up: no 720000ms, no 1500 s, at any length below 1,000 days.
    fc.assert(
      fc.property(fc.double({ min: 0, max: 999 * 86_400_000, noNaN: true }), (ms) => {
        expect(formatDuration(ms)).not.toMatch(/\d{4}/)
      }),
    )
  })

  it('run time reads as a clock: m:ss, then h:mm:ss', () => {
    // Proves the time axes' labels.
    expect([0, 5, 185, 3_723, 59.6].map(formatRunTime)).toEqual([
      '0:00',
      '0:05',
      '3:05',
      '1:02:03',
      '1:00',
    ])
  })
})

describe('percentages, bytes and money', () => {
  it('percentages have one decimal, and two significant figures for shares too small to show in one', () => {
    // Proves that a rare failure is not shown as none: 0.0828% reads 0.083%, not 0.1% or 0.0%.
    expect([0, 0.00001, 0.0828, 0.02, 0.096, 6.21, 68.5, 100].map(formatPercent)).toEqual([
      '0%',
      '<0.0001%',
      '0.083%',
      '0.02%',
      '0.1%',
      '6.2%',
      '68.5%',
      '100.0%',
    ])
    expect(formatShare(0.0621)).toBe('6.2%')
    expect(formatPercentOf(1_200, 72_500)).toBe('1.7%')
    expect(formatPercentOf(0, 0)).toBe(missingFigure)
  })

  it('bytes are IEC, three significant figures, moving up a unit before they reach four digits', () => {
    // Proves KiB/MiB/GiB on powers of 1,024, and that 1,023.9 KiB reads 1 MiB, not 1020 KiB.
    expect(
      [0, 512, 1_023, 1_024, 1_536, 1_023.9 * 1024, 64 * 1024 ** 2, 1.3e9, 5 * 1024 ** 4].map(
        formatBytes,
      ),
    ).toEqual([
      '0 B',
      '512 B',
      '1,023 B',
      '1 KiB',
      '1.5 KiB',
      '1 MiB',
      '64 MiB',
      '1.21 GiB',
      '5 TiB',
    ])
    expect(formatBytes(-1)).toBe(missingFigure)
  })

  it('money is integer fen shown as yuan to the fen, by integer arithmetic', () => {
    // Proves the yuan form, large sums exact, negatives signed, and that a fraction of a fen is a
    // bug, not a rounding.
    expect(formatFen(6_170_125_37)).toBe('¥6,170,125.37')
    expect(formatFen(1_000_000_000_00)).toBe('¥1,000,000,000.00')
    expect(formatFen(5)).toBe('¥0.05')
    expect(formatFen(-1_230)).toBe('¥-12.30')
    expect(formatFen(Number.MAX_SAFE_INTEGER)).toBe('¥90,071,992,547,409.91')
    expect(() => formatFen(10.5)).toThrow(/whole number of fen/)
  })
})

describe('tickFormat', () => {
  it('gives each tick as many digits as its step needs, so no two ticks read the same', () => {
    // Proves the axis labels: 1.5k beside 2k, 15k beside 20k, 0.25 beside 0.5, and never 500m for a
    // half.
    const labels = (ticks: number[]) => ticks.map(tickFormat(ticks))
    expect(labels([0, 500, 1_000, 1_500, 2_000, 2_500])).toEqual([
      '0',
      '500',
      '1k',
      '1.5k',
      '2k',
      '2.5k',
    ])
    expect(labels([0, 5_000, 10_000, 15_000, 20_000])).toEqual(['0', '5k', '10k', '15k', '20k'])
    expect(labels([0, 0.25, 0.5, 0.75])).toEqual(['0', '0.25', '0.5', '0.75'])
    expect(labels([1_000, 1_250, 1_500, 1_750])).toEqual(['1k', '1.25k', '1.5k', '1.75k'])
    expect(labels([0.1, 1, 10, 100, 1_000])).toEqual(['0.1', '1', '10', '100', '1k'])
    expect(labels([999_000, 999_500, 1_000_000, 1_000_500])).toEqual([
      '999k',
      '999.5k',
      '1M',
      '1.0005M',
    ])
    expect(labels([0, 4e8, 8e8, 1.2e9])).toEqual(['0', '400M', '800M', '1.2G'])
    expect(labels([42])).toEqual(['42'])
  })
})
