// What a client knows of the cluster: connections per broker (opened on demand, shared by every caller),
// topic metadata with partition leaders, group coordinators, and the retry loop every operation runs in.
// Works the same for one Brook node and for a multi-broker Kafka cluster: requests go to each partition's
// leader as Metadata names it, and a stale answer (NOT_LEADER_OR_FOLLOWER...) refreshes it.
import { setMaxListeners } from 'node:events'
import type { Clock, Logger, Transport } from '../core/index.js'
import { silentLogger } from '../core/index.js'
import { SystemClock, TcpTransport } from '../io/index.js'
import {
  AbortError,
  type ClientApi,
  ClientConnection,
  ConnectionError,
  type RequestOptions,
} from '../network/index.js'
import { ErrorCode, type MessageDef, type MessageInput, type MessageValue } from '../protocol/index.js'
import { Api, versionCaps } from './apis.js'
import { channels } from './diagnostics.js'
import { ClosedError, InvalidArgumentError, isRetriable, kafkaError } from './errors.js'

/** Options every client (Producer, Consumer, QueueConsumer, Admin) takes. */
export interface ClientOptions {
  /** Where to start: "host:port", or several, as a comma-separated string or an array. */
  bootstrap: string | readonly string[]
  /** Sent with every request (client.id). */
  clientId?: string
  /** Time for each request's response, in ms (request.timeout.ms, default 30000). */
  requestTimeoutMs?: number
  /** Time to reach a broker, TCP plus ApiVersions, in ms (socket.connection.setup.timeout.ms, default 10000). */
  connectTimeoutMs?: number
  /** Attempts after the first for a retriable failure (retries, default 5). */
  retries?: number
  /** First wait between attempts, doubled each time up to retryBackoffMaxMs (retry.backoff.ms, 100). */
  retryBackoffMs?: number
  /** Longest wait between attempts (retry.backoff.max.ms, default 1000). */
  retryBackoffMaxMs?: number
  /** Requests sent on one connection and not yet answered (max.in.flight.requests.per.connection, 5). */
  inFlightMax?: number
  /** Where the SDK logs; silent by default. */
  logger?: Logger
  /** Byte streams to brokers; TCP by default. */
  transport?: Transport
  /** Time for timeouts, backoff and linger; the system clock by default (tests pass a simulated one). */
  clock?: Clock
}

/** One partition of a topic, from Metadata. */
export interface PartitionInfo {
  /** The partition index. */
  partition: number
  /** Node id of the leader, -1 while there is none. */
  leaderId: number
  /** The leader's epoch (bumped at each leader change). */
  leaderEpoch: number
  /** Node ids of the replicas. */
  replicas: number[]
  /** Node ids of the in-sync replicas. */
  isr: number[]
}

/** A topic and its partitions, from Metadata. */
export interface TopicInfo {
  /** The topic name. */
  name: string
  /** The topic id: its 16 bytes in URL-safe base64 without padding, as Kafka's tools print it. */
  topicId: string
  /** True for the broker's own topics (e.g. __consumer_offsets on Kafka). */
  isInternal: boolean
  /** Every partition, by index. */
  partitions: PartitionInfo[]
}

/** A broker of the cluster, from Metadata. */
export interface BrokerInfo {
  /** The broker's node id. */
  nodeId: number
  /** Host clients connect to (its advertised listener). */
  host: string
  /** Port clients connect to. */
  port: number
  /** Its rack, or null when none is configured. */
  rack: string | null
}

function parseBootstrap(bootstrap: string | readonly string[]): Array<{ host: string; port: number }> {
  const list = typeof bootstrap === 'string' ? bootstrap.split(',') : [...bootstrap]
  const out = list
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const colon = s.lastIndexOf(':')
      const host = colon < 0 ? s : s.slice(0, colon).replace(/^\[|\]$/g, '')
      const port = colon < 0 ? 9092 : Number(s.slice(colon + 1))
      if (!Number.isInteger(port) || port <= 0 || port > 65535)
        throw new InvalidArgumentError(`bad bootstrap address '${s}'`)
      return { host, port }
    })
  if (out.length === 0) throw new InvalidArgumentError('bootstrap names no broker')
  return out
}

