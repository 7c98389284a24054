/**
 * The pool of simulation workers. Compiled runs load `dist/workers/sim.js`; under the test
 * runner, which loads TypeScript sources, the worker is the `.ts` file run through tsx.
 */
import { Piscina } from 'piscina'
import type { SimTask, SimTaskResult, SimWorkerData } from '../../workers/protocol.js'

const fromSource = import.meta.url.endsWith('.ts')

export class SimPool {
  private readonly pool: Piscina<SimTask, SimTaskResult>

  constructor(workers: number, data: SimWorkerData) {
    this.pool = new Piscina({
      filename: new URL(fromSource ? '../../workers/sim.ts' : '../../workers/sim.js', import.meta.url).href,
      workerData: data,
      minThreads: workers,
      maxThreads: workers,
      concurrentTasksPerWorker: 1,
      // Resolved here, so the worker finds tsx whatever the working directory.
      ...(fromSource ? { execArgv: [...process.execArgv, '--import', import.meta.resolve('tsx')] } : {}),
    })
  }

  synthesize(segment: number): Promise<null> {
    return this.pool.run({ kind: 'synthesize', segment }) as Promise<null>
  }

  open(segment: number): Promise<ArrayBuffer> {
    return this.pool.run({ kind: 'open', segment }) as Promise<ArrayBuffer>
  }

  generate(segment: number, chunk: number): Promise<ArrayBuffer> {
    return this.pool.run({ kind: 'generate', segment, chunk }) as Promise<ArrayBuffer>
  }

  async close(): Promise<void> {
    await this.pool.destroy()
  }
}
