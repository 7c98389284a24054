/**
 * The schedule of a run steered live: stretches at a rate, at a clock speed following the city's
 * ticks, or paused, each starting where the last was told to stop, and never rewriting what was
 * already due.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LiveSchedule, type LivePace } from '../../../engine/load/index.js'
import { transferBatchMax } from '../../../engine/limits.js'

const noLearner = async () => {}
const rate = (tps: number): LivePace => ({ sort: 'rate', tps })
const clock = (tickMs: number): LivePace => ({ sort: 'clock', tickMs })
const paused: LivePace = { sort: 'paused' }

/** A schedule of `counts.length` ticks, all known, starting at `pace`, ending at `limitMs`. */
function known(pace: LivePace, counts: readonly number[], limitMs = Infinity): LiveSchedule {
  const schedule = new LiveSchedule(counts.length, pace, limitMs, noLearner)
  for (const count of counts) schedule.addTick(count)
  return schedule
}

/** Every send time of `schedule`'s first `count` transfers. */
function sendTimes(schedule: LiveSchedule, count: number): number[] {
  return Array.from({ length: count }, (_, n) => schedule.sendTimeMs(n))
}

/** How many of the ascending `times` are at or before `ms`. */
function atOrBefore(times: readonly number[], ms: number): number {
  let low = 0
  let high = times.length
  while (low < high) {
    const middle = (low + high) >> 1
    if ((times[middle] as number) <= ms) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * Whether some send time lies within `slackMs` of `ms` (where rounding may fairly go either way).
 */
function nearSendTime(times: readonly number[], ms: number, slackMs: number): boolean {
  const index = atOrBefore(times, ms)
  return (
    (index > 0 && ms - (times[index - 1] as number) <= slackMs) ||
    (index < times.length && (times[index] as number) - ms <= slackMs)
  )
}

describe('a rate stretch', () => {
  it('sends transfer n at n · 1000 / tps, and counts them at or before (dueCount) and within [from, to) (dueBetween)', () => {
    // Proves the formula at 4 transfers a second: 0, 250, 500, …; the one due exactly at a moment
    // is due at it, and not yet in a window ending at it; the target rate is the stretch's.
    const schedule = new LiveSchedule(10, rate(4), Infinity, noLearner)
    expect(sendTimes(schedule, 5)).toEqual([0, 250, 500, 750, 1_000])
    expect([
      schedule.dueCount(-1),
      schedule.dueCount(0),
      schedule.dueCount(249.9),
      schedule.dueCount(250),
      schedule.dueCount(1_000),
    ]).toEqual([0, 1, 1, 2, 5])
    expect([
      schedule.dueBetween(0, 250),
      schedule.dueBetween(0, 1_000),
      schedule.dueBetween(250, 1_250),
      schedule.dueBetween(-5, 0),
    ]).toEqual([1, 4, 4, 0])
    expect([schedule.rateAt(-1), schedule.rateAt(0), schedule.rateAt(12_345)]).toEqual([0, 4, 4])
    expect(schedule.pace).toEqual(rate(4))
  })

  it('agrees with itself after a pause: sendTimeMs(n) ≤ t exactly when n < dueCount(t), and dueBetween counts [from, to)', () => {
    // Proves the three views are one schedule for a rate stretch starting at any moment of the
    // first minute (after a pause), at up to 20,000/s: at each send time itself, at random moments,
    // and over whole seconds.
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 60_000, noNaN: true }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (startMs, tps, picks) => {
          const schedule = new LiveSchedule(10, paused, Infinity, noLearner)
          schedule.setPace(rate(tps), startMs)
          const count = 300
          const times = sendTimes(schedule, count)
          expect(times[0]).toBe(startMs)
          const wrong = times.flatMap((time, n) => {
            const seen = [
              schedule.dueCount(time),
              schedule.dueBetween(0, time),
              schedule.dueBetween(time, time + 1e-9 * Math.max(1, time) + 1e-6),
            ]
            return seen.join() === [n + 1, n, 1].join() || (n > 0 && time === times[n - 1])
              ? []
              : [{ n, time, seen }]
          })
          expect(wrong).toEqual([])
          const endMs = times[count - 1] as number
          const moments = picks
            .map((pick) => startMs + pick * (endMs - startMs))
            .filter((moment) => !nearSendTime(times, moment, 1e-6))
          for (const moment of moments)
            expect(schedule.dueCount(moment)).toBe(atOrBefore(times, moment))
          moments.sort((a, b) => a - b)
          for (let index = 1; index < moments.length; index++) {
            const from = moments[index - 1] as number
            const to = moments[index] as number
            expect(schedule.dueBetween(from, to)).toBe(
              atOrBefore(times, to - 1e-7) - atOrBefore(times, from - 1e-7),
            )
          }
        },
      ),
      { numRuns: 200 },
    )
  })

  it('counts each transfer due exactly at its send time at a million a second an hour into the run', () => {
    // Proves the contract "dueCount: send time at or before; dueBetween: before" holds where the
    // stretch starts late and transfers are a microsecond apart (a resume at 3,600,500 ms, at
    // 1,000,000/s, within liveTpsMax): the count is made from (t − start) · tps / 1000 with an
    // absolute slack of 1e-9, far below the rounding of t − start at an hour in, so it falls either
    // side of whole numbers.
    const schedule = new LiveSchedule(10, rate(20_000), Infinity, noLearner)
    schedule.setPace(paused, 3_600_000)
    schedule.setPace(rate(1_000_000), 3_600_500)
    const first = schedule.dueCount(3_600_000)
    const wrong = Array.from({ length: 20 }, (_, k) => first + k).flatMap((n) => {
      const time = schedule.sendTimeMs(n)
      const seen = [schedule.dueCount(time), schedule.dueBetween(0, time)]
      return seen.join() === [n + 1, n].join() ? [] : [{ n, time, seen }]
    })
    expect(wrong).toEqual([])
  })
})

