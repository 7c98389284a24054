/**
 * The simulation worker (piscina). It holds views on the shared population and, per segment it
 * has served, the lists of eligible agents; each task builds or generates one segment.
 */
import { workerData } from 'node:worker_threads'
import { move } from 'piscina'
import { unreachable, assert } from '../engine/assert.js'
import { generateChunk, generateOpening, segmentAgents, type SegmentAgents } from '../engine/behaviour/index.js'
import { synthesizeResidents, viewPopulation } from '../engine/population/index.js'
import type { SimTask, SimTaskResult, SimWorkerData } from './protocol.js'

const { plan, buffers } = workerData as SimWorkerData
const population = viewPopulation(buffers)
const agentsBySegment = new Map<number, SegmentAgents>()

function segmentOf(index: number) {
  const segment = plan.segments[index]
  assert(segment !== undefined, `segment ${index} is planned`)
  return segment
}

function agentsOf(index: number): SegmentAgents {
  let agents = agentsBySegment.get(index)
  if (agents === undefined) {
    agents = segmentAgents(plan, population, segmentOf(index))
    agentsBySegment.set(index, agents)
  }
  return agents
}

export default function simTask(task: SimTask): SimTaskResult {
  switch (task.kind) {
    case 'synthesize':
      synthesizeResidents(plan, population, segmentOf(task.segment))
      return null
    case 'open':
      return move(generateOpening(plan, population, agentsOf(task.segment))) as unknown as ArrayBuffer
    case 'generate':
      return move(generateChunk(plan, population, agentsOf(task.segment), segmentOf(task.segment), task.chunk)) as unknown as ArrayBuffer
    default:
      return unreachable(task)
  }
}
