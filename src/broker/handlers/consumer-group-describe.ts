// ConsumerGroupDescribe (KIP-848): epochs, members and their current and target assignments.
import {
  ConsumerGroupDescribeRequest,
  ConsumerGroupDescribeResponse,
  ErrorCode,
} from '../../protocol/index.js'
import type { GroupCoordinator } from '../../groups/index.js'
import { authorizedOperations } from '../authorized-operations.js'
import { defineHandler } from '../handler.js'

type Described = ReturnType<GroupCoordinator['describeConsumerGroup']> & { authorizedOperations?: number }

export const consumerGroupDescribe = defineHandler({
  request: ConsumerGroupDescribeRequest,
  response: ConsumerGroupDescribeResponse,
  versions: { min: 0, max: 1 },
  handle(request, context) {
    // A group named many times is described once: the answer repeats one object (#7).
    const described = new Map<string, Described>()
    const describe = (groupId: string): Described => {
      const group = context.broker.groups.describeConsumerGroup(groupId)
      if (group.errorCode !== ErrorCode.NONE) return group
      return {
        ...group,
        authorizedOperations: authorizedOperations('group', request.includeAuthorizedOperations),
      }
    }
    return {
      throttleTimeMs: 0,
      groups: request.groupIds.map((groupId) => {
        let answer = described.get(groupId)
        if (answer === undefined) described.set(groupId, (answer = describe(groupId)))
        return answer
      }),
    }
  },
})
