/**
 * A cap on the connections one HTTP server holds, below the process's descriptor limit, that idle
 * or slow sockets cannot fill. Node's own `maxConnections` refuses the newcomer once the cap is
 * reached, so a thousand sockets that connect and send nothing (or a header a second) lock out
 * every real request. Here the newcomer is kept and the oldest connection that is not in the
 * middle of a request gives its place:
 *
 *   connection ──▶ waiting (no request yet, or between keep-alive requests)  evictable
 *                    │ request                    ▲ response done
 *                    ▼                            │
 *                  busy ────────────────────────────  evictable once busy longer than busyMsMax
 *                    │ upgrade (a page's websocket)
 *                    ▼
 *                  held: never evicted here (pages have their own cap and idle rules)
 *
 * A socket is also given a deadline for its first request, so one that never speaks dies even
 * when no newcomer pushes it out.
 */
import { readFileSync } from 'node:fs'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { assert } from './assert.js'
import { connectionsCapMin, descriptorsReserved, descriptorsSoftLimitFallback } from './limits.js'

export interface ConnectionCapOptions {
  /** Connections held at most. */
  readonly connectionsMax: number
  /** A request not over by then (a reader that does not read) no longer protects its connection. */
  readonly busyMsMax: number
  /** A new connection must finish its first request's headers by then. */
  readonly firstRequestMs: number
  /** After its first request, a connection with nothing moving on it for this long is closed. */
  readonly idleMs: number
  /** Wall clock, ms. */
  readonly now: () => number
}

interface Tracked {
  state: 'waiting' | 'busy' | 'held'
  busySinceMs: number
}

export interface ConnectionCap {
  /** Connections held now. */
  readonly size: number
  /**
   * Connections closed to make room for newer ones, and newcomers refused because none could be.
   */
  readonly evicted: number
  readonly refused: number
}

export function capConnections(server: Server, options: ConnectionCapOptions): ConnectionCap {
  assert(options.connectionsMax >= 1, 'at least one connection')
  // Insertion order is age order: the first evictable one found is the oldest.
  const sockets = new Map<Socket, Tracked>()
  let evicted = 0
  let refused = 0
  server.on('connection', (socket: Socket) => {
    // A socket's own inactivity bound (net.Socket#setTimeout), kept by Node per socket and reset
    // by traffic: not a wait of the engine, so it does not go through the Scheduler.
    socket.setTimeout(options.firstRequestMs)
    const tracked: Tracked = { state: 'waiting', busySinceMs: 0 }
    socket.once('close', () => sockets.delete(socket))
    if (sockets.size >= options.connectionsMax) {
      const nowMs = options.now()
      let victim: Socket | undefined
      for (const [held, entry] of sockets) {
        if (
          entry.state === 'waiting' ||
          (entry.state === 'busy' && nowMs - entry.busySinceMs > options.busyMsMax)
        ) {
          victim = held
          break
        }
      }
      if (victim === undefined) {
        refused += 1
        socket.destroy()
        return
      }
      evicted += 1
      sockets.delete(victim)
      victim.destroy()
    }
    sockets.set(socket, tracked)
    assert(sockets.size <= options.connectionsMax, 'the cap holds')
  })
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const tracked = sockets.get(request.socket)
    if (tracked === undefined) return
    request.socket.setTimeout(options.idleMs)
    tracked.state = 'busy'
    tracked.busySinceMs = options.now()
    response.once('close', () => {
      if (tracked.state === 'busy') tracked.state = 'waiting'
    })
  })
  server.on('upgrade', (request: IncomingMessage) => {
    const tracked = sockets.get(request.socket)
    if (tracked !== undefined) tracked.state = 'held'
    // The websocket's own pings judge whether it is alive from here on.
    request.socket.setTimeout(0)
  })
  return {
    get size() {
      return sockets.size
    },
    get evicted() {
      return evicted
    },
    get refused() {
      return refused
    },
  }
}

/**
 * Connections a server of this process may hold: `wanted`, or fewer when the soft descriptor
 * limit (RLIMIT_NOFILE) leaves less than that after `descriptorsReserved` for everything else.
 */
export function connectionsCapFor(wanted: number, softLimit = descriptorsSoftLimit()): number {
  return Math.max(connectionsCapMin, Math.min(wanted, softLimit - descriptorsReserved))
}

/**
 * The process's soft limit on open descriptors. Node offers no call for it: on Linux it is read
 * from /proc/self/limits; elsewhere (or unreadable) a common default is assumed, which errs low.
 */
export function descriptorsSoftLimit(limitsText?: string): number {
  let text = limitsText
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8')
    } catch {
      return descriptorsSoftLimitFallback
    }
  }
  const line = text.split('\n').find((row) => row.startsWith('Max open files'))
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0]
  if (soft === undefined) return descriptorsSoftLimitFallback
  if (soft === 'unlimited') return Number.MAX_SAFE_INTEGER
  const value = Number(soft)
  return Number.isInteger(value) && value > 0 ? value : descriptorsSoftLimitFallback
}
