/**
 * The machine's own floor for a light-load call: the least any sender built like citytwin's could
 * show here. Two threads and nothing else: the main thread wakes on a 1 ms timer, sends what is
 * due (one call every `periodMs`) to a thread asleep in Atomics.wait, and learns each answer
 * through Atomics.waitAsync, as the memory ledger's ring does. Latency is from each call's
 * intended send time. No city, no ledger, no collector to speak of: what this shows is the
 * machine's timers, thread wake-ups and whatever else it runs, and it sits beside
 * e2e.p99_ms@2k so a reader can tell the tool's share of that tail from the machine's.
 */
import { Worker } from 'node:worker_threads'

/** The answering thread: waits for a ticket, answers it, and waits again (plain JavaScript). */
const answerer = `
const { workerData } = require('node:worker_threads')
const control = new Int32Array(workerData)
for (let ticket = 0; ; ) {
  while (Atomics.load(control, 0) === ticket) Atomics.wait(control, 0, ticket)
  ticket = Atomics.load(control, 0)
  if (ticket < 0) break
  Atomics.store(control, 1, ticket)
  Atomics.notify(control, 1)
}
`

export interface FloorFigures {
  readonly p99Ms: number
  readonly latePercentile99Ms: number
}

/** Runs the two threads for `seconds` at one call every `periodMs`, and gives the p99s. */
export async function machineFloor(seconds: number, periodMs: number): Promise<FloorFigures> {
  const control = new Int32Array(new SharedArrayBuffer(8))
  const thread = new Worker(answerer, { eval: true, workerData: control.buffer })
  const latencies: number[] = []
  const lateness: number[] = []
  const answered = async (ticket: number): Promise<void> => {
    for (;;) {
      const done = Atomics.load(control, 1)
      if (done >= ticket) return
      const wait = Atomics.waitAsync(control, 1, done)
      if (wait.async) await wait.value
    }
  }
  const startMs = performance.now()
  let sent = 0
  try {
    while (performance.now() - startMs < seconds * 1000) {
      const nowMs = performance.now() - startMs
      for (; sent * periodMs <= nowMs; sent++) {
        const intendedMs = sent * periodMs
        lateness.push(nowMs - intendedMs)
        Atomics.store(control, 0, sent + 1)
        Atomics.notify(control, 0)
        void answered(sent + 1).then(() => latencies.push(performance.now() - startMs - intendedMs))
      }
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    await answered(sent)
  } finally {
    Atomics.store(control, 0, -1)
    Atomics.notify(control, 0)
    await thread.terminate()
  }
  return { p99Ms: percentile(latencies, 0.99), latePercentile99Ms: percentile(lateness, 0.99) }
}

/** The value below which a share `q` of `values` lie (nearest rank). */
function percentile(values: number[], q: number): number {
  const sorted = values.sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}
