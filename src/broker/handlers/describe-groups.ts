// DescribeGroups: state, protocol and members of classic groups. Unknown groups are Dead; v6 reports
// them as GROUP_ID_NOT_FOUND instead.
import { DescribeGroupsRequest, DescribeGroupsResponse, ErrorCode } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const describeGroups = defineHandler({
  request: DescribeGroupsRequest,
  response: DescribeGroupsResponse,
  versions: { min: 0, max: 6 },
  handle(request, context) {
    const version = context.header.apiVersion
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        const group = context.broker.groups.describeGroup(groupId)
        if (version >= 6 && group.errorCode === ErrorCode.NONE && group.groupState === 'Dead') {
          return {
            ...group,
            errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
            errorMessage: `Group ${groupId} not found.`,
          }
        }
        return group
      }),
    }
  },
})
