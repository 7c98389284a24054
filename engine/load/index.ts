export { parseProfile, profileNames, type LoadProfile } from './profile.js'
export { RateSchedule, type RateSegment } from './rateSchedule.js'
export { parseDuration, parseRate } from './units.js'
export { evaluateThresholds, parseThreshold, parseThresholds, type Threshold, type ThresholdFigures, type ThresholdResult } from './threshold.js'
