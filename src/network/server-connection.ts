// One client connection on the server side: frames in, responses out strictly in request order, even
// when handlers finish out of order (a long-polling Fetch followed by a Heartbeat). It bounds what one
// client can make the broker hold: requests read ahead (inFlightMax), request bytes (a broker-wide
// budget: a frame's buffer is allocated only within it), and responses queued for a client that does not
// read (per connection and broker-wide); it closes idle connections and drains its last responses on close.
import { type Clock, type Connection, type Logger, type Timer, assert } from '../core/index.js'
import { ApiKey } from '../protocol/index.js'
import type { ByteBudget } from './byte-budget.js'
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
  /** Timers for the idle timeout and the close drain. */
  clock: Clock
  /** Name of the listener the connection arrived on, for the session. */
  listener?: string
  /** Broker-wide bytes of requests being read into their own buffers or processed. */
  requestBudget?: ByteBudget
  /** Response bytes queued on this connection beyond which its further requests wait. */
  responseBytesQueuedMax?: number
  /** Broker-wide queued response bytes; beyond its limit, Fetches wait unless this connection's are out. */
  responseBudget?: ByteBudget
  /** Closed after this long without a whole request in or output drained (connections.max.idle.ms). */
  idleMaxMs?: number
  /** A closing connection gets this long to deliver its last responses before it is cut (default 10 s). */
  closeDrainMs?: number
}

interface Slot {
  /** The request, until it is dispatched to the handler. */
  frame: Buffer | undefined
  done: boolean
  response: Buffer[] | null | 'close'
  /** Size of the request frame, counted in the request budget until the handler is done. */
  requestBytes: number
  /** Bytes of the response once done (0 before). */
  responseBytes: number
  largeResponse: boolean
}

/** Requests whose answers can be large (whole batches); a connection runs one of them at a time. */
const largeResponseApiKeys: ReadonlySet<number> = new Set([ApiKey.Fetch, ApiKey.ShareFetch])

function sumBytes(buffers: readonly Buffer[]): number {
  let total = 0
  for (const buffer of buffers) total += buffer.length
  return total
}

/** Owns one Connection; the network server makes one per accepted stream. */
export class ServerConnection {
  readonly connection: Connection
  /** Who the client is and per-connection state handlers share; handed to every request. */
  readonly session: Session
  private readonly decoder: FrameDecoder
  private readonly handler: FrameHandler
  private readonly options: ServerConnectionOptions
  /**
   * Requests read, in request order, until their responses are written. A slot is made when its frame
   * arrives; it is dispatched when the output bounds allow (possibly after later ones), answered in order.
   */
  private readonly slots: Slot[] = []
  /** Slots not yet dispatched. */
  private undispatched = 0
  /** Slots dispatched whose handler has not finished. */
  private processing = 0
  private pumping = false
  private pumpAgain = false
  /** Bytes of responses done but waiting behind an earlier one. */
  private waitingResponseBytes = 0
  /** This connection's share of the broker-wide response budget, as last counted. */
  private countedResponseBytes = 0
  private largeResponsesRunning = 0
  private paused = false
  private outputBlocked = false
  private cancelRoomWait: (() => void) | undefined
  /** close() was called (or a limit or bad frame closed it): nothing more is read or dispatched. */
  private closing = false
  /** The transport reported the stream closed. */
  private closed = false
  private lastActivityMs = 0
  private idleTimer: Timer | undefined
  private drainTimer: Timer | undefined
  /** Called once when the transport reports the connection closed. */
  onClosed: (() => void) | undefined

  constructor(connection: Connection, handler: FrameHandler, options: ServerConnectionOptions) {
    this.connection = connection
    this.handler = handler
    this.options = options
    this.session = new Session({
      listener: options.listener ?? 'PLAINTEXT',
      remoteAddress: connection.remoteAddress,
      remoteHost: connection.remoteHost,
    })
    this.decoder = new FrameDecoder(options.frameBytesMax, (bytes, refusable) =>
      this.reserve(bytes, refusable),
    )
    connection.onData((chunk) => this.receive(chunk))
    connection.onDrain(() => {
      this.outputBlocked = false
      this.touch()
      this.countResponses()
      this.pump()
    })
    connection.onClose(() => this.markClosed())
    if (options.idleMaxMs !== undefined) {
      this.lastActivityMs = options.clock.monotonicMs()
      this.idleTimer = options.clock.setTimeout(() => this.checkIdle(), options.idleMaxMs)
    }
  }

