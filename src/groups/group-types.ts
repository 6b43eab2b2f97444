// The coordinator's vocabulary: its settings, and the plain inputs and answers handlers translate requests
// into and out of. No behaviour here, so handlers, tests and later coordinators (share groups) can import
// these without the coordinator.
import type { Clock, FileSystem, Logger, Random } from '../core/index.js'
import type { TopicLookup } from './topic-lookup.js'

/** Settings of the coordinator; times in milliseconds. Defaults are Kafka's. */
export interface GroupCoordinatorOptions {
  readonly fs: FileSystem
  readonly clock: Clock
  /** Directory holding groups.log and groups.snapshot. */
  readonly dir: string
  readonly logger: Logger
  readonly topics: TopicLookup
  /** Source of member ids (classic: client id plus a UUID; KIP-848 v0: 16 random bytes). */
  readonly random: Random
  /** group.initial.rebalance.delay.ms: 3000 like Kafka; tests usually want 0. */
  readonly initialRebalanceDelayMs?: number
  /** group.min.session.timeout.ms / group.max.session.timeout.ms, inclusive: 6000 and 1800000. */
  readonly sessionTimeoutMinMs?: number
  readonly sessionTimeoutMaxMs?: number
  /** KIP-848 group.consumer.session.timeout.ms (45000) and heartbeat interval (5000). */
  readonly consumerSessionTimeoutMs?: number
  readonly consumerHeartbeatIntervalMs?: number
  /**
   * A group's own config value (GROUP resources: consumer.session.timeout.ms,
   * consumer.heartbeat.interval.ms), or undefined to use the broker's; read at each use.
   */
  readonly groupConfig?: (groupId: string, name: string) => string | undefined
  /** offsets.retention.minutes as ms (7 days); how often expiry runs (10 minutes). */
  readonly offsetsRetentionMs?: number
  readonly offsetsRetentionCheckIntervalMs?: number
  /** offset.metadata.max.bytes: longer commit metadata gets OFFSET_METADATA_TOO_LARGE (4096). */
  readonly offsetMetadataMaxBytes?: number
  /** group.max.size: members of one classic group; more get GROUP_MAX_SIZE_REACHED (Brook: 1000). */
  readonly classicGroupMaxSize?: number
  /** group.consumer.max.size: members of one KIP-848 group (Brook: 1000). */
  readonly consumerGroupMaxSize?: number
  /** Groups on this broker; a request creating one more gets GROUP_MAX_SIZE_REACHED (100,000). */
  readonly groupsMax?: number
  /** Committed offsets of one group, and of all groups; commits beyond get INVALID_COMMIT_OFFSET_SIZE. */
  readonly groupOffsetsMax?: number
  readonly offsetsMax?: number
  /** Compaction threshold of the groups log in bytes (16 MiB). */
  readonly compactBytes?: number
  /** Member id factories, replaceable for deterministic tests. */
  readonly newClassicMemberId?: (clientId: string) => string
  readonly newConsumerMemberId?: () => string
}

/** One partition of an OffsetCommit. `committedMetadata` null is stored as ''. */
export interface CommitPartitionInput {
  readonly partitionIndex: number
  readonly committedOffset: number
  readonly committedLeaderEpoch: number
  readonly committedMetadata: string | null
}

export interface OffsetCommitInput {
  readonly groupId: string
  readonly generationIdOrMemberEpoch: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly topics: readonly { readonly name: string; readonly partitions: readonly CommitPartitionInput[] }[]
}

/**
 * A TxnOffsetCommit as the group sees it: offsets stored as pending for (groupId, producerId) until the
 * transaction ends. The transaction coordinator's checks (producer epoch, group added to the transaction)
 * come before, in the handler. v0-2 carry no member: generationId -1, memberId '', groupInstanceId null.
 */
export interface TxnOffsetCommitInput {
  readonly groupId: string
  readonly producerId: number
  readonly producerEpoch: number
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
  readonly topics: readonly { readonly name: string; readonly partitions: readonly CommitPartitionInput[] }[]
}

export interface OffsetCommitTopicResult {
  name: string
  partitions: { partitionIndex: number; errorCode: number }[]
}

