/**
 * The three live charts: rate achieved against target, latency percentiles, rejections a second;
 * over the run's wall time or the simulated clock, as the axis switch says, with the run's events
 * marked on each.
 */
import type { CityView, EventShown } from '../protocol.js'
import type { ChartPoint } from './history.js'
import { byId } from './dom.js'
import { formatMsNumber, formatRate } from './format.js'
import { createLineChart, type TimeAxis } from './lineChart.js'

/**
 * Latencies below this are drawn at it: the log axis needs a positive floor, and sub-0.1 ms is
 * "instant".
 */
const latencyFloorMs = 0.1
const minutesPerDay = 1440

export interface Charts {
  readonly update: (points: readonly ChartPoint[], events: readonly EventShown[]) => void
}

export function createCharts(city: CityView): Charts {
  const charts = [
    createLineChart(byId('chart-tps', HTMLElement), {
      series: [
        { label: 'achieved', className: 'series-achieved', value: (p) => p.achievedTps },
        { label: 'target', className: 'series-target', value: (p) => p.targetTps },
      ],
      scale: 'linear',
      format: formatRate,
      floor: 10,
    }),
    createLineChart(byId('chart-latency', HTMLElement), {
      series: [
        { label: 'p50', className: 'series-p50', value: (p) => p.p50Ms },
        { label: 'p99', className: 'series-p99', value: (p) => p.p99Ms },
        { label: 'p99.9', className: 'series-p999', value: (p) => p.p999Ms },
      ],
      scale: 'log',
      format: formatMsNumber,
      floor: latencyFloorMs,
    }),
    createLineChart(byId('chart-rejections', HTMLElement), {
      series: [
        { label: 'rejected', className: 'series-rejected', value: (p) => p.rejectionsPerSecond },
      ],
      scale: 'linear',
      format: formatRate,
      floor: 1,
    }),
  ]
  const formatMinute = simulatedClock(city.clock.from)
  const pick = byId('time-axis', HTMLSelectElement)
  let latest: Parameters<Charts['update']> = [[], []]
  const axis = (): TimeAxis => ({
    mode: pick.value === 'simulated' ? 'simulated' : 'wall',
    formatMinute,
  })
  const update: Charts['update'] = (points, events) => {
    latest = [points, events]
    charts.forEach((chart) => chart.update(points, events, axis()))
  }
  pick.addEventListener('change', () => update(...latest))
  return { update }
}

/**
 * Simulated minutes since the period began as the city's clock reads them ("08:05"), from the
 * period's start as the server wrote it (in the scenario's offset: the viewer's zone plays no
 * part).
 */
export function simulatedClock(fromIso: string): (tick: number) => string {
  const match = /T(\d{2}):(\d{2})/.exec(fromIso)
  const start = match === null ? 0 : Number(match[1]) * 60 + Number(match[2])
  return (tick) => {
    const minute = (((start + Math.floor(tick)) % minutesPerDay) + minutesPerDay) % minutesPerDay
    const hours = String(Math.floor(minute / 60)).padStart(2, '0')
    return `${hours}:${String(minute % 60).padStart(2, '0')}`
  }
}
