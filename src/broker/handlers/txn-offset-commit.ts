// TxnOffsetCommit: a transactional producer stores a group's offsets inside its transaction. The
// transaction coordinator first checks the producer (epoch, group added to the transaction); the group
// then checks member and generation and keeps the offsets pending until the transaction ends. The answer
// is sent once the pending offsets are durable.
import { ErrorCode, TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { commitAnswerTopics } from './offset-commit.js'

export const txnOffsetCommit = defineHandler({
  request: TxnOffsetCommitRequest,
  response: TxnOffsetCommitResponse,
  // v6 names topics by id (as OffsetCommit v10); an unknown id is UNKNOWN_TOPIC_ID whatever the rest says.
  versions: { min: 0, max: 6 },
  // The group refuses offsets beyond 2^53 with OFFSET_OUT_OF_RANGE.
  acceptsUnsafeInt64: true,
  async handle(request, context) {
    const version = context.header.apiVersion
    const byId = version >= 6
    const asked = request.topics.map((t) => ({
      topicId: t.topicId,
      name: byId ? (context.broker.topics.topicById(t.topicId)?.name ?? '') : t.name,
      partitions: t.partitions,
    }))
    const known = byId ? asked.filter((t) => t.name !== '') : asked
    const answer = (results: readonly { partitions: { partitionIndex: number; errorCode: number }[] }[]) => ({
      throttleTimeMs: 0,
      topics: commitAnswerTopics(asked, byId, results),
    })
    const all = (errorCode: number) =>
      answer(
        known.map((t) => ({
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
        })),
      )
    if (!Number.isSafeInteger(request.producerId)) return all(ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    const checked = await context.broker.transactions.checkOffsetCommit({
      transactionalId: request.transactionalId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      groupId: request.groupId,
      // v5 under transaction version 2 adds the group to the transaction itself (KIP-890).
      implicitAdd: version >= 5,
    })
    if (checked !== ErrorCode.NONE) return all(checked)
    const topics = await context.broker.groups.txnOffsetCommit({
      groupId: request.groupId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      generationId: version >= 3 ? request.generationId : -1,
      memberId: version >= 3 ? request.memberId : '',
      groupInstanceId: version >= 3 ? request.groupInstanceId : null,
      topics: known.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: p.committedOffset,
          committedLeaderEpoch: version >= 2 ? p.committedLeaderEpoch : -1,
          committedMetadata: p.committedMetadata,
        })),
      })),
    })
    return answer(topics)
  },
})
