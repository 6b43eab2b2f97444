// ShareAcknowledge (KIP-932), v1-2 as Kafka 4.4 serves them: acknowledges delivered records without
// fetching. The share session must exist and the epoch be its next one (0 cannot open a session);
// epoch -1 closes it and releases what the member still holds there. Each partition's outcome is its
// ErrorCode, answered once the change is synced. v2: Renew acknowledgements when IsRenewAck is set.

import { validGroupId } from '../../groups/index.js'
import { ErrorCode, ShareAcknowledgeRequest, ShareAcknowledgeResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { applyAcknowledgements, type SharePartitionAnswer } from './share-fetch.js'

export const shareAcknowledge = defineHandler({
  request: ShareAcknowledgeRequest,
  response: ShareAcknowledgeResponse,
  versions: { min: 1, max: 2 },
  async handle(request, context) {
    const { broker } = context
    const version = context.header.apiVersion
    const lockMs = broker.config.shareRecordLockDurationMs
    const topLevel = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      acquisitionLockTimeoutMs: lockMs,
      responses: [],
      nodeEndpoints: [],
    })
    const groupId = request.groupId ?? ''
    const memberId = request.memberId ?? ''
    if (!validGroupId(groupId)) return topLevel(ErrorCode.INVALID_GROUP_ID, 'GroupId is empty or too long')
    if (memberId === '') return topLevel(ErrorCode.INVALID_REQUEST, 'MemberId is empty')
    const checked = broker.shares.sessions.acknowledge(groupId, memberId, request.shareSessionEpoch)
    if (checked.session === null) return topLevel(checked.errorCode, checked.errorMessage ?? '')
    const answers = new Map<string, SharePartitionAnswer>()
    const allowRenew = version >= 2 && request.isRenewAck
    await applyAcknowledgements(broker, groupId, memberId, request.topics, allowRenew, answers)
    if (request.shareSessionEpoch === -1) broker.shares.releaseSession(checked.session)
    const nodeId = broker.config.nodeId
    const byTopic = new Map<string, SharePartitionAnswer[]>()
    for (const answer of answers.values())
      byTopic.set(answer.topicId, [...(byTopic.get(answer.topicId) ?? []), answer])
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      acquisitionLockTimeoutMs: lockMs,
      responses: [...byTopic].map(([topicId, partitions]) => ({
        topicId,
        partitions: partitions.map((a) => ({
          partitionIndex: a.partitionIndex,
          errorCode: a.acknowledgeErrorCode,
          errorMessage: a.acknowledgeErrorMessage,
          currentLeader: { leaderId: nodeId, leaderEpoch: 0 },
        })),
      })),
      nodeEndpoints: [],
    }
  },
})
