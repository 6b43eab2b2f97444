// Kafka's topic-level configs (as a Kafka 4.x broker lists them in DescribeConfigs for a TOPIC, less
// preallocate: Node cannot preallocate a file, only make it sparse, so Brook does not offer it), their
// broker-level synonyms, validation of overrides (CreateTopics, AlterConfigs, IncrementalAlterConfigs),
// and resolution of a topic's effective values with each value's source.

import { quoted } from '../core/index.js'
import type { BrokerConfig } from './broker-configs.js'
import {
  type ConfigDefinition,
  ConfigSource,
  type ConfigSourceValue,
  type ConfigSynonymEntry,
  type ConfigValue,
  configTypeCode,
  type EffectiveConfigEntry,
  LONG_MAX_TEXT,
  parseConfigValue,
} from './config-definition.js'
import { TOPIC_CONFIG_DOCS } from './config-docs.js'
import { failure, MetadataErrorCode, type MetadataFailure } from './metadata-error-code.js'

/** A broker config that supplies a topic config's default; its value is multiplied by `multiplier`. */
export interface BrokerSynonym {
  readonly name: string
  /** 1, or 60000 for minutes and 3600000 for hours when the topic config is in milliseconds. */
  readonly multiplier: number
}

/** A topic config: its definition plus its broker synonyms in priority order (first set one wins). */
export interface TopicConfigDefinition extends ConfigDefinition {
  readonly brokerSynonyms: readonly BrokerSynonym[]
}

const HOUR_MS = 3_600_000
const MINUTE_MS = 60_000

function synonyms(...names: (string | [string, number])[]): BrokerSynonym[] {
  return names.map((entry) =>
    typeof entry === 'string' ? { name: entry, multiplier: 1 } : { name: entry[0], multiplier: entry[1] },
  )
}

function noDuplicates(value: ConfigValue): string | undefined {
  if (!Array.isArray(value)) return undefined
  return new Set(value).size === value.length ? undefined : 'Values must not be duplicated'
}

function throttledReplicas(value: ConfigValue): string | undefined {
  if (!Array.isArray(value)) return undefined
  if (value.length === 1 && value[0] === '*') return undefined
  if (value.every((item) => /^\d+:\d+$/.test(item))) return undefined
  return "must be the literal '*' or a list of replicas in the form partitionId:brokerId"
}

/** Compression codecs a topic may force; `producer` keeps what the producer sent. */
export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const

