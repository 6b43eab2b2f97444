// A running broker: opens metadata, partition logs, the group coordinator and producer ids under the
// data directory, then serves the Kafka protocol on a listener. Composition happens here so that main.ts,
// the in-process test broker and simulations all build the same thing.
import {
  type Clock,
  type FileSystem,
  type Listener,
  type Logger,
  LogLevels,
  type Random,
  SliceScheduler,
  type Transport,
} from '../core/index.js'
import { DecompressionPool } from './decompression-pool.js'
import { DEFAULT_GROUP_MAX_SIZE, GroupCoordinator, topicLookupFromRegistry } from '../groups/index.js'
import { TopicRegistry, BrokerConfig as TopicDefaults } from '../metadata/index.js'
import { TRANSACTION_STATE_DIR, TransactionCoordinator } from '../transactions/index.js'
import { NetworkServer } from '../network/index.js'
import type { BrokerConfig } from './broker-config.js'
import type { BrokerContext } from './broker-context.js'
import { FetchSessionCache } from './fetch-session-cache.js'
import { handlers } from './handlers/index.js'
import { ShareCoordinator } from './share-coordinator.js'
import { PartitionStore } from './partition-store.js'
import { ProducerIdAllocator } from './producer-id-allocator.js'
import { RequestDispatcher } from './request-dispatcher.js'

/**
 * How long a new fetch session is safe from eviction by a larger one, and how long unused before any new
 * session may evict it (Kafka's fixed 120,000 ms, not a config there either).
 */
const FETCH_SESSION_EVICTION_MS = 120_000

export interface BrokerDependencies {
  config: BrokerConfig
  fs: FileSystem
  clock: Clock
  transport: Transport
  logger: Logger
  /** Levels of `logger` that BROKER_LOGGER changes reach; without them changes are kept but reach no logger. */
  logLevels?: LogLevels
  /** Random source for ids (group member ids): io's CryptoRandom in main.ts, seeded in tests. */
  random: Random
}

/** A broker's state without a listener: what handlers need, and how to close it. */
export interface OpenedBrokerContext {
  context: BrokerContext
  dispatcher: RequestDispatcher
  setAdvertisedPort(port: number): void
  /** Closes groups, then logs, then metadata, flushing each. */
  close(): Promise<void>
}

/**
 * Opens metadata, partition logs, the group coordinator and producer ids under the data directory.
 * Broker.start adds a listener; tests call handlers on the context directly.
 */
