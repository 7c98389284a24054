/**
 * Messages between the run and its simulation workers. A worker is given the plan and the
 * population buffers once, at start (workerData); each task then names one segment. The agent
 * index is built after synthesis, so tasks that read it carry it (shared, not copied).
 */
import type { AgentCounts, AgentIndexBuffers } from '../behaviour/index.js'
import type { PopulationBuffers } from '../population/index.js'
import type { Plan } from '../plan/plan.js'

export interface SimWorkerData {
  readonly plan: Plan
  readonly buffers: PopulationBuffers
}

export type SimTask =
  | { readonly kind: 'synthesize'; readonly segment: number }
  | { readonly kind: 'index'; readonly segment: number; readonly index: AgentIndexBuffers }
  | { readonly kind: 'open'; readonly segment: number; readonly index: AgentIndexBuffers }
  | {
      readonly kind: 'generate'
      readonly segment: number
      readonly chunk: number
      readonly index: AgentIndexBuffers
    }

/**
 * `synthesize` answers with the segment's agent counts; `index` with nothing; `open` and `generate`
 * with packed intents.
 */
export type SimTaskResult = AgentCounts | null | ArrayBuffer
