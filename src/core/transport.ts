// The Transport port: byte streams between Brook and its clients. io/TcpTransport is the real one over
// node:net; tests may connect the network layer to anything that moves bytes.

/** One duplex byte stream. Callbacks are set once by the network layer. */
export interface Connection {
  /** Text naming the peer, such as '127.0.0.1:53122'. */
  readonly remoteAddress: string
  onData(callback: (chunk: Buffer) => void): void
  /** Called once when the stream ends for any reason. */
  onClose(callback: (error?: Error) => void): void
  /** Called when buffered output has drained after `write` returned false. */
  onDrain(callback: () => void): void
  /** Writes the buffers in order as one gathered write; false means output is backed up. */
  write(buffers: readonly Buffer[]): boolean
  /** Stops delivering data until `resume`. */
  pause(): void
  resume(): void
  /** Ends the stream after pending output; `destroy` ends it at once. */
  end(): void
  destroy(): void
}

/** A listening server. */
export interface Listener {
  /** The port actually bound (useful when 0 was asked for). */
  readonly port: number
  readonly host: string
  close(): Promise<void>
}

export interface Transport {
  listen(host: string, port: number, onConnection: (connection: Connection) => void): Promise<Listener>
  connect(host: string, port: number): Promise<Connection>
}
