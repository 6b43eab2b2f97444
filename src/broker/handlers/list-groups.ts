// ListGroups: every group this node coordinates, filtered by state (v4+) and type (v5+).
import { ErrorCode, ListGroupsRequest, ListGroupsResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const listGroups = defineHandler({
  request: ListGroupsRequest,
  response: ListGroupsResponse,
  versions: { min: 0, max: 5 },
  handle(request, context) {
    const version = context.header.apiVersion
    const groups = context.broker.groups.listGroups({
      states: version >= 4 ? request.statesFilter : [],
      types: version >= 5 ? request.typesFilter : [],
    })
    const listed: { groupId: string; protocolType: string; groupState: string; groupType: string }[] = [
      ...groups,
    ]
    // Share groups (KIP-932) live in the share coordinator; the filters match case-insensitively.
    const states = version >= 4 ? request.statesFilter.map((v) => v.toLowerCase()) : []
    const types = version >= 5 ? request.typesFilter.map((v) => v.toLowerCase()) : []
    const shares = context.broker.shares
    const shareGroups = types.length > 0 && !types.includes('share') ? [] : shares.groupIds()
    for (const groupId of shareGroups) {
      const group = shares.group(groupId)
      if (group === undefined) continue
      if (states.length > 0 && !states.includes(group.state.toLowerCase())) continue
      listed.push({ groupId, protocolType: 'share', groupState: group.state, groupType: 'share' })
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: listed }
  },
})
