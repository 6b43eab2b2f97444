// The SDK: Producer, Consumer, QueueConsumer, Admin, serialisers, typed errors and diagnostics channels.
export type { ClientOptions } from './cluster.js'
export { channelNames } from './diagnostics.js'
export {
  AbortError,
  ClientError,
  ConnectionError,
  KafkaError,
  RequestTimeoutError,
  isRetriable,
} from './errors.js'
export { murmur2, partitionForKey } from './murmur2.js'
export {
  type CompressionName,
  type HeadersInput,
  Producer,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
} from './producer.js'
export { type Deserializer, type Serde, type Serializer, serializers } from './serializers.js'
