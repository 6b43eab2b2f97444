// The topic registry: every topic's name, id, partition count, replication factor and config overrides,
// with Kafka's rules for creating, deleting, growing and reconfiguring topics. Each change is durable in
// the metadata state log (storage's StateLog, under `<dir>/state/`) before its call resolves; start-up
// replays it to the same state, migrating the files of the format before it.

import {
  assert,
  ClosedError,
  CorruptDataError,
  type FileSystem,
  type Logger,
  silentLogger,
  quoted,
} from '../core/index.js'
import { StateLog, type StateRecord } from '../storage/index.js'
import {
  applyBrokerConfigChanges,
  BrokerConfig,
  type BrokerConfigScope,
  type DynamicBrokerConfigs,
  validateBrokerConfigReplacement,
} from './broker-configs.js'
import { type RandomBytes, randomKafkaUuid } from './kafka-uuid.js'
import { hasLegacyMetadata, readLegacyMetadata, removeLegacyMetadata } from './legacy-metadata-log.js'
import { loadOrCreateMetaProperties } from './meta-properties.js'
import { failure, MetadataErrorCode, type MetadataFailure } from './metadata-error-code.js'
import {
  applyIncrementalAlterOps,
  type ConfigEntryInput,
  checkTopicConfigRules,
  type EffectiveTopicConfig,
  type IncrementalAlterInput,
  resolveTopicConfig,
  type TopicConfigOverrides,
  type TopicLogSettings,
  topicLogSettings,
  validateTopicConfigOverrides,
} from './topic-configs.js'

/**
 * Most partitions one change may create: a topic's partition count, or the partitions CreatePartitions
 * adds. Kafka's controller refuses more than 10,000 per request the same way (POLICY_VIOLATION).
 */
export const PARTITIONS_PER_REQUEST_MAX_DEFAULT = 10_000
/** Most partitions of all topics together on this broker; every partition is a directory of files. */
export const PARTITIONS_MAX_DEFAULT = 10_000

/** Longest legal topic name, in characters (inclusive). */
export const TOPIC_NAME_LENGTH_MAX = 249

/** A topic as the registry holds it. Immutable: a change produces a new object. */
export interface TopicMetadata {
  readonly name: string
  /** 22-char base64url text of the 16-byte topic id; never all zeros. */
  readonly topicId: string
  /** Partitions are numbered 0 to partitionCount - 1. */
  readonly partitionCount: number
  /** Always 1: Brook is a single node. */
  readonly replicationFactor: number
  /** Config overrides set on the topic (canonical text). */
  readonly configs: TopicConfigOverrides
}

/** A successful registry change, with the topic as it is after the change (or before, for a delete). */
export interface RegistrySuccess {
  readonly ok: true
  readonly topic: TopicMetadata
}

/** The outcome of a registry change: success, or a Kafka error to answer the client with. */
export type RegistryResult = RegistrySuccess | MetadataFailure

/** A CreateTopics topic. -1 (or absent) partitions or replication factor means the broker default. */
export interface CreateTopicRequest {
  readonly name: string
  readonly numPartitions?: number
  readonly replicationFactor?: number
  readonly configs?: readonly ConfigEntryInput[]
}

/** Options for a change. With validateOnly the change is checked but neither applied nor logged. */
export interface ChangeOptions {
  readonly validateOnly?: boolean
}

/** A change the registry applied, for listeners (storage creating or dropping partition logs). */
export type TopicChange =
  | { readonly type: 'created'; readonly topic: TopicMetadata }
  | { readonly type: 'deleted'; readonly topic: TopicMetadata }
  | {
      readonly type: 'partitions-added'
      readonly topic: TopicMetadata
      readonly previousPartitionCount: number
    }
  | { readonly type: 'configs-changed'; readonly topic: TopicMetadata }

/** Called synchronously after each applied (durable) change; must not throw. */
export type TopicChangeListener = (change: TopicChange) => void

