// JoinGroup: a member joins a classic group; the answer waits for the join round to complete.
import { JoinGroupRequest, JoinGroupResponse } from '../../protocol/index.js'
import { defineHandler, type RequestContext } from '../handler.js'

/**
 * The client's host as Kafka shows it ('/127.0.0.1'), from the connection's remote address when the
 * request context carries one; '' otherwise.
 */
export function clientHostOf(context: RequestContext): string {
  const address = context.session.remoteAddress
  if (address === undefined || address === '') return ''
  const colon = address.lastIndexOf(':')
  const host = colon > 0 && !address.endsWith(']') ? address.slice(0, colon) : address
  return `/${host.replace(/^\[|\]$/g, '').replace(/^::ffff:/, '')}`
}

export const joinGroup = defineHandler({
  request: JoinGroupRequest,
  response: JoinGroupResponse,
  versions: { min: 0, max: 9 },
  async handle(request, context) {
    const version = context.header.apiVersion
    const result = await context.broker.groups.joinGroup({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: version >= 5 ? request.groupInstanceId : null,
      sessionTimeoutMs: request.sessionTimeoutMs,
      // v0 has no rebalance timeout: Kafka uses the session timeout for both.
      rebalanceTimeoutMs: version >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      clientId: context.header.clientId ?? '',
      clientHost: clientHostOf(context),
      requireKnownMemberId: version >= 4,
      supportsSkipAssignment: version >= 9,
    })
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: result.protocolType,
      // Not nullable before v7.
      protocolName: version >= 7 ? result.protocolName : (result.protocolName ?? ''),
      leader: result.leader,
      skipAssignment: result.skipAssignment,
      memberId: result.memberId,
      members: result.members,
    }
  },
})
