// ConsumerGroupDescribe (KIP-848): epochs, members and their current and target assignments.
import { ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const consumerGroupDescribe = defineHandler({
  request: ConsumerGroupDescribeRequest,
  response: ConsumerGroupDescribeResponse,
  versions: { min: 0, max: 1 },
  handle(request, context) {
    // A group named many times is described once: the answer repeats one object (#7).
    const described = new Map<string, ReturnType<typeof context.broker.groups.describeConsumerGroup>>()
    return {
      throttleTimeMs: 0,
      groups: request.groupIds.map((groupId) => {
        let answer = described.get(groupId)
        if (answer === undefined)
          described.set(groupId, (answer = context.broker.groups.describeConsumerGroup(groupId)))
        return answer
      }),
    }
  },
})