/** Options of TopicRegistry.open. */
export interface TopicRegistryOptions {
  readonly fileSystem: FileSystem
  /** Directory holding meta.properties and the state log's directory `state/`. */
  readonly dir: string
  /** Static broker configuration (defaults for topics, num.partitions ...). */
  readonly brokerConfig?: BrokerConfig
  /** Random source for topic and cluster ids (the composition passes the Random port's bytes). */
  readonly randomBytes: RandomBytes
  /** Snapshot the state log once this many bytes were logged since the last snapshot. Default 1 MiB. */
  readonly compactAfterBytes?: number
  /** Most partitions a topic creation or a CreatePartitions may add (PARTITIONS_PER_REQUEST_MAX_DEFAULT). */
  readonly partitionsPerRequestMax?: number
  /** Most partitions of all topics together (PARTITIONS_MAX_DEFAULT). */
  readonly partitionsMax?: number
  /** Where recovery and migration are reported; silent by default. */
  readonly logger?: Logger
  /** This node's id; default 1. */
  readonly nodeId?: number
}

type MetadataRecord =
  | {
      readonly type: 'create-topic'
      readonly name: string
      readonly topicId: string
      readonly partitionCount: number
      readonly replicationFactor: number
      readonly configs: TopicConfigOverrides
    }
  | { readonly type: 'delete-topic'; readonly name: string; readonly topicId: string }
  | { readonly type: 'set-partition-count'; readonly name: string; readonly partitionCount: number }
  | { readonly type: 'set-topic-configs'; readonly name: string; readonly configs: TopicConfigOverrides }

/** The snapshot of the format before the state log (read only to migrate). */
interface SnapshotState {
  readonly topics: readonly TopicMetadata[]
}

/** Sub-directory of the metadata directory holding the state log. */
export const METADATA_STATE_DIR = 'state'

/** The state-log record type of a topic: key = topic name, value = the topic without its name, or null. */
const TOPIC_RECORD = 'topic'

type StoredTopic = Omit<TopicMetadata, 'name'>

function topicRecord(name: string, topic: TopicMetadata | undefined): StateRecord {
  if (topic === undefined) return { type: TOPIC_RECORD, key: name, value: null }
  const value: StoredTopic = {
    topicId: topic.topicId,
    partitionCount: topic.partitionCount,
    replicationFactor: topic.replicationFactor,
    configs: topic.configs,
  }
  return { type: TOPIC_RECORD, key: name, value }
}

/**
 * The state-log record type of dynamic broker configs: key = '' for the cluster-wide default or the node
 * id's text, value = `{ configs }` (name to canonical text), or null once none is set.
 */
const BROKER_CONFIG_RECORD = 'broker-config'

function brokerConfigRecord(entity: string, configs: DynamicBrokerConfigs): StateRecord {
  return {
    type: BROKER_CONFIG_RECORD,
    key: entity,
    value: Object.keys(configs).length === 0 ? null : { configs },
  }
}

/** Applies a replayed dynamic-broker-config record to `entities` (entity name -> configs). */
function replayBrokerConfigRecord(entities: Map<string, DynamicBrokerConfigs>, record: StateRecord): void {
  if (record.value === null) {
    entities.delete(record.key)
    return
  }
  const { configs } = record.value as { configs?: unknown }
  if (
    typeof configs !== 'object' ||
    configs === null ||
    !Object.values(configs).every((value) => typeof value === 'string')
  ) {
    throw new CorruptDataError(`metadata state log: malformed broker configs ${JSON.stringify(record.key)}`)
  }
  entities.set(record.key, configs as DynamicBrokerConfigs)
}

/** The outcome of a change to dynamic broker configs. */
export type BrokerConfigResult = { readonly ok: true } | MetadataFailure

/** Called after dynamic broker configs changed (durably); must not throw. */
export type BrokerConfigListener = () => void

/** Applies a replayed state record to `topics` (name -> topic); later records win. */
function replayTopicRecord(
  topics: Map<string, TopicMetadata>,
  brokerEntities: Map<string, DynamicBrokerConfigs>,
  record: StateRecord,
): void {
  if (record.type === BROKER_CONFIG_RECORD) {
    replayBrokerConfigRecord(brokerEntities, record)
    return
  }
  if (record.type !== TOPIC_RECORD) {
    throw new CorruptDataError(`metadata state log: unknown record type ${JSON.stringify(record.type)}`)
  }
  if (record.value === null) {
    topics.delete(record.key)
    return
  }
  const value = record.value as StoredTopic
  if (
    typeof value.topicId !== 'string' ||
    !Number.isInteger(value.partitionCount) ||
    !Number.isInteger(value.replicationFactor) ||
    typeof value.configs !== 'object'
  ) {
    throw new CorruptDataError(`metadata state log: malformed topic ${JSON.stringify(record.key)}`)
  }
  topics.set(record.key, { name: record.key, ...value })
}

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/