const definitions: TopicConfigDefinition[] = [
  {
    // Brook's own: fetches return only records an fdatasync made durable (safe against power loss).
    name: 'brook.fetch.fsynced.only',
    type: 'boolean',
    defaultValue: 'false',
    sensitive: false,
    brokerSynonyms: synonyms('brook.log.fetch.fsynced.only'),
  },
  {
    name: 'cleanup.policy',
    type: 'list',
    defaultValue: 'delete',
    validValues: ['compact', 'delete'],
    check: noDuplicates,
    sensitive: false,
    brokerSynonyms: synonyms('log.cleanup.policy'),
  },
  {
    name: 'compression.gzip.level',
    type: 'int',
    defaultValue: '-1',
    min: 1,
    max: 9,
    alsoAllowed: [-1],
    sensitive: false,
    brokerSynonyms: synonyms('compression.gzip.level'),
  },
  {
    name: 'compression.lz4.level',
    type: 'int',
    defaultValue: '9',
    min: 1,
    max: 17,
    sensitive: false,
    brokerSynonyms: synonyms('compression.lz4.level'),
  },
  {
    name: 'compression.type',
    type: 'string',
    defaultValue: 'producer',
    validValues: COMPRESSION_TYPES,
    sensitive: false,
    brokerSynonyms: synonyms('compression.type'),
  },
  {
    name: 'compression.zstd.level',
    type: 'int',
    defaultValue: '3',
    min: -131072,
    max: 22,
    sensitive: false,
    brokerSynonyms: synonyms('compression.zstd.level'),
  },
  {
    name: 'delete.retention.ms',
    type: 'long',
    defaultValue: '86400000',
    min: 0,
    sensitive: false,
    brokerSynonyms: synonyms('log.cleaner.delete.retention.ms'),
  },
  {
    name: 'file.delete.delay.ms',
    type: 'long',
    defaultValue: '60000',
    min: 0,
    sensitive: false,
    brokerSynonyms: synonyms('log.segment.delete.delay.ms'),
  },
  {
    name: 'flush.messages',
    type: 'long',
    defaultValue: LONG_MAX_TEXT,
    min: 1,
    sensitive: false,
    brokerSynonyms: synonyms('log.flush.interval.messages'),
  },
  {
    name: 'flush.ms',
    type: 'long',
    defaultValue: LONG_MAX_TEXT,
    min: 0,
    sensitive: false,
    brokerSynonyms: synonyms('log.flush.interval.ms', 'log.flush.scheduler.interval.ms'),
  },
  {
    name: 'follower.replication.throttled.replicas',
    type: 'list',
    defaultValue: '',
    check: throttledReplicas,
    sensitive: false,
    brokerSynonyms: [],
  },
  {
    name: 'index.interval.bytes',
    type: 'int',
    defaultValue: '4096',
    min: 0,
    sensitive: false,
    brokerSynonyms: synonyms('log.index.interval.bytes'),
  },
  {
    name: 'leader.replication.throttled.replicas',
    type: 'list',
    defaultValue: '',
    check: throttledReplicas,
    sensitive: false,
    brokerSynonyms: [],
  },
  {
    name: 'local.retention.bytes',
    type: 'long',
    defaultValue: '-2',
    min: -2,
    sensitive: false,
    brokerSynonyms: synonyms('log.local.retention.bytes'),
  },
  {
    name: 'local.retention.ms',
    type: 'long',
    defaultValue: '-2',
    min: -2,
    sensitive: false,
    brokerSynonyms: synonyms('log.local.retention.ms'),
  },
  {
    name: 'max.compaction.lag.ms',
    type: 'long',
    defaultValue: LONG_MAX_TEXT,
    min: 1,
    sensitive: false,
    brokerSynonyms: synonyms('log.cleaner.max.compaction.lag.ms'),
  },
  {
    name: 'max.message.bytes',
    type: 'int',
    defaultValue: '1048588',
    min: 0,
    sensitive: false,
    brokerSynonyms: synonyms('message.max.bytes'),
  },
  {
    name: 'message.timestamp.after.max.ms',
    type: 'long',
    // Kafka 4.0 lowered this from Long.MAX_VALUE to one hour (KIP-1030).
    defaultValue: '3600000',
    min: 0,
    sensitive: false,
    brokerSynonyms: synonyms('log.message.timestamp.after.max.ms'),
  },
  {
    name: 'message.timestamp.before.max.ms',
    type: 'long',
    defaultValue: LONG_MAX_TEXT,
    min: 0,
    sensitive: false,
    brokerSynonyms: synonyms('log.message.timestamp.before.max.ms'),
  },
  {
    name: 'message.timestamp.type',
    type: 'string',
    defaultValue: 'CreateTime',
    validValues: ['CreateTime', 'LogAppendTime'],
    sensitive: false,
    brokerSynonyms: synonyms('log.message.timestamp.type'),
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: 'double',
    defaultValue: '0.5',
    min: 0,
    max: 1,
    sensitive: false,
    brokerSynonyms: synonyms('log.cleaner.min.cleanable.ratio'),
  },
  {
    name: 'min.compaction.lag.ms',
    type: 'long',
    defaultValue: '0',
    min: 0,
    sensitive: false,
    brokerSynonyms: synonyms('log.cleaner.min.compaction.lag.ms'),
  },
  {
    name: 'min.insync.replicas',
    type: 'int',
    defaultValue: '1',
    min: 1,
    sensitive: false,
    brokerSynonyms: synonyms('min.insync.replicas'),
  },
  {
    name: 'remote.log.copy.disable',
    type: 'boolean',
    defaultValue: 'false',
    sensitive: false,
    brokerSynonyms: [],
  },
  {
    name: 'remote.log.delete.on.disable',
    type: 'boolean',
    defaultValue: 'false',
    sensitive: false,
    brokerSynonyms: [],
  },
  {
    name: 'remote.storage.enable',
    type: 'boolean',
    defaultValue: 'false',
    sensitive: false,
    brokerSynonyms: [],
  },
  {
    name: 'retention.bytes',
    type: 'long',
    defaultValue: '-1',
    sensitive: false,
    brokerSynonyms: synonyms('log.retention.bytes'),
  },
  {
    name: 'retention.ms',
    type: 'long',
    defaultValue: '604800000',
    min: -1,
    sensitive: false,
    brokerSynonyms: synonyms(
      'log.retention.ms',
      ['log.retention.minutes', MINUTE_MS],
      ['log.retention.hours', HOUR_MS],
    ),
  },
  {
    name: 'segment.bytes',
    type: 'int',
    defaultValue: '1073741824',
    // Kafka 4.0 raised the minimum from 14 bytes to 1 MiB (KIP-1030).
    min: 1_048_576,
    sensitive: false,
    brokerSynonyms: synonyms('log.segment.bytes'),
  },
  {
    name: 'segment.index.bytes',
    type: 'int',
    defaultValue: '10485760',
    min: 4,
    sensitive: false,
    brokerSynonyms: synonyms('log.index.size.max.bytes'),
  },
  {
    name: 'segment.jitter.ms',
    type: 'long',
    defaultValue: '0',
    min: 0,
    sensitive: false,
    brokerSynonyms: synonyms('log.roll.jitter.ms', ['log.roll.jitter.hours', HOUR_MS]),
  },
  {
    name: 'segment.ms',
    type: 'long',
    defaultValue: '604800000',
    min: 1,
    sensitive: false,
    brokerSynonyms: synonyms('log.roll.ms', ['log.roll.hours', HOUR_MS]),
  },
  {
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    defaultValue: 'false',
    sensitive: false,
    brokerSynonyms: synonyms('unclean.leader.election.enable'),
  },
]

