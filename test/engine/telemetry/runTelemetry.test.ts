/**
 * The run's telemetry in virtual time (rxjs's TestScheduler, marble diagrams): how often the
 * terminal's progress is drawn, when the live page's looks are taken, and that every subscriber
 * sees the same seconds. No sleeps: the scheduler is the clock.
 */
import { map, take } from 'rxjs'
import { TestScheduler } from 'rxjs/testing'
import { describe, expect, it } from 'vitest'
import type { DistrictCounters } from '../../../engine/counting/districtCounters.js'
import { TransferCounters } from '../../../engine/metrics/transferCounters.js'
import { resultCodeCount } from '../../../engine/ledger/index.js'
import {
  RunTelemetry,
  type RunProgress,
  type SecondClosed,
} from '../../../engine/telemetry/index.js'

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected))
}

function progressAt(tick: number): RunProgress {
  return {
    phase: 'running',
    tick,
    ticks: 1440,
    simulatedAt: '',
    submitted: tick,
    accepted: tick,
    rejected: 0,
    wallSeconds: 0,
  }
}

describe('the progress a terminal draws', () => {
  it('is at most one every 100 ms: the first of a burst at once, the last of it when the window ends', () => {
    // Proves progressEvery keeps a fast run's terminal to ten lines a second without losing where
    // it ended: ticks at 1, 21, 41 and 251 ms give the first at once, the last of the burst as its
    // 100 ms end, then the one at 251.
    const test = scheduler()
    test.run(({ cold, expectObservable }) => {
      const telemetry = new RunTelemetry()
      const ticks = { a: progressAt(1), b: progressAt(2), c: progressAt(3), d: progressAt(4) }
      cold('- a 19ms b 19ms c 209ms d', ticks).subscribe((progress) =>
        telemetry.publishProgress(progress),
      )
      expectObservable(telemetry.progressEvery(100, test), '^ 400ms !').toBe(
        '- a 99ms c 149ms d',
        ticks,
      )
    })
  })
})

describe('the looks the live page is sent', () => {
  it('are taken every 250 ms on the scheduler given, undefined until a run attaches, then the run’s figures', () => {
    // Proves the snapshot cadence is the scheduler's, not a timer of the engine's: four looks a
    // second, the first two before any run (undefined), the rest reading the attached run as it is
    // at that moment.
    const test = scheduler()
    test.run(({ expectObservable, flush }) => {
      const telemetry = new RunTelemetry()
      const counters = new TransferCounters(0)
      let tick = 0
      const looks: (number | undefined)[] = []
      telemetry
        .looks(250, test)
        .pipe(take(4))
        .subscribe((look) => looks.push(look?.tick))
      test.schedule(() => {
        telemetry.attach(() => ({
          counters,
          districts: {} as DistrictCounters,
          paymentsAnswered: 0,
          paymentCodes: new Float64Array(resultCodeCount),
          tick,
          targetTps: 0,
          lastSecond: { p50Ms: 0, p99Ms: 0, p999Ms: 0 },
          elapsedMs: 0,
          behind: 0,
        }))
        tick = 7
      }, 600)
      test.schedule(() => (tick = 9), 800)
      const ticks = telemetry.looks(250, test).pipe(map((look) => look?.tick))
      expectObservable(ticks, '^ 1000ms !').toBe('250ms a 249ms b 249ms c 249ms d', {
        a: undefined,
        b: undefined,
        c: 7,
        d: 9,
      })
      flush()
      expect(looks).toEqual([undefined, undefined, 7, 9])
    })
  })
})

describe('the seconds of a load run', () => {
  it('reach every subscriber in order, and the final windows once', () => {
    // Proves one stream serves the terminal, the exporter and the run files alike: each sees every
    // second, in the order published, and windows$ gives the whole run's seconds in one value at
    // the end.
    const telemetry = new RunTelemetry()
    const first: number[] = []
    const second: number[] = []
    const windows: number[][] = []
    telemetry.seconds$.subscribe((closed) => first.push(closed.second.second))
    telemetry.seconds$.subscribe((closed) => second.push(closed.second.second))
    telemetry.windows$.subscribe((all) => windows.push(all.map((row) => row.second)))
    for (const at of [0, 1, 2])
      telemetry.publishSecond({ second: { second: at } } as unknown as SecondClosed)
    telemetry.publishWindows([0, 1, 2].map((at) => ({ second: at }) as never))
    telemetry.complete()
    expect([first, second, windows]).toEqual([[0, 1, 2], [0, 1, 2], [[0, 1, 2]]])
  })
})