export async function openBrokerContext(
  deps: Omit<BrokerDependencies, 'transport'>,
): Promise<OpenedBrokerContext> {
  const { config, fs, clock, logger } = deps
  const dataDir = config.dataDir
  await fs.mkdir(dataDir)
  const topicDefaults = new TopicDefaults({
    'num.partitions': String(config.numPartitions),
    'auto.create.topics.enable': String(config.autoCreateTopics),
    'node.id': String(config.nodeId),
    'broker.id': String(config.nodeId),
    // Brook's own settings under their Kafka names, so DescribeConfigs shows what this broker runs with.
    listeners: `PLAINTEXT://${config.host}:${config.port}`,
    'log.dirs': `${dataDir}/logs`,
    'socket.request.max.bytes': String(config.requestBytesMax),
    'connections.max.idle.ms': String(config.connectionsIdleMaxMs),
    'group.initial.rebalance.delay.ms': String(config.groupInitialRebalanceDelayMs),
    // Shown by DescribeConfigs; the coordinator gets the same values below.
    ...(config.groupMaxSize !== DEFAULT_GROUP_MAX_SIZE
      ? { 'group.max.size': String(config.groupMaxSize) }
      : {}),
    ...(config.groupConsumerMaxSize !== DEFAULT_GROUP_MAX_SIZE
      ? { 'group.consumer.max.size': String(config.groupConsumerMaxSize) }
      : {}),
    ...config.topicDefaults,
  })
  const registry = await TopicRegistry.open({
    fileSystem: fs,
    dir: `${dataDir}/metadata`,
    brokerConfig: topicDefaults,
    nodeId: config.nodeId,
    randomBytes: (length: number) => deps.random.bytes(length),
    logger: logger.child({ component: 'metadata' }),
    partitionsPerRequestMax: config.partitionsPerRequestMax,
    partitionsMax: config.partitionsMax,
  })
  const store = await PartitionStore.open({
    fs,
    clock,
    logger,
    topics: registry,
    logsDir: `${dataDir}/logs`,
    flushIntervalMs: config.flushIntervalMs,
    producerIdExpirationMs: topicDefaults.value('producer.id.expiration.ms') as number,
    maxOpenFiles: config.maxOpenSegmentFiles,
    cleaner: {
      enabled: topicDefaults.value('log.cleaner.enable') as boolean,
      backoffMs: topicDefaults.value('log.cleaner.backoff.ms') as number,
      dedupeBufferBytes: topicDefaults.value('log.cleaner.dedupe.buffer.size') as number,
      ioMaxBytesPerSecond: topicDefaults.value('log.cleaner.io.max.bytes.per.second') as number,
    },
  })
  // Dynamic broker configs that are not topic defaults reach the cleaner and producer-id expiry live.
  const unsubscribeBrokerConfigs = registry.subscribeBrokerConfigs(() =>
    store.reconfigure({
      cleanerBackoffMs: topicDefaults.value('log.cleaner.backoff.ms') as number,
      cleanerDedupeBufferBytes: topicDefaults.value('log.cleaner.dedupe.buffer.size') as number,
      cleanerIoMaxBytesPerSecond: topicDefaults.value('log.cleaner.io.max.bytes.per.second') as number,
      producerIdExpirationMs: topicDefaults.value('producer.id.expiration.ms') as number,
    }),
  )
  // The share coordinator opens before the groups: GROUP configs live in its state store, and restoring a
  // consumer group reads them (its members' session timeouts).
  const slices = new SliceScheduler(clock)
  const shares = await ShareCoordinator.open({
    fs,
    clock,
    pause: () => slices.turn(),
    logger,
    dataDir,
    config,
    topics: registry,
    partitions: store,
  })
  const groups = await GroupCoordinator.open({
    fs,
    clock,
    dir: `${dataDir}/groups`,
    logger: logger.child({ component: 'groups' }),
    topics: topicLookupFromRegistry(registry),
    random: deps.random,
    initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    consumerSessionTimeoutMs: config.groupConsumerSessionTimeoutMs,
    consumerHeartbeatIntervalMs: config.groupConsumerHeartbeatIntervalMs,
    groupConfig: (groupId, name) => shares.groupConfigOverride(groupId, name),
    classicGroupMaxSize: config.groupMaxSize,
    consumerGroupMaxSize: config.groupConsumerMaxSize,
    groupsMax: config.groupsMax,
    groupOffsetsMax: config.groupOffsetsMax,
    offsetsMax: config.offsetsMax,
  })
  const producerIds = await ProducerIdAllocator.open(fs, dataDir)
  const transactions = await TransactionCoordinator.open({
    fs,
    dir: `${dataDir}/${TRANSACTION_STATE_DIR}`,
    clock,
    logger: logger.child({ component: 'transactions' }),
    allocateProducerId: () => producerIds.allocate(),
    writeMarker: (topic, partition, marker) => store.writeTxnMarker(topic, partition, marker),
    completeGroupTransaction: (groupId, producerId, producerEpoch, commit) =>
      groups.completeTransaction(groupId, producerId, producerEpoch, commit),
    transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
    transactionalIdExpirationMs: config.transactionalIdExpirationMs,
    transactionalIdsMax: config.transactionalIdsMax,
    partitionsPerTransactionMax: config.transactionPartitionsMax,
  })
  const dispatcher = new RequestDispatcher(handlers, logger, {
    requestElementsMax: config.requestElementsMax,
    answerBytesMax: config.answerBytesMax,
  })
  let advertisedPort = config.advertisedPort ?? config.port
  const context: BrokerContext = {
    config,
    get advertisedPort() {
      return advertisedPort
    },
    clusterId: registry.clusterId,
    clock,
    logger,
    logLevels: deps.logLevels ?? new LogLevels(config.logLevel),
    topics: registry,
    partitions: store,
    groups,
    shares,
    producerIds,
    transactions,
    slices,
    decompression: new DecompressionPool(
      config.produceDecompressedBytesInFlightMax,
      clock,
      config.produceDecompressedWaitMaxMs,
    ),
    fetchSessions: new FetchSessionCache({
      slotsMax: config.fetchSessionCacheSlots,
      evictionMs: FETCH_SESSION_EVICTION_MS,
      random: deps.random,
    }),
    advertised: () => dispatcher.advertised(),
  }
  return {
    context,
    dispatcher,
    setAdvertisedPort: (port) => {
      advertisedPort = port
    },
    close: async () => {
      await transactions.close()
      unsubscribeBrokerConfigs()
      await groups.close()
      await shares.close()
      await store.close()
      await registry.close()
    },
  }
}

export class Broker {
  readonly context: BrokerContext
  private readonly listener: Listener
  private readonly network: NetworkServer
  private readonly closeContext: () => Promise<void>
  private closing: Promise<void> | undefined

  private constructor(
    context: BrokerContext,
    listener: Listener,
    closeContext: () => Promise<void>,
    network: NetworkServer,
  ) {
    this.network = network
    this.context = context
    this.listener = listener
    this.closeContext = closeContext
  }

  /** The port the listener is bound to. */
  get port(): number {
    return this.listener.port
  }

  static async start(deps: BrokerDependencies): Promise<Broker> {
    const { config, transport, logger, clock } = deps
    const opened = await openBrokerContext(deps)
    const { context, dispatcher } = opened
    const network = new NetworkServer((frame, owner) => dispatcher.dispatch(frame, owner.session, context), {
      listener: 'PLAINTEXT',
      clock,
      logger,
      frameBytesMax: config.requestBytesMax,
      inFlightMax: config.inFlightRequestsMax,
      connectionsMax: config.connectionsMax,
      connectionsPerIpMax: config.connectionsPerIpMax,
      idleMaxMs: config.connectionsIdleMaxMs,
      requestBytesQueuedMax: config.requestBytesQueuedMax,
      responseBytesQueuedMax: config.responseBytesQueuedMax,
      responseBytesQueuedTotalMax: config.responseBytesQueuedTotalMax,
      closeDrainMs: config.connectionCloseDrainMs,
    })
    let listener: Listener
    try {
      listener = await transport.listen(config.host, config.port, (connection) => {
        network.accept(connection)
      })
    } catch (error) {
      // The port is taken or not ours: close what was opened so its timers do not keep the process alive.
      await opened.close()
      throw error
    }
    if (config.advertisedPort === undefined) opened.setAdvertisedPort(listener.port)
    return new Broker(context, listener, opened.close, network)
  }

  /** Stops listening, closes connections, then flushes and closes groups, logs and metadata. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.listener.close()
      this.network.closeAll()
      await this.closeContext()
    })()
    return this.closing
  }
}