  /** True once the connection is closing or closed. */
  get isClosed(): boolean {
    return this.closing || this.closed
  }

  /** Response bytes queued on this connection: in the transport, plus done and waiting for their turn. */
  get queuedResponseBytes(): number {
    return this.connection.queuedBytes + this.waitingResponseBytes
  }

  private touch(): void {
    this.lastActivityMs = this.options.clock.monotonicMs()
  }

  private checkIdle(): void {
    this.idleTimer = undefined
    const { clock, idleMaxMs } = this.options
    if (this.isClosed || idleMaxMs === undefined) return
    // A request being processed is not idleness; its own timeout (fetch-wait-max-ms ...) bounds it. One
    // waiting for the client to read earlier answers is.
    const busy = this.processing > 0
    const idleMs = clock.monotonicMs() - this.lastActivityMs
    if (!busy && idleMs >= idleMaxMs) {
      this.options.logger.info('closing idle connection', {
        remote: this.connection.remoteAddress,
        idleMs: Math.round(idleMs),
        bufferedBytes: this.decoder.bufferedBytes,
      })
      this.close()
      return
    }
    this.idleTimer = clock.setTimeout(() => this.checkIdle(), busy ? idleMaxMs : idleMaxMs - idleMs)
  }

  /** The decoder asks for room for a frame; whole frames are counted, others may have to wait. */
  private reserve(bytes: number, refusable: boolean): boolean {
    const budget = this.options.requestBudget
    if (budget === undefined) return true
    if (!refusable) {
      budget.add(bytes)
      return true
    }
    if (budget.tryAcquire(bytes)) return true
    this.cancelRoomWait = budget.acquireLater(bytes, () => {
      this.cancelRoomWait = undefined
      if (this.isClosed) {
        budget.release(bytes)
        return
      }
      // The room is taken: the decoder allocates the held frame's buffer and goes on.
      this.accept(() => this.decoder.resume())
    })
    return false
  }

  private receive(chunk: Buffer): void {
    if (this.isClosed) return
    this.accept(() => this.decoder.push(chunk))
  }

  /** Runs a decoder step; queues the frames it returns and dispatches what may run. */
  private accept(step: () => Buffer[]): void {
    const frames = step()
    const error = this.decoder.error
    if (error !== undefined) {
      // The frames before the bad one are not served; the room they were counted in is given back.
      this.options.requestBudget?.release(sumBytes(frames))
      this.options.logger.warn('closing connection: bad frame', {
        remote: this.connection.remoteAddress,
        error: error.message,
      })
      this.close()
      return
    }
    if (frames.length > 0) this.touch()
    for (const frame of frames) {
      const large = frame.length >= 2 && largeResponseApiKeys.has(frame.readInt16BE(0))
      this.slots.push({
        frame,
        done: false,
        response: null,
        requestBytes: frame.length,
        responseBytes: 0,
        largeResponse: large,
      })
      this.undispatched++
    }
    this.pump()
  }

  /**
   * Dispatches waiting requests in order while the output bounds allow. Fetch and ShareFetch run one at a
   * time per connection (their answers can be whole batches), and past the broker-wide response bound only
   * on a connection whose earlier answers went out; requests behind a waiting Fetch go ahead of it (their
   * answers still go out in order), so a Produce is not held up by a Fetch that may be waiting for it.
   */
  private pump(): void {
    // A handler that answers at once completes inside dispatch, and completing pumps again: that inner
    // call only asks for another pass of the loop below.
    if (this.pumping) {
      this.pumpAgain = true
      return
    }
    this.pumping = true
    try {
      do {
        this.pumpAgain = false
        this.pumpOnce()
      } while (this.pumpAgain)
    } finally {
      this.pumping = false
    }
    this.updateFlow()
  }

  private pumpOnce(): void {
    if (this.undispatched > 0 && !this.isClosed) {
      const budget = this.options.responseBudget
      const queuedMax = this.options.responseBytesQueuedMax ?? Number.POSITIVE_INFINITY
      let largeHeld = false
      for (const slot of this.slots.filter((s) => s.frame !== undefined)) {
        if (this.isClosed) break
        if (slot.frame === undefined) continue
        const queued = this.queuedResponseBytes
        if (queued >= queuedMax) break
        if (slot.largeResponse) {
          largeHeld ||=
            this.largeResponsesRunning > 0 ||
            (budget !== undefined && queued > 0 && budget.usedBytes >= budget.limitBytes)
          if (largeHeld) continue
        }
        this.dispatch(slot)
      }
    }
  }

