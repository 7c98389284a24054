/**
 * How a run is steered from the live map: request() refuses what cannot be done, with the reason,
 * and queues the rest; step() applies the queue between two sends, to the run's LiveSchedule and
 * Faults; between runs, commands set what the next run starts with.
 */
import { describe, expect, it } from 'vitest'
import type { LivePace, LiveSchedule } from '../../../engine/load/index.js'
import {
  ledgerSlowdownMsMax,
  liveSpeedMax,
  liveTpsMax,
  runEventsMax,
} from '../../../engine/limits.js'
import { RunControl, type RunCommand } from '../../../engine/run/index.js'

const districts = ['Futian', 'Nanshan', 'Luohu']
const rate = (tps: number): LivePace => ({ sort: 'rate', tps })
const clock = (tickMs: number): LivePace => ({ sort: 'clock', tickMs })

/**
 * A control at `pace` with a schedule of 60 ticks of 10 transfers each, all made; and the schedule.
 */
function running(
  pace: LivePace = rate(100),
  limitMs = Infinity,
): { control: RunControl; schedule: LiveSchedule } {
  const control = new RunControl(pace, limitMs, districts)
  const schedule = control.scheduleFor(60, async () => {})
  for (let tick = 0; tick < 59; tick++) schedule.addTick(10)
  return { control, schedule }
}

/** The command accepted (request answered undefined), or a failure naming the refusal. */
function accept(control: RunControl, command: RunCommand): void {
  expect(control.request(command)).toBeUndefined()
}

describe('requesting a command', () => {
  it('refuses values out of bounds, naming the command and its bounds, and queues nothing for them', () => {
    // Proves request() is a check of its own (the run must not trust the page's schema): speeds,
    // rates and slowdowns out of range or not numbers are refused with the bound in the message;
    // the schedule and faults are untouched.
    const { control, schedule } = running()
    const refused: [RunCommand, RegExp][] = [
      [{ type: 'speed', minutesPerSecond: 0 }, new RegExp(`^speed: .*${liveSpeedMax}`)],
      [{ type: 'speed', minutesPerSecond: -5 }, /^speed: /],
      [{ type: 'speed', minutesPerSecond: liveSpeedMax + 1 }, /^speed: /],
      [{ type: 'speed', minutesPerSecond: Number.NaN }, /^speed: /],
      [{ type: 'targetTps', tps: 0 }, new RegExp(`^targetTps: .*${liveTpsMax}`)],
      [{ type: 'targetTps', tps: 0.5 }, /^targetTps: /],
      [{ type: 'targetTps', tps: liveTpsMax + 1 }, /^targetTps: /],
      [{ type: 'targetTps', tps: Number.NaN }, /^targetTps: /],
      [{ type: 'slowdown', ms: -1 }, new RegExp(`^slowdown: .*${ledgerSlowdownMsMax}`)],
      [{ type: 'slowdown', ms: 1.5 }, /^slowdown: /],
      [{ type: 'slowdown', ms: ledgerSlowdownMsMax + 1 }, /^slowdown: /],
      [{ type: 'slowdown', ms: Number.NaN }, /^slowdown: /],
    ]
    for (const [command, message] of refused) expect(control.request(command)).toMatch(message)
    control.step(500)
    expect([schedule.pace, control.pace, control.faults.slowdownMs, control.isPaused]).toEqual([
      rate(100),
      rate(100),
      0,
      false,
    ])
  })

  it('refuses an outage of a district the city does not have, listing those it has, the name cut short', () => {
    // Proves the district is checked by name, case and all: the message quotes the name (its first
    // 40 characters of a long one) and lists the city's districts; no district is cut.
    const { control } = running()
    expect(control.request({ type: 'outage', district: 'Atlantis', on: true })).toBe(
      'outage: no district "Atlantis" in this city (Futian, Nanshan, Luohu)',
    )
    expect(control.request({ type: 'outage', district: 'futian', on: true })).toMatch(
      /^outage: no district "futian"/,
    )
    const long = 'x'.repeat(200)
    expect(control.request({ type: 'outage', district: long, on: true })).toBe(
      `outage: no district "${'x'.repeat(40)}" in this city (Futian, Nanshan, Luohu)`,
    )
    control.step(10)
    expect([...control.faults.outage]).toEqual([0, 0, 0])
  })

  it('refuses a pause when paused and a resume when running', () => {
    // Proves the two state checks, against the state the last step left.
    const { control } = running()
    expect(control.request({ type: 'resume' })).toBe('the run is not paused')
    accept(control, { type: 'pause' })
    control.step(100)
    expect(control.request({ type: 'pause' })).toBe('the run is paused already')
    accept(control, { type: 'resume' })
  })

  it('accepts the bounds themselves', () => {
    // Proves the ranges are closed where they say so: the highest speed, rate and slowdown, the
    // lowest rate and slowdown.
    const { control } = running()
    for (const command of [
      { type: 'speed', minutesPerSecond: liveSpeedMax },
      { type: 'targetTps', tps: 1 },
      { type: 'targetTps', tps: liveTpsMax },
      { type: 'slowdown', ms: 0 },
      { type: 'slowdown', ms: ledgerSlowdownMsMax },
      { type: 'outage', district: 'Luohu', on: false },
    ] as const)
      accept(control, command)
  })
})

