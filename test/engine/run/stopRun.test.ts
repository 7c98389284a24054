/**
 * A flat-out run stopped by its `stop` signal ends before its next tick, is settled and audited
 * as at the end, and its summary says it stopped early and where: it never claims the period.
 */
import { describe, expect, it } from 'vitest'
import { RunTelemetry } from '../../../engine/telemetry/index.js'
import { runSmoke } from '../../helpers/runs.js'

describe('a flat-out run with a stop signal', () => {
  it('stops before the tick after the signal, audited, with stoppedEarly and the simulated time it reached', async () => {
    // Proves the stop path of `run`'s Ctrl-C: where it stopped is exact, and money is still
    // conserved there.
    const controller = new AbortController()
    let stoppedAt = -1
    const telemetry = new RunTelemetry()
    telemetry.progress$.subscribe((progress) => {
      if (progress.phase === 'running' && stoppedAt < 0 && progress.tick > 0) {
        stoppedAt = progress.tick
        controller.abort('SIGINT')
      }
    })
    const summary = await runSmoke({ stop: controller.signal, telemetry })
    expect(stoppedAt).toBeGreaterThan(0)
    expect(stoppedAt).toBeLessThan(1440)
    expect(summary.simulated.minutes).toBe(stoppedAt)
    expect(summary.stoppedEarly).toEqual({
      by: 'SIGINT',
      reason: `stopped by SIGINT at ${summary.simulated.to} (simulated), after ${stoppedAt} of the period's 1440 minutes`,
    })
    expect(summary.conservation.ok && summary.doubleEntry.ok).toBe(true)
    // The demand after the stop is empty: nothing was made up for the hours not run.
    expect(
      summary.demand.perHour.slice(Math.ceil(stoppedAt / 60)).every((payments) => payments === 0),
    ).toBe(true)
  })

  it('stopped before it starts: the opening only, audited, 0 minutes; not stopped: no stoppedEarly', async () => {
    // Proves both ends: a signal during the building still gives an honest, whole folder's worth; a
    // run let be claims the whole period.
    const controller = new AbortController()
    controller.abort('SIGTERM')
    const stopped = await runSmoke({ stop: controller.signal, residents: 500 })
    expect(stopped.simulated.minutes).toBe(0)
    expect(stopped.stoppedEarly?.by).toBe('SIGTERM')
    expect(stopped.conservation.ok && stopped.doubleEntry.ok).toBe(true)
    expect(stopped.transfers.byKind.retail.submitted).toBe(0)

    const whole = await runSmoke({ stop: new AbortController().signal, residents: 500 })
    expect(whole.stoppedEarly).toBeUndefined()
    expect(whole.simulated.minutes).toBe(1440)
  })
})
