/**
 * The socket half of the protocol: 'hello' and 'history' once, 'snapshot' a few times a second,
 * 'command' answered through socket.io's acknowledgement. Same origin, so `io()` needs no address.
 *
 * The page also says whether it is shown ('presence'): on connecting, every
 * hello.presenceIntervalMs while its tab is visible, and when that changes. The server keeps the
 * places of pages that are shown (a presenter's screen nobody touches included) and may close a
 * page left hidden for long, saying why ('closing'); the page then shows the reason with a
 * Reconnect button, and reconnects by itself as soon as it is shown again.
 */
import { io, type Socket } from 'socket.io-client'
import type {
  Closing,
  CommandAnswer,
  CommandMessage,
  Hello,
  History,
  Presence,
  Snapshot,
} from '../protocol.js'
import { commandBytesMax } from '../protocol.js'

interface ServerToPage {
  hello: (hello: Hello) => void
  history: (history: History) => void
  snapshot: (snapshot: Snapshot) => void
  closing: (closing: Closing) => void
}

interface PageToServer {
  command: (message: CommandMessage, answer: (answer: CommandAnswer) => void) => void
  presence: (presence: Presence) => void
}

/** A command not answered by then is reported as failed; the server may still have done it. */
const commandAnswerTimeoutMs = 5_000

export interface ConnectionHandlers {
  readonly hello: (hello: Hello) => void
  /** The run so far, once on connecting (before its latest snapshot). */
  readonly history: (history: History) => void
  readonly snapshot: (snapshot: Snapshot) => void
  readonly connected: (connected: boolean) => void
  /** The server closed this page, and why (null: it is connecting again). */
  readonly closed: (reason: string | null) => void
}

export interface Connection {
  readonly send: (message: CommandMessage) => Promise<CommandAnswer>
  /** Connects again after the server closed the page. */
  readonly reconnect: () => void
}

export function connect(handlers: ConnectionHandlers): Connection {
  const socket: Socket<ServerToPage, PageToServer> = io()
  const shown = () => document.visibilityState === 'visible'
  const sayPresence = () => {
    if (socket.connected) socket.emit('presence', { visible: shown() })
  }
  let presenceTimer: number | undefined
  let closedByServer = false
  socket.on('hello', (hello) => {
    // The interval comes from the server, so both sides agree on what "not shown for a while" is.
    if (presenceTimer === undefined) {
      presenceTimer = window.setInterval(() => {
        if (shown()) sayPresence()
      }, hello.presenceIntervalMs)
    }
    handlers.hello(hello)
  })
  socket.on('history', handlers.history)
  socket.on('snapshot', handlers.snapshot)
  socket.on('closing', (closing) => {
    closedByServer = true
    handlers.closed(closing.reason)
  })
  socket.on('connect', () => {
    sayPresence()
    handlers.connected(true)
  })
  // A page closed by the server stays closed (socket.io does not reconnect then); its message says
  // why.
  socket.on('disconnect', () => handlers.connected(false))
  const reconnect = () => {
    if (!closedByServer) return
    closedByServer = false
    handlers.closed(null)
    socket.connect()
  }
  document.addEventListener('visibilitychange', () => {
    if (shown() && closedByServer) reconnect()
    else sayPresence()
  })

  async function send(message: CommandMessage): Promise<CommandAnswer> {
    // The server drops anything larger than its buffer bound without answering; say why here
    // instead.
    const bytes = new TextEncoder().encode(JSON.stringify(message)).length
    if (bytes > commandBytesMax)
      return { ok: false, error: `command is ${bytes} bytes, more than ${commandBytesMax}` }
    if (!socket.connected) return { ok: false, error: 'not connected to the server' }
    return new Promise((resolve) => {
      socket.timeout(commandAnswerTimeoutMs).emit('command', message, (timedOut, answer) => {
        resolve(
          timedOut
            ? {
                ok: false,
                error: `no answer from the server within ${commandAnswerTimeoutMs / 1000} s`,
              }
            : answer,
        )
      })
    })
  }

  return { send, reconnect }
}
