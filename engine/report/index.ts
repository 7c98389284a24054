export type { RunSummary, RunProgress, KindFigures } from './summary.js'
export { progressLine, summaryTable, yuan, grouped } from './terminal.js'
export { defaultRunFolder, writeSummary } from './runFolder.js'
