// DeleteGroups: delete empty groups with their committed offsets. Share groups (KIP-932) are deleted by
// the share coordinator, with their share-partition state and group configs.
import { DeleteGroupsRequest, DeleteGroupsResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const deleteGroups = defineHandler({
  request: DeleteGroupsRequest,
  response: DeleteGroupsResponse,
  versions: { min: 0, max: 3 },
  async handle(request, context) {
    const { shares } = context.broker
    const shareIds = request.groupsNames.filter((groupId) => shares.group(groupId) !== undefined)
    const others = request.groupsNames.filter((groupId) => shares.group(groupId) === undefined)
    const results = others.length > 0 ? await context.broker.groups.deleteGroups(others) : []
    for (const groupId of shareIds) results.push({ groupId, errorCode: await shares.deleteGroup(groupId) })
    return { throttleTimeMs: 0, results }
  },
})