/** Every topic config, by name, in name order (the order DescribeConfigs lists them). */
export const TOPIC_CONFIG_DEFINITIONS: ReadonlyMap<string, TopicConfigDefinition> = new Map(
  definitions
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((definition) => [
      definition.name,
      { ...definition, documentation: TOPIC_CONFIG_DOCS[definition.name] },
    ]),
)

/** A topic's config overrides: config name to canonical value text. Only names set on the topic appear. */
export type TopicConfigOverrides = Readonly<Record<string, string>>

/** A name and a value as a request carries them (value null where the wire allows it). */
export interface ConfigEntryInput {
  readonly name: string
  readonly value: string | null
}

/** Overrides that passed validation, in canonical text. */
export interface ValidatedOverrides {
  readonly ok: true
  readonly overrides: TopicConfigOverrides
}

function unknownConfig(name: string): MetadataFailure {
  return failure(MetadataErrorCode.INVALID_CONFIG, `Unknown topic config name: ${quoted(name)}`)
}

/** Checks one name/value pair and returns its canonical text; a null value is refused for topics. */
export function validateTopicConfigValue(
  name: string,
  value: string | null,
): { ok: true; text: string } | MetadataFailure {
  const definition = TOPIC_CONFIG_DEFINITIONS.get(name)
  if (definition === undefined) return unknownConfig(name)
  if (value === null)
    return failure(
      MetadataErrorCode.INVALID_CONFIG,
      `Null value not supported for topic config: ${quoted(name)}`,
    )
  const parsed = parseConfigValue(definition, value)
  if (!parsed.ok) return parsed
  return { ok: true, text: parsed.text ?? '' }
}

/**
 * Validates the configs of a CreateTopics topic or a (non-incremental) AlterConfigs resource: every
 * name known, every value valid. A later entry with the same name replaces an earlier one.
 */
