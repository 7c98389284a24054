/**
 * The simulation worker (piscina). It holds views on the shared population; each task builds,
 * indexes or generates one segment.
 */
import { workerData } from 'node:worker_threads'
import { move } from 'piscina'
import { assert, unreachable } from '../engine/assert.js'
import {
  countSegmentAgents,
  fillSegmentAgents,
  generateChunk,
  generateOpening,
  viewSegmentAgents,
} from '../engine/behaviour/index.js'
import { synthesizeResidents, viewPopulation } from '../engine/population/index.js'
import type { SimTask, SimTaskResult, SimWorkerData } from '../engine/stream/simProtocol.js'

const { plan, buffers } = workerData as SimWorkerData
const population = viewPopulation(buffers)

function segmentOf(index: number) {
  const segment = plan.segments[index]
  assert(segment !== undefined, `segment ${index} is planned`)
  return segment
}

export default function simTask(task: SimTask): SimTaskResult {
  switch (task.kind) {
    case 'synthesize': {
      const segment = segmentOf(task.segment)
      synthesizeResidents(plan, population, segment)
      return countSegmentAgents(plan, population, segment)
    }
    case 'index':
      fillSegmentAgents(plan, population, segmentOf(task.segment), task.index)
      return null
    case 'open':
      return move(
        generateOpening(plan, population, viewSegmentAgents(task.index, task.segment)),
      ) as unknown as ArrayBuffer
    case 'generate': {
      const agents = viewSegmentAgents(task.index, task.segment)
      return move(
        generateChunk(plan, population, agents, segmentOf(task.segment), task.chunk),
      ) as unknown as ArrayBuffer
    }
    default:
      return unreachable(task)
  }
}