describe('a clock stretch', () => {
  it('spreads each known tick’s transfers evenly across its tickMs, passing empty ticks with nothing due', () => {
    // Proves the clock follows the city: 100 ms ticks of 4, 0, 1 and 5 transfers go at 0, 25, 50,
    // 75; 200; 300, 320, …; the empty tick has nothing due and no rate; dueCount and dueBetween
    // agree with the send times.
    const schedule = known(clock(100), [4, 0, 1, 5])
    const times = sendTimes(schedule, 10)
    expect(times).toEqual([0, 25, 50, 75, 200, 300, 320, 340, 360, 380])
    expect([
      schedule.dueCount(0),
      schedule.dueCount(74.9),
      schedule.dueCount(75),
      schedule.dueCount(150),
      schedule.dueCount(199.9),
      schedule.dueCount(200),
      schedule.dueCount(399),
    ]).toEqual([1, 3, 4, 4, 4, 5, 10])
    expect([
      schedule.dueBetween(0, 100),
      schedule.dueBetween(100, 200),
      schedule.dueBetween(200, 300),
      schedule.dueBetween(300, 400),
    ]).toEqual([4, 0, 1, 5])
    expect([
      schedule.rateAt(50),
      schedule.rateAt(150),
      schedule.rateAt(250),
      schedule.rateAt(350),
    ]).toEqual([40, 0, 10, 50])
    for (const [n, time] of times.entries())
      expect([schedule.dueCount(time), schedule.dueBetween(0, time)]).toEqual([n + 1, n])
  })

  it('lets empty ticks at the start and at the end pass, and follows ticks only as the city makes them', () => {
    // Proves an empty first tick delays the first transfer by a tick, that addTick extends what is
    // due (nothing is due from a tick not yet known, however late it is asked), and that the count
    // never counts unmade transfers.
    const schedule = new LiveSchedule(5, clock(100), Infinity, noLearner)
    schedule.addTick(0)
    schedule.addTick(2)
    expect([
      schedule.ticksKnown,
      schedule.transfers,
      schedule.dueCount(99),
      schedule.dueCount(100),
      schedule.dueCount(10_000),
      schedule.rateAt(250),
    ]).toEqual([2, 2, 0, 1, 2, 0])
    expect(sendTimes(schedule, 2)).toEqual([100, 150])
    schedule.addTick(0)
    schedule.addTick(1)
    expect([
      schedule.ticksKnown,
      schedule.transfers,
      schedule.dueCount(299),
      schedule.dueCount(300),
      schedule.dueCount(10_000),
    ]).toEqual([4, 3, 2, 3, 3])
    expect(schedule.sendTimeMs(2)).toBe(300)
    expect(() => schedule.sendTimeMs(3)).toThrow()
    schedule.addTick(0)
    expect(() => schedule.addTick(1)).toThrow()
    expect([
      schedule.transfers,
      schedule.dueBetween(0, 500),
      schedule.dueBetween(400, 500),
    ]).toEqual([3, 3, 0])
  })

  it('counts a tick’s first transfer as due exactly at its send time, whatever the tick length', () => {
    // Proves the contract "dueCount: send time at or before" at a tick boundary where t · tickMs /
    // tickMs rounds below t (the case TickSchedule's tests pin for the same rhythm), and after a
    // switch that leaves the clock at a fractional position. The position is floored without the
    // products sendTimeMs uses, so the transfer lands in the tick before, whose count caps it.
    const tickMs = 125_878.638_668_779_72
    const schedule = known(clock(tickMs), [0, 1, 0, 1])
    expect(schedule.sendTimeMs(1)).toBe(3 * tickMs)
    expect(schedule.dueCount(schedule.sendTimeMs(1))).toBe(2)
    const switched = known(
      clock(20),
      Array.from({ length: 12 }, () => 5),
    )
    switched.setPace(clock(76), 8)
    const wrong = Array.from({ length: 50 }, (_, k) => 3 + k).flatMap((n) => {
      const time = switched.sendTimeMs(n)
      return switched.dueCount(time) === n + 1
        ? []
        : [{ n, time, dueCount: switched.dueCount(time) }]
    })
    expect(wrong).toEqual([])
  })
})

