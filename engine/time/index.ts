export * from './simClock.js'
export { wallClock, wallScheduler, type NowMs } from './wallClock.js'
export { ManualScheduler, sleepOn, type Cancel, type Scheduler } from './scheduler.js'