/** Shared state and connections of one client object. */
export class Cluster {
  readonly clientId: string
  readonly logger: Logger
  readonly clock: Clock
  readonly requestTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly retries: number
  readonly retryBackoffMs: number
  readonly retryBackoffMaxMs: number
  private readonly transport: Transport
  private readonly inFlightMax: number
  private readonly bootstrap: Array<{ host: string; port: number }>
  private readonly brokers = new Map<number, BrokerInfo>()
  private readonly connections = new Map<string, Promise<ClientConnection>>()
  private readonly topics = new Map<string, TopicInfo>()
  private readonly coordinators = new Map<string, number>()
  /** Lookups in progress by topic, so concurrent sends to a new topic ask once. */
  private readonly topicLookups = new Map<string, Promise<TopicInfo>>()
  private bootstrapIndex = 0
  private closed = false
  /** Aborts waits and requests in flight when the client closes. */
  private readonly closeController = new AbortController()
  clusterId: string | null = null
  controllerId = -1

  constructor(options: ClientOptions) {
    this.bootstrap = parseBootstrap(options.bootstrap)
    this.clientId = options.clientId ?? 'brook'
    this.logger = options.logger ?? silentLogger
    this.clock = options.clock ?? new SystemClock()
    this.transport = options.transport ?? new TcpTransport()
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000
    this.retries = options.retries ?? 5
    this.retryBackoffMs = options.retryBackoffMs ?? 100
    this.retryBackoffMaxMs = options.retryBackoffMaxMs ?? 1000
    this.inFlightMax = options.inFlightMax ?? 5
    // Every wait and request listens on the close signal; there can be thousands at once.
    setMaxListeners(0, this.closeController.signal)
  }

