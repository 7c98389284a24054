export { generateChunk, generateOpening, paymentKindBehaviours } from './generateChunk.js'
export { holdsSalary, segmentAgents, type SegmentAgents } from './behaviourContext.js'
export { unpackIntents, IntentBuffer, type PackedIntents } from './intentBuffer.js'
export { minuteShares } from './rhythm.js'
