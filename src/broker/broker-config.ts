// Broker settings: defaults, then a config file, then environment variables, then command-line flags,
// each overriding the one before. Pure: the caller reads the file and passes its text.
import { ConfigError } from '../core/index.js'
import type { LogLevel } from '../core/index.js'
import { parseShareAutoOffsetReset } from '../share-partitions/index.js'
import { REQUEST_ELEMENTS_MAX_DEFAULT } from '../protocol/index.js'

/** Every setting of a Brook broker process. */
export interface BrokerConfig {
  /** Address to listen on. */
  host: string
  port: number
  /** Host name clients are told to connect to (Metadata); defaults to `host`, or localhost for 0.0.0.0. */
  advertisedHost: string
  /** Advertised port; defaults to `port` (after binding, when port 0 was asked for). */
  advertisedPort: number | undefined
  /** Directory holding topics and logs. */
  dataDir: string
  /** Keep everything in memory; nothing is written to disk. */
  memory: boolean
  /** Serve the web console, /metrics, /healthz and /readyz over HTTP on `host`:consolePort. */
  console: boolean
  /** Port of the HTTP listener (0 picks a free one). */
  consolePort: number
  /** The web console refuses changes (create topic, produce, reset offsets, redrive). */
  consoleReadOnly: boolean
  /** Topics that get their own label in metrics; the rest are summed under topic="_other". */
  metricsTopicsMax: number
  /** Consumer groups whose lag is reported; the rest are counted in brook_consumer_groups_untracked. */
  metricsGroupsMax: number
  nodeId: number
  logLevel: LogLevel
  /** Metadata requests for unknown topics create them (Kafka's auto.create.topics.enable). */
  autoCreateTopics: boolean
  /** Partitions of an auto-created topic, and of CreateTopics with -1 (num.partitions). */
  numPartitions: number
  /** Most partitions one topic creation or CreatePartitions may add (Kafka's fixed 10,000 per request). */
  partitionsPerRequestMax: number
  /** Most partitions of all topics together on this broker. */
  partitionsMax: number
  /** Largest request frame accepted, in bytes (socket.request.max.bytes). */
  requestBytesMax: number
  /** Array elements of one request, all arrays together; a request with more closes its connection. */
  requestElementsMax: number
  /** Bytes one answer may encode (fetched record batches not counted); a larger one closes the connection. */
  answerBytesMax: number
  /** Bytes the compressed batches of one Produce request may inflate to, all partitions together. */
  produceDecompressedBytesMax: number
  /** Decompressed bytes in flight across all Produce requests of the broker (#7); a batch waits for room. */
  produceDecompressedBytesInFlightMax: number
  /** How long a batch waits for that room before it is answered REQUEST_TIMED_OUT (retriable). */
  produceDecompressedWaitMaxMs: number
  /** Requests per connection read ahead of their responses before reading pauses. */
  inFlightRequestsMax: number
  /** Longest a Fetch long-polls, whatever its MaxWaitMs asks, in ms. */
  fetchWaitMaxMs: number
  /** Incremental fetch sessions kept (max.incremental.fetch.session.cache.slots); 0 turns them off. */
  fetchSessionCacheSlots: number
  /** Open client connections, in total (max.connections) and per client address (max.connections.per.ip). */
  connectionsMax: number
  connectionsPerIpMax: number
  /**
   * A connection with no whole request received and no output drained for this long is closed
   * (connections.max.idle.ms); a frame trickled in slowly does not count as activity.
   */
  connectionsIdleMaxMs: number
  /**
   * Broker-wide bytes of requests being read into their own buffers or being processed
   * (queued.max.request.bytes); reading a large frame waits for room. At least request-bytes-max.
   */
  requestBytesQueuedMax: number
  /** Response bytes queued on one connection beyond which its further requests wait. */
  responseBytesQueuedMax: number
  /** Response bytes queued on all connections beyond which Fetches wait (except on drained connections). */
  responseBytesQueuedTotalMax: number
  /** How long a closing connection may take to deliver its last responses before it is cut, in ms. */
  connectionCloseDrainMs: number
  /** Broker-level defaults for topic configs, by Kafka topic config name (e.g. retention.ms). */
  topicDefaults: Record<string, string>
  /** Wait before the first rebalance of a new classic group completes (group.initial.rebalance.delay.ms). */
  groupInitialRebalanceDelayMs: number
  /** KIP-848 consumer groups: session timeout and heartbeat interval (group.consumer.*), in ms. */
  groupConsumerSessionTimeoutMs: number
  groupConsumerHeartbeatIntervalMs: number
  /** Members of one classic group (group.max.size) and of one KIP-848 group (group.consumer.max.size). */
  groupMaxSize: number
  groupConsumerMaxSize: number
  /** Groups this broker holds; creating one more gets GROUP_MAX_SIZE_REACHED. */
  groupsMax: number
  /** Committed offsets per group and per broker; commits beyond get INVALID_COMMIT_OFFSET_SIZE. */
  groupOffsetsMax: number
  offsetsMax: number
  /** Transactions (Kafka's transaction.max.timeout.ms, transactional.id.expiration.ms), and Brook's bounds
   * on transactional ids kept and on partitions and groups in one transaction. */
  transactionMaxTimeoutMs: number
  transactionalIdExpirationMs: number
  transactionalIdsMax: number
  transactionPartitionsMax: number
  /** Background flush interval for data acknowledged before fsync (acks 0 and 1), in ms. */
  flushIntervalMs: number
  /** Segment files open at once across all partitions; opened on demand, least recently used closed. */
  maxOpenSegmentFiles: number
  /** Share groups (KIP-932), Kafka's group.share.* settings: lock duration (ms), delivery count limit,
   * offsets in flight per share-partition, open share sessions, members per group, session timeout and
   * heartbeat interval (ms), and where a new share-partition starts (share.auto.offset.reset). */
  shareRecordLockDurationMs: number
  shareDeliveryCountLimit: number
  sharePartitionMaxRecordLocks: number
  shareMaxShareSessions: number
  shareGroupMaxSize: number
  shareSessionTimeoutMs: number
  shareHeartbeatIntervalMs: number
  shareAutoOffsetReset: string
  /** Delayed redelivery (beyond Kafka, decision 0003): a released record waits this long after its first
   * delivery, doubling with each further one up to the ceiling (ms); 0 turns it off (the default). */
  shareRedeliveryBackoffMs: number
  shareRedeliveryBackoffMaxMs: number
  /** Topics one share member may subscribe to (a bound on a client-sized list). */
  shareSubscribedTopicsMax: number
}

