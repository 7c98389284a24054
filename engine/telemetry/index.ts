export {
  RunTelemetry,
  type RunLook,
  type SecondClosed,
  type SecondLatency,
  type SenderPosition,
} from './runTelemetry.js'
export type { LoadProgress, LoadSecond, RunProgress } from './events.js'
