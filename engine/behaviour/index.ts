export { generateChunk, generateOpening, paymentKindBehaviours } from './generateChunk.js'
export {
  allocateAgentIndex,
  countSegmentAgents,
  fillSegmentAgents,
  holdsSalary,
  segmentAgents,
  viewSegmentAgents,
  type AgentCounts,
  type AgentIndexBuffers,
  type SegmentAgents,
} from './segmentAgents.js'
export {
  unpackIntents,
  IntentBuffer,
  type DeferredTransfer,
  type PackedDeferred,
  type PackedIntents,
  type PackedSpecials,
  type SpecialFields,
} from './intentBuffer.js'
export { minuteShares } from './rhythm.js'