describe('pausing and resuming', () => {
  it('keeps the send times of what was due, holds nothing due while paused, and resumes the clock where it stood', () => {
    // Proves a pause at 250 ms (the clock at tick 2.5 of 10-transfer, 100 ms ticks; 26 due) freezes
    // the count at 26 with no rate; the resume at 1,000 ms sends transfer 26 then and goes on from
    // its position (2.6), so tick 3 starts 40 ms later; the 26 transfers already due keep their
    // times.
    const schedule = known(
      clock(100),
      Array.from({ length: 6 }, () => 10),
    )
    const due = schedule.dueCount(250)
    expect(due).toBe(26)
    const before = sendTimes(schedule, due)
    schedule.setPace(paused, 250)
    // Transfer 25 is due at 250 itself, so [250, 5,000) holds it and nothing after it.
    expect([
      schedule.dueCount(250),
      schedule.dueCount(600),
      schedule.dueCount(5_000),
      schedule.dueBetween(250, 5_000),
      schedule.dueBetween(251, 5_000),
      schedule.rateAt(600),
    ]).toEqual([26, 26, 26, 1, 0, 0])
    expect(schedule.sendTimeMs(26)).toBe(Infinity)
    expect(schedule.positionOf(due)).toBeCloseTo(2.6, 12)
    schedule.setPace(clock(100), 1_000)
    expect(sendTimes(schedule, due)).toEqual(before)
    expect([schedule.sendTimeMs(26), schedule.sendTimeMs(29), schedule.sendTimeMs(30)]).toEqual([
      1_000, 1_030, 1_040,
    ])
    expect([
      schedule.dueCount(999.9),
      schedule.dueCount(1_000),
      schedule.dueCount(1_040),
      schedule.rateAt(1_050),
    ]).toEqual([26, 27, 31, 100])
    expect(schedule.dueBetween(0, 5_000)).toBe(60)
  })

  it('resumes a rate stretch with the next transfer due at the resume and the same rate after', () => {
    // Proves pause → resume at a rate: at 10/s, paused at 450 ms (5 due: 0 … 400), resumed at 2,000
    // ms: transfer 5 at 2,000, 6 at 2,100; nothing due in between; the five before keep their
    // times.
    const schedule = new LiveSchedule(10, rate(10), Infinity, noLearner)
    schedule.setPace(paused, 450)
    expect([
      schedule.dueCount(450),
      schedule.dueCount(1_999),
      schedule.dueBetween(450, 2_000),
    ]).toEqual([5, 5, 0])
    schedule.setPace(rate(10), 2_000)
    expect(sendTimes(schedule, 8)).toEqual([0, 100, 200, 300, 400, 2_000, 2_100, 2_200])
    expect([
      schedule.dueCount(2_000),
      schedule.dueCount(2_099),
      schedule.dueCount(2_100),
      schedule.rateAt(1_000),
      schedule.rateAt(2_000),
    ]).toEqual([6, 6, 7, 0, 10])
  })

  it('refuses a pace that starts in the past or cannot send, and a schedule without ticks or time', () => {
    // Proves the asserts: a stretch from before the last one's start, a rate or a tick length of 0,
    // a period of no ticks, a limit of 0, and ticks that are not whole or beyond the period.
    const schedule = new LiveSchedule(2, rate(10), Infinity, noLearner)
    schedule.setPace(paused, 500)
    expect(() => schedule.setPace(rate(10), 499)).toThrow()
    expect(() => schedule.setPace(rate(0), 600)).toThrow()
    expect(() => schedule.setPace(rate(Number.POSITIVE_INFINITY), 600)).toThrow()
    expect(() => schedule.setPace(clock(0), 600)).toThrow()
    expect(() => new LiveSchedule(0, rate(10), Infinity, noLearner)).toThrow()
    expect(() => new LiveSchedule(1, rate(10), 0, noLearner)).toThrow()
    expect(() => schedule.addTick(1.5)).toThrow()
    expect(() => schedule.addTick(-1)).toThrow()
    schedule.setPace(rate(10), 500)
    expect(schedule.pace).toEqual(rate(10))
  })
})