describe('applying commands between sends', () => {
  it('queues commands until the next step, then pauses the schedule: no rate, nothing due, what was due kept', () => {
    // Proves pause waits for step(): before it the schedule runs on; at step(500) the pace is
    // paused from 500 ms, the 51 transfers due by then (100/s) stay, no more fall due, the target
    // rate reads 0.
    const { control, schedule } = running(rate(100))
    accept(control, { type: 'pause' })
    expect([control.isPaused, schedule.pace, schedule.dueCount(600)]).toEqual([
      false,
      rate(100),
      61,
    ])
    control.step(500)
    expect([control.isPaused, schedule.pace, schedule.rateAt(500)]).toEqual([
      true,
      { sort: 'paused' },
      0,
    ])
    expect([schedule.dueCount(500), schedule.dueCount(10_000), schedule.rateAt(700)]).toEqual([
      51, 51, 0,
    ])
    expect(schedule.sendTimeMs(50)).toBe(500)
  })

  it('resumes the pace asked before the pause, from the moment of the step', () => {
    // Proves resume takes up the previous pace: a clock of 60 simulated minutes a second (tickMs
    // 1000/60), paused at 300 ms and resumed at 2,000 ms, targets the city's rate again (10 a tick:
    // 600/s) and sends from 2,000 ms.
    const { control, schedule } = running(clock(1000 / 60))
    accept(control, { type: 'pause' })
    control.step(300)
    const due = schedule.dueCount(300)
    accept(control, { type: 'resume' })
    expect(control.isPaused).toBe(true)
    control.step(2_000)
    expect([control.isPaused, schedule.pace, schedule.rateAt(2_000)]).toEqual([
      false,
      clock(1000 / 60),
      600,
    ])
    expect([schedule.dueCount(1_999), schedule.sendTimeMs(due)]).toEqual([due, 2_000])
  })

  it('sets speed and target rate at once while running, and only on resume while paused (the last asked wins)', () => {
    // Proves speed and targetTps while running change the schedule's pace at the step; while paused
    // they change only the pace a resume takes up, so nothing falls due, and the resume takes the
    // latest of them.
    const { control, schedule } = running(rate(100))
    accept(control, { type: 'speed', minutesPerSecond: 120 })
    control.step(100)
    expect([schedule.pace, control.pace]).toEqual([clock(1000 / 120), clock(1000 / 120)])
    accept(control, { type: 'targetTps', tps: 2_000 })
    control.step(200)
    expect([schedule.pace, schedule.rateAt(200)]).toEqual([rate(2_000), 2_000])
    accept(control, { type: 'pause' })
    control.step(300)
    const due = schedule.dueCount(300)
    accept(control, { type: 'speed', minutesPerSecond: 30 })
    control.step(400)
    expect([
      schedule.pace,
      control.pace,
      control.isPaused,
      schedule.dueCount(5_000),
      schedule.rateAt(400),
    ]).toEqual([{ sort: 'paused' }, clock(1000 / 30), true, due, 0])
    accept(control, { type: 'targetTps', tps: 50 })
    accept(control, { type: 'resume' })
    control.step(1_000)
    expect([schedule.pace, control.pace, control.isPaused, schedule.rateAt(1_000)]).toEqual([
      rate(50),
      rate(50),
      false,
      50,
    ])
    expect(schedule.sendTimeMs(due)).toBe(1_000)
  })

  it('applies queued commands in the order they came, all at one step', () => {
    // Proves the queue keeps order: speed then rate leaves the rate; pause then speed leaves the
    // run paused with the speed to resume at; the schedule gets one stretch per change, at the
    // step's time.
    const { control, schedule } = running(rate(100))
    accept(control, { type: 'speed', minutesPerSecond: 60 })
    accept(control, { type: 'targetTps', tps: 300 })
    control.step(100)
    expect(schedule.pace).toEqual(rate(300))
    accept(control, { type: 'pause' })
    accept(control, { type: 'speed', minutesPerSecond: 10 })
    control.step(200)
    expect([schedule.pace, control.pace]).toEqual([{ sort: 'paused' }, clock(100)])
  })

  it('sets the slowdown and outages on the run’s Faults at the step, and lifts an outage', () => {
    // Proves faults change between sends only: queued, they do nothing; at the step the slowdown
    // and the named district (by its plan index) are set; an outage turned off clears it.
    const { control } = running()
    accept(control, { type: 'slowdown', ms: 250 })
    accept(control, { type: 'outage', district: 'Nanshan', on: true })
    expect([control.faults.slowdownMs, control.faults.anyOutage]).toEqual([0, false])
    control.step(100)
    expect([
      control.faults.slowdownMs,
      [...control.faults.outage],
      control.faults.anyOutage,
    ]).toEqual([250, [0, 1, 0], true])
    accept(control, { type: 'outage', district: 'Nanshan', on: false })
    accept(control, { type: 'outage', district: 'Luohu', on: true })
    accept(control, { type: 'slowdown', ms: 0 })
    control.step(200)
    expect([control.faults.slowdownMs, [...control.faults.outage]]).toEqual([0, [0, 0, 1]])
  })

  it('stops the run at the next step: the schedule ends there, with what was due before it', () => {
    // Proves stop(): at 100/s, stop then step(750) ends the schedule at 750 ms, holding the 75
    // transfers sent before it.
    const { control, schedule } = running(rate(100))
    control.stop()
    expect(schedule.durationMs).toBe(Infinity)
    control.step(750)
    expect([schedule.durationMs, schedule.transfers, schedule.dueCount(10_000)]).toEqual([
      750, 75, 75,
    ])
  })
})

