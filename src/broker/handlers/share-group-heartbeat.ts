// ShareGroupHeartbeat (KIP-932), v1 as Kafka 4.4 serves it: members join with epoch 0 and their topics,
// heartbeat with the epoch they were given, leave with -1; the answer carries the assignment (by topic
// id) when it changed. Not implemented: rack-aware assignment. Group-level config overrides
// are read at each heartbeat; a group id held by a classic or consumer group is GROUP_ID_NOT_FOUND.
import { quoted } from '../../core/index.js'
import { ErrorCode, ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { clientHostOf } from './join-group.js'

export const shareGroupHeartbeat = defineHandler({
  request: ShareGroupHeartbeatRequest,
  response: ShareGroupHeartbeatResponse,
  versions: { min: 1, max: 1 },
  handle(request, context) {
    const { shares, groups } = context.broker
    if (
      shares.group(request.groupId) === undefined &&
      groups.listGroups().some((g) => g.groupId === request.groupId)
    )
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
        errorMessage: `Group ${quoted(request.groupId)} is not a share group.`,
        memberId: null,
        memberEpoch: -1,
        heartbeatIntervalMs: 0,
        assignment: null,
      }
    const answer = context.broker.shares.heartbeat(request.groupId, {
      memberId: request.memberId,
      memberEpoch: request.memberEpoch,
      rackId: request.rackId,
      subscribedTopicNames: request.subscribedTopicNames,
      clientId: context.header.clientId ?? '',
      clientHost: clientHostOf(context),
    })
    return {
      throttleTimeMs: 0,
      errorCode: answer.errorCode,
      errorMessage: answer.errorMessage,
      memberId: answer.memberId,
      memberEpoch: answer.memberEpoch,
      heartbeatIntervalMs: answer.heartbeatIntervalMs,
      assignment: answer.assignment,
    }
  },
})
