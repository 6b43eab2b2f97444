// The Transport port: byte streams between Brook and its clients. io/TcpTransport is the real one over
// node:net; testing/SimTransport moves bytes in memory. io/transport.contract.ts is the behaviour both meet.

/** One duplex byte stream. Callbacks are set once by the network layer. */
export interface Connection {
  /** Text naming the peer, such as '127.0.0.1:53122'. */
  readonly remoteAddress: string
  /** The peer's host alone ('127.0.0.1', '::1'); connection limits per client address use it. */
  readonly remoteHost: string
  /** Bytes accepted by `write` and not yet handed to the operating system (or to the peer). */
  readonly queuedBytes: number
  /** Called with each chunk of bytes received, in order. */
  onData(callback: (chunk: Buffer) => void): void
  /** Called once when the stream ends for any reason. */
  onClose(callback: (error?: Error) => void): void
  /** Called when buffered output has drained after `write` returned false. */
  onDrain(callback: () => void): void
  /** Writes the buffers in order as one gathered write; false means output is backed up. */
  write(buffers: readonly Buffer[]): boolean
  /** Stops delivering data until `resume`. */
  pause(): void
  /** Delivers data again after `pause`. */
  resume(): void
  /**
   * Ends the stream after pending output; `onClose` fires once the peer has ended too. `destroy` ends it
   * at once, dropping pending output.
   */
  end(): void
  /** Ends the stream at once, dropping pending output. */
  destroy(): void
}

/** A listening server. */
export interface Listener {
  /** The port actually bound (useful when 0 was asked for). */
  readonly port: number
  /** The address bound. */
  readonly host: string
  /** Stops accepting connections; resolves once the listener is closed. */
  close(): Promise<void>
}

/** Opens byte streams: the broker listens, clients connect (TCP by default; tests move bytes in memory). */
export interface Transport {
  /** Listens on `host`:`port` (0 picks a free port) and calls `onConnection` for each peer that connects. */
  listen(host: string, port: number, onConnection: (connection: Connection) => void): Promise<Listener>
  /** Connects to `host`:`port`; rejects when the peer cannot be reached. */
  connect(host: string, port: number): Promise<Connection>
}
