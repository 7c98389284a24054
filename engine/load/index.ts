export { parseProfile, profileNames, type LoadProfile } from './profile.js'
export { RateSchedule, type RateSegment } from './rateSchedule.js'
export { parseDuration, parseRate } from './units.js'
