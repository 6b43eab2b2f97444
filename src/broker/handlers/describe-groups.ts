// DescribeGroups: state, protocol and members of classic groups. Unknown groups are Dead; v6 reports
// them as GROUP_ID_NOT_FOUND instead.
import { quoted } from '../../core/index.js'
import { DescribeGroupsRequest, DescribeGroupsResponse, ErrorCode } from '../../protocol/index.js'
import { authorizedOperations } from '../authorized-operations.js'
import { defineHandler } from '../handler.js'

export const describeGroups = defineHandler({
  request: DescribeGroupsRequest,
  response: DescribeGroupsResponse,
  versions: { min: 0, max: 6 },
  handle(request, context) {
    const version = context.header.apiVersion
    // A group named many times is described once: the answer repeats one object (#7).
    const described = new Map<string, ReturnType<typeof describe>>()
    const describe = (groupId: string) => {
      const group = context.broker.groups.describeGroup(groupId)
      if (version >= 6 && group.errorCode === ErrorCode.NONE && group.groupState === 'Dead') {
        return {
          ...group,
          errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
          errorMessage: `Group ${quoted(groupId)} not found.`,
        }
      }
      // Kafka computes the operations only for a group it found.
      if (group.errorCode !== ErrorCode.NONE || group.groupState === 'Dead') return group
      return {
        ...group,
        authorizedOperations: authorizedOperations('group', request.includeAuthorizedOperations),
      }
    }
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        let answer = described.get(groupId)
        if (answer === undefined) described.set(groupId, (answer = describe(groupId)))
        return answer
      }),
    }
  },
})
