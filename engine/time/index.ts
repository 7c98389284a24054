export * from './simClock.js'
export { wallClock, type NowMs } from './wallClock.js'