export interface OffsetFetchInput {
  readonly groupId: string
  /** KIP-848 members identify themselves (v9+); null and -1 otherwise. */
  readonly memberId: string | null
  readonly memberEpoch: number
  /** null asks for every committed offset of the group. */
  readonly topics: readonly { readonly name: string; readonly partitionIndexes: readonly number[] }[] | null
  /**
   * OffsetFetch v7+ require_stable: a partition an open transaction holds an offset for answers
   * UNSTABLE_OFFSET_COMMIT (and offset -1) instead of its committed offset; clients retry.
   */
  readonly requireStable?: boolean
}

export interface FetchedPartition {
  partitionIndex: number
  /** -1 when nothing is committed. */
  committedOffset: number
  committedLeaderEpoch: number
  metadata: string
  errorCode: number
}

export interface OffsetFetchResult {
  errorCode: number
  topics: { name: string; partitions: FetchedPartition[] }[]
}

export interface OffsetDeleteResult {
  errorCode: number
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[]
}

export interface ListedGroup {
  groupId: string
  protocolType: string
  groupState: string
  groupType: 'classic' | 'consumer'
}

export interface DescribedClassicGroup {
  errorCode: number
  errorMessage: string | null
  groupId: string
  groupState: string
  protocolType: string
  protocolData: string
  members: {
    memberId: string
    groupInstanceId: string | null
    clientId: string
    clientHost: string
    memberMetadata: Buffer
    memberAssignment: Buffer
  }[]
}

interface DescribedTopicPartitions {
  topicId: string
  topicName: string
  partitions: number[]
}

export interface DescribedConsumerGroup {
  errorCode: number
  errorMessage: string | null
  groupId: string
  groupState: string
  groupEpoch: number
  assignmentEpoch: number
  assignorName: string
  members: {
    memberId: string
    instanceId: string | null
    rackId: string | null
    memberEpoch: number
    clientId: string
    clientHost: string
    subscribedTopicNames: string[]
    subscribedTopicRegex: string | null
    assignment: { topicPartitions: DescribedTopicPartitions[] }
    targetAssignment: { topicPartitions: DescribedTopicPartitions[] }
    memberType: number
  }[]
}

/** A ConsumerGroupHeartbeat as decoded; owned partitions name topics by id. */
export interface ConsumerGroupHeartbeatInput {
  readonly apiVersion: number
  readonly groupId: string
  readonly memberId: string
  readonly memberEpoch: number
  readonly instanceId: string | null
  readonly rackId: string | null
  readonly rebalanceTimeoutMs: number
  readonly subscribedTopicNames: readonly string[] | null
  readonly subscribedTopicRegex: string | null
  readonly serverAssignor: string | null
  readonly topicPartitions:
    | readonly { readonly topicId: string; readonly partitions: readonly number[] }[]
    | null
  readonly clientId: string
  readonly clientHost: string
}

export interface ConsumerGroupHeartbeatResult {
  errorCode: number
  errorMessage: string | null
  memberId: string | null
  memberEpoch: number
  heartbeatIntervalMs: number
  assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null
}

/**
 * The longest group id accepted, in UTF-8 bytes: the most an int16-sized string can carry, so that every group
 * can be named in every version of every answer (ListGroups v0-2, DescribeGroups v0-4 and OffsetFetch v0-5 are
 * not flexible). Flexible versions could carry longer ids; a longer id gets INVALID_GROUP_ID (#7, fuzzer).
 */
export const GROUP_ID_BYTES_MAX = 0x7fff

/** Whether a group id is one the broker accepts: not empty and at most GROUP_ID_BYTES_MAX bytes. */
export function validGroupId(groupId: string): boolean {
  // A UTF-8 byte is at least one and at most three per UTF-16 unit: skip the count when the length decides.
  if (groupId.length === 0) return false
  if (groupId.length * 3 <= GROUP_ID_BYTES_MAX) return true
  return groupId.length <= GROUP_ID_BYTES_MAX && Buffer.byteLength(groupId, 'utf8') <= GROUP_ID_BYTES_MAX
}
