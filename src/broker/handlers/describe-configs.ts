// DescribeConfigs: every config of a topic or of this broker with its value, source, read-only and
// sensitive flags, and on request its synonyms (v1+) and type (v3+), as a Kafka 4 broker answers.
import { quoted } from '../../core/index.js'
import {
  ConfigSource,
  ConfigType,
  type EffectiveConfigEntry,
  topicNameProblem,
} from '../../metadata/index.js'
import { DescribeConfigsRequest, DescribeConfigsResponse, ErrorCode } from '../../protocol/index.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { describeLoggers } from './broker-loggers.js'

/** Kafka's ConfigResource.Type numbers for the resources Brook knows. */
export const ConfigResourceType = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  GROUP: 32,
} as const

/**
 * Checks that a BROKER (or BROKER_LOGGER) resource name is this node's id. Returns the error message of
 * Kafka's INVALID_REQUEST when it is not, or undefined when it is.
 */
export function brokerNameProblem(resourceName: string, nodeId: number): string | undefined {
  if (!/^[+-]?\d+$/.test(resourceName.trim()))
    return `Broker id must be an integer, but it is: ${quoted(resourceName)}`
  if (Number(resourceName) !== nodeId)
    return `Unexpected broker id, expected ${nodeId}, but received ${quoted(resourceName)}`
  return undefined
}

type DescribeResource = {
  readonly resourceType: number
  readonly resourceName: string
  readonly configurationKeys: readonly string[] | null
}

interface ResultOptions {
  readonly includeSynonyms: boolean
  readonly includeDocumentation: boolean
}

function entryResult(entry: EffectiveConfigEntry, options: ResultOptions) {
  return {
    name: entry.name,
    value: entry.sensitive ? null : entry.value,
    readOnly: entry.readOnly,
    // v0 has no source, only whether the value is Kafka's default.
    isDefault: entry.source === ConfigSource.DEFAULT_CONFIG,
    configSource: entry.source,
    isSensitive: entry.sensitive,
    synonyms: options.includeSynonyms
      ? entry.synonyms.map((synonym) => ({
          name: synonym.name,
          value: entry.sensitive ? null : synonym.value,
          source: synonym.source,
        }))
      : [],
    configType: entry.configType,
    documentation: options.includeDocumentation ? entry.documentation : null,
  }
}

type ConfigResult = ReturnType<typeof entryResult>

function success(resource: DescribeResource, configs: ConfigResult[]) {
  // Kafka treats an empty key list like a null one: describe everything.
  const keys = resource.configurationKeys
  const filtered =
    keys === null || keys.length === 0 ? configs : configs.filter((config) => keys.includes(config.name))
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    resourceType: resource.resourceType,
    resourceName: resource.resourceName,
    configs: filtered,
  }
}

function failure(resource: DescribeResource, errorCode: number, errorMessage: string) {
  return {
    errorCode,
    errorMessage,
    resourceType: resource.resourceType,
    resourceName: resource.resourceName,
    configs: [],
  }
}

/**
 * The configs of each (type, name) described once per request: 30,000 resources naming this broker made
 * 30,000 descriptions of its ~200 configs, 1.4 s of CPU in one turn (#7). Each resource
 * still gets its own key filter.
 */
type DescribedConfigs = Map<string, ReturnType<typeof describeOne>>

function describeCached(
  resource: DescribeResource,
  options: ResultOptions,
  context: RequestContext,
  described: DescribedConfigs,
) {
  const key = `${resource.resourceType}:${resource.resourceName}`
  let result = described.get(key)
  if (result === undefined) {
    result = describeOne({ ...resource, configurationKeys: null }, options, context)
    described.set(key, result)
  }
  if (result.errorCode !== ErrorCode.NONE) return result
  return success(resource, result.configs)
}

function describeOne(resource: DescribeResource, options: ResultOptions, context: RequestContext) {
  const registry = context.broker.topics
  const nodeId = context.broker.config.nodeId
  switch (resource.resourceType) {
    case ConfigResourceType.TOPIC: {
      const nameProblem = topicNameProblem(resource.resourceName)
      if (nameProblem !== undefined) return failure(resource, ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem)
      const effective = registry.effectiveConfig(resource.resourceName)
      if (effective === undefined) {
        return failure(
          resource,
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          'This server does not host this topic-partition.',
        )
      }
      return success(
        resource,
        [...effective.values()].map((entry) => entryResult(entry, options)),
      )
    }
    case ConfigResourceType.BROKER: {
      // The empty name is the cluster-wide dynamic default: only the configs set there.
      if (resource.resourceName === '')
        return success(
          resource,
          registry.brokerConfig.describeClusterDefault().map((entry) => entryResult(entry, options)),
        )
      const problem = brokerNameProblem(resource.resourceName, nodeId)
      if (problem !== undefined) return failure(resource, ErrorCode.INVALID_REQUEST, problem)
      return success(
        resource,
        registry.brokerConfig.describe().map((entry) => entryResult(entry, options)),
      )
    }
    case ConfigResourceType.BROKER_LOGGER: {
      if (resource.resourceName === '')
        return failure(resource, ErrorCode.INVALID_REQUEST, 'Broker id must not be empty')
      const problem = brokerNameProblem(resource.resourceName, nodeId)
      if (problem !== undefined) return failure(resource, ErrorCode.INVALID_REQUEST, problem)
      return success(resource, describeLoggers(context.broker.logLevels))
    }
    case ConfigResourceType.GROUP: {
      if (resource.resourceName === '')
        return failure(resource, ErrorCode.INVALID_REQUEST, 'Group id must not be empty')
      // Consumer (KIP-848) and share (KIP-932) group configs; a group override shows as GROUP_CONFIG over
      // the broker setting it falls back to.
      return success(
        resource,
        context.broker.shares.describeGroupConfigs(resource.resourceName).map((entry) => ({
          name: entry.name,
          value: entry.value,
          readOnly: false,
          isDefault: !entry.overridden,
          configSource: entry.overridden ? ConfigSource.GROUP_CONFIG : ConfigSource.DEFAULT_CONFIG,
          isSensitive: false,
          synonyms: options.includeSynonyms
            ? [
                ...(entry.overridden
                  ? [{ name: entry.name, value: entry.value, source: ConfigSource.GROUP_CONFIG }]
                  : []),
                {
                  name: entry.brokerName ?? entry.name,
                  value: entry.fallback,
                  source: ConfigSource.DEFAULT_CONFIG,
                },
              ]
            : [],
          configType:
            entry.type === 'boolean'
              ? ConfigType.BOOLEAN
              : entry.type === 'int'
                ? ConfigType.INT
                : ConfigType.STRING,
          documentation: options.includeDocumentation ? entry.documentation : null,
        })),
      )
    }
    default:
      return failure(
        resource,
        ErrorCode.INVALID_REQUEST,
        `Unsupported resource type: ${resource.resourceType}`,
      )
  }
}

/** DescribeConfigs v0-4 for TOPIC, BROKER, BROKER_LOGGER and GROUP (share group configs) resources. */
export const describeConfigs = defineHandler({
  request: DescribeConfigsRequest,
  response: DescribeConfigsResponse,
  versions: { min: 0, max: 4 },
  handle(request, context) {
    const options: ResultOptions = {
      includeSynonyms: request.includeSynonyms,
      includeDocumentation: request.includeDocumentation,
    }
    const described: DescribedConfigs = new Map()
    const results = request.resources.map((resource) => describeCached(resource, options, context, described))
    return { throttleTimeMs: 0, results }
  },
})
