export type { RunSummary, RunProgress, KindFigures } from '../run/summary.js'
export { progressLine, summaryTable, yuan, grouped } from './terminal.js'
export {
  defaultRunFolder,
  describeWriteError,
  isStagingFolder,
  RunFolder,
  RunFolderWriteFailed,
  unusedFolder,
} from './runFolder.js'
export type { LoadProgress, LoadSecond, LoadSection } from '../run/summary.js'
export { loadProgressLine } from './terminal.js'
export { PrometheusExporter } from './prometheus.js'
export {
  capacityHtmlFile,
  capacityJsonFile,
  capacityReport,
  capacityTable,
  capacityTrial,
  interruptedCapacityReport,
  renderCapacityReport,
  trialLine,
  writeCapacityFiles,
  type CapacityReport,
  type CapacityTrialFigures,
} from './capacity.js'
export { metricsCsv, parseMetricsCsv, metricsCsvRowsMax, metricsCsvBytesMax } from './metricsCsv.js'
export { renderReport } from './html.js'
export { runVerdictLine } from './verdict.js'
export {
  lineChart,
  columnChart,
  barChart,
  type LineChartOptions,
  type LineSeries,
  type ColumnChartOptions,
  type BarChartOptions,
  type Bar,
  type Point,
} from './charts.js'
export { escapeHtml, html, Html, type Interpolation } from './markup.js'
export {
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
  tickFormat,
} from './format.js'
export {
  writeRunFiles,
  readRunFolder,
  renderRunFolder,
  summaryFile,
  metricsFile,
  reportFile,
  summaryBytesMax,
  type RunFiles,
} from './runFiles.js'
export { reportMapOf, mapFile, type ReportMap } from './reportMap.js'
export { readCapacityReport } from './capacityFolder.js'
export { planTable, planVerdict, writeRolloutFiles } from './rollout.js'
export { compareHtmlFile, compareTable, readCompared, renderComparison } from './compare.js'
