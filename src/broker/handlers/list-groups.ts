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
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups }
  },
})