describe('switching the pace', () => {
  it('keeps dueCount non-decreasing on a fine grid through rate → clock → rate, and in step with the send times', () => {
    // Proves a hand-picked switch sequence: rate 20/s, clock at 50 ms ticks of 3, 0, 7, …, a pause,
    // rate 5/s; every 0.25 ms the count never goes back, and equals the send times at or before.
    const counts = [3, 0, 7, 2, 0, 0, 5, 9, 1, 4]
    const schedule = known(rate(20), counts)
    schedule.setPace(clock(50), 130)
    schedule.setPace(paused, 260)
    schedule.setPace(rate(5), 400)
    schedule.setPace(clock(30), 900)
    const total = counts.reduce((sum, count) => sum + count, 0)
    const times = sendTimes(schedule, total)
    expect(times.every((time, n) => n === 0 || time >= (times[n - 1] as number))).toBe(true)
    let previous = 0
    for (let ms = 0; ms <= 2_000; ms += 0.25) {
      const count = schedule.dueCount(ms)
      expect(count).toBeGreaterThanOrEqual(previous)
      if (!nearSendTime(times, ms, 1e-6)) expect(count).toBe(atOrBefore(times, ms))
      previous = count
    }
    expect(schedule.dueCount(2_000)).toBe(total)
  })

  it('keeps dueCount non-decreasing and agreeing with sendTimeMs for any switches, the city made as wantsMore asks', () => {
    // Proves, for random paces switched at random moments (several at one moment too), with the
    // city making its ticks (zeros among them) as the schedule asks: send times never go back; on a
    // grid of 1 ms the count never decreases and counts exactly the send times at or before; each
    // transfer is due a hair after its send time and not a hair before; whole seconds' dueBetween,
    // up to the last send time, add up to every transfer sent (past it, see the test on the end of
    // the period).
    const pace = fc.oneof(
      fc.integer({ min: 1, max: 200 }).map(rate),
      fc.integer({ min: 20, max: 500 }).map(clock),
      fc.constant(paused),
    )
    const switches = fc.array(fc.tuple(pace, fc.integer({ min: 0, max: 800 })), { maxLength: 12 })
    const counts = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 })), {
      minLength: 1,
      maxLength: 12,
    })
    fc.assert(
      fc.property(pace, switches, counts, (first, steps, tickCounts) => {
        const schedule = new LiveSchedule(tickCounts.length, first, Infinity, noLearner)
        const makeWanted = (elapsedMs: number) => {
          while (schedule.wantsMore(0, elapsedMs))
            schedule.addTick(tickCounts[schedule.ticksKnown] as number)
        }
        let elapsedMs = 0
        makeWanted(0)
        for (const [next, afterMs] of steps) {
          elapsedMs += afterMs
          makeWanted(elapsedMs)
          schedule.setPace(next, elapsedMs)
        }
        makeWanted(Number.MAX_SAFE_INTEGER)
        const total = tickCounts.reduce((sum, count) => sum + count, 0)
        expect(schedule.transfers).toBe(total)
        const times = sendTimes(schedule, total)
        expect(times.every((time, n) => n === 0 || time >= (times[n - 1] as number))).toBe(true)
        const finite = times.filter((time) => time !== Infinity)
        const endMs = Math.min(elapsedMs + 10_000, schedule.durationMs)
        let previous = 0
        for (let ms = 0; ms <= endMs; ms += 1) {
          const count = schedule.dueCount(ms)
          if (count < previous)
            throw new Error(`dueCount goes back at ${ms} ms: ${previous} → ${count}`)
          if (!nearSendTime(finite, ms, 1e-5)) expect(count).toBe(atOrBefore(finite, ms))
          previous = count
        }
        for (const [n, time] of finite.entries())
          expect([
            schedule.dueCount(time - 1e-4) <= n,
            schedule.dueCount(time + 1e-4) >= n + 1,
          ]).toEqual([true, true])
        const lastMs = finite.length === 0 ? 0 : (finite[finite.length - 1] as number) + 1e-3
        let perSecond = 0
        for (let second = 0; second * 1_000 < lastMs; second++)
          perSecond += schedule.dueBetween(second * 1_000, Math.min((second + 1) * 1_000, lastMs))
        expect(perSecond).toBe(finite.length)
      }),
      { numRuns: 100 },
    )
  })

  it('does not rewrite what was due before a switch when the city, behind the clock then, makes its ticks later', () => {
    // Proves "changing the pace never rewrites the past" when the city falls behind a clock
    // stretch: at 350 ms the clock (100 ms ticks) stands at tick 3.5 but only 2 ticks of 5 are
    // made, so 10 are due and the rate stretch from 350 ms starts at transfer 10 (sent at 350, 12
    // at 550). Once ticks 2 and 3 are made, the clock stretch before 350 ms must still count at
    // most those 10; today it recounts them from the new ticks (18 at 349 ms).
    const schedule = new LiveSchedule(10, clock(100), Infinity, noLearner)
    schedule.addTick(5)
    schedule.addTick(5)
    expect([schedule.dueCount(349), schedule.dueCount(350)]).toEqual([10, 10])
    schedule.setPace(rate(10), 350)
    schedule.addTick(5)
    schedule.addTick(5)
    expect([schedule.sendTimeMs(10), schedule.sendTimeMs(12)]).toEqual([350, 550])
    expect(schedule.dueCount(349)).toBeLessThanOrEqual(schedule.dueCount(350))
    expect(schedule.dueCount(349)).toBe(10)
    expect(schedule.dueBetween(300, 400)).toBeGreaterThanOrEqual(0)
  })
})

