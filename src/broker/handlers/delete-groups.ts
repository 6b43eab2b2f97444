// DeleteGroups: delete empty groups with their committed offsets.
import { DeleteGroupsRequest, DeleteGroupsResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const deleteGroups = defineHandler({
  request: DeleteGroupsRequest,
  response: DeleteGroupsResponse,
  versions: { min: 0, max: 2 },
  async handle(request, context) {
    const results = await context.broker.groups.deleteGroups(request.groupsNames)
    return { throttleTimeMs: 0, results }
  },
})
