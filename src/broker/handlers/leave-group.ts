// LeaveGroup: members leave a classic group; v3+ names a batch of members (static ones by instance id).
import { ErrorCode, LeaveGroupRequest, LeaveGroupResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const leaveGroup = defineHandler({
  request: LeaveGroupRequest,
  response: LeaveGroupResponse,
  versions: { min: 0, max: 5 },
  handle(request, context) {
    const groups = context.broker.groups
    if (context.header.apiVersion < 3) {
      const result = groups.leaveGroup(request.groupId, [
        { memberId: request.memberId, groupInstanceId: null },
      ])
      const errorCode = result.errorCode !== ErrorCode.NONE ? result.errorCode : result.memberErrors[0]
      return { throttleTimeMs: 0, errorCode }
    }
    const members = request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
    const result = groups.leaveGroup(request.groupId, members)
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      members: members.map((m, i) => ({ ...m, errorCode: result.memberErrors[i] })),
    }
  },
})
