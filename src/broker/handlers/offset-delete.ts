// OffsetDelete: remove a group's committed offsets for partitions of topics it does not consume.
import { OffsetDeleteRequest, OffsetDeleteResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const offsetDelete = defineHandler({
  request: OffsetDeleteRequest,
  response: OffsetDeleteResponse,
  versions: { min: 0, max: 0 },
  async handle(request, context) {
    const result = await context.broker.groups.deleteOffsets(request.groupId, request.topics)
    return { errorCode: result.errorCode, throttleTimeMs: 0, topics: result.topics }
  },
})
