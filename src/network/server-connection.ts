// One client connection on the server side: frames in, responses out strictly in request order, even
// when handlers finish out of order (a long-polling Fetch followed by a Heartbeat). Reading pauses while
// too many requests are in flight or the socket's output is backed up.
import type { Connection, Logger } from '../core/index.js'
import { FrameDecoder } from './frame-decoder.js'
import { Session } from './session.js'

/**
 * Handles one request frame. Returns the response as buffers (size prefix included), null for no
 * response (acks=0), or 'close' to close the connection (unparseable request).
 */
export type FrameHandler = (
  frame: Buffer,
  connection: ServerConnection,
) => Promise<Buffer[] | null | 'close'> | Buffer[] | null | 'close'

export interface ServerConnectionOptions {
  frameBytesMax: number
  /** Requests read but not yet answered before reading pauses. */
  inFlightMax: number
  logger: Logger
  /** Name of the listener the connection arrived on, for the session. */
  listener?: string
}

interface Slot {
  done: boolean
  response: Buffer[] | null | 'close'
}

/** Owns one Connection; the network server makes one per accepted stream. */
export class ServerConnection {
  readonly connection: Connection
  /** Who the client is and per-connection state handlers share; handed to every request. */
  readonly session: Session
  private readonly decoder: FrameDecoder
  private readonly handler: FrameHandler
  private readonly options: ServerConnectionOptions
  private readonly slots: Slot[] = []
  private paused = false
  private outputBlocked = false
  private closed = false
  /** Called once when the connection ends. */
  onClosed: (() => void) | undefined

  constructor(connection: Connection, handler: FrameHandler, options: ServerConnectionOptions) {
    this.session = new Session({
      listener: options.listener ?? 'PLAINTEXT',
      remoteAddress: connection.remoteAddress,
      remoteHost: connection.remoteHost,
    })
    this.connection = connection
    this.handler = handler
    this.options = options
    this.decoder = new FrameDecoder(options.frameBytesMax)
    connection.onData((chunk) => this.receive(chunk))
    connection.onDrain(() => {
      this.outputBlocked = false
      this.updateFlow()
    })
    connection.onClose(() => this.markClosed())
  }

  get isClosed(): boolean {
    return this.closed
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return
    let frames: Buffer[]
    try {
      frames = this.decoder.push(chunk)
    } catch (error) {
      this.options.logger.warn('closing connection: bad frame', {
        remote: this.connection.remoteAddress,
        error: (error as Error).message,
      })
      this.close()
      return
    }
    for (const frame of frames) this.dispatch(frame)
    this.updateFlow()
  }

  private dispatch(frame: Buffer): void {
    const slot: Slot = { done: false, response: null }
    this.slots.push(slot)
    let result: ReturnType<FrameHandler>
    try {
      result = this.handler(frame, this)
    } catch (error) {
      this.fail(slot, error)
      return
    }
    if (result instanceof Promise) {
      result.then(
        (response) => this.complete(slot, response),
        (error) => this.fail(slot, error),
      )
    } else {
      this.complete(slot, result)
    }
  }

  private fail(slot: Slot, error: unknown): void {
    this.options.logger.error('request handler failed; closing connection', {
      remote: this.connection.remoteAddress,
      error,
    })
    this.complete(slot, 'close')
  }

  private complete(slot: Slot, response: Buffer[] | null | 'close'): void {
    slot.done = true
    slot.response = response
    this.flush()
  }

  private flush(): void {
    while (this.slots.length > 0 && this.slots[0].done) {
      const slot = this.slots.shift()!
      if (this.closed) continue
      if (slot.response === 'close') {
        this.close()
        return
      }
      if (slot.response !== null && !this.connection.write(slot.response)) this.outputBlocked = true
    }
    this.updateFlow()
  }

  private updateFlow(): void {
    if (this.closed) return
    const shouldPause = this.outputBlocked || this.slots.length >= this.options.inFlightMax
    if (shouldPause && !this.paused) {
      this.paused = true
      this.connection.pause()
    } else if (!shouldPause && this.paused) {
      this.paused = false
      this.connection.resume()
    }
  }

  private markClosed(): void {
    if (this.closed) return
    this.closed = true
    this.session.markClosed()
    this.onClosed?.()
  }

  /** Closes the connection after the responses already written. */
  close(): void {
    if (this.closed) return
    this.markClosed()
    this.connection.end()
    // end() waits for the peer; a misbehaving one must not keep the socket open.
    this.connection.destroy()
  }
}
