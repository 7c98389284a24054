/**
 * The three live charts: rate achieved against target, latency percentiles, rejections a second.
 */
import type { ChartPoint } from './history.js'
import { byId } from './dom.js'
import { formatMsNumber, formatRate } from './format.js'
import { createLineChart } from './lineChart.js'

/**
 * Latencies below this are drawn at it: the log axis needs a positive floor, and sub-0.1 ms is
 * "instant".
 */
const latencyFloorMs = 0.1

export interface Charts {
  readonly update: (points: readonly ChartPoint[]) => void
}

export function createCharts(): Charts {
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
  return { update: (points) => charts.forEach((chart) => chart.update(points)) }
}