  /** Aborted when the client closes. */
  get closeSignal(): AbortSignal {
    return this.closeController.signal
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Throws if the client was closed. */
  assertOpen(what: string): void {
    if (this.closed) throw new ClosedError(`${what} after close()`)
  }

  private async connectTo(host: string, port: number, signal?: AbortSignal): Promise<ClientConnection> {
    const key = `${host}:${port}`
    let found = this.connections.get(key)
    if (found !== undefined) {
      const connection = await found.catch(() => undefined)
      if (connection !== undefined && !connection.isClosed) return connection
      if (this.connections.get(key) === found) this.connections.delete(key)
      found = this.connections.get(key)
      if (found !== undefined) return found
    }
    const opening = ClientConnection.open(this.transport, host, port, {
      clock: this.clock,
      clientId: this.clientId,
      requestTimeoutMs: this.requestTimeoutMs,
      connectTimeoutMs: this.connectTimeoutMs,
      inFlightMax: this.inFlightMax,
      versionCaps,
      logger: this.logger,
      signal: signal ?? this.closeSignal,
    })
    this.connections.set(key, opening)
    opening.then(
      (connection) => {
        if (this.closed) connection.close()
        connection.onClose(() => {
          if (this.connections.get(key) === opening) this.connections.delete(key)
        })
      },
      () => {
        if (this.connections.get(key) === opening) this.connections.delete(key)
      },
    )
    return opening
  }

  /**
   * A connection to any broker: known brokers first, then the bootstrap list in turn. Fails with
   * ConnectionError when none answers within connectTimeoutMs.
   */
  async anyConnection(signal?: AbortSignal): Promise<ClientConnection> {
    const startMs = this.clock.monotonicMs()
    const candidates = [...this.brokers.values(), ...this.bootstrap]
    let lastError: unknown
    for (let attempt = 0; ; attempt++) {
      for (let i = 0; i < candidates.length; i++) {
        const target = candidates[(this.bootstrapIndex + i) % candidates.length]
        try {
          return await this.connectTo(target.host, target.port, signal)
        } catch (error) {
          if (error instanceof AbortError) throw error
          lastError = error
          this.bootstrapIndex++
        }
      }
      const elapsedMs = this.clock.monotonicMs() - startMs
      if (elapsedMs >= this.connectTimeoutMs) break
      await this.sleep(Math.min(this.backoffMs(attempt), this.connectTimeoutMs - elapsedMs), signal)
    }
    const where = this.bootstrap.map((b) => `${b.host}:${b.port}`).join(', ')
    throw new ConnectionError(
      `could not reach any broker (${where}) within ${this.connectTimeoutMs} ms: ${(lastError as Error)?.message}`,
      { cause: lastError },
    )
  }

  /** A connection to broker `nodeId` as Metadata named it. */
  async connectionTo(nodeId: number, signal?: AbortSignal): Promise<ClientConnection> {
    let broker = this.brokers.get(nodeId)
    if (broker === undefined) {
      await this.refreshMetadata([], signal)
      broker = this.brokers.get(nodeId)
      if (broker === undefined)
        throw kafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${nodeId} is not in the metadata`)
    }
    return this.connectTo(broker.host, broker.port, signal)
  }

  /** Sends one request and publishes its timing on the request channel. */
  async send<Q extends MessageDef, S extends MessageDef>(
    connection: ClientConnection,
    api: ClientApi<Q, S>,
    body: MessageInput<Q>,
    options: RequestOptions = {},
  ): Promise<MessageValue<S>> {
    const startMs = channels.request.hasSubscribers ? this.clock.monotonicMs() : 0
    const signal = options.signal ?? this.closeSignal
    try {
      const response = await connection.request(api, body, { ...options, signal })
      if (channels.request.hasSubscribers)
        channels.request.publish({
          apiKey: api.apiKey,
          apiName: api.request.name.replace(/Request$/, ''),
          broker: `${connection.host}:${connection.port}`,
          durationMs: this.clock.monotonicMs() - startMs,
        })
      return response
    } catch (error) {
      if (channels.request.hasSubscribers)
        channels.request.publish({
          apiKey: api.apiKey,
          apiName: api.request.name.replace(/Request$/, ''),
          broker: `${connection.host}:${connection.port}`,
          durationMs: this.clock.monotonicMs() - startMs,
          error,
        })
      throw error
    }
  }

  /** Waits `delayMs`, or rejects with AbortError when `signal` (or the client's close) fires. */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    const signals = [this.closeSignal, signal].filter((s): s is AbortSignal => s !== undefined)
    return new Promise((resolve, reject) => {
      for (const s of signals) if (s.aborted) return reject(new AbortError())
      const onAbort = () => {
        timer.cancel()
        reject(new AbortError())
      }
      const timer = this.clock.setTimeout(() => {
        for (const s of signals) s.removeEventListener('abort', onAbort)
        resolve()
      }, delayMs)
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Exponential backoff with jitter for attempt `attempt` (0-based), in ms. */
  backoffMs(attempt: number): number {
    const base = Math.min(this.retryBackoffMaxMs, this.retryBackoffMs * 2 ** attempt)
    return base * (0.8 + Math.random() * 0.4)
  }

  /**
   * Runs `operation` until it succeeds, retrying retriable failures up to `retries` times with backoff;
   * `onRetry` runs before each retry (to refresh metadata, say).
   */
  async retry<T>(
    operation: (attempt: number) => Promise<T>,
    options: {
      signal?: AbortSignal
      retries?: number
      onRetry?: (error: unknown) => void | Promise<void>
    } = {},
  ): Promise<T> {
    const retries = options.retries ?? this.retries
    for (let attempt = 0; ; attempt++) {
      try {
        return await operation(attempt)
      } catch (error) {
        if (!isRetriable(error) || attempt >= retries || this.closed) throw error
        this.logger.debug('retrying', { attempt: attempt + 1, error: (error as Error).message })
        await this.sleep(this.backoffMs(attempt), options.signal)
        await options.onRetry?.(error)
      }
    }
  }

  /**
   * Asks for metadata of `topics` (all topics for undefined, only brokers for []) and updates what is known.
   * Returns the topics in the answer, including those with an error code.
   */
  async refreshMetadata(
    topics: readonly string[] | undefined,
    signal?: AbortSignal,
    allowAutoTopicCreation = false,
  ): Promise<MessageValue<typeof Api.metadata.response>['topics']> {
    const connection = await this.anyConnection(signal)
    const response = await this.send(
      connection,
      Api.metadata,
      {
        topics: topics === undefined ? null : topics.map((name) => ({ name })),
        allowAutoTopicCreation,
        includeTopicAuthorizedOperations: false,
      },
      { signal },
    )
    for (const broker of response.brokers) {
      this.brokers.set(broker.nodeId, {
        nodeId: broker.nodeId,
        host: broker.host,
        port: broker.port,
        rack: broker.rack,
      })
    }
    this.clusterId = response.clusterId
    this.controllerId = response.controllerId
    for (const topic of response.topics) {
      if (topic.name === null) continue
      if (topic.errorCode !== ErrorCode.NONE) {
        this.topics.delete(topic.name)
        continue
      }
      this.topics.set(topic.name, {
        name: topic.name,
        topicId: topic.topicId,
        isInternal: topic.isInternal,
        partitions: topic.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            leaderId: p.leaderId,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
          }))
          .sort((a, b) => a.partition - b.partition),
      })
    }
    return response.topics
  }

  /** Brokers from the last Metadata answer. */
  knownBrokers(): BrokerInfo[] {
    return [...this.brokers.values()]
  }

  /** Cached metadata of `topic`, or undefined. */
  cachedTopic(topic: string): TopicInfo | undefined {
    return this.topics.get(topic)
  }

  /** Cached topic name for a topic id. */
  topicNameById(topicId: string): string | undefined {
    for (const topic of this.topics.values()) if (topic.topicId === topicId) return topic.name
    return undefined
  }

  /** Forgets cached metadata of `topic`, so the next lookup asks a broker. */
  invalidateTopic(topic: string): void {
    this.topics.delete(topic)
  }

  /**
   * Metadata of `topic`, from the cache or a broker. With `autoCreate`, asks the broker to create it
   * (it does so only if auto.create.topics.enable). Throws KafkaError UNKNOWN_TOPIC_OR_PARTITION when the
   * topic does not exist after the retries.
   */
  async topic(
    topic: string,
    options: { signal?: AbortSignal; autoCreate?: boolean } = {},
  ): Promise<TopicInfo> {
    const cached = this.topics.get(topic)
    if (cached !== undefined) return cached
    const pending = this.topicLookups.get(topic)
    if (pending !== undefined) return pending
    const lookup = this.lookupTopic(topic, options).finally(() => this.topicLookups.delete(topic))
    this.topicLookups.set(topic, lookup)
    return lookup
  }

  private lookupTopic(
    topic: string,
    options: { signal?: AbortSignal; autoCreate?: boolean },
  ): Promise<TopicInfo> {
    return this.retry(
      async () => {
        const answer = await this.refreshMetadata([topic], options.signal, options.autoCreate ?? false)
        const entry = answer.find((t) => t.name === topic)
        if (entry !== undefined && entry.errorCode !== ErrorCode.NONE) {
          // Another client's auto-create raced ours: the topic exists, so ask again.
          if (entry.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS)
            throw kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `topic '${topic}' is being created`)
          throw kafkaError(entry.errorCode, `topic '${topic}'`)
        }
        const info = this.topics.get(topic)
        if (info === undefined || info.partitions.length === 0)
          throw kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `topic '${topic}' has no partitions yet`)
        return info
      },
      { signal: options.signal },
    )
  }

  /** The node id of the coordinator of `key` (keyType 0: group, 1: transaction, 2: share). */
  async coordinatorId(key: string, keyType: number, signal?: AbortSignal): Promise<number> {
    const cacheKey = `${keyType}:${key}`
    const cached = this.coordinators.get(cacheKey)
    if (cached !== undefined) return cached
    return this.retry(
      async () => {
        const connection = await this.anyConnection(signal)
        const response = await this.send(
          connection,
          Api.findCoordinator,
          { key, keyType, coordinatorKeys: [key] },
          { signal },
        )
        let nodeId: number
        let host: string
        let port: number
        if (response.coordinators.length > 0) {
          const c = response.coordinators[0]
          if (c.errorCode !== ErrorCode.NONE)
            throw kafkaError(c.errorCode, `coordinator of '${key}'`, c.errorMessage)
          ;({ nodeId, host, port } = c)
        } else {
          if (response.errorCode !== ErrorCode.NONE)
            throw kafkaError(response.errorCode, `coordinator of '${key}'`, response.errorMessage)
          ;({ nodeId, host, port } = response)
        }
        if (!this.brokers.has(nodeId)) this.brokers.set(nodeId, { nodeId, host, port, rack: null })
        this.coordinators.set(cacheKey, nodeId)
        return nodeId
      },
      { signal },
    )
  }

  /** Forgets a coordinator after NOT_COORDINATOR or a closed connection. */
  invalidateCoordinator(key: string, keyType: number): void {
    this.coordinators.delete(`${keyType}:${key}`)
  }

  /** Closes every connection; waits and requests in flight are aborted. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.closeController.abort(new AbortError('the client was closed'))
    for (const opening of this.connections.values())
      opening.then(
        (c) => c.close(),
        () => undefined,
      )
    this.connections.clear()
  }
}
