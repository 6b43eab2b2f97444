// IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT on a topic's config overrides (KIP-339).
// BROKER resources: this broker's and the cluster-wide default's dynamic configs, applied live.
// BROKER_LOGGER resources: logger levels at runtime. GROUP resources: the share group configs (SET and DELETE), stored by the share coordinator.
import { AlterConfigOp } from '../../metadata/index.js'
import {
  ErrorCode,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { type AlterResourceResult, alterResult, brokerScope, topicResourceProblem } from './alter-configs.js'
import { alterLoggers } from './broker-loggers.js'
import { ConfigResourceType, brokerNameProblem } from './describe-configs.js'

const knownOps: readonly number[] = Object.values(AlterConfigOp)

/** IncrementalAlterConfigs v0-1. */
export const incrementalAlterConfigs = defineHandler({
  request: IncrementalAlterConfigsRequest,
  response: IncrementalAlterConfigsResponse,
  versions: { min: 0, max: 1 },
  async handle(request, context) {
    const registry = context.broker.topics
    const nodeId = context.broker.config.nodeId
    const responses: AlterResourceResult[] = []
    for (const resource of request.resources) {
      const unknownOp = resource.configs.find((config) => !knownOps.includes(config.configOperation))
      if (unknownOp !== undefined && resource.resourceType !== ConfigResourceType.TOPIC) {
        responses.push(
          alterResult(
            resource,
            ErrorCode.INVALID_REQUEST,
            `Unknown alter config operation type ${unknownOp.configOperation}`,
          ),
        )
        continue
      }
      switch (resource.resourceType) {
        case ConfigResourceType.TOPIC: {
          const problem = topicResourceProblem(resource.resourceName)
          if (problem !== undefined) {
            responses.push(alterResult(resource, problem.errorCode, problem.errorMessage))
            break
          }
          const changes = resource.configs.map((config) => ({
            name: config.name,
            op: config.configOperation,
            value: config.value,
          }))
          const result = await registry.incrementalAlterConfigs(resource.resourceName, changes, {
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
          const changes = resource.configs.map((config) => ({
            name: config.name,
            op: config.configOperation,
            value: config.value,
          }))
          const result = await registry.incrementalAlterBrokerConfigs(target.scope, changes, {
            validateOnly: request.validateOnly,
          })
          responses.push(
            result.ok ? alterResult(resource) : alterResult(resource, result.errorCode, result.errorMessage),
          )
          break
        }
        case ConfigResourceType.BROKER_LOGGER: {
          const problem =
            resource.resourceName === ''
              ? 'Broker id must not be empty'
              : brokerNameProblem(resource.resourceName, nodeId)
          if (problem !== undefined) {
            responses.push(alterResult(resource, ErrorCode.INVALID_REQUEST, problem))
            break
          }
          const result = alterLoggers(
            context.broker.logLevels,
            resource.configs.map((config) => ({
              name: config.name,
              op: config.configOperation,
              value: config.value,
            })),
            request.validateOnly,
          )
          for (const { name, level } of result.changed)
            context.broker.logger.info('logger level changed', { logger: name, level: level ?? 'root' })
          responses.push(alterResult(resource, result.errorCode, result.errorMessage))
          break
        }
        case ConfigResourceType.GROUP: {
          const result = await context.broker.shares.alterGroupConfigs(
            resource.resourceName,
            resource.configs.map((config) => ({
              name: config.name,
              op: config.configOperation,
              value: config.value,
            })),
            request.validateOnly,
          )
          responses.push(alterResult(resource, result.errorCode, result.errorMessage))
          break
        }
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