export function defaultBrokerConfig(dataDir: string): BrokerConfig {
  return {
    host: '127.0.0.1',
    port: 9092,
    advertisedHost: '',
    advertisedPort: undefined,
    dataDir,
    memory: false,
    console: true,
    consolePort: 9093,
    consoleReadOnly: false,
    metricsTopicsMax: 1000,
    metricsGroupsMax: 1000,
    nodeId: 1,
    logLevel: 'info',
    autoCreateTopics: true,
    numPartitions: 1,
    partitionsPerRequestMax: 10000,
    partitionsMax: 10000,
    requestBytesMax: 104857600,
    requestElementsMax: REQUEST_ELEMENTS_MAX_DEFAULT,
    answerBytesMax: 67108864,
    produceDecompressedBytesMax: 268435456,
    produceDecompressedBytesInFlightMax: 268435456,
    produceDecompressedWaitMaxMs: 10000,
    inFlightRequestsMax: 100,
    fetchWaitMaxMs: 30000,
    fetchSessionCacheSlots: 1000,
    connectionsMax: 10000,
    connectionsPerIpMax: 1000,
    connectionsIdleMaxMs: 600000,
    requestBytesQueuedMax: 268435456,
    responseBytesQueuedMax: 33554432,
    responseBytesQueuedTotalMax: 536870912,
    connectionCloseDrainMs: 10000,
    topicDefaults: {},
    flushIntervalMs: 1000,
    maxOpenSegmentFiles: 1000,
    groupInitialRebalanceDelayMs: 3000,
    groupConsumerSessionTimeoutMs: 45000,
    groupConsumerHeartbeatIntervalMs: 5000,
    // The groups/ defaults (DEFAULT_GROUP_MAX_SIZE, DEFAULT_GROUPS_MAX, DEFAULT_OFFSET_STORE_LIMITS).
    groupMaxSize: 1000,
    groupConsumerMaxSize: 1000,
    groupsMax: 100_000,
    groupOffsetsMax: 100_000,
    offsetsMax: 1_000_000,
    // The transactions/ defaults (Kafka's, and TRANSACTIONAL_IDS_MAX_DEFAULT, TRANSACTION_PARTITIONS_MAX_DEFAULT).
    transactionMaxTimeoutMs: 900_000,
    transactionalIdExpirationMs: 604_800_000,
    transactionalIdsMax: 100_000,
    transactionPartitionsMax: 10_000,
    // Kafka 4.4's defaults (decision 0003).
    shareRecordLockDurationMs: 30000,
    shareDeliveryCountLimit: 5,
    sharePartitionMaxRecordLocks: 2000,
    shareMaxShareSessions: 2000,
    shareGroupMaxSize: 200,
    shareSessionTimeoutMs: 45000,
    shareHeartbeatIntervalMs: 5000,
    shareAutoOffsetReset: 'latest',
    shareRedeliveryBackoffMs: 0,
    shareRedeliveryBackoffMaxMs: 60000,
    shareSubscribedTopicsMax: 10000,
  }
}

