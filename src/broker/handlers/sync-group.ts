// SyncGroup: the leader hands out assignments; followers wait for them.
import { SyncGroupRequest, SyncGroupResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const syncGroup = defineHandler({
  request: SyncGroupRequest,
  response: SyncGroupResponse,
  versions: { min: 0, max: 5 },
  async handle(request, context) {
    const version = context.header.apiVersion
    const result = await context.broker.groups.syncGroup({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: version >= 3 ? request.groupInstanceId : null,
      protocolType: version >= 5 ? request.protocolType : null,
      protocolName: version >= 5 ? request.protocolName : null,
      assignments: request.assignments,
    })
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      protocolType: result.protocolType,
      protocolName: result.protocolName,
      assignment: result.assignment,
    }
  },
})
