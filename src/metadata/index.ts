// Metadata: topics, partitions, configs and ids, persisted in a state log (storage's StateLog).
export {
  applyBrokerConfigChanges,
  BROKER_CONFIG_DEFINITIONS,
  BrokerConfig,
  type BrokerConfigLayerValue,
  type BrokerConfigScope,
  type DynamicBrokerConfigs,
  type StaticBrokerValue,
  validateBrokerConfigReplacement,
} from './broker-configs.js'
export {
  type ConfigDefinition,
  ConfigSource,
  type ConfigSourceValue,
  type ConfigSynonymEntry,
  ConfigType,
  type ConfigTypeName,
  type ConfigValue,
  configTypeCode,
  type EffectiveConfigEntry,
  javaDoubleText,
  LONG_MAX_TEXT,
  type ParsedConfigValue,
  parseConfigValue,
} from './config-definition.js'
export {
  isKafkaUuidText,
  kafkaUuidFromBytes,
  kafkaUuidToBytes,
  type RandomBytes,
  randomKafkaUuid,
  ZERO_UUID,
} from './kafka-uuid.js'
export { LEGACY_METADATA_LOG_FILE, LEGACY_METADATA_SNAPSHOT_FILE } from './legacy-metadata-log.js'
export { META_PROPERTIES_FILE, type MetaProperties } from './meta-properties.js'
export {
  MetadataErrorCode,
  type MetadataErrorCodeValue,
  type MetadataFailure,
} from './metadata-error-code.js'
export {
  AlterConfigOp,
  applyIncrementalAlterOps,
  type BrokerSynonym,
  COMPRESSION_TYPES,
  type ConfigEntryInput,
  checkTopicConfigRules,
  type EffectiveTopicConfig,
  type IncrementalAlterInput,
  resolveTopicConfig,
  TOPIC_CONFIG_DEFINITIONS,
  type TopicConfigDefinition,
  type TopicConfigOverrides,
  type TopicLogSettings,
  topicLogSettings,
  type ValidatedOverrides,
  validateTopicConfigOverrides,
  validateTopicConfigValue,
} from './topic-configs.js'
export {
  type BrokerConfigListener,
  type BrokerConfigResult,
  type ChangeOptions,
  type CreateTopicRequest,
  METADATA_STATE_DIR,
  PARTITIONS_MAX_DEFAULT,
  PARTITIONS_PER_REQUEST_MAX_DEFAULT,
  type RegistryResult,
  type RegistrySuccess,
  TOPIC_NAME_LENGTH_MAX,
  type TopicChange,
  type TopicChangeListener,
  type TopicMetadata,
  TopicRegistry,
  type TopicRegistryOptions,
  topicNameProblem,
} from './topic-registry.js'