describe('what the schedule holds and when it ends', () => {
  it('holds only what the city made in clock mode, and runs ahead of the city in rate mode until the period is made', () => {
    // Proves `transfers`: a clock stretch with 2 of 5 ticks made (3 and 4) holds 7 and counts no
    // more however late; a rate stretch holds all it could ever send (it knows ahead of the city)
    // and counts past what is made, until the whole period is made, when it holds just that.
    const clocked = new LiveSchedule(5, clock(100), Infinity, noLearner)
    clocked.addTick(3)
    clocked.addTick(4)
    expect([clocked.transfers, clocked.dueCount(10_000)]).toEqual([7, 7])
    const rated = new LiveSchedule(3, rate(10), Infinity, noLearner)
    rated.addTick(3)
    rated.addTick(4)
    expect(rated.transfers).toBe(Number.MAX_SAFE_INTEGER)
    expect([rated.dueCount(10_000), rated.sendTimeMs(100)]).toEqual([101, 10_000])
    rated.addTick(2)
    expect([rated.transfers, rated.dueCount(10_000)]).toEqual([9, 9])
    expect(() => rated.sendTimeMs(9)).toThrow()
  })

  it('holds, while paused, what was due and what the city has made beyond it, sent at no time', () => {
    // Proves a paused stretch's `transfers` is the larger of what was due and what is made, and the
    // ones not due have an infinite send time, so a paused run does not end by itself.
    const schedule = known(rate(10), [30, 30])
    schedule.setPace(paused, 1_000)
    expect([
      schedule.transfers,
      schedule.dueCount(1_000),
      schedule.sendTimeMs(10),
      schedule.sendTimeMs(11),
      schedule.sendTimeMs(59),
    ]).toEqual([60, 11, 1_000, Infinity, Infinity])
    expect(schedule.durationMs).toBe(Infinity)
  })

  it('lasts forever until the city has made its period, then until its last transfer’s send time + 1', () => {
    // Proves `durationMs` with no limit: Infinity while ticks are missing, however many are made;
    // once all are, the last transfer's time + 1 (trailing empty ticks add nothing), in clock and
    // in rate mode; a period with no transfer at all ends at once.
    const schedule = new LiveSchedule(4, clock(100), Infinity, noLearner)
    schedule.addTick(2)
    schedule.addTick(0)
    schedule.addTick(3)
    expect(schedule.durationMs).toBe(Infinity)
    schedule.addTick(0)
    expect(schedule.sendTimeMs(4)).toBeCloseTo(200 + (2 / 3) * 100, 9)
    expect(schedule.durationMs).toBe(schedule.sendTimeMs(4) + 1)
    const rated = known(rate(4), [5, 0, 3])
    expect(rated.durationMs).toBe(1_751)
    expect(known(rate(4), [0, 0]).durationMs).toBe(1)
  })

  it('counts in dueBetween no more transfers than it holds, at a rate past the end of the period', () => {
    // Proves dueBetween, like dueCount, counts only transfers of the schedule: at 20,000/s a period
    // of 100 transfers (0 … 4.95 ms) ends at 5.95 ms, so its only second has a target of 100, and
    // nothing is due after the end. Today a rate stretch counts the rate's slots up to the moment
    // asked (dueBefore is not capped by `transfers`): 119 in [0, durationMs), 20,000 in the first
    // second, so the last second's target is overstated.
    const schedule = known(rate(20_000), [100])
    expect([schedule.transfers, schedule.durationMs, schedule.dueCount(1_000)]).toEqual([
      100, 5.95, 100,
    ])
    expect([
      schedule.dueBetween(0, schedule.durationMs),
      schedule.dueBetween(0, 1_000),
      schedule.dueBetween(10, 1_000),
    ]).toEqual([100, 100, 0])
  })

  it('ends at its limit, and holds only the transfers due before it', () => {
    // Proves the limit (`--duration`): at 10/s with a 1 s limit the schedule holds 10 (0 … 900; the
    // one at 1,000 is not before the limit), counts no more however late, and lasts 1,000 ms while
    // the period is not all made; likewise a clock stretch of 4-transfer, 100 ms ticks with a 250
    // ms limit holds the 10 sent before 250.
    const rated = new LiveSchedule(20, rate(10), 1_000, noLearner)
    expect([
      rated.transfers,
      rated.durationMs,
      rated.dueCount(999.9),
      rated.dueCount(5_000),
      rated.sendTimeMs(9),
    ]).toEqual([10, 1_000, 10, 10, 900])
    expect(() => rated.sendTimeMs(10)).toThrow()
    const clocked = new LiveSchedule(20, clock(100), 250, noLearner)
    for (let tick = 0; tick < 10; tick++) clocked.addTick(4)
    expect([
      clocked.transfers,
      clocked.durationMs,
      clocked.dueCount(249.9),
      clocked.dueCount(1_000),
      clocked.dueBetween(0, 250),
    ]).toEqual([10, 250, 10, 10, 10])
    // With a limit after the last transfer, the period's end ends it first.
    expect(known(rate(10), [5], 10_000).durationMs).toBe(401)
  })

  it('ends at its limit once the whole period is made, when the limit comes before the last transfer', () => {
    // Proves `durationMs` is min(limit, last send + 1) once every tick is made and the limit cuts
    // the period short (a small city at a rate makes its whole period at once): it should be the 1
    // s limit, with the 10 transfers sent before it. Today it asks sendTimeMs for the last transfer
    // made, which is beyond `transfers`, and throws.
    const rated = new LiveSchedule(1, rate(10), 1_000, noLearner)
    rated.addTick(100)
    expect(rated.transfers).toBe(10)
    expect(() => rated.durationMs).not.toThrow()
    expect(rated.durationMs).toBe(1_000)
    const clocked = known(clock(1_000), [10, 10], 500)
    expect(clocked.transfers).toBe(5)
    expect(() => clocked.durationMs).not.toThrow()
    expect(clocked.durationMs).toBe(500)
    // The same through stopAt (the live map's Stop, Ctrl-C): a run whose period is all made,
    // stopped at 750 ms.
    const stopped = known(rate(100), [300, 300])
    stopped.stopAt(750)
    expect(stopped.transfers).toBe(75)
    expect(() => stopped.durationMs).not.toThrow()
    expect(stopped.durationMs).toBe(750)
  })

  it('stops where stopAt says: what was due before still goes, nothing after, and an earlier limit stands', () => {
    // Proves stopAt (the live map's Stop) while the city is still making its period: at 100/s,
    // stopped at 750 ms the schedule lasts 750 ms and holds the 75 sent before it; a later stop
    // does not extend it; a stop at 0 still leaves a schedule that lasts a moment, with nothing in
    // it.
    const schedule = new LiveSchedule(60, rate(100), Infinity, noLearner)
    schedule.stopAt(750)
    expect([
      schedule.durationMs,
      schedule.transfers,
      schedule.dueCount(749.9),
      schedule.dueCount(10_000),
    ]).toEqual([750, 75, 75, 75])
    schedule.stopAt(2_000)
    expect([schedule.durationMs, schedule.transfers]).toEqual([750, 75])
    const atOnce = new LiveSchedule(60, clock(100), Infinity, noLearner)
    atOnce.addTick(5)
    atOnce.stopAt(0)
    expect(atOnce.durationMs).toBeGreaterThan(0)
    expect([atOnce.transfers, atOnce.dueCount(0), atOnce.dueCount(1_000)]).toEqual([0, 0, 0])
  })
})

