export {
  parseAnyProfile,
  parseProfile,
  profileNames,
  type AnyLoadProfile,
  type LoadProfile,
} from './profile.js'
export { TickSchedule } from './tickSchedule.js'
export { RateSchedule, type LoadSchedule, type RateSegment } from './rateSchedule.js'
export { parseDuration, parseRate } from './units.js'
export {
  evaluateThresholds,
  parseThreshold,
  parseThresholds,
  thresholdActual,
  type Threshold,
  type LatencyReading,
  type LatencyStatistic,
  type ThresholdFigures,
  type ThresholdResult,
} from './threshold.js'
export {
  gracefulStopMsDefault,
  pacingErrorPct,
  runOpenLoad,
  wallClockPause,
  type LoadPause,
  type LoadSource,
  type LoadSoFar,
  type LoadWindow,
  type WindowLatency,
  type OpenLoadOptions,
  type OpenLoadResult,
} from './openLoad.js'
export {
  loadSettings,
  loadSettingIssues,
  type LoadFlags,
  type LoadSettings,
  type ScenarioLoad,
} from './settings.js'
export {
  searchCapacity,
  type CapacityResult,
  type CapacitySearchOptions,
  type CapacityTrial,
} from './capacitySearch.js'
export { LiveSchedule, type LivePace } from './liveSchedule.js'
export {
  cityRhythmProfile,
  liveSpeedDefault,
  liveStart,
  type LivePaceFlags,
  type LiveStart,
} from './livePace.js'
export {
  checkTrialRates,
  checkTrialSpan,
  periodCap,
  periodShareMax,
  rampTrials,
  type PeriodCap,
  type TrialBounds,
} from './trialCaps.js'
