/**
 * metrics.csv, the run's figures over time for spreadsheets and for re-rendering the report.
 * A load run writes one row per wall second (`parseMetricsCsv` reads it back); a flat-out run one
 * row per simulated hour, which its summary also holds, so it is written and never read.
 *
 *     second,target_tps,sent_tps,completed_tps,rejected,errors,p50_ms,p99_ms,max_ms,late_p99_ms,simulated_at
 *     0,1000,1000,998,12,0,1.25,8.5,14.2,0.3,2025-03-03T07:01:00+08:00
 *
 * Numbers are written plainly (no exponent), with at most three decimals: a microsecond in ms.
 */
import { assert } from '../assert.js'
import { UserError } from '../errors.js'
import type { LoadSecond, RunSummary } from '../run/summary.js'

/** Seconds one file may hold: a week of load. */
export const metricsCsvRowsMax = 7 * 24 * 60 * 60
/** Characters of one row, generously: eleven fields of at most 25 characters and their commas. */
export const metricsCsvLineCharsMax = 300
/** Bytes of one file: the header and every row at their longest. */
export const metricsCsvBytesMax = (metricsCsvRowsMax + 1) * (metricsCsvLineCharsMax + 2)

const loadColumns = [
  'second',
  'target_tps',
  'sent_tps',
  'completed_tps',
  'rejected',
  'errors',
  'p50_ms',
  'p99_ms',
  'max_ms',
  'late_p99_ms',
  'simulated_at',
] as const
type LoadColumn = (typeof loadColumns)[number]
const loadHeader = loadColumns.join(',')
const hourlyHeader = 'hour,payments'
const decimalsMax = 3

/** A figure as read: digits, and a fraction of at most nine more; no sign, no exponent. */
const numberPattern = /^\d{1,15}(?:\.\d{1,9})?$/
const wholePattern = /^\d{1,15}$/
/** A local ISO time as the simulated clock writes it, with or without seconds and offset. */
const timePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?$/

export function metricsCsv(
  summary: RunSummary,
  seconds: readonly LoadSecond[] | undefined,
): string {
  if (summary.mode === 'load') {
    assert(seconds !== undefined, 'a load run has its seconds')
    assert(
      seconds.length <= metricsCsvRowsMax,
      `a load run keeps at most ${metricsCsvRowsMax} seconds`,
    )
    const rows = seconds.map((second) => {
      assert(Number.isInteger(second.second), 'seconds are counted whole')
      assert(
        timePattern.test(second.simulatedAt),
        `second ${second.second}: the simulated time is an ISO time, no comma in it`,
      )
      return [
        plain(second.second),
        plain(second.targetTps),
        plain(second.sentTps),
        plain(second.completedTps),
        plain(second.rejected),
        plain(second.errors),
        plain(second.p50Ms),
        plain(second.p99Ms),
        plain(second.maxMs),
        plain(second.lateP99Ms),
        second.simulatedAt,
      ].join(',')
    })
    return [loadHeader, ...rows].join('\n') + '\n'
  }
  assert(seconds === undefined, 'a flat-out run has no load seconds')
  return (
    [
      hourlyHeader,
      ...summary.demand.perHour.map((payments, hour) => `${hour},${plain(payments)}`),
    ].join('\n') + '\n'
  )
}

/**
 * The rows of a load run's metrics.csv. A line that cannot be read is a UserError naming
 * `file:line` and its column.
 */
export function parseMetricsCsv(text: string, file: string): LoadSecond[] {
  if (text.length > metricsCsvBytesMax)
    throw new UserError(
      `${file}: more than ${metricsCsvBytesMax} characters, the limit for metrics.csv`,
    )
  const lines = text.split('\n')
  // One newline ends the last row; it does not start another.
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines.length - 1 > metricsCsvRowsMax)
    throw new UserError(`${file}: more than ${metricsCsvRowsMax} rows, the limit for metrics.csv`)
  const header = stripReturn(lines[0] ?? '')
  if (header === hourlyHeader)
    throw new UserError(
      `${file}:1: the hourly figures of a flat-out run, not the seconds of a load run`,
    )
  if (header !== loadHeader)
    throw new UserError(
      `${file}:1: not the header of a load run's metrics.csv (expected "${loadHeader}")`,
    )

  const seconds: LoadSecond[] = []
  for (let index = 1; index < lines.length; index++) {
    const where = `${file}:${index + 1}`
    const line = stripReturn(lines[index] as string)
    if (line.length > metricsCsvLineCharsMax)
      throw new UserError(`${where}: a row longer than ${metricsCsvLineCharsMax} characters`)
    const fields = line.split(',')
    if (fields.length !== loadColumns.length)
      throw new UserError(
        `${where}: ${fields.length} columns, expected ${loadColumns.length} (${loadHeader})`,
      )
    const field = (column: LoadColumn) => fields[loadColumns.indexOf(column)] as string
    const number = (column: LoadColumn) => {
      const value = field(column)
      if (!numberPattern.test(value))
        throw new UserError(
          `${where}: column ${column}: ${quote(value)} is not a number of zero or more`,
        )
      return Number(value)
    }
    const secondText = field('second')
    if (!wholePattern.test(secondText))
      throw new UserError(
        `${where}: column second: ${quote(secondText)} is not a whole number of seconds`,
      )
    const second = Number(secondText)
    const previous = seconds[seconds.length - 1]
    if (previous !== undefined && second <= previous.second)
      throw new UserError(`${where}: column second: ${second} does not follow ${previous.second}`)
    const simulatedAt = field('simulated_at')
    if (!timePattern.test(simulatedAt))
      throw new UserError(`${where}: column simulated_at: ${quote(simulatedAt)} is not an ISO time`)
    seconds.push({
      second,
      targetTps: number('target_tps'),
      sentTps: number('sent_tps'),
      completedTps: number('completed_tps'),
      rejected: number('rejected'),
      errors: number('errors'),
      p50Ms: number('p50_ms'),
      p99Ms: number('p99_ms'),
      maxMs: number('max_ms'),
      lateP99Ms: number('late_p99_ms'),
      simulatedAt,
    })
  }
  assert(seconds.length === lines.length - 1, 'one second per row')
  return seconds
}

/** A number of zero or more without exponent, at most three decimals, no trailing zeros. */
function plain(value: number): string {
  assert(
    Number.isFinite(value) && value >= 0 && value < 1e15,
    'a figure is finite, zero or more, below 1e15',
  )
  return String(Number(value.toFixed(decimalsMax)))
}

/** Files saved on Windows end lines with \r\n. */
function stripReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line
}

function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
}
