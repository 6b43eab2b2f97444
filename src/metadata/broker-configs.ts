// Broker-level configs under Kafka's names: the `log.*` (and other) defaults that topic configs fall back
// to, the topic-creation defaults (num.partitions, default.replication.factor, auto.create.topics.enable),
// and a few more that clients read from DescribeConfigs on a BROKER resource.

import { ConfigError } from '../core/index.js'
import {
  type ConfigDefinition,
  ConfigSource,
  type ConfigValue,
  configTypeCode,
  type EffectiveConfigEntry,
  LONG_MAX_TEXT,
  parseConfigValue,
  parseDefault,
} from './config-definition.js'

type BrokerConfigRow = [
  name: string,
  type: ConfigDefinition['type'],
  defaultValue: string | null,
  rules?: Partial<ConfigDefinition>,
]

const rows: BrokerConfigRow[] = [
  // Synonyms of topic configs (Kafka's ServerTopicConfigSynonyms); defaults equal the topic defaults.
  ['log.cleanup.policy', 'list', 'delete', { validValues: ['compact', 'delete'] }],
  ['compression.gzip.level', 'int', '-1', { min: 1, max: 9, alsoAllowed: [-1] }],
  ['compression.lz4.level', 'int', '9', { min: 1, max: 17 }],
  [
    'compression.type',
    'string',
    'producer',
    { validValues: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
  ],
  ['compression.zstd.level', 'int', '3', { min: -131072, max: 22 }],
  ['log.cleaner.delete.retention.ms', 'long', '86400000', { min: 0 }],
  ['log.segment.delete.delay.ms', 'long', '60000', { min: 0 }],
  ['log.flush.interval.messages', 'long', LONG_MAX_TEXT, { min: 1 }],
  ['log.flush.interval.ms', 'long', null],
  ['log.flush.scheduler.interval.ms', 'long', LONG_MAX_TEXT],
  ['log.index.interval.bytes', 'int', '4096', { min: 0 }],
  ['log.local.retention.bytes', 'long', '-2', { min: -2 }],
  ['log.local.retention.ms', 'long', '-2', { min: -2 }],
  ['log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX_TEXT, { min: 1 }],
  ['message.max.bytes', 'int', '1048588', { min: 0 }],
  ['log.message.timestamp.after.max.ms', 'long', '3600000', { min: 0 }],
  ['log.message.timestamp.before.max.ms', 'long', LONG_MAX_TEXT, { min: 0 }],
  ['log.message.timestamp.type', 'string', 'CreateTime', { validValues: ['CreateTime', 'LogAppendTime'] }],
  ['log.cleaner.min.cleanable.ratio', 'double', '0.5', { min: 0, max: 1 }],
  ['log.cleaner.min.compaction.lag.ms', 'long', '0', { min: 0 }],
  ['min.insync.replicas', 'int', '1', { min: 1 }],
  ['log.preallocate', 'boolean', 'false'],
  ['log.retention.bytes', 'long', '-1'],
  ['log.retention.ms', 'long', null, { min: -1 }],
  ['log.retention.minutes', 'int', null],
  ['log.retention.hours', 'int', '168'],
  ['log.segment.bytes', 'int', '1073741824', { min: 1_048_576 }],
  ['log.index.size.max.bytes', 'int', '10485760', { min: 4 }],
  ['log.roll.jitter.ms', 'long', null],
  ['log.roll.jitter.hours', 'int', '0', { min: 0 }],
  ['log.roll.ms', 'long', null],
  ['log.roll.hours', 'int', '168', { min: 1 }],
  ['unclean.leader.election.enable', 'boolean', 'false'],
  // Brook's own: the broker-wide default of topic config brook.fetch.fsynced.only.
  ['brook.log.fetch.fsynced.only', 'boolean', 'false'],
  // Topic creation.
  ['num.partitions', 'int', '1', { min: 1 }],
  ['default.replication.factor', 'int', '1', { min: 1 }],
  ['auto.create.topics.enable', 'boolean', 'true'],
  ['delete.topic.enable', 'boolean', 'true'],
  ['create.topic.policy.class.name', 'class', null],
  ['alter.config.policy.class.name', 'class', null],
  // Identity and layout. Brook is one node, numbered 1.
  ['node.id', 'int', '1', { min: 0 }],
  ['broker.id', 'int', '1', { min: 0 }],
  ['log.dir', 'string', '/tmp/kafka-logs'],
  ['log.dirs', 'list', null],
  ['listeners', 'list', 'PLAINTEXT://:9092'],
  ['advertised.listeners', 'list', null],
  ['log.retention.check.interval.ms', 'long', '300000', { min: 1 }],
  ['log.cleaner.enable', 'boolean', 'true'],
  ['log.cleaner.backoff.ms', 'long', '15000', { min: 1 }],
  ['log.cleaner.dedupe.buffer.size', 'long', '134217728', { min: 1024 }],
  ['num.recovery.threads.per.data.dir', 'int', '2', { min: 1 }],
  ['socket.request.max.bytes', 'int', '104857600', { min: 1 }],
  ['connections.max.idle.ms', 'long', '600000'],
  ['fetch.max.bytes', 'int', '57671680', { min: 1024 }],
  // Group and transaction coordinators.
  ['offsets.topic.num.partitions', 'int', '50', { min: 1 }],
  ['offsets.topic.replication.factor', 'short', '3', { min: 1 }],
  ['offsets.retention.minutes', 'int', '10080', { min: 1 }],
  ['group.initial.rebalance.delay.ms', 'int', '3000'],
  ['group.min.session.timeout.ms', 'int', '6000'],
  ['group.max.session.timeout.ms', 'int', '1800000'],
  // Brook bounds group sizes by default (Kafka: 2147483647); the broker passes other values as static.
  ['group.max.size', 'int', '1000', { min: 1 }],
  ['group.consumer.max.size', 'int', '1000', { min: 1 }],
  ['transaction.state.log.num.partitions', 'int', '50', { min: 1 }],
  ['transaction.state.log.replication.factor', 'short', '3', { min: 1 }],
  ['transaction.state.log.min.isr', 'int', '2', { min: 1 }],
  ['transaction.max.timeout.ms', 'int', '900000', { min: 1 }],
  ['transactional.id.expiration.ms', 'int', '604800000', { min: 1 }],
  ['producer.id.expiration.ms', 'int', '86400000', { min: 1 }],
  // Secrets: shown as null by DescribeConfigs.
  ['ssl.key.password', 'password', null, { sensitive: true }],
  ['ssl.keystore.password', 'password', null, { sensitive: true }],
  ['ssl.truststore.password', 'password', null, { sensitive: true }],
]

/** Every broker config Brook knows, by name, in name order. */
export const BROKER_CONFIG_DEFINITIONS: ReadonlyMap<string, ConfigDefinition> = new Map(
  rows
    .map(
      ([name, type, defaultValue, rules]): ConfigDefinition => ({
        sensitive: false,
        ...rules,
        name,
        type,
        defaultValue,
      }),
    )
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((definition) => [definition.name, definition]),
)

/** A broker config value given at start-up, parsed. */
export interface StaticBrokerValue {
  readonly text: string | null
  readonly parsed: ConfigValue
}

/**
 * The broker's static configuration: values given at start-up (STATIC_BROKER_CONFIG) over Kafka's
 * defaults (DEFAULT_CONFIG). Immutable; Brook does not support dynamic broker configs.
 */
export class BrokerConfig {
  private readonly values = new Map<string, StaticBrokerValue>()

  /**
   * Parses `staticConfig` (Kafka broker config names to text). Unknown names are ignored, as Kafka does
   * with a warning; a bad value throws ConfigError, since it is the operator's mistake at start-up.
   */
  constructor(staticConfig: Readonly<Record<string, string>> = {}) {
    for (const [name, text] of Object.entries(staticConfig)) {
      const definition = BROKER_CONFIG_DEFINITIONS.get(name)
      if (definition === undefined) continue
      const parsed = parseConfigValue(definition, text)
      if (!parsed.ok) throw new ConfigError(parsed.errorMessage)
      this.values.set(name, { text: parsed.text, parsed: parsed.value })
    }
  }

  /** The value given at start-up for `name`, or undefined when it was not given. */
  staticValue(name: string): StaticBrokerValue | undefined {
    return this.values.get(name)
  }

  /** Kafka's default text for broker config `name`, or null when it has none or is unknown. */
  defaultText(name: string): string | null {
    return BROKER_CONFIG_DEFINITIONS.get(name)?.defaultValue ?? null
  }

  /** The effective parsed value of `name`: static if given, else the default. */
  value(name: string): ConfigValue {
    const staticEntry = this.values.get(name)
    if (staticEntry !== undefined) return staticEntry.parsed
    const definition = BROKER_CONFIG_DEFINITIONS.get(name)
    if (definition === undefined) throw new Error(`unknown broker config ${name}`)
    return parseDefault(definition)
  }

  /** Partitions of a topic created without a count (CreateTopics -1, auto-creation). */
  get numPartitions(): number {
    return this.value('num.partitions') as number
  }

  /** Replication factor of a topic created without one. */
  get defaultReplicationFactor(): number {
    return this.value('default.replication.factor') as number
  }

  /** Whether Metadata requests may create missing topics. */
  get autoCreateTopicsEnable(): boolean {
    return this.value('auto.create.topics.enable') as boolean
  }

  /** Whether DeleteTopics is allowed. */
  get deleteTopicEnable(): boolean {
    return this.value('delete.topic.enable') as boolean
  }

  /** Every broker config with its value and source, in name order, for DescribeConfigs on a BROKER. */
  describe(): EffectiveConfigEntry[] {
    const result: EffectiveConfigEntry[] = []
    for (const definition of BROKER_CONFIG_DEFINITIONS.values()) {
      const staticEntry = this.values.get(definition.name)
      const text = staticEntry !== undefined ? staticEntry.text : definition.defaultValue
      const source =
        staticEntry !== undefined ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG
      const shown = definition.sensitive ? null : text
      const synonyms = [{ name: definition.name, value: shown, source }]
      if (staticEntry !== undefined && definition.defaultValue !== null) {
        synonyms.push({
          name: definition.name,
          value: definition.sensitive ? null : definition.defaultValue,
          source: ConfigSource.DEFAULT_CONFIG,
        })
      }
      result.push({
        name: definition.name,
        value: shown,
        parsed: staticEntry !== undefined ? staticEntry.parsed : parseDefault(definition),
        source,
        type: definition.type,
        configType: configTypeCode[definition.type],
        sensitive: definition.sensitive,
        readOnly: true,
        synonyms,
      })
    }
    return result
  }
}
