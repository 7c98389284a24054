/**
 * Which run-lifecycle buttons a run state allows: start a new run, pause a running one, resume a
 * paused one.
 */
import type { RunState } from '../protocol.js'
import { unreachable } from './assert.js'

export interface Lifecycle {
  readonly start: boolean
  readonly pause: boolean
  readonly resume: boolean
}

export function lifecycle(state: RunState): Lifecycle {
  switch (state) {
    case 'waiting':
    case 'finished':
      return { start: true, pause: false, resume: false }
    case 'running':
      return { start: false, pause: true, resume: false }
    case 'paused':
      return { start: false, pause: false, resume: true }
    case 'building':
    case 'finishing':
    case 'failed':
      return { start: false, pause: false, resume: false }
    default:
      return unreachable(state)
  }
}
