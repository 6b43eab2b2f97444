// Heartbeat: a classic member shows it is alive and learns of rebalances through the error code.
import { HeartbeatRequest, HeartbeatResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const heartbeat = defineHandler({
  request: HeartbeatRequest,
  response: HeartbeatResponse,
  versions: { min: 0, max: 4 },
  handle(request, context) {
    const errorCode = context.broker.groups.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: context.header.apiVersion >= 3 ? request.groupInstanceId : null,
    })
    return { throttleTimeMs: 0, errorCode }
  },
})
