// ConsumerGroupHeartbeat (KIP-848): members join, heartbeat and leave; the answer carries the member's
// epoch and, when it changed, its assignment.
import { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { clientHostOf } from './join-group.js'

export const consumerGroupHeartbeat = defineHandler({
  request: ConsumerGroupHeartbeatRequest,
  response: ConsumerGroupHeartbeatResponse,
  versions: { min: 0, max: 1 },
  handle(request, context) {
    const version = context.header.apiVersion
    return {
      throttleTimeMs: 0,
      ...context.broker.groups.consumerGroupHeartbeat({
        apiVersion: version,
        groupId: request.groupId,
        memberId: request.memberId,
        memberEpoch: request.memberEpoch,
        instanceId: request.instanceId,
        rackId: request.rackId,
        rebalanceTimeoutMs: request.rebalanceTimeoutMs,
        subscribedTopicNames: request.subscribedTopicNames,
        subscribedTopicRegex: version >= 1 ? request.subscribedTopicRegex : null,
        serverAssignor: request.serverAssignor,
        topicPartitions: request.topicPartitions,
        clientId: context.header.clientId ?? '',
        clientHost: clientHostOf(context),
      }),
    }
  },
})
