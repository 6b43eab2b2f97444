// ListConfigResources (key 74, KIP-1142): the config resources DescribeConfigs can describe, by type:
// topics, this broker (BROKER and BROKER_LOGGER, named by the node id), and groups (every group, and every
// group id with GROUP configs). Brook has no client-metrics resources, so v0 (ListClientMetricsResources)
// and the CLIENT_METRICS type list none.
import { ErrorCode, ListConfigResourcesRequest, ListConfigResourcesResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { ConfigResourceType } from './describe-configs.js'

/** Kafka's CLIENT_METRICS resource type. */
const CLIENT_METRICS = 16

const listedTypes: readonly number[] = [
  ConfigResourceType.TOPIC,
  ConfigResourceType.BROKER,
  ConfigResourceType.BROKER_LOGGER,
  CLIENT_METRICS,
  ConfigResourceType.GROUP,
]

/** ListConfigResources v0-1. */
export const listConfigResources = defineHandler({
  request: ListConfigResourcesRequest,
  response: ListConfigResourcesResponse,
  versions: { min: 0, max: 1 },
  handle(request, context) {
    const { broker } = context
    const version = context.header.apiVersion
    // v0 asks for client-metrics resources only; v1 with no types asks for every type.
    const types =
      version === 0
        ? [CLIENT_METRICS]
        : request.resourceTypes.length === 0
          ? listedTypes
          : request.resourceTypes
    const unknown = types.find((type) => !listedTypes.includes(type))
    if (unknown !== undefined)
      return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, configResources: [] }
    const configResources: { resourceName: string; resourceType: number }[] = []
    const add = (resourceType: number, names: Iterable<string>) => {
      for (const resourceName of [...new Set(names)].sort())
        configResources.push({ resourceName, resourceType })
    }
    for (const type of [...new Set(types)].sort((a, b) => a - b)) {
      switch (type) {
        case ConfigResourceType.TOPIC:
          add(
            type,
            broker.topics.topics().map((topic) => topic.name),
          )
          break
        case ConfigResourceType.BROKER:
        case ConfigResourceType.BROKER_LOGGER:
          add(type, [String(broker.config.nodeId)])
          break
        case ConfigResourceType.GROUP:
          add(type, [
            ...broker.groups.listGroups().map((group) => group.groupId),
            ...broker.shares.groupIds(),
            ...broker.shares.configuredGroupIds(),
          ])
          break
        default:
          // CLIENT_METRICS: none.
          break
      }
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, configResources }
  },
})
