// The SDK: Producer, Consumer, QueueConsumer, Admin, serialisers, typed errors and diagnostics channels.
export type { ClientOptions } from './cluster.js'
// The ports ClientOptions takes (a logger of your own; a clock and transport for tests), and the errors' base.
export type {
  BrookErrorOptions,
  Clock,
  Connection,
  KafkaErrorDetails,
  Listener,
  Logger,
  LogLevel,
  Timer,
  Transport,
} from '../core/index.js'
export { BrookError } from '../core/index.js'
export { channelNames } from './diagnostics.js'
export {
  AbortError,
  AlreadyIteratingError,
  ClientError,
  ClosedError,
  ConnectionError,
  DeserializeError,
  InvalidArgumentError,
  isRetriable,
  KafkaError,
  kafkaError,
  NotAssignedError,
  RequestTimeoutError,
  SerializeError,
} from './errors.js'
export { murmur2, partitionForKey } from './murmur2.js'
export {
  type CompressionName,
  type HeadersInput,
  Producer,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
  type TransactionOffset,
} from './producer.js'
export { type Deserializer, type Serde, type Serializer, serializers } from './serializers.js'
export {
  Consumer,
  type ConsumerGroupMetadata,
  type ConsumerOptions,
  type Message,
  type MessageHeader,
} from './consumer.js'
export {
  type OffsetRange,
  type RangeReadOutcome,
  type RangeVisitAnswer,
  type ReadTopicRangesOptions,
  readTopicRanges,
} from './read-ranges.js'
export type { TopicPartition } from './topic-partition.js'
export {
  Admin,
  type AdminOptions,
  type ConfigResourceType,
  type GroupDescription,
  type GroupListing,
  type GroupMemberDescription,
  type LogDirDescription,
  type LogDirPartition,
  type NewTopic,
  type PartitionOffsetLag,
  type ShareGroupPartitionOffset,
  type ShareOffsetTarget,
} from './admin.js'
export type { BrokerInfo, PartitionInfo, TopicInfo } from './cluster.js'
export { QueueConsumer, type QueueConsumerOptions, type QueueMessage } from './queue-consumer.js'
export { type ExactlyOnceOptions, type PipelineOptions, type RunningPipeline, pipeline } from './pipeline.js'
export {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_SCAN_RECORDS_MAX,
  DEAD_LETTER_SCAN_TIME_MAX_MS,
  DEAD_LETTER_TOPIC_CONFIG,
  type DeadLetterDepth,
  type DeadLetterOrigin,
  deadLetterDepth,
  deadLetterOrigin,
  deadLetterTopicOf,
  REDRIVE_BATCH_RECORDS,
  REDRIVE_GROUP_PREFIX,
  type RedriveOptions,
  type RedriveReport,
  redriveDeadLetters,
  redriveGroupId,
} from './dead-letters.js'
