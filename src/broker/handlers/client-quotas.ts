// DescribeClientQuotas and AlterClientQuotas (kafka-configs.sh --entity-type users/clients/ips, Admin):
// Brook enforces no client quotas, so none exist: Describe answers an empty list, and Alter refuses to store
// a quota it would not enforce (a stored, unenforced quota would look as if it worked). Requests are
// validated as Kafka validates them first, so a malformed one gets Kafka's error; removing a quota that is
// not there is valid and changes nothing, as on Kafka.
import { quoted } from '../../core/index.js'
import {
  AlterClientQuotasRequest,
  AlterClientQuotasResponse,
  DescribeClientQuotasRequest,
  DescribeClientQuotasResponse,
  ErrorCode,
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

/** Entity types and the quota keys Kafka accepts for each (ip takes only connection_creation_rate). */
const ENTITY_TYPES = new Set(['user', 'client-id', 'ip'])
const CLIENT_QUOTA_KEYS = new Set([
  'producer_byte_rate',
  'consumer_byte_rate',
  'request_percentage',
  'controller_mutation_rate',
])
const IP_QUOTA_KEYS = new Set(['connection_creation_rate'])

/** DescribeClientQuotas match types: a name, the default entity, any specified name. */
const MatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const

/** The reason Brook gives for refusing to store a quota. */
export const QUOTAS_NOT_ENFORCED =
  'Brook does not enforce client quotas, so it stores none (#9); nothing was changed.'

export const describeClientQuotas = defineHandler({
  request: DescribeClientQuotasRequest,
  response: DescribeClientQuotasResponse,
  versions: { min: 0, max: 1 },
  handle(request) {
    const seen = new Set<string>()
    for (const component of request.components) {
      let problem: string | null = null
      if (!ENTITY_TYPES.has(component.entityType))
        problem = `Custom entity type ${quoted(component.entityType)} not supported`
      else if (seen.has(component.entityType))
        problem = `Duplicate ${component.entityType} filter component entity type`
      else if (component.matchType === MatchType.EXACT && component.match === null)
        problem = 'Exact match requires a match string'
      else if (component.matchType !== MatchType.EXACT && component.match !== null)
        problem = 'Default and specified match types must not have a match string'
      else if (!Object.values(MatchType).includes(component.matchType as 0))
        problem = `Unknown match type ${component.matchType}`
      seen.add(component.entityType)
      if (problem !== null)
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: problem,
          entries: null,
        }
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries: [] }
  },
})

function alterEntry(entry: {
  entity: readonly { entityType: string; entityName: string | null }[]
  ops: readonly { key: string; value: number; remove: boolean }[]
}): { errorCode: number; errorMessage: string | null } {
  const types = new Set<string>()
  for (const { entityType } of entry.entity) {
    if (!ENTITY_TYPES.has(entityType))
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Unhandled client quota entity type: ${quoted(entityType)}`,
      }
    if (types.has(entityType))
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Duplicate ${entityType} entity type` }
    types.add(entityType)
  }
  if (types.size === 0)
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Invalid empty client quota entity' }
  const ip = types.has('ip')
  if (ip && types.size > 1)
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage:
        'Invalid quota entity combination, IP entity should not be combined with User or ClientId',
    }
  for (const op of entry.ops) {
    if (!(ip ? IP_QUOTA_KEYS : CLIENT_QUOTA_KEYS).has(op.key))
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Invalid configuration key ${quoted(op.key)}`,
      }
    if (!op.remove && !(Number.isFinite(op.value) && op.value > 0))
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Illegal value for ${quoted(op.key)}: ${op.value}`,
      }
  }
  if (entry.ops.some((op) => !op.remove))
    return { errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: QUOTAS_NOT_ENFORCED }
  return { errorCode: ErrorCode.NONE, errorMessage: null }
}

export const alterClientQuotas = defineHandler({
  request: AlterClientQuotasRequest,
  response: AlterClientQuotasResponse,
  versions: { min: 0, max: 1 },
  handle(request) {
    return {
      throttleTimeMs: 0,
      entries: request.entries.map((entry) => ({ ...alterEntry(entry), entity: entry.entity })),
    }
  },
})
