// OffsetCommit: store a group's committed offsets (v10 names topics by id). The answer is sent once the
// offsets are durable.
import { ErrorCode, OffsetCommitRequest, OffsetCommitResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const offsetCommit = defineHandler({
  request: OffsetCommitRequest,
  response: OffsetCommitResponse,
  versions: { min: 0, max: 10 },
  // The coordinator refuses offsets beyond 2^53 with OFFSET_OUT_OF_RANGE.
  acceptsUnsafeInt64: true,
  async handle(request, context) {
    const version = context.header.apiVersion
    const byId = version >= 10
    const topics = request.topics.map((t) => ({
      topicId: t.topicId,
      name: byId ? (context.broker.topics.topicById(t.topicId)?.name ?? '') : t.name,
      partitions: t.partitions,
    }))
    const known = byId ? topics.filter((t) => t.name !== '') : topics
    const results = await context.broker.groups.commitOffsets({
      groupId: request.groupId,
      // v0 has neither: it is always a commit from outside any generation.
      generationIdOrMemberEpoch: version >= 1 ? request.generationIdOrMemberEpoch : -1,
      memberId: version >= 1 ? request.memberId : '',
      groupInstanceId: version >= 7 ? request.groupInstanceId : null,
      topics: known.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: p.committedOffset,
          committedLeaderEpoch: version >= 6 ? p.committedLeaderEpoch : -1,
          committedMetadata: p.committedMetadata,
        })),
      })),
    })
    return { throttleTimeMs: 0, topics: commitAnswerTopics(topics, byId, results) }
  },
})

/**
 * The topics of an OffsetCommit or TxnOffsetCommit answer, in the order asked: UNKNOWN_TOPIC_ID on every partition of a
 * topic named by an id the broker does not know (its name resolved to ''), else the next of `results`, which hold the
 * known topics in the same order.
 */
export function commitAnswerTopics(
  asked: readonly { name: string; topicId: string; partitions: readonly { partitionIndex: number }[] }[],
  byId: boolean,
  results: readonly { partitions: { partitionIndex: number; errorCode: number }[] }[],
) {
  let next = 0
  return asked.map((t) => {
    if (byId && t.name === '') {
      const partitions = t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
      }))
      return { name: '', topicId: t.topicId, partitions }
    }
    return { name: t.name, topicId: t.topicId, partitions: results[next++].partitions }
  })
}