/** Why `name` is not a legal topic name, or undefined when it is (Kafka's Topic.validate rules). */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Topic name is illegal, it cannot be empty'
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."'
  if (name.length > TOPIC_NAME_LENGTH_MAX) {
    return `Topic name is illegal, it cannot be longer than ${TOPIC_NAME_LENGTH_MAX} characters, topic name: ${quoted(name)}`
  }
  if (!LEGAL_TOPIC_NAME.test(name)) {
    return `Topic name "${quoted(name)}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`
  }
  return undefined
}

// Kafka refuses names that differ only by '.' versus '_', since both map to the same metric names.
function collisionKey(name: string): string {
  return name.replaceAll('.', '_')
}

/**
 * Holds the cluster's topics. Reads are synchronous and see only durable state. Changes are queued and
 * run one at a time; each resolves after its record is synced to the metadata log.
 */
export class TopicRegistry {
  /** Random 22-char base64url id of this cluster, fixed at first start. */
  readonly clusterId: string
  /** This node's id (the only broker, and the controller). */
  readonly nodeId: number
  readonly brokerConfig: BrokerConfig

  private readonly byName = new Map<string, TopicMetadata>()
  private readonly byId = new Map<string, TopicMetadata>()
  private readonly byCollisionKey = new Map<string, string>()
  private readonly listeners = new Set<TopicChangeListener>()
  private readonly brokerConfigListeners = new Set<BrokerConfigListener>()
  /** Dynamic broker configs by entity ('' = cluster default, else a node id), as logged. */
  private readonly brokerEntities: Map<string, DynamicBrokerConfigs>
  /** Partitions of all topics together. */
  private partitionTotal = 0
  private partitionsPerRequestMax = PARTITIONS_PER_REQUEST_MAX_DEFAULT
  private partitionsMax = PARTITIONS_MAX_DEFAULT
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  private constructor(
    private readonly log: StateLog,
    private readonly randomBytes: RandomBytes,
    clusterId: string,
    nodeId: number,
    brokerConfig: BrokerConfig,
    brokerEntities: Map<string, DynamicBrokerConfigs>,
  ) {
    this.clusterId = clusterId
    this.nodeId = nodeId
    this.brokerConfig = brokerConfig
    this.brokerEntities = brokerEntities
    brokerConfig.setDynamic('cluster-default', brokerEntities.get('') ?? {})
    brokerConfig.setDynamic('broker', brokerEntities.get(String(nodeId)) ?? {})
  }

  /**
   * How many records this broker's metadata state log has taken since it was created (snapshots do not
   * reset it): the end offset of Brook's metadata log, as DescribeQuorum reports it.
   */
  get metadataEndOffset(): number {
    return this.log.lastSeq
  }

  /** Opens the registry in `options.dir`, creating it on first start and replaying it otherwise. */
  static async open(options: TopicRegistryOptions): Promise<TopicRegistry> {
    const { randomBytes } = options
    const nodeId = options.nodeId ?? 1
    const meta = await loadOrCreateMetaProperties(options.fileSystem, options.dir, nodeId, randomBytes)
    const logger = options.logger ?? silentLogger
    const recovered = new Map<string, TopicMetadata>()
    const brokerEntities = new Map<string, DynamicBrokerConfigs>()
    let registry: TopicRegistry | undefined
    const { log, recovery } = await StateLog.open({
      fs: options.fileSystem,
      dir: `${options.dir}/${METADATA_STATE_DIR}`,
      logger,
      replay: (record) => replayTopicRecord(recovered, brokerEntities, record),
      snapshot: () => [
        ...[...(registry?.topics() ?? recovered.values())].map((t) => topicRecord(t.name, t)),
        ...[...brokerEntities].map(([entity, configs]) => brokerConfigRecord(entity, configs)),
      ],
      snapshotAfterBytes: options.compactAfterBytes ?? 1024 * 1024,
    })
    registry = new TopicRegistry(
      log,
      randomBytes,
      meta.clusterId,
      nodeId,
      options.brokerConfig ?? new BrokerConfig(),
      brokerEntities,
    )
    registry.partitionsPerRequestMax = options.partitionsPerRequestMax ?? PARTITIONS_PER_REQUEST_MAX_DEFAULT
    registry.partitionsMax = options.partitionsMax ?? PARTITIONS_MAX_DEFAULT
    const migrate =
      (await hasLegacyMetadata(options.fileSystem, options.dir)) &&
      recovery.lastSeq === 0 &&
      recovery.snapshotRecords === 0
    if (migrate) {
      // The format before the state log: replay its operations, then snapshot the result into the state log.
      const legacy = await readLegacyMetadata<SnapshotState, MetadataRecord>(options.fileSystem, options.dir)
      for (const topic of legacy.snapshot?.topics ?? []) registry.replay({ type: 'create-topic', ...topic })
      for (const record of legacy.records) registry.replay(record)
    } else {
      for (const topic of recovered.values()) registry.replay({ type: 'create-topic', ...topic })
    }
    if (migrate) {
      await log.snapshotNow()
      logger.info('metadata: migrated metadata.log and metadata.snapshot to the state log', {
        topics: registry.size,
      })
    }
    // After a migration, or a crash between its snapshot and this removal.
    await removeLegacyMetadata(options.fileSystem, options.dir)
    return registry
  }

