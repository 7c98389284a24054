import { describe, expect, it } from 'vitest'
import { UserError } from '../../../engine/errors.js'
import { metricsCsv, metricsCsvRowsMax, parseMetricsCsv } from '../../../engine/report/index.js'
import { flatOutSummary, loadSeconds, loadSummary } from '../../helpers/summaries.js'

const header =
  'second,target_tps,sent_tps,completed_tps,rejected,errors,p50_ms,p99_ms,max_ms,late_p99_ms,simulated_at'

function refusal(text: string): string {
  try {
    parseMetricsCsv(text, 'runs/x/metrics.csv')
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return (error as Error).message
  }
  throw new Error('the text was accepted')
}

describe('metrics.csv', () => {
  it('writes one row per second of a load run and reads back the same seconds', () => {
    // Proves the round trip: every field of every second survives, in order, under the documented
    // header.
    const seconds = loadSeconds()
    const text = metricsCsv(loadSummary, seconds)
    const lines = text.trimEnd().split('\n')
    expect(lines[0]).toBe(header)
    expect(lines).toHaveLength(seconds.length + 1)
    expect(lines[100]).toBe('100,5000,4100,3720,1,0,20,83,412.625,220.5,2025-03-03T11:50:00+08:00')
    expect(parseMetricsCsv(text, 'metrics.csv')).toEqual(seconds)
  })

  it('writes no exponent and at most three decimals, and reads files saved with CRLF', () => {
    // Proves numbers are written plainly (a spreadsheet reads them) and a Windows-saved file still
    // parses.
    const [second] = loadSeconds(1)
    const odd = {
      ...(second as NonNullable<typeof second>),
      p50Ms: 1 / 3,
      p99Ms: 1e-7,
      maxMs: 123456789.5,
    }
    const text = metricsCsv(loadSummary, [odd])
    expect(text.split('\n')[1]).toContain(',0.333,0,123456789.5,')
    expect(parseMetricsCsv(text.replace(/\n/g, '\r\n'), 'm.csv')[0]).toMatchObject({
      p50Ms: 0.333,
      p99Ms: 0,
      maxMs: 123456789.5,
    })
  })

  it('writes a flat-out run as payments per simulated hour', () => {
    // Proves the hourly form: header hour,payments and one row per hour of the summary's demand.
    const lines = metricsCsv(flatOutSummary, undefined).trimEnd().split('\n')
    expect(lines[0]).toBe('hour,payments')
    expect(lines.slice(1)).toEqual(
      flatOutSummary.demand.perHour.map((payments, hour) => `${hour},${payments}`),
    )
  })

  it('names the file, the line and the column of a line it cannot read', () => {
    // Proves each kind of bad line is refused with file:line, and the column where one is to blame.
    const good = metricsCsv(loadSummary, loadSeconds(3)).trimEnd().split('\n')
    const withLine3 = (line: string) => [...good.slice(0, 2), line, ...good.slice(3)].join('\n')
    expect(
      refusal(withLine3('2,5000,5000,4990,1,0,abc,8.5,14.2,0.3,2025-03-03T07:01:00+08:00')),
    ).toBe('runs/x/metrics.csv:3: column p50_ms: "abc" is not a number of zero or more')
    expect(
      refusal(withLine3('2,5000,-5,4990,1,0,1,8.5,14.2,0.3,2025-03-03T07:01:00+08:00')),
    ).toMatch(/^runs\/x\/metrics\.csv:3: column sent_tps: "-5"/)
    expect(refusal(withLine3('2,5000,5000,4990,1,0,1,8.5,14.2,0.3'))).toMatch(
      /^runs\/x\/metrics\.csv:3: 10 columns, expected 11/,
    )
    expect(
      refusal(withLine3('1,5000,5000,4990,1,0,1,8.5,14.2,0.3,2025-03-03T07:01:00+08:00')),
    ).toMatch(/:3: column second: 1 does not follow 1$/)
    expect(
      refusal(withLine3('2.5,5000,5000,4990,1,0,1,8.5,14.2,0.3,2025-03-03T07:01:00+08:00')),
    ).toMatch(/:3: column second: "2.5" is not a whole number/)
    expect(refusal(withLine3('2,5000,5000,4990,1,0,1,8.5,14.2,0.3,yesterday'))).toMatch(
      /:3: column simulated_at: "yesterday" is not an ISO time/,
    )
    expect(refusal(withLine3(''))).toMatch(/:3: 1 columns, expected 11/)
  })

  it("refuses a file that is not a load run's metrics, and one past the row limit", () => {
    // Proves the header is checked (a flat-out file is named as such) and the row bound holds
    // before any row is read.
    expect(refusal('')).toMatch(/^runs\/x\/metrics\.csv:1: not the header/)
    expect(refusal(metricsCsv(flatOutSummary, undefined))).toBe(
      'runs/x/metrics.csv:1: the hourly figures of a flat-out run, not the seconds of a load run',
    )
    expect(refusal(`${header}\n${'x\n'.repeat(metricsCsvRowsMax + 1)}`)).toMatch(
      /more than \d+ rows/,
    )
    // The header alone is a run with no seconds.
    expect(parseMetricsCsv(`${header}\n`, 'm.csv')).toEqual([])
  })
})
