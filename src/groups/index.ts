// Groups: the consumer-group coordinator (classic protocol and KIP-848) and committed offsets, kept
// durable in a log of their own. Handlers in broker/ reach it through GroupCoordinator.
export {
  ASSIGNOR_NAMES,
  type Assignor,
  type AssignorMember,
  rangeAssignor,
  uniformAssignor,
} from './assignors.js'
export {
  ClassicGroupState,
  type ClassicGroupStateName,
  type JoinGroupInput,
  type JoinGroupResult,
  parseSubscriptionTopics,
  type SyncGroupInput,
  type SyncGroupResult,
} from './classic-group.js'
export { ConsumerGroupState, type ConsumerGroupStateName } from './consumer-group.js'
export {
  DEFAULT_GROUP_MAX_SIZE,
  DEFAULT_GROUPS_MAX,
  GroupCoordinator,
  OFFSETS_TOPIC_ID,
  OFFSETS_TOPIC_NAME,
} from './group-coordinator.js'
export type {
  CommitPartitionInput,
  ConsumerGroupHeartbeatInput,
  ConsumerGroupHeartbeatResult,
  DescribedClassicGroup,
  DescribedConsumerGroup,
  FetchedPartition,
  GroupCoordinatorOptions,
  ListedGroup,
  OffsetCommitInput,
  OffsetCommitTopicResult,
  OffsetDeleteResult,
  OffsetFetchInput,
  OffsetFetchResult,
  TxnOffsetCommitInput,
} from './group-types.js'
export { GROUP_ID_BYTES_MAX, validGroupId } from './group-types.js'
export {
  DEFAULT_OFFSET_STORE_LIMITS,
  type GroupOffsets,
  OffsetStore,
  type OffsetStoreLimits,
  type PendingOffsets,
} from './offset-store.js'
export type { PendingOffset } from './group-log.js'
export { GROUP_STATE_DIR, LEGACY_GROUP_LOG_FILE, LEGACY_GROUP_SNAPSHOT_FILE } from './group-log.js'
export { staticTopicLookup, type TopicLookup, topicLookupFromRegistry } from './topic-lookup.js'
export {
  SHARE_ASSIGNOR_NAME,
  SHARE_LEAVE_GROUP_MEMBER_EPOCH,
  ShareGroup,
  type ShareGroupSettings,
  ShareGroupState,
  type ShareGroupStateName,
  type ShareHeartbeatInput,
  type ShareHeartbeatResult,
  type ShareMember,
  type ShareMemberRemoved,
  type ShareTopicView,
  simpleShareAssignor,
} from './share-group.js'