  private dispatch(slot: Slot): void {
    const frame = slot.frame
    assert(frame !== undefined, 'a request is dispatched once')
    slot.frame = undefined
    this.undispatched--
    this.processing++
    if (slot.largeResponse) this.largeResponsesRunning++
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
    assert(!slot.done, 'a request completes once')
    slot.done = true
    slot.response = response
    this.processing--
    assert(this.processing >= 0, 'requests processing never goes negative')
    this.options.requestBudget?.release(slot.requestBytes)
    if (slot.largeResponse) this.largeResponsesRunning--
    assert(this.largeResponsesRunning >= 0, 'large responses running never goes negative')
    if (Array.isArray(response) && this.slots[0] !== slot) {
      slot.responseBytes = sumBytes(response)
      this.waitingResponseBytes += slot.responseBytes
    }
    this.flush()
  }

  private flush(): void {
    while (this.slots.length > 0 && this.slots[0].done) {
      const slot = this.slots.shift()!
      this.waitingResponseBytes -= slot.responseBytes
      if (this.isClosed) continue
      if (slot.response === 'close') {
        this.close()
        continue
      }
      if (slot.response !== null) {
        this.touch()
        if (!this.connection.write(slot.response)) this.outputBlocked = true
      }
    }
    assert(this.waitingResponseBytes >= 0, 'waiting response bytes never go negative')
    this.countResponses()
    this.pump()
  }

  /** Brings this connection's share of the broker-wide response count up to date. */
  private countResponses(): void {
    const budget = this.options.responseBudget
    if (budget === undefined) return
    const now = this.isClosed ? 0 : this.queuedResponseBytes
    if (now > this.countedResponseBytes) budget.add(now - this.countedResponseBytes)
    else if (now < this.countedResponseBytes) budget.release(this.countedResponseBytes - now)
    this.countedResponseBytes = now
  }

  private updateFlow(): void {
    if (this.isClosed) return
    const shouldPause =
      this.outputBlocked ||
      this.slots.length >= this.options.inFlightMax ||
      this.decoder.waitingFrameBytes > 0
    if (shouldPause && !this.paused) {
      this.paused = true
      this.connection.pause()
    } else if (!shouldPause && this.paused) {
      this.paused = false
      this.connection.resume()
    }
  }

  /** Gives back request bytes held by frames that will never be dispatched. */
  private releaseUnread(): void {
    const budget = this.options.requestBudget
    this.cancelRoomWait?.()
    this.cancelRoomWait = undefined
    if (budget === undefined) return
    let bytes = this.decoder.partialFrameBytes
    for (const slot of this.slots) {
      if (slot.frame === undefined) continue
      bytes += slot.frame.length
      slot.frame = undefined
      this.undispatched--
    }
    budget.release(bytes)
  }

  private markClosed(): void {
    if (this.closed) return
    if (!this.closing) this.beginClose()
    this.closed = true
    this.drainTimer?.cancel()
    this.drainTimer = undefined
    this.countResponses()
    this.onClosed?.()
  }

  /** Stops reading and dispatching, releases what unread frames held, and fires the session's close hook. */
  private beginClose(): void {
    this.closing = true
    this.idleTimer?.cancel()
    this.idleTimer = undefined
    this.releaseUnread()
    this.countResponses()
    this.session.markClosed()
  }

  /**
   * Closes the connection after the responses already written: the transport ends the stream once they
   * are delivered; a client that does not read them within closeDrainMs is cut off.
   */
  close(): void {
    if (this.isClosed) return
    this.beginClose()
    // Keep reading (and discarding) so that the peer's end is seen and the stream closes without waiting.
    if (this.paused) this.connection.resume()
    this.connection.end()
    if (this.closed) return
    const closeDrainMs = this.options.closeDrainMs ?? 10_000
    if (closeDrainMs === 0) {
      this.connection.destroy()
      return
    }
    this.drainTimer = this.options.clock.setTimeout(() => {
      this.drainTimer = undefined
      if (!this.closed) this.connection.destroy()
    }, closeDrainMs)
  }
}
