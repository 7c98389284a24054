/**
 * HTTP ledger services that hold their callers, on purpose, on 127.0.0.1: one that dribbles its
 * answer a byte at a time (a slow loris on the answer side), one that sends its headers and never
 * ends the answer. Both read the whole request first, as a real service would.
 */
import http from 'node:http'
import type { Socket } from 'node:net'

export interface SlowService {
  readonly url: string
  /** Requests that reached the service. */
  readonly requests: () => number
  close(): Promise<void>
}

/**
 * `dribble`: a 200 whose body is a valid answer padded with spaces, one byte every `byteEveryMs`;
 * `endless`: a 200 with its headers sent and nothing after, ever.
 */
export async function slowService(
  sort: 'dribble' | 'endless',
  byteEveryMs = 100,
): Promise<SlowService> {
  const sockets = new Set<Socket>()
  const timers = new Set<ReturnType<typeof setInterval>>()
  let requests = 0
  const server = http.createServer((request, response) => {
    requests += 1
    request.resume()
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.flushHeaders()
      if (sort === 'endless') return
      // A body it would take hours to finish at this pace: the caller's deadline must end it first.
      const body = `{"session": 1${' '.repeat(100_000)}}`
      let at = 0
      const timer = setInterval(() => {
        if (at >= body.length) {
          clearInterval(timer)
          response.end()
          return
        }
        response.write(body.charAt(at++))
      }, byteEveryMs)
      timers.add(timer)
      response.on('close', () => {
        clearInterval(timer)
        timers.delete(timer)
      })
    })
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: () => requests,
    close: async () => {
      for (const timer of timers) clearInterval(timer)
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
