// ConsumerGroupDescribe (KIP-848): epochs, members and their current and target assignments.
import { ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const consumerGroupDescribe = defineHandler({
  request: ConsumerGroupDescribeRequest,
  response: ConsumerGroupDescribeResponse,
  versions: { min: 0, max: 1 },
  handle(request, context) {
    return {
      throttleTimeMs: 0,
      groups: request.groupIds.map((groupId) => context.broker.groups.describeConsumerGroup(groupId)),
    }
  },
})
