/**
 * `window.citytwin`, for browser tests: how many snapshots the page has drawn and the last one,
 * so a test can wait for data rather than sleep.
 */
import type { Snapshot } from '../protocol.js'

export interface TestHook {
  snapshots: number
  lastSnapshot: Snapshot | null
}

declare global {
  interface Window {
    citytwin: TestHook
  }
}

export function installTestHook(): TestHook {
  const hook: TestHook = { snapshots: 0, lastSnapshot: null }
  window.citytwin = hook
  return hook
}

export function recordSnapshot(hook: TestHook, snapshot: Snapshot): void {
  hook.snapshots += 1
  hook.lastSnapshot = snapshot
}
