/**
 * The socket half of the protocol: 'hello' once, 'snapshot' a few times a second, 'command'
 * answered through socket.io's acknowledgement. Same origin, so `io()` needs no address.
 */
import { io, type Socket } from 'socket.io-client'
import type { CommandAnswer, CommandMessage, Hello, Snapshot } from '../protocol.js'
import { commandBytesMax } from '../protocol.js'

interface ServerToPage {
  hello: (hello: Hello) => void
  snapshot: (snapshot: Snapshot) => void
}

interface PageToServer {
  command: (message: CommandMessage, answer: (answer: CommandAnswer) => void) => void
}

/** A command not answered by then is reported as failed; the server may still have done it. */
const commandAnswerTimeoutMs = 5_000

export interface ConnectionHandlers {
  readonly hello: (hello: Hello) => void
  readonly snapshot: (snapshot: Snapshot) => void
  readonly connected: (connected: boolean) => void
}

export interface Connection {
  readonly send: (message: CommandMessage) => Promise<CommandAnswer>
}

export function connect(handlers: ConnectionHandlers): Connection {
  const socket: Socket<ServerToPage, PageToServer> = io()
  socket.on('hello', handlers.hello)
  socket.on('snapshot', handlers.snapshot)
  socket.on('connect', () => handlers.connected(true))
  socket.on('disconnect', () => handlers.connected(false))

  async function send(message: CommandMessage): Promise<CommandAnswer> {
    // The server drops anything larger than its buffer bound without answering; say why here instead.
    const bytes = new TextEncoder().encode(JSON.stringify(message)).length
    if (bytes > commandBytesMax) return { ok: false, error: `command is ${bytes} bytes, more than ${commandBytesMax}` }
    if (!socket.connected) return { ok: false, error: 'not connected to the server' }
    return new Promise((resolve) => {
      socket.timeout(commandAnswerTimeoutMs).emit('command', message, (timedOut, answer) => {
        resolve(timedOut ? { ok: false, error: `no answer from the server within ${commandAnswerTimeoutMs / 1000} s` } : answer)
      })
    })
  }

  return { send }
}
