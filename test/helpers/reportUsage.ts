/**
 * A preload for tests only (`node --import tsx --import <this file>`): when the process exits, it
 * writes what it used to the file named by CITYTWIN_TEST_USAGE_FILE, as JSON: its peak resident
 * set size in KiB and the processor time it took, user and system, in milliseconds. The CLI
 * itself knows nothing of it.
 */
import { writeFileSync } from 'node:fs'

export interface ProcessUsage {
  readonly maxRssKib: number
  readonly cpuMs: number
}

const file = process.env.CITYTWIN_TEST_USAGE_FILE
if (file !== undefined && file !== '') {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    const report: ProcessUsage = {
      maxRssKib: usage.maxRSS,
      cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    }
    writeFileSync(file, `${JSON.stringify(report)}\n`)
  })
}