describe('between runs', () => {
  it('applies commands at once before the run’s schedule is made, and the run starts with them', () => {
    // Proves no step is needed before scheduleFor: a pause, a speed and an outage set the state;
    // the schedule is made paused, and a resume takes up that speed.
    const control = new RunControl(rate(100), Infinity, districts)
    accept(control, { type: 'speed', minutesPerSecond: 60 })
    accept(control, { type: 'pause' })
    accept(control, { type: 'outage', district: 'Futian', on: true })
    accept(control, { type: 'slowdown', ms: 40 })
    expect([
      control.isPaused,
      control.pace,
      [...control.faults.outage],
      control.faults.slowdownMs,
    ]).toEqual([true, clock(1000 / 60), [1, 0, 0], 40])
    const schedule = control.scheduleFor(10, async () => {})
    expect(schedule.pace).toEqual({ sort: 'paused' })
    accept(control, { type: 'resume' })
    control.step(50)
    expect(schedule.pace).toEqual(clock(1000 / 60))
  })

  it('starts a run paused when made paused, and a new run at the pace and state the last one left', () => {
    // Proves the first pace may be paused (the run waits for a resume), and that a second run on
    // the same control starts from where the first left its pace.
    const control = new RunControl({ sort: 'paused' }, Infinity, districts)
    expect(control.isPaused).toBe(true)
    expect(control.request({ type: 'resume' })).toBeUndefined()
    accept(control, { type: 'targetTps', tps: 400 })
    const first = control.scheduleFor(10, async () => {})
    expect(first.pace).toEqual(rate(400))
    accept(control, { type: 'speed', minutesPerSecond: 2 })
    control.step(900)
    control.finished()
    accept(control, { type: 'pause' })
    expect(control.isPaused).toBe(true)
    const second = control.scheduleFor(10, async () => {})
    expect([second.pace, control.pace]).toEqual([{ sort: 'paused' }, clock(500)])
  })

  it('keeps a command accepted after the run’s last step for the next run, rather than dropping it', () => {
    // Proves a command the page was told was taken is not lost: after the sender's last step (the
    // run draining its last answers), a speed is accepted and queued; once the run is finished, the
    // next run should start at that speed. Today finished() empties the queue, so the next run
    // starts at the old pace.
    const control = new RunControl(rate(100), Infinity, districts)
    control.scheduleFor(10, async () => {})
    control.step(1_000)
    accept(control, { type: 'speed', minutesPerSecond: 60 })
    accept(control, { type: 'outage', district: 'Luohu', on: true })
    control.finished()
    const next = control.scheduleFor(10, async () => {})
    expect([next.pace, [...control.faults.outage]]).toEqual([clock(1000 / 60), [0, 0, 1]])
  })
})