const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

type Setter = (config: BrokerConfig, value: string) => void

function integer(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ConfigError(`${name} must be an integer in ${min}..${max}, got '${value}'`)
    return n
  }
}

function boolean(name: string): (value: string) => boolean {
  return (value) => {
    const v = value.trim().toLowerCase()
    if (v === 'true' || v === '1' || v === 'yes') return true
    if (v === 'false' || v === '0' || v === 'no') return false
    throw new ConfigError(`${name} must be true or false, got '${value}'`)
  }
}

/** Settings by their file/flag name; environment variables are BROOK_ + upper snake case of the name. */
const settings: Record<string, Setter> = {
  host: (c, v) => (c.host = v),
  port: (c, v) => (c.port = integer('port', 0, 65535)(v)),
  'advertised-host': (c, v) => (c.advertisedHost = v),
  'advertised-port': (c, v) => (c.advertisedPort = integer('advertised-port', 1, 65535)(v)),
  'data-dir': (c, v) => (c.dataDir = v),
  memory: (c, v) => (c.memory = boolean('memory')(v)),
  console: (c, v) => (c.console = boolean('console')(v)),
  'console-port': (c, v) => (c.consolePort = integer('console-port', 0, 65535)(v)),
  'console-read-only': (c, v) => (c.consoleReadOnly = boolean('console-read-only')(v)),
  'metrics-topics-max': (c, v) => (c.metricsTopicsMax = integer('metrics-topics-max', 1, 1000000)(v)),
  'metrics-groups-max': (c, v) => (c.metricsGroupsMax = integer('metrics-groups-max', 1, 1000000)(v)),
  'node-id': (c, v) => (c.nodeId = integer('node-id', 0, 2147483647)(v)),
  'log-level': (c, v) => {
    if (!logLevels.includes(v as LogLevel))
      throw new ConfigError(`log-level must be one of ${logLevels.join(', ')}`)
    c.logLevel = v as LogLevel
  },
  'auto-create-topics': (c, v) => (c.autoCreateTopics = boolean('auto-create-topics')(v)),
  'num-partitions': (c, v) => (c.numPartitions = integer('num-partitions', 1, 100000)(v)),
  'max-partitions-per-request': (c, v) =>
    (c.partitionsPerRequestMax = integer('max-partitions-per-request', 1, 1000000)(v)),
  'max-partitions': (c, v) => (c.partitionsMax = integer('max-partitions', 1, 1000000)(v)),
  'request-bytes-max': (c, v) => (c.requestBytesMax = integer('request-bytes-max', 1024, 2147483647)(v)),
  'request-elements-max': (c, v) =>
    (c.requestElementsMax = integer('request-elements-max', 1000, 2147483647)(v)),
  'answer-bytes-max': (c, v) => (c.answerBytesMax = integer('answer-bytes-max', 65536, 2147483647)(v)),
  'produce-decompressed-bytes-max': (c, v) =>
    (c.produceDecompressedBytesMax = integer(
      'produce-decompressed-bytes-max',
      1048576,
      Number.MAX_SAFE_INTEGER,
    )(v)),
  'produce-decompressed-bytes-in-flight-max': (c, v) =>
    (c.produceDecompressedBytesInFlightMax = integer(
      'produce-decompressed-bytes-in-flight-max',
      1048576,
      Number.MAX_SAFE_INTEGER,
    )(v)),
  'produce-decompressed-wait-max-ms': (c, v) =>
    (c.produceDecompressedWaitMaxMs = integer('produce-decompressed-wait-max-ms', 0, 3600000)(v)),
  'in-flight-requests-max': (c, v) =>
    (c.inFlightRequestsMax = integer('in-flight-requests-max', 1, 100000)(v)),
  'fetch-wait-max-ms': (c, v) => (c.fetchWaitMaxMs = integer('fetch-wait-max-ms', 0, 3600000)(v)),
  'max-incremental-fetch-session-cache-slots': (c, v) =>
    (c.fetchSessionCacheSlots = integer('max-incremental-fetch-session-cache-slots', 0, 2147483647)(v)),
  'max-connections': (c, v) => (c.connectionsMax = integer('max-connections', 1, 2147483647)(v)),
  'max-connections-per-ip': (c, v) =>
    (c.connectionsPerIpMax = integer('max-connections-per-ip', 1, 2147483647)(v)),
  'connections-max-idle-ms': (c, v) =>
    (c.connectionsIdleMaxMs = integer('connections-max-idle-ms', 100, 2147483647)(v)),
  'queued-max-request-bytes': (c, v) =>
    (c.requestBytesQueuedMax = integer('queued-max-request-bytes', 1024, Number.MAX_SAFE_INTEGER)(v)),
  'response-bytes-queued-max': (c, v) =>
    (c.responseBytesQueuedMax = integer('response-bytes-queued-max', 1024, Number.MAX_SAFE_INTEGER)(v)),
  'response-bytes-queued-total-max': (c, v) =>
    (c.responseBytesQueuedTotalMax = integer(
      'response-bytes-queued-total-max',
      1024,
      Number.MAX_SAFE_INTEGER,
    )(v)),
  'connection-close-drain-ms': (c, v) =>
    (c.connectionCloseDrainMs = integer('connection-close-drain-ms', 0, 3600000)(v)),
  'group-initial-rebalance-delay-ms': (c, v) =>
    (c.groupInitialRebalanceDelayMs = integer('group-initial-rebalance-delay-ms', 0, 300000)(v)),
  'group-consumer-session-timeout-ms': (c, v) =>
    (c.groupConsumerSessionTimeoutMs = integer('group-consumer-session-timeout-ms', 1000, 3600000)(v)),
  'group-consumer-heartbeat-interval-ms': (c, v) =>
    (c.groupConsumerHeartbeatIntervalMs = integer('group-consumer-heartbeat-interval-ms', 100, 3600000)(v)),
  'group-max-size': (c, v) => (c.groupMaxSize = integer('group-max-size', 1, 2147483647)(v)),
  'group-consumer-max-size': (c, v) =>
    (c.groupConsumerMaxSize = integer('group-consumer-max-size', 1, 2147483647)(v)),
  'groups-max': (c, v) => (c.groupsMax = integer('groups-max', 1, 2147483647)(v)),
  'group-offsets-max': (c, v) => (c.groupOffsetsMax = integer('group-offsets-max', 1, 2147483647)(v)),
  'offsets-max': (c, v) => (c.offsetsMax = integer('offsets-max', 1, 2147483647)(v)),
  'transaction-max-timeout-ms': (c, v) =>
    (c.transactionMaxTimeoutMs = integer('transaction-max-timeout-ms', 1, 2147483647)(v)),
  'transactional-id-expiration-ms': (c, v) =>
    (c.transactionalIdExpirationMs = integer('transactional-id-expiration-ms', 1, 2147483647)(v)),
  'transactional-ids-max': (c, v) =>
    (c.transactionalIdsMax = integer('transactional-ids-max', 1, 2147483647)(v)),
  'transaction-partitions-max': (c, v) =>
    (c.transactionPartitionsMax = integer('transaction-partitions-max', 1, 2147483647)(v)),
  'flush-interval-ms': (c, v) => (c.flushIntervalMs = integer('flush-interval-ms', 1, 86400000)(v)),
  'max-open-segment-files': (c, v) =>
    (c.maxOpenSegmentFiles = integer('max-open-segment-files', 1, 1000000)(v)),
  'share-record-lock-duration-ms': (c, v) =>
    (c.shareRecordLockDurationMs = integer('share-record-lock-duration-ms', 1000, 3600000)(v)),
  'share-delivery-count-limit': (c, v) =>
    (c.shareDeliveryCountLimit = integer('share-delivery-count-limit', 2, 10)(v)),
  'share-partition-max-record-locks': (c, v) =>
    (c.sharePartitionMaxRecordLocks = integer('share-partition-max-record-locks', 100, 10000)(v)),
  'share-max-share-sessions': (c, v) =>
    (c.shareMaxShareSessions = integer('share-max-share-sessions', 1, 1000000)(v)),
  'share-group-max-size': (c, v) => (c.shareGroupMaxSize = integer('share-group-max-size', 1, 1000)(v)),
  'share-session-timeout-ms': (c, v) =>
    (c.shareSessionTimeoutMs = integer('share-session-timeout-ms', 1000, 3600000)(v)),
  'share-heartbeat-interval-ms': (c, v) =>
    (c.shareHeartbeatIntervalMs = integer('share-heartbeat-interval-ms', 100, 3600000)(v)),
  'share-redelivery-backoff-ms': (c, v) =>
    (c.shareRedeliveryBackoffMs = integer('share-redelivery-backoff-ms', 0, 86400000)(v)),
  'share-redelivery-backoff-max-ms': (c, v) =>
    (c.shareRedeliveryBackoffMaxMs = integer('share-redelivery-backoff-max-ms', 0, 86400000)(v)),
  'share-subscribed-topics-max': (c, v) =>
    (c.shareSubscribedTopicsMax = integer('share-subscribed-topics-max', 1, 100000)(v)),
  'share-auto-offset-reset': (c, v) => {
    if (parseShareAutoOffsetReset(v) === null)
      throw new ConfigError(
        `share-auto-offset-reset must be latest, earliest or by_duration:<ISO-8601>, got '${v}'`,
      )
    c.shareAutoOffsetReset = v
  },
}

