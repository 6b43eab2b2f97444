// An in-memory Transport for tests and simulations: connections are pairs of endpoints that hand bytes to
// each other on later turns of the event loop, in chunks, with backpressure (write returns false above a
// high-water mark, drain follows), pause/resume, and TCP's close rules (end delivers pending output and
// closes once the peer has read it; destroy drops it). io/transport.contract.ts holds it to TcpTransport.
import type { Connection, Listener, Transport } from '../core/index.js'

/** Sizes that shape delivery, in bytes. */
export interface SimTransportOptions {
  /** `write` returns false once this many bytes are queued (node's default for sockets is 16 KiB). */
  highWaterBytes?: number
  /** Largest chunk handed to a reader at once (node reads sockets in chunks of up to 64 KiB). */
  chunkBytes?: number
}

class Endpoint implements Connection {
  readonly remoteAddress: string
  readonly remoteHost: string
  peer!: Endpoint
  #queue: Buffer[] = []
  #queuedBytes = 0
  #paused = false
  #needDrain = false
  /** end() was called: close once the queue has been read by the peer. */
  #ending = false
  /** The peer's end reached us (after all its data). */
  #peerEnded = false
  #closed = false
  #flushScheduled = false
  #data: ((chunk: Buffer) => void) | undefined
  #close: ((error?: Error) => void) | undefined
  #drain: (() => void) | undefined
  readonly #options: Required<SimTransportOptions>
  readonly #onClosed: () => void

  constructor(
    remoteHost: string,
    remotePort: number,
    options: Required<SimTransportOptions>,
    onClosed: () => void,
  ) {
    this.remoteHost = remoteHost
    this.remoteAddress = `${remoteHost}:${remotePort}`
    this.#options = options
    this.#onClosed = onClosed
  }

  get queuedBytes(): number {
    return this.#queuedBytes
  }

  get isClosed(): boolean {
    return this.#closed
  }

  onData(callback: (chunk: Buffer) => void): void {
    this.#data = callback
  }
  onClose(callback: (error?: Error) => void): void {
    this.#close = callback
    // Closed before anyone listened (refused at accept): tell the late listener, as a socket would.
    if (this.#closed) setImmediate(() => callback())
  }
  onDrain(callback: () => void): void {
    this.#drain = callback
  }

  write(buffers: readonly Buffer[]): boolean {
    if (this.#closed || this.#ending) return true
    for (const buffer of buffers) {
      if (buffer.length === 0) continue
      this.#queue.push(buffer)
      this.#queuedBytes += buffer.length
    }
    this.#scheduleFlush()
    if (this.#queuedBytes >= this.#options.highWaterBytes) {
      this.#needDrain = true
      return false
    }
    return true
  }

  pause(): void {
    this.#paused = true
  }

  resume(): void {
    if (!this.#paused) return
    this.#paused = false
    this.peer.#scheduleFlush()
  }

  end(): void {
    if (this.#closed || this.#ending) return
    this.#ending = true
    this.#scheduleFlush()
  }

  destroy(): void {
    if (this.#closed) return
    this.#queue = []
    this.#queuedBytes = 0
    this.#markClosed()
    // TCP tells the peer at once (RST or FIN); whatever it had not read yet is lost to it too.
    this.peer.#markClosed()
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#closed) return
    this.#flushScheduled = true
    setImmediate(() => {
      this.#flushScheduled = false
      this.#flush()
    })
  }

  /** Hands queued bytes to the peer while it reads; then the end, once everything was read. */
  #flush(): void {
    if (this.#closed) return
    const peer = this.peer
    let delivered = false
    // A peer without a data callback yet has not started reading.
    while (this.#queue.length > 0 && !peer.#paused && !peer.#closed && peer.#data !== undefined) {
      const head = this.#queue[0]
      const chunk =
        head.length <= this.#options.chunkBytes ? head : head.subarray(0, this.#options.chunkBytes)
      if (chunk === head) this.#queue.shift()
      else this.#queue[0] = head.subarray(chunk.length)
      this.#queuedBytes -= chunk.length
      delivered = true
      peer.#data?.(chunk)
      // One chunk per turn, so readers see data arrive over several turns as from a socket.
      break
    }
    if (this.#queue.length > 0) {
      if (delivered) this.#scheduleFlush()
    } else {
      if (this.#needDrain) {
        this.#needDrain = false
        this.#drain?.()
      }
      if (this.#ending && !peer.#paused && peer.#data !== undefined) peer.#receiveEnd()
    }
  }

  /** The peer ended: without half-open connections we end too, and both close once both ends are out. */
  #receiveEnd(): void {
    if (this.#peerEnded || this.#closed) return
    this.#peerEnded = true
    if (!this.#ending) this.end()
    else if (this.peer.#peerEnded) this.#bothEnded()
  }

  #bothEnded(): void {
    this.#markClosed()
    this.peer.#markClosed()
  }

  #markClosed(): void {
    if (this.#closed) return
    this.#closed = true
    this.#queue = []
    this.#queuedBytes = 0
    this.#onClosed()
    this.#close?.()
  }
}

interface SimListener {
  host: string
  onConnection: (connection: Connection) => void
  open: Set<Endpoint>
}

/** Transport in memory. Ports are simulated; `connectFrom` lets tests pick the client's host. */
export class SimTransport implements Transport {
  readonly #options: Required<SimTransportOptions>
  readonly #listeners = new Map<number, SimListener>()
  #nextPort = 30000
  #nextClientPort = 50000

  constructor(options: SimTransportOptions = {}) {
    this.#options = {
      highWaterBytes: options.highWaterBytes ?? 16384,
      chunkBytes: options.chunkBytes ?? 65536,
    }
  }

  async listen(
    host: string,
    port: number,
    onConnection: (connection: Connection) => void,
  ): Promise<Listener> {
    if (port !== 0 && this.#listeners.has(port)) {
      throw Object.assign(new Error(`listen EADDRINUSE: address already in use ${host}:${port}`), {
        code: 'EADDRINUSE',
      })
    }
    let bound = port
    if (bound === 0) while (this.#listeners.has((bound = this.#nextPort++)));
    const listener: SimListener = { host, onConnection, open: new Set() }
    this.#listeners.set(bound, listener)
    return {
      port: bound,
      host,
      close: async () => {
        if (this.#listeners.get(bound) !== listener) return
        this.#listeners.delete(bound)
        for (const endpoint of [...listener.open]) endpoint.destroy()
      },
    }
  }

  connect(host: string, port: number): Promise<Connection> {
    return this.connectFrom('127.0.0.1', host, port)
  }

  /** Connects as a client whose address is `clientHost` (for limits per client address). */
  async connectFrom(clientHost: string, host: string, port: number): Promise<Connection> {
    // A connection is set up on a later turn, as a TCP handshake is.
    await new Promise<void>((resolve) => setImmediate(resolve))
    const listener = this.#listeners.get(port)
    if (listener === undefined) {
      throw Object.assign(new Error(`connect ECONNREFUSED ${host}:${port}`), { code: 'ECONNREFUSED' })
    }
    const clientPort = this.#nextClientPort++
    const server: Endpoint = new Endpoint(clientHost, clientPort, this.#options, () =>
      listener.open.delete(server),
    )
    const client = new Endpoint(host, port, this.#options, () => {})
    server.peer = client
    client.peer = server
    listener.open.add(server)
    listener.onConnection(server)
    return client
  }
}
