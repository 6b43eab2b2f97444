// The real Transport over node:net, with Nagle off: Kafka clients pipeline small requests and expect
// responses without delay.
import net from 'node:net'
import type { Connection, Listener, Transport } from '../core/index.js'

function wrap(socket: net.Socket): Connection {
  socket.setNoDelay(true)
  const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`
  let closed = false
  let closeCallback: ((error?: Error) => void) | undefined
  let lastError: Error | undefined
  socket.on('error', (error) => {
    lastError = error
  })
  socket.on('close', () => {
    if (closed) return
    closed = true
    closeCallback?.(lastError)
  })
  return {
    remoteAddress,
    remoteHost: socket.remoteAddress ?? '?',
    get queuedBytes() {
      return socket.writableLength
    },
    onData: (callback) => socket.on('data', callback),
    onClose: (callback) => {
      closeCallback = callback
    },
    onDrain: (callback) => socket.on('drain', callback),
    write(buffers) {
      if (socket.destroyed) return true
      if (buffers.length === 1) return socket.write(buffers[0])
      socket.cork()
      let ok = true
      for (const buffer of buffers) ok = socket.write(buffer)
      socket.uncork()
      return ok
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    end: () => socket.end(),
    destroy: () => socket.destroy(),
  }
}

/** TCP over node:net. */
export class TcpTransport implements Transport {
  listen(host: string, port: number, onConnection: (connection: Connection) => void): Promise<Listener> {
    const server = net.createServer({ noDelay: true }, (socket) => onConnection(wrap(socket)))
    const sockets = new Set<net.Socket>()
    server.on('connection', (socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port, backlog: 1024 }, () => {
        server.off('error', reject)
        const address = server.address() as net.AddressInfo
        resolve({
          port: address.port,
          host,
          close: () =>
            new Promise<void>((done) => {
              for (const socket of sockets) socket.destroy()
              server.close(() => done())
            }),
        })
      })
    })
  }

  connect(host: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, noDelay: true })
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(wrap(socket))
      })
    })
  }
}
