/**
 * The executor for a run, chosen once from its settings: the open model under load, else flat out.
 */
import type { Executor } from './executor.js'
import { FlatOutExecutor } from './flatOut.js'
import type { LoadRunOptions } from './loadRunOptions.js'
import { OpenModelExecutor } from './openModel.js'

export function executorFor(load: LoadRunOptions | undefined): Executor {
  return load === undefined ? new FlatOutExecutor() : new OpenModelExecutor(load)
}

export { loadSecond } from './openModel.js'
export { latenessToleranceMs } from './loadSection.js'
export type { Executor, ExecutorContext, ExecutorOutcome } from './executor.js'
export type { LoadRunOptions } from './loadRunOptions.js'
