// AlterConfigs (legacy, non-incremental): replaces the whole set of a topic's config overrides, or of a
// BROKER resource's dynamic configs (this node's id, or '' for the cluster-wide default).
import { type BrokerConfigScope, topicNameProblem } from '../../metadata/index.js'
import { AlterConfigsRequest, AlterConfigsResponse, ErrorCode } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { ConfigResourceType, brokerNameProblem } from './describe-configs.js'

/** A resource's answer in AlterConfigs and IncrementalAlterConfigs responses. */
export interface AlterResourceResult {
  errorCode: number
  errorMessage: string | null
  resourceType: number
  resourceName: string
}

/** Builds a resource's answer. */
export function alterResult(
  resource: { readonly resourceType: number; readonly resourceName: string },
  errorCode: number = ErrorCode.NONE,
  errorMessage: string | null = null,
): AlterResourceResult {
  return { errorCode, errorMessage, resourceType: resource.resourceType, resourceName: resource.resourceName }
}

/** Why a TOPIC resource name cannot be altered (Kafka's code and message), or undefined if it may be. */
export function topicResourceProblem(name: string): { errorCode: number; errorMessage: string } | undefined {
  if (name === '')
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Default topic resources are not allowed.' }
  const problem = topicNameProblem(name)
  return problem === undefined
    ? undefined
    : { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: problem }
}

/**
 * The dynamic layer a BROKER resource names: '' is the cluster-wide default, this node's id is this
 * broker; any other name is Kafka's INVALID_REQUEST message.
 */
export function brokerScope(
  resourceName: string,
  nodeId: number,
): { ok: true; scope: BrokerConfigScope } | { ok: false; errorMessage: string } {
  if (resourceName === '') return { ok: true, scope: 'cluster-default' }
  const problem = brokerNameProblem(resourceName, nodeId)
  return problem === undefined ? { ok: true, scope: 'broker' } : { ok: false, errorMessage: problem }
}

/** AlterConfigs v0-2. */
export const alterConfigs = defineHandler({
  request: AlterConfigsRequest,
  response: AlterConfigsResponse,
  versions: { min: 0, max: 2 },
  async handle(request, context) {
    const registry = context.broker.topics
    const nodeId = context.broker.config.nodeId
    const responses: AlterResourceResult[] = []
    for (const resource of request.resources) {
      switch (resource.resourceType) {
        case ConfigResourceType.TOPIC: {
          const problem = topicResourceProblem(resource.resourceName)
          if (problem !== undefined) {
            responses.push(alterResult(resource, problem.errorCode, problem.errorMessage))
            break
          }
          const result = await registry.alterConfigs(resource.resourceName, resource.configs, {
            validateOnly: request.validateOnly,
          })
          responses.push(
            result.ok ? alterResult(resource) : alterResult(resource, result.errorCode, result.errorMessage),
          )
          break
        }
        case ConfigResourceType.BROKER: {
          const target = brokerScope(resource.resourceName, nodeId)
          if (!target.ok) {
            responses.push(alterResult(resource, ErrorCode.INVALID_REQUEST, target.errorMessage))
            break
          }
          const result = await registry.alterBrokerConfigs(target.scope, resource.configs, {
            validateOnly: request.validateOnly,
          })
          responses.push(
            result.ok ? alterResult(resource) : alterResult(resource, result.errorCode, result.errorMessage),
          )
          break
        }
        case ConfigResourceType.BROKER_LOGGER:
          responses.push(
            alterResult(
              resource,
              ErrorCode.INVALID_REQUEST,
              'AlterConfigs is deprecated and does not support the resource type BROKER_LOGGER',
            ),
          )
          break
        default:
          responses.push(
            alterResult(
              resource,
              ErrorCode.INVALID_REQUEST,
              `Unsupported resource type: ${resource.resourceType}`,
            ),
          )
      }
    }
    return { throttleTimeMs: 0, responses }
  },
})
