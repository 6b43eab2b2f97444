// Group-level configs (KIP-848 consumer groups, KIP-932 share groups), set with IncrementalAlterConfigs and
// read with DescribeConfigs on GROUP resources, kept in the share state store. Names, bounds and fallbacks
// follow Kafka 4.4: each falls back to the broker's group.consumer.* / group.share.* setting.
import { parseShareAutoOffsetReset } from '../share-partitions/index.js'
import type { BrokerConfig } from './broker-config.js'

/** One group config: its bounds check and the broker value it falls back to. */
interface ShareGroupConfigDefinition {
  readonly type: 'int' | 'string' | 'boolean'
  /** The problem with `value`, or undefined when it is valid. */
  problem(value: string): string | undefined
  fallback(config: BrokerConfig): string
  /** The broker config the group falls back to (DescribeConfigs synonyms), when Kafka has one. */
  readonly brokerName?: string
  /** What the config does (DescribeConfigs IncludeDocumentation). */
  readonly documentation: string
}

function intRange(name: string, min: number, max: number): (value: string) => string | undefined {
  return (value) => {
    const n = Number(value)
    return /^\s*[+-]?\d+\s*$/.test(value) && n >= min && n <= max
      ? undefined
      : `${name} must be in the range ${min} to ${max} inclusive.`
  }
}

/** The group configs Brook serves for share groups, by Kafka name. */
export const SHARE_GROUP_CONFIGS: ReadonlyMap<string, ShareGroupConfigDefinition> = new Map<
  string,
  ShareGroupConfigDefinition