describe("a run's events", () => {
  it('records each command that changed the run, at the step that applied it, and a stop with who asked', () => {
    // Proves the events a report and the page show are what was done and when: one per change, at
    // the load second of the step, in words; a command that changed nothing (a slowdown already
    // set, an outage already on) is no event; the stop is the last, naming its signal.
    const { control } = running()
    accept(control, { type: 'pause' })
    control.step(1_500)
    accept(control, { type: 'resume' })
    accept(control, { type: 'slowdown', ms: 50 })
    control.step(2_250)
    accept(control, { type: 'slowdown', ms: 50 })
    accept(control, { type: 'outage', district: 'Nanshan', on: true })
    accept(control, { type: 'outage', district: 'Nanshan', on: true })
    accept(control, { type: 'speed', minutesPerSecond: 10 })
    control.step(3_000)
    control.stop('SIGINT')
    control.step(4_125)
    control.step(4_200)
    expect(control.events.kept).toEqual([
      { second: 1.5, kind: 'pause', label: 'paused' },
      { second: 2.25, kind: 'resume', label: 'resumed' },
      { second: 2.25, kind: 'slowdown', label: 'ledger slowed by 50 ms' },
      { second: 3, kind: 'outage', label: 'Nanshan cut off' },
      { second: 3, kind: 'speed', label: 'speed 10 min/s' },
      { second: 4.125, kind: 'stop', label: 'stopped by SIGINT' },
    ])
    expect(control.stoppedBy).toBe('SIGINT')
  })

  it('counts commands from the page before the run sends as its own (at second 0), not those between runs', () => {
    // Proves a pause pressed while the ledger opens is an event of the run it pauses, and a
    // command made after a run finished sets the next run without being an event of either.
    const control = new RunControl(rate(100), Infinity, districts)
    control.begin()
    accept(control, { type: 'pause' })
    control.scheduleFor(60, async () => {})
    expect(control.events.kept).toEqual([{ second: 0, kind: 'pause', label: 'paused' }])
    control.finished()
    accept(control, { type: 'resume' })
    expect(control.events.kept).toHaveLength(1)
    control.begin()
    control.scheduleFor(60, async () => {})
    expect(control.events.kept).toEqual([])
    expect(control.stoppedBy).toBeUndefined()
  })

  it('keeps at most runEventsMax events and counts the rest', () => {
    // Proves a page toggling all day cannot grow a run's summary or snapshots without bound.
    const { control } = running()
    for (let i = 0; i < runEventsMax + 5; i++) {
      accept(control, { type: 'outage', district: 'Futian', on: i % 2 === 0 })
      control.step(i)
    }
    expect(control.events.kept).toHaveLength(runEventsMax)
    expect(control.events.dropped).toBe(5)
  })
})