/** Kafka broker property names accepted in config files as aliases. */
const kafkaAliases: Record<string, string> = {
  'auto.create.topics.enable': 'auto-create-topics',
  'num.partitions': 'num-partitions',
  'socket.request.max.bytes': 'request-bytes-max',
  'node.id': 'node-id',
  'max.connections': 'max-connections',
  'max.incremental.fetch.session.cache.slots': 'max-incremental-fetch-session-cache-slots',
  'max.connections.per.ip': 'max-connections-per-ip',
  'connections.max.idle.ms': 'connections-max-idle-ms',
  'queued.max.request.bytes': 'queued-max-request-bytes',
  'log.dirs': 'data-dir',
  'log.dir': 'data-dir',
  'group.initial.rebalance.delay.ms': 'group-initial-rebalance-delay-ms',
  'group.consumer.session.timeout.ms': 'group-consumer-session-timeout-ms',
  'group.consumer.heartbeat.interval.ms': 'group-consumer-heartbeat-interval-ms',
  'group.max.size': 'group-max-size',
  'group.consumer.max.size': 'group-consumer-max-size',
  'brook.log.max.open.files': 'max-open-segment-files',
  'group.share.record.lock.duration.ms': 'share-record-lock-duration-ms',
  'group.share.delivery.count.limit': 'share-delivery-count-limit',
  'group.share.partition.max.record.locks': 'share-partition-max-record-locks',
  'group.share.max.share.sessions': 'share-max-share-sessions',
  'group.share.max.size': 'share-group-max-size',
  'group.share.session.timeout.ms': 'share-session-timeout-ms',
  'group.share.heartbeat.interval.ms': 'share-heartbeat-interval-ms',
  'share.auto.offset.reset': 'share-auto-offset-reset',
  'group.share.redelivery.backoff.ms': 'share-redelivery-backoff-ms',
  'group.share.redelivery.backoff.max.ms': 'share-redelivery-backoff-max-ms',
  'transaction.max.timeout.ms': 'transaction-max-timeout-ms',
  'transactional.id.expiration.ms': 'transactional-id-expiration-ms',
}