describe('asking the city for ticks', () => {
  it('wants more at a rate until a second of transfers (at least two full calls) is queued', () => {
    // Proves the rate pace's appetite: max(2 · transferBatchMax, tps) queued, whatever the time;
    // none once the period is made.
    const slow = new LiveSchedule(3, rate(1_000), Infinity, noLearner)
    expect([
      slow.wantsMore(2 * transferBatchMax - 1, 0),
      slow.wantsMore(2 * transferBatchMax, 0),
      slow.wantsMore(0, 1e9),
    ]).toEqual([true, false, true])
    const fast = new LiveSchedule(3, rate(1_000_000), Infinity, noLearner)
    expect([fast.wantsMore(999_999, 0), fast.wantsMore(1_000_000, 0)]).toEqual([true, false])
    for (let tick = 0; tick < 3; tick++) fast.addTick(1)
    expect(fast.wantsMore(0, 0)).toBe(false)
  })

  it('wants more on a clock until the ticks of the next second and one more are made', () => {
    // Proves the clock pace's appetite, whatever is queued: at 100 ms ticks, at 0 ms the first 11
    // ticks, at 500 ms 16; and none once the whole period is made.
    const schedule = new LiveSchedule(20, clock(100), Infinity, noLearner)
    for (let tick = 0; tick < 10; tick++) schedule.addTick(1)
    expect([schedule.wantsMore(1e9, 0), schedule.wantsMore(0, 500)]).toEqual([true, true])
    schedule.addTick(1)
    expect([schedule.wantsMore(0, 0), schedule.wantsMore(0, 500)]).toEqual([false, true])
    while (schedule.ticksKnown < 16) schedule.addTick(1)
    expect([schedule.wantsMore(0, 500), schedule.wantsMore(0, 501)]).toEqual([false, true])
    while (schedule.ticksKnown < 20) schedule.addTick(1)
    expect(schedule.wantsMore(0, 10_000)).toBe(false)
  })

  it('wants more while paused only until two calls’ worth is queued', () => {
    // Proves the paused pace's appetite: below transferBatchMax queued, whatever the time.
    const schedule = new LiveSchedule(3, paused, Infinity, noLearner)
    expect([
      schedule.wantsMore(transferBatchMax - 1, 0),
      schedule.wantsMore(transferBatchMax, 0),
      schedule.wantsMore(0, 1e9),
    ]).toEqual([true, false, true])
    expect(schedule.pace).toEqual(paused)
  })

  it('has complete() learn one tick at a time until the ticks holding what is due before the end are made', async () => {
    // Proves complete() asks the learner for known + 1 until enough: on a 100 ms clock, ending at
    // 450 ms needs ticks 0 … 4; at 10/s, ending at 1,000 ms needs the 10 transfers sent before it
    // (4-transfer ticks: 3 ticks); paused, none; and it stops at the period's end.
    const asked: number[] = []
    const clocked: LiveSchedule = new LiveSchedule(10, clock(100), Infinity, async (ticks) => {
      asked.push(ticks)
      while (clocked.ticksKnown < ticks) clocked.addTick(4)
    })
    clocked.addTick(4)
    clocked.addTick(4)
    await clocked.complete(450)
    expect(asked).toEqual([3, 4, 5])
    expect(clocked.dueCount(449)).toBe(18)
    await clocked.complete(450)
    expect(asked).toEqual([3, 4, 5])
    await clocked.complete(60_000)
    expect(asked).toEqual([3, 4, 5, 6, 7, 8, 9, 10])
    expect(clocked.ticksKnown).toBe(10)

    const rateAsked: number[] = []
    const rated: LiveSchedule = new LiveSchedule(10, rate(10), Infinity, async (ticks) => {
      rateAsked.push(ticks)
      while (rated.ticksKnown < ticks) rated.addTick(4)
    })
    await rated.complete(1_000)
    expect(rateAsked).toEqual([1, 2, 3])

    const pausedAsked: number[] = []
    const idle = new LiveSchedule(10, paused, Infinity, async (ticks) => {
      pausedAsked.push(ticks)
    })
    await idle.complete(60_000)
    expect(pausedAsked).toEqual([])
  })
})
