/**
 * The calendar every scenario runs on: the built-in one (China's public holidays, make-up working
 * days and shopping festivals) unless it says `base: none`, with its own days added; and a run
 * that follows it (a holiday runs the weekend rhythm, a festival lifts retail).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { chinaCalendarLastYear, calendarGap } from '../../scenarios/calendars/china.js'
import { scenarioSchema, type Scenario } from '../../scenarios/schema.js'
import { runSmoke, scenarioFolder, type ScenarioFolder } from '../helpers/runs.js'
import { smokeWith } from './scenarioFiles.js'

function parsed(edits: Record<string, unknown> = {}): Scenario {
  return scenarioSchema.parse(parse(smokeWith(edits)))
}

const daysOf = (from: string, to: string) => ({ from: `${from}T00:00:00+08:00`, to })

describe('the calendar a scenario runs on', () => {
  it('is the built-in one when the scenario gives none: the Spring Festival of 2026 and its make-up days', () => {
    const { calendar } = parsed()
    expect(calendar.base).toBe('china')
    expect(calendar.holidays).toContainEqual({
      name: 'Spring Festival',
      from: '2026-02-15',
      to: '2026-02-23',
    })
    expect(calendar.workdays).toEqual(expect.arrayContaining(['2026-02-14', '2026-02-28']))
    expect(calendar.peaks.filter((peak) => peak.date === '2026-11-11')).toEqual([
      { name: 'Double 11', date: '2026-11-11', retail: 1.6, p2p: 1.1, online: 4 },
    ])
  })

  it('is weekends only with base none, holding just what the scenario lists', () => {
    const holiday = { name: 'Founding day', from: '2026-08-26', to: '2026-08-26' }
    const { calendar } = parsed({ calendar: { base: 'none', holidays: [holiday] } })
    expect(calendar.holidays).toEqual([holiday])
    expect(calendar.workdays).toEqual([])
    expect(calendar.peaks).toEqual([])
  })

  it("adds the scenario's days to the base, and its peak on a date replaces the base's", () => {
    const holiday = { name: 'Founding day', from: '2026-08-26', to: '2026-08-26' }
    const peak = { name: 'Double 11 (bigger)', date: '2026-11-11', retail: 2.5 }
    const { calendar } = parsed({ calendar: { holidays: [holiday], peaks: [peak] } })
    expect(calendar.holidays).toContainEqual(holiday)
    expect(calendar.holidays.length).toBeGreaterThan(40)
    expect(calendar.peaks.filter((one) => one.date === '2026-11-11')).toEqual([{ ...peak, p2p: 1 }])
    expect(calendar.peaks.some((one) => one.date === '2025-11-11')).toBe(true)
  })

  it('refuses a base it does not know, naming the field', () => {
    const result = scenarioSchema.safeParse(parse(smokeWith({ calendar: { base: 'mars' } })))
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['calendar.base'])
  })

  it('says when a run reaches past the last year the built-in calendar holds', () => {
    const after = `${chinaCalendarLastYear + 1}-03-01`
    expect(calendarGap(parsed().calendar, after)).toMatch(
      new RegExp(`public holidays up to ${chinaCalendarLastYear}`),
    )
    expect(calendarGap(parsed().calendar, `${chinaCalendarLastYear}-12-31`)).toBeUndefined()
    expect(calendarGap(parsed({ calendar: { base: 'none' } }).calendar, after)).toBeUndefined()
    const later = { name: 'Spring Festival', from: after, to: after }
    expect(calendarGap(parsed({ calendar: { holidays: [later] } }).calendar, after)).toBeUndefined()
  })
})

describe('a run on the calendar', () => {
  let folder: ScenarioFolder
  beforeAll(async () => {
    folder = await scenarioFolder('calendar')
  })
  afterAll(async () => {
    await folder.remove()
  })

  let written = 0
  /** The smoke city's payments by kind on one local day, on the given calendar. */
  async function dayOn(date: string, next: string, calendar: unknown) {
    const text = smokeWith({ period: daysOf(date, `${next}T00:00:00+08:00`), calendar })
    const summary = await runSmoke(
      {},
      await folder.write(`day-${String((written += 1))}.yaml`, text),
    )
    return summary.transfers.byKind
  }

  it('runs a public holiday on a weekday with the weekend rhythm: no payroll, half the bills', async () => {
    // 1 October 2026 is a Thursday, National Day.
    const holiday = await dayOn('2026-10-01', '2026-10-02', {})
    const ordinary = await dayOn('2026-10-01', '2026-10-02', { base: 'none' })
    expect(holiday.payroll.submitted).toBe(0)
    expect(ordinary.payroll.submitted).toBeGreaterThan(0)
    expect(holiday.bill.submitted / ordinary.bill.submitted).toBeCloseTo(0.5, 1)
  })

  it('lifts retail and P2P on Double 11 by its factors, and leaves transit as it was', async () => {
    // 11 November 2026 is a Wednesday.
    const peak = await dayOn('2026-11-11', '2026-11-12', {})
    const ordinary = await dayOn('2026-11-11', '2026-11-12', { base: 'none' })
    expect(ordinary.retail.submitted).toBeGreaterThan(2000)
    expect(peak.retail.submitted / ordinary.retail.submitted).toBeCloseTo(1.6, 1)
    expect(peak.p2p.submitted / ordinary.p2p.submitted).toBeGreaterThan(1.02)
    expect(peak.transit.submitted / ordinary.transit.submitted).toBeCloseTo(1, 1)
  })
})