export function validateTopicConfigOverrides(
  entries: readonly ConfigEntryInput[],
): ValidatedOverrides | MetadataFailure {
  const overrides: Record<string, string> = {}
  for (const entry of entries) {
    const result = validateTopicConfigValue(entry.name, entry.value)
    if (!result.ok) return result
    overrides[entry.name] = result.text
  }
  return { ok: true, overrides }
}

/** IncrementalAlterConfigs operation numbers. */
export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const

/** One IncrementalAlterConfigs change. */
export interface IncrementalAlterInput {
  readonly name: string
  readonly op: number
  readonly value: string | null
}

/**
 * Applies IncrementalAlterConfigs changes to `current` overrides and returns the new overrides.
 * APPEND and SUBTRACT apply to list configs only and start from the current effective value
 * (`effectiveText`), as Kafka does. Any bad name, op or value fails the whole resource.
 */
export function applyIncrementalAlterOps(
  current: TopicConfigOverrides,
  changes: readonly IncrementalAlterInput[],
  effectiveText: (name: string) => string | null,
): ValidatedOverrides | MetadataFailure {
  const seen = new Set<string>()
  const next: Record<string, string> = { ...current }
  for (const change of changes) {
    const definition = TOPIC_CONFIG_DEFINITIONS.get(change.name)
    if (definition === undefined) return unknownConfig(change.name)
    // Kafka refuses a resource that names one config twice in one request.
    if (seen.has(change.name)) {
      return failure(
        MetadataErrorCode.INVALID_REQUEST,
        `Error due to duplicate config keys: ${quoted(change.name)}`,
      )
    }
    seen.add(change.name)
    switch (change.op) {
      case AlterConfigOp.SET: {
        const result = validateTopicConfigValue(change.name, change.value)
        if (!result.ok) return result
        next[change.name] = result.text
        break
      }
      case AlterConfigOp.DELETE:
        delete next[change.name]
        break
      case AlterConfigOp.APPEND:
      case AlterConfigOp.SUBTRACT: {
        if (definition.type !== 'list') {
          const verb = change.op === AlterConfigOp.APPEND ? 'append' : 'subtract'
          return failure(
            MetadataErrorCode.INVALID_CONFIG,
            `Config value ${verb} is not allowed for config key: ${quoted(change.name)}`,
          )
        }
        if (change.value === null) {
          return failure(
            MetadataErrorCode.INVALID_CONFIG,
            `Null value not supported for topic config: ${quoted(change.name)}`,
          )
        }
        const base = splitList(next[change.name] ?? effectiveText(change.name) ?? '')
        const given = splitList(change.value)
        const items =
          change.op === AlterConfigOp.APPEND
            ? [...base, ...given.filter((item) => !base.includes(item))]
            : base.filter((item) => !given.includes(item))
        const result = validateTopicConfigValue(change.name, items.join(','))
        if (!result.ok) return result
        next[change.name] = result.text
        break
      }
      default:
        return failure(
          MetadataErrorCode.INVALID_REQUEST,
          `Unknown config operation ${change.op} for ${quoted(change.name)}`,
        )
    }
  }
  return { ok: true, overrides: next }
}

function splitList(text: string): string[] {
  const trimmed = text.trim()
  return trimmed === '' ? [] : trimmed.split(/\s*,\s*/)
}

/** A topic's effective configs, by name, in name order. */
export type EffectiveTopicConfig = ReadonlyMap<string, EffectiveConfigEntry>