/** Names of the settings, for help text. */
export const brokerSettingNames: readonly string[] = Object.keys(settings)

function apply(config: BrokerConfig, name: string, value: string, source: string): void {
  const key = kafkaAliases[name] ?? name
  const setter = settings[key]
  if (setter !== undefined) {
    setter(config, value)
    return
  }
  // Kafka's log.* and topic config names set broker-wide topic defaults (retention.ms, segment.bytes...).
  if (/^[a-z]+(\.[a-z]+)+$/.test(name)) {
    config.topicDefaults[name] = value
    return
  }
  throw new ConfigError(`unknown setting '${name}' in ${source}`)
}

/**
 * Parses a config file: JSON (an object of settings) or Java properties (`name=value` lines, `#`
 * comments).
 */
export function parseConfigFile(text: string, path: string): Record<string, string> {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch (error) {
      throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`)
    }
    const result: Record<string, string> = {}
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      result[key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] = String(value)
    }
    return result
  }
  const result: Record<string, string> = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    const eq = line.search(/[=:]/)
    if (eq === -1) throw new ConfigError(`${path}: expected name=value, got '${line}'`)
    result[line.slice(0, eq).trim()] = line.slice(eq + 1).trim()
  }
  return result
}

/** Builds the config from defaults, file settings, environment and flags (later ones win). */
export function resolveBrokerConfig(options: {
  defaultDataDir: string
  file?: Record<string, string>
  filePath?: string
  env?: Record<string, string | undefined>
  flags?: Record<string, string | boolean | undefined>
}): BrokerConfig {
  const config = defaultBrokerConfig(options.defaultDataDir)
  for (const [name, value] of Object.entries(options.file ?? {}))
    apply(config, name, value, options.filePath ?? 'config file')
  for (const name of brokerSettingNames) {
    const envName = `BROOK_${name.toUpperCase().replace(/-/g, '_')}`
    const value = options.env?.[envName]
    if (value !== undefined && value !== '') apply(config, name, value, `environment variable ${envName}`)
  }
  for (const [name, value] of Object.entries(options.flags ?? {})) {
    if (value === undefined) continue
    apply(config, name, String(value), `flag --${name}`)
  }
  if (config.advertisedHost === '') {
    config.advertisedHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  }
  if (config.requestBytesQueuedMax < config.requestBytesMax) {
    // One frame of the largest size must fit, or it would wait for room that never comes.
    throw new ConfigError(
      `queued-max-request-bytes (${config.requestBytesQueuedMax}) must be at least request-bytes-max (${config.requestBytesMax})`,
    )
  }
  return config
}