>([
  [
    'consumer.session.timeout.ms',
    {
      type: 'int',
      // Kafka's group.consumer.min/max.session.timeout.ms.
      problem: intRange('consumer.session.timeout.ms', 45000, 60000),
      fallback: (config) => String(config.groupConsumerSessionTimeoutMs),
      brokerName: 'group.consumer.session.timeout.ms',
      documentation:
        'How long a member of this consumer group (KIP-848 protocol) may go without a heartbeat before it is removed, in ms.',
    },
  ],
  [
    'consumer.heartbeat.interval.ms',
    {
      type: 'int',
      problem: intRange('consumer.heartbeat.interval.ms', 5000, 15000),
      fallback: (config) => String(config.groupConsumerHeartbeatIntervalMs),
      brokerName: 'group.consumer.heartbeat.interval.ms',
      documentation:
        'How often members of this consumer group (KIP-848 protocol) are told to heartbeat, in ms; applies from their next heartbeat.',
    },
  ],
  [
    'share.auto.offset.reset',
    {
      type: 'string',
      problem: (value) =>
        parseShareAutoOffsetReset(value) === null
          ? 'share.auto.offset.reset must be latest, earliest or by_duration:<ISO-8601 duration>'
          : undefined,
      fallback: (config) => config.shareAutoOffsetReset,
      brokerName: 'share.auto.offset.reset',
      documentation:
        'Where a share-partition of this share group starts when it has no state yet: latest, earliest, or by_duration:<ISO-8601 duration> back from now.',
    },
  ],
  [
    'share.record.lock.duration.ms',
    {
      type: 'int',
      // Kafka's group.share.min/max.record.lock.duration.ms.
      problem: intRange('share.record.lock.duration.ms', 15000, 60000),
      fallback: (config) => String(config.shareRecordLockDurationMs),
      brokerName: 'group.share.record.lock.duration.ms',
      documentation:
        'How long a record delivered to a member of this share group stays acquired before it is released for redelivery, in ms.',
    },
  ],
  [
    'share.delivery.count.limit',
    {
      type: 'int',
      problem: intRange('share.delivery.count.limit', 2, 10),
      fallback: (config) => String(config.shareDeliveryCountLimit),
      brokerName: 'group.share.delivery.count.limit',
      documentation:
        'How many times a record of this share group is delivered before it is archived (or sent to the dead-letter topic).',
    },
  ],
  [
    'share.partition.max.record.locks',
    {
      type: 'int',
      problem: intRange('share.partition.max.record.locks', 100, 10000),
      fallback: (config) => String(config.sharePartitionMaxRecordLocks),
      brokerName: 'group.share.partition.max.record.locks',
      documentation:
        'Most records of one share-partition of this group that may be acquired (in flight) at once.',
    },
  ],
  [
    'share.session.timeout.ms',
    {
      type: 'int',
      problem: intRange('share.session.timeout.ms', 45000, 60000),
      fallback: (config) => String(config.shareSessionTimeoutMs),
      brokerName: 'group.share.session.timeout.ms',
      documentation:
        'How long a member of this share group may go without a heartbeat before it is removed, in ms.',
    },
  ],
  [
    'share.heartbeat.interval.ms',
    {
      type: 'int',
      problem: intRange('share.heartbeat.interval.ms', 5000, 15000),
      fallback: (config) => String(config.shareHeartbeatIntervalMs),
      brokerName: 'group.share.heartbeat.interval.ms',
      documentation: 'How often members of this share group are told to heartbeat, in ms.',
    },
  ],
  [
    'share.isolation.level',
    {
      type: 'string',
      // read_committed: records below the last stable offset only, aborted ones archived (#12).
      problem: (value) =>
        value === 'read_committed' || value === 'read_uncommitted'
          ? undefined
          : 'share.isolation.level must be read_committed or read_uncommitted',
      fallback: () => 'read_uncommitted',
      documentation:
        'Whether members of this share group read only committed records (read_committed) or all records (read_uncommitted).',
    },
  ],
  [
    'share.redelivery.backoff.ms',
    {
      type: 'int',
      // Brook's own (delayed redelivery, decision 0003): 0 turns it off.
      problem: intRange('share.redelivery.backoff.ms', 0, 86400000),
      fallback: (config) => String(config.shareRedeliveryBackoffMs),
      brokerName: 'group.share.redelivery.backoff.ms',
      documentation:
        'Brook: how long a released record waits after its first delivery before it is delivered again, doubling with each further delivery, in ms; 0 turns it off.',
    },
  ],
  [
    'share.redelivery.backoff.max.ms',
    {
      type: 'int',
      problem: intRange('share.redelivery.backoff.max.ms', 0, 86400000),
      fallback: (config) => String(config.shareRedeliveryBackoffMaxMs),
      brokerName: 'group.share.redelivery.backoff.max.ms',
      documentation: 'Brook: the longest wait before a released record is delivered again, in ms.',
    },
  ],
  [
    'errors.deadletterqueue.topic.name',
    {
      type: 'string',
      // Kafka 4.4 (KIP-1191): blank means no dead-letter topic. Brook does not require Kafka's `dlq.`
      // name prefix nor the topic's errors.deadletterqueue.group.enable (see decision 0003).
      problem: (value) => (value.length <= 249 ? undefined : 'errors.deadletterqueue.topic.name is too long'),
      fallback: () => '',
      documentation:
        'Topic to which records of this share group are copied when they are archived after their last delivery; blank for none.',
    },
  ],
  [
    'errors.deadletterqueue.copy.record.enable',
    {
      type: 'boolean',
      problem: (value) =>
        value === 'true' || value === 'false'
          ? undefined
          : 'errors.deadletterqueue.copy.record.enable must be true or false',
      fallback: () => 'false',
      documentation:
        "Whether a dead-lettered record's key and value are copied to the dead-letter topic, or only its coordinates.",
    },
  ],
])

/**
 * Delayed redelivery: how long a record released after `deliveryCount` deliveries waits: `backoffMs`
 * after the first, doubling with each further delivery, never more than `backoffMaxMs`; 0 when off.
 */
export function redeliveryDelayMs(deliveryCount: number, backoffMs: number, backoffMaxMs: number): number {
  if (!(backoffMs > 0) || deliveryCount < 1) return 0
  const doublings = Math.min(deliveryCount - 1, 40)
  return Math.min(backoffMaxMs, backoffMs * 2 ** doublings)
}

/** Why `name=value` cannot be set on a group, or undefined when it can. */
export function shareGroupConfigProblem(name: string, value: string | null): string | undefined {
  const definition = SHARE_GROUP_CONFIGS.get(name)
  if (definition === undefined) return `Unknown group config name: ${name}`
  if (value === null) return `${name} needs a value`
  return definition.problem(value)
}