/** The value a topic config takes when the topic does not override it: from the broker or the default. */
export function topicDefault(
  definition: TopicConfigDefinition,
  broker: BrokerConfig,
): { text: string | null; parsed: ConfigValue; source: ConfigSourceValue; synonyms: ConfigSynonymEntry[] } {
  const found: ConfigSynonymEntry[] = []
  let chosen: { text: string | null; parsed: ConfigValue; source: ConfigSourceValue } | undefined
  // Each synonym in priority order, and for each its dynamic (this broker, cluster default) and static values.
  for (const synonym of definition.brokerSynonyms) {
    for (const layer of broker.setValues(synonym.name)) {
      found.push({ name: synonym.name, value: layer.text, source: layer.source })
      if (chosen === undefined && layer.text !== null) {
        const converted = convertSynonym(definition, layer.text, synonym.multiplier)
        chosen = { ...converted, source: layer.source }
      }
    }
  }
  const defaultSynonym = definition.brokerSynonyms.find(
    (synonym) => broker.defaultText(synonym.name) !== null,
  )
  if (defaultSynonym !== undefined) {
    found.push({
      name: defaultSynonym.name,
      value: broker.defaultText(defaultSynonym.name),
      source: ConfigSource.DEFAULT_CONFIG,
    })
  } else if (definition.brokerSynonyms.length === 0) {
    found.push({ name: definition.name, value: definition.defaultValue, source: ConfigSource.DEFAULT_CONFIG })
  }
  if (chosen === undefined) {
    const parsed = parseConfigValue(definition, definition.defaultValue)
    if (!parsed.ok) throw new Error(`bad default for ${definition.name}`)
    chosen = { text: parsed.text, parsed: parsed.value, source: ConfigSource.DEFAULT_CONFIG }
  }
  return { ...chosen, synonyms: found }
}

function convertSynonym(
  definition: TopicConfigDefinition,
  text: string,
  multiplier: number,
): { text: string | null; parsed: ConfigValue } {
  const scaled = multiplier === 1 ? text : (BigInt(text.trim()) * BigInt(multiplier)).toString()
  const parsed = parseConfigValue(definition, scaled)
  // Broker values were validated against the broker's own definitions at start-up; a value that does
  // not fit the topic's rules (e.g. an hour count whose millisecond form overflows) falls back as is.
  if (!parsed.ok) return { text: scaled, parsed: Number(scaled) }
  return { text: parsed.text, parsed: parsed.value }
}

/**
 * A topic's effective configs: its overrides (DYNAMIC_TOPIC_CONFIG) over the broker's dynamic values
 * (DYNAMIC_BROKER_CONFIG, then DYNAMIC_DEFAULT_BROKER_CONFIG) over its static values (STATIC_BROKER_CONFIG)
 * over Kafka's defaults (DEFAULT_CONFIG). Every topic config appears.
 */
export function resolveTopicConfig(
  overrides: TopicConfigOverrides,
  broker: BrokerConfig,
): EffectiveTopicConfig {
  const result = new Map<string, EffectiveConfigEntry>()
  for (const definition of TOPIC_CONFIG_DEFINITIONS.values()) {
    const fallback = topicDefault(definition, broker)
    const overrideText = overrides[definition.name]
    let entry: EffectiveConfigEntry
    const common = {
      name: definition.name,
      type: definition.type,
      configType: configTypeCode[definition.type],
      sensitive: definition.sensitive,
      readOnly: false,
      documentation: definition.documentation ?? null,
    }
    if (overrideText !== undefined) {
      const parsed = parseConfigValue(definition, overrideText)
      if (!parsed.ok) throw new Error(`stored override ${definition.name}=${overrideText} no longer parses`)
      entry = {
        ...common,
        value: definition.sensitive ? null : parsed.text,
        parsed: parsed.value,
        source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
        synonyms: [
          {
            name: definition.name,
            value: definition.sensitive ? null : parsed.text,
            source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
          },
          ...fallback.synonyms,
        ],
      }
    } else {
      entry = {
        ...common,
        value: definition.sensitive ? null : fallback.text,
        parsed: fallback.parsed,
        source: fallback.source,
        synonyms: fallback.synonyms,
      }
    }
    result.set(definition.name, entry)
  }
  return result
}

/**
 * Rules that involve more than one config, checked on the effective values after a change. Tiered
 * storage is not offered by Brook, so remote.storage.enable=true is refused like a broker without it.
 */
