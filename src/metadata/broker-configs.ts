// Broker-level configs under Kafka's names: the `log.*` (and other) defaults that topic configs fall back
// to, the topic-creation defaults (num.partitions, default.replication.factor, auto.create.topics.enable),
// and a few more that clients read from DescribeConfigs on a BROKER resource; the dynamic layers (this
// broker's and the cluster-wide default) that IncrementalAlterConfigs changes at runtime.

import { ConfigError, quoted } from '../core/index.js'
import {
  type ConfigDefinition,
  ConfigSource,
  type ConfigSourceValue,
  ConfigType,
  type ConfigValue,
  configTypeCode,
  type EffectiveConfigEntry,
  LONG_MAX_TEXT,
  parseConfigValue,
  parseDefault,
} from './config-definition.js'
import { BROKER_CONFIG_DOCS } from './config-docs.js'
import { failure, MetadataErrorCode, type MetadataFailure } from './metadata-error-code.js'

type BrokerConfigRow = [
  name: string,
  type: ConfigDefinition['type'],
  defaultValue: string | null,
  rules?: Partial<ConfigDefinition>,
]

const rows: BrokerConfigRow[] = [
  // Synonyms of topic configs (Kafka's ServerTopicConfigSynonyms); defaults equal the topic defaults.
  ['log.cleanup.policy', 'list', 'delete', { validValues: ['compact', 'delete'], dynamic: true }],
  ['compression.gzip.level', 'int', '-1', { min: 1, max: 9, alsoAllowed: [-1], dynamic: true }],
  ['compression.lz4.level', 'int', '9', { min: 1, max: 17, dynamic: true }],
  [
    'compression.type',
    'string',
    'producer',
    { validValues: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'], dynamic: true },
  ],
  ['compression.zstd.level', 'int', '3', { min: -131072, max: 22, dynamic: true }],
  ['log.cleaner.delete.retention.ms', 'long', '86400000', { min: 0, dynamic: true }],
  ['log.segment.delete.delay.ms', 'long', '60000', { min: 0, dynamic: true }],
  ['log.flush.interval.messages', 'long', LONG_MAX_TEXT, { min: 1, dynamic: true }],
  ['log.flush.interval.ms', 'long', null, { dynamic: true }],
  ['log.flush.scheduler.interval.ms', 'long', LONG_MAX_TEXT],
  ['log.index.interval.bytes', 'int', '4096', { min: 0, dynamic: true }],
  ['log.local.retention.bytes', 'long', '-2', { min: -2, dynamic: true }],
  ['log.local.retention.ms', 'long', '-2', { min: -2, dynamic: true }],
  ['log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX_TEXT, { min: 1, dynamic: true }],
  ['message.max.bytes', 'int', '1048588', { min: 0, dynamic: true }],
  ['log.message.timestamp.after.max.ms', 'long', '3600000', { min: 0, dynamic: true }],
  ['log.message.timestamp.before.max.ms', 'long', LONG_MAX_TEXT, { min: 0, dynamic: true }],
  [
    'log.message.timestamp.type',
    'string',
    'CreateTime',
    { validValues: ['CreateTime', 'LogAppendTime'], dynamic: true },
  ],
  ['log.cleaner.min.cleanable.ratio', 'double', '0.5', { min: 0, max: 1, dynamic: true }],
  ['log.cleaner.min.compaction.lag.ms', 'long', '0', { min: 0, dynamic: true }],
  ['min.insync.replicas', 'int', '1', { min: 1, dynamic: true }],
  ['log.retention.bytes', 'long', '-1', { dynamic: true }],
  ['log.retention.ms', 'long', null, { min: -1, dynamic: true }],
  ['log.retention.minutes', 'int', null],
  ['log.retention.hours', 'int', '168'],
  ['log.segment.bytes', 'int', '1073741824', { min: 1_048_576, dynamic: true }],
  ['log.index.size.max.bytes', 'int', '10485760', { min: 4, dynamic: true }],
  ['log.roll.jitter.ms', 'long', null, { dynamic: true }],
  ['log.roll.jitter.hours', 'int', '0', { min: 0 }],
  ['log.roll.ms', 'long', null, { dynamic: true }],
  ['log.roll.hours', 'int', '168', { min: 1 }],
  // Accepted at runtime as Kafka does; without other replicas (or tiered storage) they change nothing.
  ['unclean.leader.election.enable', 'boolean', 'false', { dynamic: true }],
  // Brook's own: the broker-wide default of topic config brook.fetch.fsynced.only.
  ['brook.log.fetch.fsynced.only', 'boolean', 'false', { dynamic: true }],
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
  ['log.cleaner.backoff.ms', 'long', '15000', { min: 1, dynamic: true }],
  ['log.cleaner.dedupe.buffer.size', 'long', '134217728', { min: 1024, dynamic: true }],
  ['log.cleaner.io.max.bytes.per.second', 'double', '1.7976931348623157E308', { min: 1, dynamic: true }],
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
  ['producer.id.expiration.ms', 'int', '86400000', { min: 1, dynamic: true }],
]

/** Every broker config Brook knows, by name, in name order. */
export const BROKER_CONFIG_DEFINITIONS: ReadonlyMap<string, ConfigDefinition> = new Map(
  rows
    .map(
      ([name, type, defaultValue, rules]): ConfigDefinition => ({
        sensitive: false,
        documentation: BROKER_CONFIG_DOCS[name],
        ...rules,
        name,
        type,
        defaultValue,
      }),
    )
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((definition) => [definition.name, definition]),
)

/**
 * Broker configs that are one setting under several names, highest priority first (Kafka's broker
 * synonyms): DescribeConfigs lists every name's values as synonyms of each.
 */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  ['log.roll.ms', 'log.roll.hours'],
  ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
]

function synonymNames(name: string): readonly string[] {
  return SYNONYM_GROUPS.find((group) => group.includes(name)) ?? [name]
}

/** A broker config value given at start-up or set at runtime, parsed. */
export interface StaticBrokerValue {
  readonly text: string | null
  readonly parsed: ConfigValue
}

/**
 * Which dynamic layer a change addresses: this broker (BROKER resource named by the node id) or the
 * cluster-wide default (BROKER resource with an empty name).
 */
export type BrokerConfigScope = 'broker' | 'cluster-default'

/** Dynamic broker configs of one scope: name to canonical text. */
export type DynamicBrokerConfigs = Readonly<Record<string, string>>

/** One set value of a broker config and where it came from, highest priority first. */
export interface BrokerConfigLayerValue extends StaticBrokerValue {
  readonly source: ConfigSourceValue
}

function parseLayer(configs: DynamicBrokerConfigs): Map<string, StaticBrokerValue> {
  const layer = new Map<string, StaticBrokerValue>()
  for (const [name, text] of Object.entries(configs)) {
    const definition = BROKER_CONFIG_DEFINITIONS.get(name)
    if (definition === undefined) {
      // A custom config (a name Brook does not know): kept as given, as Kafka keeps one for plugins.
      layer.set(name, { text, parsed: text })
      continue
    }
    const parsed = parseConfigValue(definition, text)
    if (!parsed.ok) throw new ConfigError(parsed.errorMessage)
    layer.set(name, { text: parsed.text, parsed: parsed.value })
  }
  return layer
}

/**
 * The broker's configuration in Kafka's layers, highest priority first: dynamic configs of this broker
 * (DYNAMIC_BROKER_CONFIG), the cluster-wide dynamic default (DYNAMIC_DEFAULT_BROKER_CONFIG), values given at
 * start-up (STATIC_BROKER_CONFIG), Kafka's defaults (DEFAULT_CONFIG). The static layer never changes; the
 * two dynamic ones are replaced by the topic registry after a change is durable (`setDynamic`).
 */
export class BrokerConfig {
  private readonly values = new Map<string, StaticBrokerValue>()
  private readonly dynamicLayers: Record<BrokerConfigScope, Map<string, StaticBrokerValue>> = {
    broker: new Map(),
    'cluster-default': new Map(),
  }

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

  /** A copy with the same static and dynamic values (to try a change before making it). */
  copy(): BrokerConfig {
    const copy = new BrokerConfig()
    for (const [name, value] of this.values) copy.values.set(name, value)
    copy.dynamicLayers.broker = new Map(this.dynamicLayers.broker)
    copy.dynamicLayers['cluster-default'] = new Map(this.dynamicLayers['cluster-default'])
    return copy
  }

  /** The value given at start-up for `name`, or undefined when it was not given. */
  staticValue(name: string): StaticBrokerValue | undefined {
    return this.values.get(name)
  }

  /** The dynamic configs of `scope`, as stored (canonical text). */
  dynamicConfigs(scope: BrokerConfigScope): DynamicBrokerConfigs {
    const result: Record<string, string> = {}
    for (const [name, value] of this.dynamicLayers[scope]) result[name] = value.text ?? ''
    return result
  }

  /**
   * Replaces the dynamic configs of `scope` (the registry calls this once the change is durable, and at
   * replay). Names Brook does not know are kept as custom configs (text, unchecked), as Kafka keeps them;
   * a value of a known config that does not parse throws ConfigError.
   */
  setDynamic(scope: BrokerConfigScope, configs: DynamicBrokerConfigs): void {
    this.dynamicLayers[scope] = parseLayer(configs)
  }

  /** Every value set for `name` in the dynamic and static layers, highest priority first. */
  setValues(name: string): BrokerConfigLayerValue[] {
    const found: BrokerConfigLayerValue[] = []
    const own = this.dynamicLayers.broker.get(name)
    if (own !== undefined) found.push({ ...own, source: ConfigSource.DYNAMIC_BROKER_CONFIG })
    const clusterDefault = this.dynamicLayers['cluster-default'].get(name)
    if (clusterDefault !== undefined)
      found.push({ ...clusterDefault, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG })
    const staticValue = this.values.get(name)
    if (staticValue !== undefined) found.push({ ...staticValue, source: ConfigSource.STATIC_BROKER_CONFIG })
    return found
  }

  /** Kafka's default text for broker config `name`, or null when it has none or is unknown. */
  defaultText(name: string): string | null {
    return BROKER_CONFIG_DEFINITIONS.get(name)?.defaultValue ?? null
  }

  /** The effective parsed value of `name`: the highest set layer, else the default. */
  value(name: string): ConfigValue {
    const [top] = this.setValues(name)
    if (top !== undefined) return top.parsed
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

  /** Every broker config with its value and source, in name order, for DescribeConfigs on this BROKER. */
  describe(): EffectiveConfigEntry[] {
    const result: EffectiveConfigEntry[] = []
    for (const definition of BROKER_CONFIG_DEFINITIONS.values()) {
      const layers = this.setValues(definition.name)
      const shown = (text: string | null) => (definition.sensitive ? null : text)
      // Each name of the setting in priority order, with its set values and then its default.
      const synonyms: { name: string; value: string | null; source: ConfigSourceValue }[] = []
      for (const name of synonymNames(definition.name)) {
        for (const layer of this.setValues(name))
          synonyms.push({ name, value: shown(layer.text), source: layer.source })
        const defaultText = this.defaultText(name)
        if (defaultText !== null)
          synonyms.push({ name, value: shown(defaultText), source: ConfigSource.DEFAULT_CONFIG })
      }
      const [top] = layers
      result.push({
        name: definition.name,
        value: shown(top !== undefined ? top.text : definition.defaultValue),
        parsed: top !== undefined ? top.parsed : parseDefault(definition),
        source: top !== undefined ? top.source : ConfigSource.DEFAULT_CONFIG,
        type: definition.type,
        configType: configTypeCode[definition.type],
        sensitive: definition.sensitive,
        readOnly: definition.dynamic !== true,
        synonyms,
        documentation: definition.documentation ?? null,
      })
    }
    const custom = new Set<string>()
    for (const layer of Object.values(this.dynamicLayers))
      for (const name of layer.keys()) if (!BROKER_CONFIG_DEFINITIONS.has(name)) custom.add(name)
    for (const name of [...custom].sort()) {
      const layers = this.setValues(name)
      result.push(customEntry(name, layers[0].source, layers))
    }
    return result
  }

  /** The cluster-wide dynamic defaults that are set, for DescribeConfigs on the BROKER named ''. */
  describeClusterDefault(): EffectiveConfigEntry[] {
    const result: EffectiveConfigEntry[] = []
    for (const [name, value] of [...this.dynamicLayers['cluster-default']].sort(([a], [b]) =>
      a < b ? -1 : 1,
    )) {
      const definition = BROKER_CONFIG_DEFINITIONS.get(name)
      if (definition === undefined) {
        result.push(
          customEntry(name, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, [
            { ...value, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
          ]),
        )
        continue
      }
      const shown = definition.sensitive ? null : value.text
      result.push({
        name,
        value: shown,
        parsed: value.parsed,
        source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
        type: definition.type,
        configType: configTypeCode[definition.type],
        sensitive: definition.sensitive,
        readOnly: false,
        synonyms: [{ name, value: shown, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG }],
        documentation: definition.documentation ?? null,
      })
    }
    return result
  }
}

/**
 * A custom broker config (a name Brook does not know) as Kafka 4.4 describes one: type UNKNOWN, read-only,
 * sensitive (so no value is shown), no documentation, a synonym per layer that sets it.
 */
function customEntry(
  name: string,
  source: ConfigSourceValue,
  layers: readonly BrokerConfigLayerValue[],
): EffectiveConfigEntry {
  return {
    name,
    value: null,
    parsed: layers[0]?.text ?? null,
    source,
    type: 'string',
    configType: ConfigType.UNKNOWN,
    sensitive: true,
    readOnly: true,
    synonyms: layers.map((layer) => ({ name, value: null, source: layer.source })),
    documentation: null,
  }
}

/** A change to dynamic broker configs that passed validation: the scope's whole new set. */
export interface ValidatedBrokerConfigs {
  readonly ok: true
  readonly configs: DynamicBrokerConfigs
}

function invalidRequest(message: string): MetadataFailure {
  return failure(MetadataErrorCode.INVALID_REQUEST, message)
}

function checkDynamicValue(name: string, value: string | null): { ok: true; text: string } | MetadataFailure {
  const definition = BROKER_CONFIG_DEFINITIONS.get(name)
  if (value === null) return invalidRequest(`Null value not supported for broker config: ${quoted(name)}`)
  // A custom config is stored as given: Kafka keeps names it does not know for plugins (metric reporters,
  // authorizers) to read, unchecked (#9).
  if (definition === undefined) return { ok: true, text: value }
  const parsed = parseConfigValue(definition, value)
  // Kafka answers a bad broker value with INVALID_REQUEST and ConfigDef's message.
  if (!parsed.ok) return invalidRequest(parsed.errorMessage)
  return { ok: true, text: parsed.text ?? '' }
}

/**
 * Names in `names` of configs that cannot change at runtime (Kafka's message). A name Brook does not know
 * is a custom config and passes, as in Kafka 4.4.
 */
function notDynamicProblem(names: readonly string[]): MetadataFailure | undefined {
  const fixed = names.filter((name) => {
    const definition = BROKER_CONFIG_DEFINITIONS.get(name)
    return definition !== undefined && definition.dynamic !== true
  })
  if (fixed.length > 0)
    return invalidRequest(
      `Cannot update these configs dynamically: [${fixed.map((name) => quoted(name)).join(', ')}]`,
    )
  return undefined
}

/**
 * AlterConfigs (legacy) on a BROKER resource: `entries` become the scope's whole dynamic set. Errors are
 * INVALID_REQUEST, as Kafka answers: a config that cannot change at runtime, a bad value. Unknown names are
 * stored as custom configs.
 */
export function validateBrokerConfigReplacement(
  entries: readonly { readonly name: string; readonly value: string | null }[],
): ValidatedBrokerConfigs | MetadataFailure {
  const problem = notDynamicProblem(entries.map((entry) => entry.name))
  if (problem !== undefined) return problem
  const configs: Record<string, string> = {}
  for (const entry of entries) {
    const checked = checkDynamicValue(entry.name, entry.value)
    if (!checked.ok) return checked
    configs[entry.name] = checked.text
  }
  return { ok: true, configs }
}

/**
 * IncrementalAlterConfigs on a BROKER resource: SET, DELETE, APPEND, SUBTRACT (op numbers as AlterConfigOp)
 * applied to `current`. Deleting a config that is not set (even a read-only one) changes nothing and
 * passes, as in Kafka; setting a read-only config fails the resource with INVALID_REQUEST; an unknown name is
 * stored as a custom config.
 */
export function applyBrokerConfigChanges(
  current: DynamicBrokerConfigs,
  changes: readonly { readonly name: string; readonly op: number; readonly value: string | null }[],
  effectiveText: (name: string) => string | null,
): ValidatedBrokerConfigs | MetadataFailure {
  const seen = new Set<string>()
  for (const change of changes) {
    if (seen.has(change.name))
      return invalidRequest(`Error due to duplicate config keys: ${quoted(change.name)}`)
    seen.add(change.name)
  }
  const problem = notDynamicProblem(changes.filter((change) => change.op !== 1).map((change) => change.name))
  if (problem !== undefined) return problem
  const next: Record<string, string> = { ...current }
  for (const change of changes) {
    switch (change.op) {
      case 0: {
        const checked = checkDynamicValue(change.name, change.value)
        if (!checked.ok) return checked
        next[change.name] = checked.text
        break
      }
      case 1:
        delete next[change.name]
        break
      case 2:
      case 3: {
        const definition = BROKER_CONFIG_DEFINITIONS.get(change.name)
        if (definition?.type !== 'list') {
          const verb = change.op === 2 ? 'append' : 'subtract'
          return invalidRequest(`Config value ${verb} is not allowed for config key: ${quoted(change.name)}`)
        }
        if (change.value === null)
          return invalidRequest(`Null value not supported for broker config: ${quoted(change.name)}`)
        const split = (text: string) => (text.trim() === '' ? [] : text.trim().split(/\s*,\s*/))
        const base = split(next[change.name] ?? effectiveText(change.name) ?? '')
        const given = split(change.value)
        const items =
          change.op === 2
            ? [...base, ...given.filter((item) => !base.includes(item))]
            : base.filter((item) => !given.includes(item))
        const checked = checkDynamicValue(change.name, items.join(','))
        if (!checked.ok) return checked
        next[change.name] = checked.text
        break
      }
      default:
        return invalidRequest(`Unknown alter config operation type ${change.op}`)
    }
  }
  return { ok: true, configs: next }
}
