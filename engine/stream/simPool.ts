/**
 * The pool of simulation workers. Compiled runs load `dist/workers/sim.js`; under the test
 * runner, which loads TypeScript sources, the worker is the `.ts` file run through tsx.
 */
import { Piscina } from 'piscina'
import type { AgentCounts, AgentIndexBuffers } from '../behaviour/index.js'
import type { SimTask, SimTaskResult, SimWorkerData } from './simProtocol.js'

const fromSource = import.meta.url.endsWith('.ts')

export class SimPool {
  private readonly pool: Piscina<SimTask, SimTaskResult>

  constructor(workers: number, data: SimWorkerData) {
    this.pool = new Piscina({
      filename: new URL(
        fromSource ? '../../workers/sim.ts' : '../../workers/sim.js',
        import.meta.url,
      ).href,
      workerData: data,
      minThreads: workers,
      maxThreads: workers,
      concurrentTasksPerWorker: 1,
      // Resolved here, so the worker finds tsx whatever the working directory.
      ...(fromSource
        ? { execArgv: [...process.execArgv, '--import', import.meta.resolve('tsx')] }
        : {}),
    })
  }

  synthesize(segment: number): Promise<AgentCounts> {
    return this.pool.run({ kind: 'synthesize', segment }) as Promise<AgentCounts>
  }

  index(segment: number, index: AgentIndexBuffers): Promise<null> {
    return this.pool.run({ kind: 'index', segment, index }) as Promise<null>
  }

  open(segment: number, index: AgentIndexBuffers): Promise<ArrayBuffer> {
    return this.pool.run({ kind: 'open', segment, index }) as Promise<ArrayBuffer>
  }

  generate(segment: number, chunk: number, index: AgentIndexBuffers): Promise<ArrayBuffer> {
    return this.pool.run({ kind: 'generate', segment, chunk, index }) as Promise<ArrayBuffer>
  }

  async close(): Promise<void> {
    await this.pool.destroy()
  }
}
