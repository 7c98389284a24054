/**
 * A TCP proxy in front of Redis that misbehaves on request, so tests can lose a connection or an
 * answer at a chosen moment: after the server has run a call, before the client reads its answer.
 */
import net from 'node:net'

export class FaultyProxy {
  /**
   * What happens to the next chunk the server sends: passed on, the connection dropped, or that
   * chunk and the rest of the connection's swallowed.
   */
  nextReply: 'pass' | 'drop' | 'swallow' = 'pass'
  private readonly sockets = new Set<net.Socket>()

  private constructor(private readonly server: net.Server) {}

  /** A proxy on a free port of 127.0.0.1 to the server at targetHost:targetPort. */
  static async start(targetHost: string, targetPort: number): Promise<FaultyProxy> {
    const server = net.createServer()
    const proxy = new FaultyProxy(server)
    server.on('connection', (client) => proxy.join(client, targetHost, targetPort))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port
  }

  /** Stops listening and drops every connection: the port refuses from now on. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private join(client: net.Socket, targetHost: string, targetPort: number): void {
    const upstream = net.connect(targetPort, targetHost)
    for (const socket of [client, upstream]) {
      this.sockets.add(socket)
      socket.on('error', () => undefined)
      socket.on('close', () => {
        this.sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
    }
    // Once a reply is swallowed, so is everything after it on this connection: the client is left
    // waiting.
    let muted = false
    client.on('data', (chunk: Buffer) => upstream.write(chunk))
    upstream.on('data', (chunk: Buffer) => {
      const fate = this.nextReply
      if (fate !== 'pass') this.nextReply = 'pass'
      if (fate === 'drop') {
        client.destroy()
        upstream.destroy()
      } else if (fate === 'swallow') muted = true
      if (!muted && fate === 'pass') client.write(chunk)
    })
  }
}
