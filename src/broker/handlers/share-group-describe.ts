// ShareGroupDescribe (KIP-932), v1 as Kafka 4.4 serves it: state, epochs, assignor and members with
// their assignments. A group id that is not a share group is GROUP_ID_NOT_FOUND. Authorized operations
// are not computed (no ACLs yet): the field keeps its "not requested" value.
import { quoted } from '../../core/index.js'
import { ErrorCode, ShareGroupDescribeRequest, ShareGroupDescribeResponse } from '../../protocol/index.js'
import { SHARE_ASSIGNOR_NAME } from '../../groups/index.js'
import { defineHandler } from '../handler.js'

const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

export const shareGroupDescribe = defineHandler({
  request: ShareGroupDescribeRequest,
  response: ShareGroupDescribeResponse,
  versions: { min: 1, max: 1 },
  handle(request, context) {
    const { shares, topics } = context.broker
    return {
      throttleTimeMs: 0,
      groups: request.groupIds.map((groupId) => {
        const group = shares.group(groupId)
        if (group === undefined)
          return {
            errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
            errorMessage: `Group ${quoted(groupId)} not found.`,
            groupId,
            groupState: 'Dead',
            groupEpoch: -1,
            assignmentEpoch: -1,
            assignorName: '',
            members: [],
            authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
          }
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          groupId,
          groupState: group.state,
          groupEpoch: group.groupEpoch,
          assignmentEpoch: group.assignmentEpoch,
          assignorName: SHARE_ASSIGNOR_NAME,
          members: [...group.members.values()].map((member) => ({
            memberId: member.memberId,
            rackId: member.rackId,
            memberEpoch: member.memberEpoch,
            clientId: member.clientId,
            clientHost: member.clientHost,
            subscribedTopicNames: member.subscribedTopicNames,
            assignment: {
              topicPartitions: [...member.assignment].flatMap(([name, partitions]) => {
                const meta = topics.topic(name)
                return meta === undefined ? [] : [{ topicId: meta.topicId, topicName: name, partitions }]
              }),
            },
          })),
          authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
        }
      }),
    }
  },
})
