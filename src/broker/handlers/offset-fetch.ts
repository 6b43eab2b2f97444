// OffsetFetch: read committed offsets. v0-7 ask for one group, v8+ for a batch; v10 names topics by id.
// Partitions with nothing committed answer offset -1, leader epoch -1, metadata '' and no error.
import { ErrorCode, OffsetFetchRequest, OffsetFetchResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const offsetFetch = defineHandler({
  request: OffsetFetchRequest,
  response: OffsetFetchResponse,
  versions: { min: 0, max: 10 },
  handle(request, context) {
    const version = context.header.apiVersion
    const { groups, topics: registry } = context.broker
    if (version < 8) {
      const result = groups.fetchOffsets({
        groupId: request.groupId,
        memberId: null,
        memberEpoch: -1,
        // v0 and v1 cannot ask for "all topics".
        topics: request.topics,
        requireStable: version >= 7 && request.requireStable,
      })
      // Before v2 there is no top-level error: it goes into every partition.
      const partitionError = version < 2 ? result.errorCode : ErrorCode.NONE
      const requested =
        result.errorCode !== ErrorCode.NONE && version < 2 && request.topics !== null
          ? request.topics.map((t) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((p) => ({
                partitionIndex: p,
                committedOffset: -1,
                committedLeaderEpoch: -1,
                metadata: '',
                errorCode: partitionError,
              })),
            }))
          : result.topics
      return { throttleTimeMs: 0, errorCode: result.errorCode, topics: requested }
    }
    const byId = version >= 10
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((g) => {
        const topics =
          g.topics === null
            ? null
            : g.topics.map((t) => ({
                name: byId ? (registry.topicById(t.topicId)?.name ?? '') : t.name,
                topicId: t.topicId,
                partitionIndexes: t.partitionIndexes,
              }))
        const result = groups.fetchOffsets({
          groupId: g.groupId,
          memberId: version >= 9 ? g.memberId : null,
          memberEpoch: version >= 9 ? g.memberEpoch : -1,
          topics,
          requireStable: request.requireStable,
        })
        if (result.errorCode !== ErrorCode.NONE)
          return { groupId: g.groupId, errorCode: result.errorCode, topics: [] }
        const answered = result.topics.flatMap((t, i) => {
          if (!byId) return [{ name: t.name, topicId: '', partitions: t.partitions }]
          const topicId = topics === null ? registry.topic(t.name)?.topicId : topics[i].topicId
          if (topicId === undefined) return []
          const partitions =
            topics !== null && topics[i].name === ''
              ? t.partitions.map((p) => ({ ...p, errorCode: ErrorCode.UNKNOWN_TOPIC_ID }))
              : t.partitions
          return [{ name: t.name, topicId, partitions }]
        })
        return { groupId: g.groupId, errorCode: ErrorCode.NONE, topics: answered }
      }),
    }
  },
})
