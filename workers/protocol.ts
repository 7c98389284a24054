/**
 * Messages between the run and its simulation workers. A worker is given the plan and the
 * population buffers once, at start (workerData); each task then names one segment.
 */
import type { PopulationBuffers } from '../engine/population/index.js'
import type { Plan } from '../engine/run/plan.js'

export interface SimWorkerData {
  readonly plan: Plan
  readonly buffers: PopulationBuffers
}

export type SimTask =
  | { readonly kind: 'synthesize'; readonly segment: number }
  | { readonly kind: 'open'; readonly segment: number }
  | { readonly kind: 'generate'; readonly segment: number; readonly chunk: number }

/** `synthesize` answers with nothing; `open` and `generate` with packed intents (see IntentBuffer). */
export type SimTaskResult = null | ArrayBuffer
