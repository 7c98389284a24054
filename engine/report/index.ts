export type { RunSummary, RunProgress, KindFigures } from './summary.js'
export { progressLine, summaryTable, yuan, grouped } from './terminal.js'
export { defaultRunFolder, prepareRunFolder, removeEmptyFolders, unusedFolder, writeSummary } from './runFolder.js'
