// Accepts client connections for one broker: refuses those over the connection limits (in total and per
// client address), and gives every ServerConnection the broker-wide budgets for request bytes and queued
// response bytes, so the limits hold across connections and not only within one.
import { type Clock, type Connection, type Logger, assert, brookChannels } from '../core/index.js'
import { ByteBudget } from './byte-budget.js'
import { type FrameHandler, ServerConnection } from './server-connection.js'

/** Limits and sizes; names follow Kafka's settings where Kafka has one. */
export interface NetworkServerOptions {
  /** Listener name given to sessions. */
  listener: string
  clock: Clock
  logger: Logger
  /** Largest request frame (socket.request.max.bytes). */
  frameBytesMax: number
  /** Requests read ahead of their responses per connection. */
  inFlightMax: number
  /** Open connections in total (max.connections) and per client address (max.connections.per.ip). */
  connectionsMax: number
  connectionsPerIpMax: number
  /** connections.max.idle.ms */
  idleMaxMs: number
  /** Broker-wide request bytes being read or processed (queued.max.request.bytes); >= frameBytesMax. */
  requestBytesQueuedMax: number
  /** Response bytes queued per connection, and in total, beyond which requests wait. */
  responseBytesQueuedMax: number
  responseBytesQueuedTotalMax: number
  /** How long a closing connection may deliver its last responses. */
  closeDrainMs: number
}

/** The server side of the network layer for one listener. */
export class NetworkServer {
  readonly requestBudget: ByteBudget
  readonly responseBudget: ByteBudget
  readonly #options: NetworkServerOptions
  readonly #handler: FrameHandler
  readonly #connections = new Set<ServerConnection>()
  readonly #perHost = new Map<string, number>()
  #refused = 0

  constructor(handler: FrameHandler, options: NetworkServerOptions) {
    assert(
      options.requestBytesQueuedMax >= options.frameBytesMax,
      'the request budget holds at least one frame of the largest size',
    )
    this.#handler = handler
    this.#options = options
    this.requestBudget = new ByteBudget(options.requestBytesQueuedMax)
    this.responseBudget = new ByteBudget(options.responseBytesQueuedTotalMax)
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.size
  }

  /** Connections refused by the limits since start. */
  get refusedCount(): number {
    return this.#refused
  }

  /** Takes a new connection from the transport, or closes it at once when a limit is reached. */
  accept(connection: Connection): ServerConnection | undefined {
    const host = connection.remoteHost
    const fromHost = this.#perHost.get(host) ?? 0
    const limit =
      this.#connections.size >= this.#options.connectionsMax
        ? 'max.connections'
        : fromHost >= this.#options.connectionsPerIpMax
          ? 'max.connections.per.ip'
          : undefined
    if (limit !== undefined) {
      this.#refused++
      // Debug, not warn: a client retrying in a loop would otherwise fill the log.
      this.#options.logger.debug('refusing connection', { remote: connection.remoteAddress, limit })
      connection.destroy()
      return undefined
    }
    const options = this.#options
    const server = new ServerConnection(connection, this.#handler, {
      listener: options.listener,
      clock: options.clock,
      logger: options.logger,
      frameBytesMax: options.frameBytesMax,
      inFlightMax: options.inFlightMax,
      idleMaxMs: options.idleMaxMs,
      closeDrainMs: options.closeDrainMs,
      requestBudget: this.requestBudget,
      responseBytesQueuedMax: options.responseBytesQueuedMax,
      responseBudget: this.responseBudget,
    })
    this.#connections.add(server)
    this.#perHost.set(host, fromHost + 1)
    if (brookChannels.connectionOpened.hasSubscribers)
      brookChannels.connectionOpened.publish({ id: server.session.id })
    server.onClosed = () => {
      if (!this.#connections.delete(server)) return
      if (brookChannels.connectionClosed.hasSubscribers)
        brookChannels.connectionClosed.publish({ id: server.session.id })
      const left = (this.#perHost.get(host) ?? 1) - 1
      if (left === 0) this.#perHost.delete(host)
      else this.#perHost.set(host, left)
    }
    return server
  }

  /** Closes every connection (each drains its last responses within closeDrainMs). */
  closeAll(): void {
    for (const connection of [...this.#connections]) connection.close()
  }
}