  /** Number of topics. */
  get size(): number {
    return this.byName.size
  }

  /** The topic named `name`, if it exists. */
  topic(name: string): TopicMetadata | undefined {
    return this.byName.get(name)
  }

  /** The topic with id `topicId` (22-char text), if it exists. */
  topicById(topicId: string): TopicMetadata | undefined {
    return this.byId.get(topicId)
  }

  /** All topics in name order. */
  topics(): TopicMetadata[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** Every topic config's effective value and source for topic `name`, or undefined if it does not exist. */
  effectiveConfig(name: string): EffectiveTopicConfig | undefined {
    const topic = this.byName.get(name)
    return topic === undefined ? undefined : resolveTopicConfig(topic.configs, this.brokerConfig)
  }

  /** The typed settings storage needs for topic `name`, or undefined if it does not exist. */
  logSettings(name: string): TopicLogSettings | undefined {
    const effective = this.effectiveConfig(name)
    return effective === undefined ? undefined : topicLogSettings(effective)
  }

  /** Registers `listener` for applied changes; returns a function that unregisters it. */
  subscribe(listener: TopicChangeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Creates a topic (CreateTopics, or auto-creation with only a name). Errors: INVALID_TOPIC_EXCEPTION,
   * TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG.
   */
  createTopic(request: CreateTopicRequest, options: ChangeOptions = {}): Promise<RegistryResult> {
    return this.enqueue(async () => {
      const { name } = request
      const nameProblem = topicNameProblem(name)
      if (nameProblem !== undefined) return failure(MetadataErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem)
      if (this.byName.has(name))
        return failure(MetadataErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${quoted(name)}' already exists.`)
      const collidingName = this.byCollisionKey.get(collisionKey(name))
      if (collidingName !== undefined) {
        return failure(
          MetadataErrorCode.INVALID_TOPIC_EXCEPTION,
          `Topic '${quoted(name)}' collides with existing topic: ${quoted(collidingName)}`,
        )
      }
      const requestedPartitions = request.numPartitions ?? -1
      const partitionCount =
        requestedPartitions === -1 ? this.brokerConfig.numPartitions : requestedPartitions
      if (!Number.isInteger(partitionCount) || partitionCount < 1) {
        return failure(
          MetadataErrorCode.INVALID_PARTITIONS,
          'Number of partitions must be larger than 0, or -1 to use the default value.',
        )
      }
      const tooMany = this.partitionLimitProblem(partitionCount, 'partitions')
      if (tooMany !== undefined) return tooMany
      const requestedFactor = request.replicationFactor ?? -1
      const replicationFactor =
        requestedFactor === -1 ? this.brokerConfig.defaultReplicationFactor : requestedFactor
      if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
        return failure(
          MetadataErrorCode.INVALID_REPLICATION_FACTOR,
          'Replication factor must be larger than 0, or -1 to use the default value.',
        )
      }
      if (replicationFactor !== 1) {
        return failure(
          MetadataErrorCode.INVALID_REPLICATION_FACTOR,
          `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only 1 broker(s) are registered.`,
        )
      }
      const validated = validateTopicConfigOverrides(request.configs ?? [])
      if (!validated.ok) return validated
      const rule = checkTopicConfigRules(resolveTopicConfig(validated.overrides, this.brokerConfig))
      if (rule !== undefined) return rule
      let topicId = randomKafkaUuid(this.randomBytes)
      while (this.byId.has(topicId)) topicId = randomKafkaUuid(this.randomBytes)
      const topic: TopicMetadata = {
        name,
        topicId,
        partitionCount,
        replicationFactor,
        configs: validated.overrides,
      }
      if (options.validateOnly) return { ok: true, topic: freezeTopic(topic) }
      await this.commit({ type: 'create-topic', ...topic })
      const created = this.byName.get(name)!
      this.emit({ type: 'created', topic: created })
      return { ok: true, topic: created }
    })
  }

  /** Deletes topic `name`; durable when the promise resolves. Error: UNKNOWN_TOPIC_OR_PARTITION. */
  deleteTopic(name: string): Promise<RegistryResult> {
    return this.enqueue(async () => {
      const topic = this.byName.get(name)
      if (topic === undefined) {
        return failure(
          MetadataErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          'This server does not host this topic-partition.',
        )
      }
      return this.deleteExisting(topic)
    })
  }

  /** Deletes the topic with id `topicId` (DeleteTopics v6+). Error: UNKNOWN_TOPIC_ID. */
  deleteTopicById(topicId: string): Promise<RegistryResult> {
    return this.enqueue(async () => {
      const topic = this.byId.get(topicId)
      if (topic === undefined)
        return failure(MetadataErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.')
      return this.deleteExisting(topic)
    })
  }

  private async deleteExisting(topic: TopicMetadata): Promise<RegistryResult> {
    await this.commit({ type: 'delete-topic', name: topic.name, topicId: topic.topicId })
    this.emit({ type: 'deleted', topic })
    return { ok: true, topic }
  }

  /**
   * Grows topic `name` to `partitionCount` partitions in total (CreatePartitions). Errors:
   * UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS when the count does not grow.
   */
  createPartitions(
    name: string,
    partitionCount: number,
    options: ChangeOptions = {},
  ): Promise<RegistryResult> {
    return this.enqueue(async () => {
      const topic = this.byName.get(name)
      if (topic === undefined) {
        return failure(
          MetadataErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          'This server does not host this topic-partition.',
        )
      }
      if (!Number.isInteger(partitionCount) || partitionCount < topic.partitionCount) {
        return failure(
          MetadataErrorCode.INVALID_PARTITIONS,
          `Topic currently has ${topic.partitionCount} partitions, which is higher than the requested ${partitionCount}.`,
        )
      }
      if (partitionCount === topic.partitionCount) {
        return failure(
          MetadataErrorCode.INVALID_PARTITIONS,
          `Topic already has ${topic.partitionCount} partitions.`,
        )
      }
      const tooMany = this.partitionLimitProblem(
        partitionCount - topic.partitionCount,
        'additional partitions',
      )
      if (tooMany !== undefined) return tooMany
      if (options.validateOnly) return { ok: true, topic: freezeTopic({ ...topic, partitionCount }) }
      await this.commit({ type: 'set-partition-count', name, partitionCount })
      const grown = this.byName.get(name)!
      this.emit({ type: 'partitions-added', topic: grown, previousPartitionCount: topic.partitionCount })
      return { ok: true, topic: grown }
    })
  }

  /**
   * Replaces all of topic `name`'s overrides with `entries` (legacy AlterConfigs). Errors:
   * UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG.
   */
  alterConfigs(
    name: string,
    entries: readonly ConfigEntryInput[],
    options: ChangeOptions = {},
  ): Promise<RegistryResult> {
    return this.enqueue(async () => {
      const topic = this.byName.get(name)
      if (topic === undefined) {
        return failure(
          MetadataErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          'This server does not host this topic-partition.',
        )
      }
      const validated = validateTopicConfigOverrides(entries)
      if (!validated.ok) return validated
      return this.setConfigs(topic, validated.overrides, options)
    })
  }

  /**
   * Applies IncrementalAlterConfigs SET/DELETE/APPEND/SUBTRACT changes to topic `name`'s overrides.
   * Errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG, INVALID_REQUEST (duplicate name, unknown op).
   */
  incrementalAlterConfigs(
    name: string,
    changes: readonly IncrementalAlterInput[],
    options: ChangeOptions = {},
  ): Promise<RegistryResult> {
    return this.enqueue(async () => {
      const topic = this.byName.get(name)
      if (topic === undefined) {
        return failure(
          MetadataErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          'This server does not host this topic-partition.',
        )
      }
      const effective = resolveTopicConfig(topic.configs, this.brokerConfig)
      const applied = applyIncrementalAlterOps(
        topic.configs,
        changes,
        (configName) => effective.get(configName)?.value ?? null,
      )
      if (!applied.ok) return applied
      return this.setConfigs(topic, applied.overrides, options)
    })
  }

  private async setConfigs(
    topic: TopicMetadata,
    overrides: TopicConfigOverrides,
    options: ChangeOptions,
  ): Promise<RegistryResult> {
    const rule = checkTopicConfigRules(resolveTopicConfig(overrides, this.brokerConfig))
    if (rule !== undefined) return rule
    if (options.validateOnly) return { ok: true, topic: freezeTopic({ ...topic, configs: overrides }) }
    await this.commit({ type: 'set-topic-configs', name: topic.name, configs: overrides })
    const changed = this.byName.get(topic.name)!
    this.emit({ type: 'configs-changed', topic: changed })
    return { ok: true, topic: changed }
  }

  /** The state-log entity of a scope: '' for the cluster default, the node id's text for this broker. */
  private brokerEntity(scope: BrokerConfigScope): string {
    return scope === 'cluster-default' ? '' : String(this.nodeId)
  }

  /**
   * IncrementalAlterConfigs on a BROKER resource: applies SET/DELETE/APPEND/SUBTRACT to the dynamic configs
   * of `scope`, durably, then live: topics fall back to the new values at once. Errors: INVALID_REQUEST
   * (read-only config, bad value, duplicate name), as Kafka answers; an unknown name is a custom config.
   */
  incrementalAlterBrokerConfigs(
    scope: BrokerConfigScope,
    changes: readonly IncrementalAlterInput[],
    options: ChangeOptions = {},
  ): Promise<BrokerConfigResult> {
    return this.enqueue(async () => {
      const current = this.brokerConfig.dynamicConfigs(scope)
      const applied = applyBrokerConfigChanges(current, changes, (name) => {
        const [top] = this.brokerConfig.setValues(name)
        return top !== undefined ? top.text : this.brokerConfig.defaultText(name)
      })
      if (!applied.ok) return applied
      return this.setBrokerConfigs(scope, applied.configs, options)
    })
  }

  /** AlterConfigs (legacy) on a BROKER resource: `entries` replace the scope's dynamic configs. */
  alterBrokerConfigs(
    scope: BrokerConfigScope,
    entries: readonly ConfigEntryInput[],
    options: ChangeOptions = {},
  ): Promise<BrokerConfigResult> {
    return this.enqueue(async () => {
      const validated = validateBrokerConfigReplacement(entries)
      if (!validated.ok) return validated
      return this.setBrokerConfigs(scope, validated.configs, options)
    })
  }

  private async setBrokerConfigs(
    scope: BrokerConfigScope,
    configs: DynamicBrokerConfigs,
    options: ChangeOptions,
  ): Promise<BrokerConfigResult> {
    // Rules across configs (min.compaction.lag.ms <= max.compaction.lag.ms) must hold for a topic with no
    // overrides under the new values; checked on a copy so that nothing changes when they do not.
    const trial = this.brokerConfig.copy()
    trial.setDynamic(scope, configs)
    const rule = checkTopicConfigRules(resolveTopicConfig({}, trial))
    if (rule !== undefined) return failure(MetadataErrorCode.INVALID_REQUEST, rule.errorMessage)
    if (options.validateOnly) return { ok: true }
    const entity = this.brokerEntity(scope)
    await this.log.append([brokerConfigRecord(entity, configs)])
    if (Object.keys(configs).length === 0) this.brokerEntities.delete(entity)
    else this.brokerEntities.set(entity, configs)
    this.brokerConfig.setDynamic(scope, configs)
    for (const listener of this.brokerConfigListeners) listener()
    // Topics without their own override take the new values: storage re-reads each topic's settings.
    for (const topic of this.byName.values()) this.emit({ type: 'configs-changed', topic })
    return { ok: true }
  }

  /** Registers `listener` for changes of dynamic broker configs; returns a function that unregisters it. */
  subscribeBrokerConfigs(listener: BrokerConfigListener): () => void {
    this.brokerConfigListeners.add(listener)
    return () => this.brokerConfigListeners.delete(listener)
  }

  /** Most partitions one topic creation or CreatePartitions may add (also bounds a whole request). */
  get partitionsPerRequestLimit(): number {
    return this.partitionsPerRequestMax
  }

  /** Total partitions of all topics. */
  get partitionCount(): number {
    return this.partitionTotal
  }

  /** Why adding `added` partitions in one change is refused, if it is (POLICY_VIOLATION, as Kafka). */
  private partitionLimitProblem(added: number, what: string): MetadataFailure | undefined {
    if (added > this.partitionsPerRequestMax) {
      return failure(
        MetadataErrorCode.POLICY_VIOLATION,
        `Excessively large number of ${what} per request (${added}; at most ${this.partitionsPerRequestMax}).`,
      )
    }
    if (this.partitionTotal + added > this.partitionsMax) {
      return failure(
        MetadataErrorCode.POLICY_VIOLATION,
        `This broker holds ${this.partitionTotal} partitions; ${added} more would pass its limit of ${this.partitionsMax} (max-partitions).`,
      )
    }
    return undefined
  }

  /** Waits for queued changes, then closes the log. Later changes reject. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.queue.catch(() => undefined)
    await this.log.close()
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ClosedError('topic registry is closed'))
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }

  // Logs the topic as it is after the change durably, then applies it: readers never see a change that a
  // crash could undo. Snapshots happen inside the state log, beside this path.
  private async commit(record: MetadataRecord): Promise<void> {
    await this.log.append([this.stateRecordOf(record)])
    this.apply(record)
  }

  private stateRecordOf(record: MetadataRecord): StateRecord {
    if (record.type === 'create-topic') return topicRecord(record.name, record)
    const topic = this.byName.get(record.name)
    assert(topic !== undefined, `changed topic ${record.name} exists`)
    switch (record.type) {
      case 'delete-topic':
        return topicRecord(record.name, undefined)
      case 'set-partition-count':
        return topicRecord(record.name, { ...topic, partitionCount: record.partitionCount })
      case 'set-topic-configs':
        return topicRecord(record.name, { ...topic, configs: record.configs })
    }
  }

  private replay(record: MetadataRecord): void {
    try {
      this.apply(record)
    } catch (error) {
      throw new CorruptDataError(`metadata log record does not apply: ${JSON.stringify(record)}`, {
        cause: error,
      })
    }
  }

  private apply(record: MetadataRecord): void {
    switch (record.type) {
      case 'create-topic': {
        assert(!this.byName.has(record.name), `topic ${record.name} is created twice`)
        assert(!this.byId.has(record.topicId), `topic id ${record.topicId} is used twice`)
        const topic = freezeTopic({
          name: record.name,
          topicId: record.topicId,
          partitionCount: record.partitionCount,
          replicationFactor: record.replicationFactor,
          configs: record.configs,
        })
        this.byName.set(topic.name, topic)
        this.byId.set(topic.topicId, topic)
        this.byCollisionKey.set(collisionKey(topic.name), topic.name)
        this.partitionTotal += topic.partitionCount
        return
      }
      case 'delete-topic': {
        const topic = this.byName.get(record.name)
        assert(topic !== undefined && topic.topicId === record.topicId, `deleted topic ${record.name} exists`)
        this.byName.delete(topic.name)
        this.byId.delete(topic.topicId)
        this.byCollisionKey.delete(collisionKey(topic.name))
        this.partitionTotal -= topic.partitionCount
        return
      }
      case 'set-partition-count': {
        const topic = this.byName.get(record.name)
        assert(
          topic !== undefined && record.partitionCount > topic.partitionCount,
          `topic ${record.name} grows`,
        )
        this.partitionTotal += record.partitionCount - topic.partitionCount
        this.replace(freezeTopic({ ...topic, partitionCount: record.partitionCount }))
        return
      }
      case 'set-topic-configs': {
        const topic = this.byName.get(record.name)
        assert(topic !== undefined, `reconfigured topic ${record.name} exists`)
        this.replace(freezeTopic({ ...topic, configs: record.configs }))
        return
      }
    }
  }

  private replace(topic: TopicMetadata): void {
    this.byName.set(topic.name, topic)
    this.byId.set(topic.topicId, topic)
  }

  private emit(change: TopicChange): void {
    for (const listener of this.listeners) listener(change)
  }
}

function freezeTopic(topic: TopicMetadata): TopicMetadata {
  return Object.freeze({ ...topic, configs: Object.freeze({ ...topic.configs }) })
}
