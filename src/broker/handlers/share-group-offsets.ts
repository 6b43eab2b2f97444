// DescribeShareGroupOffsets (90, v0-1), AlterShareGroupOffsets (91, v0) and DeleteShareGroupOffsets (92,
// v0): share-partition start offsets of share groups (KIP-932), as Kafka 4.4 answers them. Altering and
// deleting need an empty group and are synced to the share state log before the answer; for a group id
// that belongs to a consumer group they are GROUP_ID_NOT_FOUND, as Kafka says for a group of another type.
// Describing a group without share state (unknown, empty id, a consumer group) lists nothing, no error.
import { quoted } from '../../core/index.js'
import {
  AlterShareGroupOffsetsRequest,
  AlterShareGroupOffsetsResponse,
  DeleteShareGroupOffsetsRequest,
  DeleteShareGroupOffsetsResponse,
  DescribeShareGroupOffsetsRequest,
  DescribeShareGroupOffsetsResponse,
  ErrorCode,
  ZERO_UUID,
} from '../../protocol/index.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler } from '../handler.js'

/** Kafka answers a start offset it has no state for with -1, and the leader epoch then as 0. */
const NO_LEADER_EPOCH = 0

/** The error for a group id that a consumer group (classic or KIP-848) holds, else undefined. */
function notShareGroup(
  broker: BrokerContext,
  groupId: string,
): { errorCode: number; errorMessage: string } | undefined {
  if (broker.shares.group(groupId) !== undefined) return undefined
  if (!broker.groups.listGroups().some((group) => group.groupId === groupId)) return undefined
  return {
    errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
    errorMessage: `Group ${quoted(groupId)} is not a share group.`,
  }
}

export const describeShareGroupOffsets = defineHandler({
  request: DescribeShareGroupOffsetsRequest,
  response: DescribeShareGroupOffsetsResponse,
  versions: { min: 0, max: 1 },
  async handle(request, context) {
    const { shares } = context.broker
    const keysByGroup = request.groups.some((group) => group.topics === null)
      ? shares.stateKeysByGroup()
      : new Map()
    const groups = []
    for (const { groupId, topics } of request.groups) {
      const described = await shares.describeOffsets(groupId, topics, keysByGroup)
      groups.push({
        groupId,
        errorCode: described.errorCode,
        errorMessage: described.errorMessage,
        topics: described.topics.map((topic) => ({
          topicName: topic.topicName,
          topicId: topic.topicId ?? ZERO_UUID,
          partitions: topic.partitions.map(({ partition, startOffset, lag }) => ({
            partitionIndex: partition,
            startOffset,
            leaderEpoch: NO_LEADER_EPOCH,
            lag,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
          })),
        })),
      })
    }
    return { throttleTimeMs: 0, groups }
  },
})

export const alterShareGroupOffsets = defineHandler({
  request: AlterShareGroupOffsetsRequest,
  response: AlterShareGroupOffsetsResponse,
  versions: { min: 0, max: 0 },
  // Start offsets past 2^53 are answered INVALID_REQUEST per partition (ShareCoordinator.alterOffsets).
  acceptsUnsafeInt64: true,
  async handle(request, context) {
    const refused = notShareGroup(context.broker, request.groupId)
    if (refused !== undefined) return { throttleTimeMs: 0, ...refused, responses: [] }
    const altered = await context.broker.shares.alterOffsets(request.groupId, request.topics)
    return {
      throttleTimeMs: 0,
      errorCode: altered.errorCode,
      errorMessage: altered.errorMessage,
      responses: altered.topics.map((topic) => ({
        topicName: topic.topicName,
        topicId: topic.topicId ?? ZERO_UUID,
        partitions: topic.partitions,
      })),
    }
  },
})

export const deleteShareGroupOffsets = defineHandler({
  request: DeleteShareGroupOffsetsRequest,
  response: DeleteShareGroupOffsetsResponse,
  versions: { min: 0, max: 0 },
  async handle(request, context) {
    const refused = notShareGroup(context.broker, request.groupId)
    if (refused !== undefined) return { throttleTimeMs: 0, ...refused, responses: [] }
    const deleted = await context.broker.shares.deleteOffsets(
      request.groupId,
      request.topics.map((topic) => topic.topicName),
    )
    return {
      throttleTimeMs: 0,
      errorCode: deleted.errorCode,
      errorMessage: deleted.errorMessage,
      responses: deleted.topics.map((topic) => ({ ...topic, topicId: topic.topicId ?? ZERO_UUID })),
    }
  },
})