export function checkTopicConfigRules(effective: EffectiveTopicConfig): MetadataFailure | undefined {
  const number = (name: string): number => effective.get(name)?.parsed as number
  const minLagMs = number('min.compaction.lag.ms')
  const maxLagMs = number('max.compaction.lag.ms')
  if (minLagMs > maxLagMs) {
    return failure(
      MetadataErrorCode.INVALID_CONFIG,
      `conflict topic config setting min.compaction.lag.ms (${minLagMs}) > max.compaction.lag.ms (${maxLagMs})`,
    )
  }
  if (effective.get('remote.storage.enable')?.parsed === true) {
    return failure(
      MetadataErrorCode.INVALID_CONFIG,
      'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    )
  }
  return undefined
}

/** The effective values storage and the produce/fetch paths use, typed. Sizes in bytes, times in ms. */
export interface TopicLogSettings {
  /** brook.fetch.fsynced.only: fetches see only fsynced records. */
  readonly fetchFsyncedOnly: boolean
  readonly cleanupPolicyCompact: boolean
  readonly cleanupPolicyDelete: boolean
  readonly compressionType: (typeof COMPRESSION_TYPES)[number]
  readonly compressionGzipLevel: number
  readonly compressionLz4Level: number
  readonly compressionZstdLevel: number
  readonly deleteRetentionMs: number
  readonly fileDeleteDelayMs: number
  readonly flushMessages: number
  readonly flushMs: number
  readonly indexIntervalBytes: number
  readonly maxCompactionLagMs: number
  readonly maxMessageBytes: number
  readonly messageTimestampAfterMaxMs: number
  readonly messageTimestampBeforeMaxMs: number
  readonly messageTimestampType: 'CreateTime' | 'LogAppendTime'
  readonly minCleanableDirtyRatio: number
  readonly minCompactionLagMs: number
  readonly minInsyncReplicas: number
  /** -1 means no size limit. */
  readonly retentionBytes: number
  /** -1 means no time limit. */
  readonly retentionMs: number
  readonly segmentBytes: number
  readonly segmentIndexBytes: number
  readonly segmentJitterMs: number
  readonly segmentMs: number
}

/** Picks the typed settings out of a topic's effective configs. */
export function topicLogSettings(effective: EffectiveTopicConfig): TopicLogSettings {
  const get = (name: string): ConfigValue => {
    const entry = effective.get(name)
    if (entry === undefined) throw new Error(`no effective value for ${name}`)
    return entry.parsed
  }
  const num = (name: string): number => get(name) as number
  const policy = get('cleanup.policy') as readonly string[]
  return {
    fetchFsyncedOnly: get('brook.fetch.fsynced.only') as boolean,
    cleanupPolicyCompact: policy.includes('compact'),
    cleanupPolicyDelete: policy.includes('delete'),
    compressionType: get('compression.type') as TopicLogSettings['compressionType'],
    compressionGzipLevel: num('compression.gzip.level'),
    compressionLz4Level: num('compression.lz4.level'),
    compressionZstdLevel: num('compression.zstd.level'),
    deleteRetentionMs: num('delete.retention.ms'),
    fileDeleteDelayMs: num('file.delete.delay.ms'),
    flushMessages: num('flush.messages'),
    flushMs: num('flush.ms'),
    indexIntervalBytes: num('index.interval.bytes'),
    maxCompactionLagMs: num('max.compaction.lag.ms'),
    maxMessageBytes: num('max.message.bytes'),
    messageTimestampAfterMaxMs: num('message.timestamp.after.max.ms'),
    messageTimestampBeforeMaxMs: num('message.timestamp.before.max.ms'),
    messageTimestampType: get('message.timestamp.type') as TopicLogSettings['messageTimestampType'],
    minCleanableDirtyRatio: num('min.cleanable.dirty.ratio'),
    minCompactionLagMs: num('min.compaction.lag.ms'),
    minInsyncReplicas: num('min.insync.replicas'),
    retentionBytes: num('retention.bytes'),
    retentionMs: num('retention.ms'),
    segmentBytes: num('segment.bytes'),
    segmentIndexBytes: num('segment.index.bytes'),
    segmentJitterMs: num('segment.jitter.ms'),
    segmentMs: num('segment.ms'),
  }
}
