// CreateTopics: creates topics through the registry with Kafka's checks and messages, in the order a
// KRaft controller applies them (name, existence, configs, then assignment or counts), and from v5 reports
// each new topic's id, partition count, replication factor and effective configs.
import {
  type MetadataFailure,
  resolveTopicConfig,
  type TopicMetadata,
  topicNameProblem,
  validateTopicConfigOverrides,
} from '../../metadata/index.js'
import {
  CreateTopicsRequest,
  CreateTopicsResponse,
  ErrorCode,
  type MessageValue,
  ZERO_UUID,
} from '../../protocol/index.js'
import { defineHandler, type RequestContext } from '../handler.js'

type CreatableTopic = MessageValue<typeof CreateTopicsRequest>['topics'][number]

interface Refusal {
  readonly errorCode: number
  readonly errorMessage: string
}

function refusal(errorCode: number, errorMessage: string): Refusal {
  return { errorCode, errorMessage }
}

/**
 * Checks a manual replica assignment (KIP-464: counts must be -1 beside it). On one node every partition
 * must list exactly this node. Returns the partition count it implies, or why it is refused.
 */
function checkAssignments(topic: CreatableTopic, nodeId: number): number | Refusal {
  if (topic.replicationFactor !== -1) {
    return refusal(
      ErrorCode.INVALID_REQUEST,
      'A manual partition assignment was specified, but replication factor was not set to -1.',
    )
  }
  if (topic.numPartitions !== -1) {
    return refusal(
      ErrorCode.INVALID_REQUEST,
      'A manual partition assignment was specified, but numPartitions was not set to -1.',
    )
  }
  const seen = new Set<number>()
  for (const assignment of topic.assignments) {
    if (seen.has(assignment.partitionIndex)) {
      return refusal(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Found multiple manual partition assignments for partition ${assignment.partitionIndex}`,
      )
    }
    seen.add(assignment.partitionIndex)
    const problem = replicaListProblem(assignment.brokerIds, nodeId)
    if (problem !== undefined) return refusal(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem)
  }
  for (let partitionIndex = 0; partitionIndex < seen.size; partitionIndex++) {
    if (!seen.has(partitionIndex)) {
      return refusal(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'partitions should be a consecutive 0-based integer sequence',
      )
    }
  }
  return seen.size
}

/** Why one partition's replica list is refused on a single-node cluster whose only broker is `nodeId`. */
export function replicaListProblem(brokerIds: readonly number[], nodeId: number): string | undefined {
  if (brokerIds.length === 0) return 'The manual partition assignment includes an empty replica list.'
  const sorted = [...brokerIds].sort((a, b) => a - b)
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i] !== nodeId) {
      return `The manual partition assignment includes broker ${sorted[i]}, but no such broker is registered.`
    }
    if (i > 0 && sorted[i] === sorted[i - 1]) {
      return `The manual partition assignment includes the broker ${sorted[i]} more than once.`
    }
  }
  return undefined
}

function createdResult(topic: TopicMetadata, context: RequestContext) {
  const effective = resolveTopicConfig(topic.configs, context.broker.topics.brokerConfig)
  const configs = [...effective.values()].map((entry) => ({
    name: entry.name,
    value: entry.sensitive ? null : entry.value,
    readOnly: entry.readOnly,
    configSource: entry.source,
    isSensitive: entry.sensitive,
  }))
  return {
    name: topic.name,
    topicId: topic.topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: topic.partitionCount,
    replicationFactor: topic.replicationFactor,
    configs,
  }
}

function failedResult(name: string, failure: Refusal | MetadataFailure) {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode: failure.errorCode,
    errorMessage: failure.errorMessage,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  }
}

async function createOne(topic: CreatableTopic, validateOnly: boolean, context: RequestContext) {
  const registry = context.broker.topics
  const { name } = topic
  // The registry reports bad names and existing topics itself; the checks below come after those.
  if (topicNameProblem(name) === undefined && registry.topic(name) === undefined) {
    const configs = validateTopicConfigOverrides(topic.configs)
    if (!configs.ok) return failedResult(name, configs)
    if (topic.assignments.length > 0) {
      const partitionCount = checkAssignments(topic, context.broker.config.nodeId)
      if (typeof partitionCount !== 'number') return failedResult(name, partitionCount)
      const created = await registry.createTopic(
        { name, numPartitions: partitionCount, replicationFactor: 1, configs: topic.configs },
        { validateOnly },
      )
      return created.ok ? createdResult(created.topic, context) : failedResult(name, created)
    }
    if (topic.replicationFactor < -1 || topic.replicationFactor === 0) {
      return failedResult(
        name,
        refusal(
          ErrorCode.INVALID_REPLICATION_FACTOR,
          'Replication factor must be larger than 0, or -1 to use the default value.',
        ),
      )
    }
    if (topic.numPartitions < -1 || topic.numPartitions === 0) {
      return failedResult(
        name,
        refusal(
          ErrorCode.INVALID_PARTITIONS,
          'Number of partitions was set to an invalid non-positive value.',
        ),
      )
    }
  }
  // -1 means the broker default on every version: Kafka 4 accepts it even below v4, and kafkajs sends it.
  const created = await registry.createTopic(
    {
      name,
      numPartitions: topic.numPartitions,
      replicationFactor: topic.replicationFactor,
      configs: topic.configs,
    },
    { validateOnly },
  )
  return created.ok ? createdResult(created.topic, context) : failedResult(name, created)
}

/** CreateTopics v0-7. Each topic gets its own result; a name given twice is refused once, untouched. */
export const createTopics = defineHandler({
  request: CreateTopicsRequest,
  response: CreateTopicsResponse,
  versions: { min: 0, max: 7 },
  async handle(request, context) {
    const counts = new Map<string, number>()
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1)
    // Kafka's controller refuses a whole request that would create too many partitions at once.
    const registry = context.broker.topics
    let requested = 0
    for (const topic of request.topics) {
      if (topic.assignments.length > 0) requested += topic.assignments.length
      else if (topic.numPartitions === -1) requested += registry.brokerConfig.numPartitions
      else requested += Math.max(topic.numPartitions, 0)
    }
    if (requested > registry.partitionsPerRequestLimit) {
      const tooMany = refusal(
        ErrorCode.POLICY_VIOLATION,
        `Excessively large number of partitions per request (${requested}; at most ${registry.partitionsPerRequestLimit}).`,
      )
      return {
        throttleTimeMs: 0,
        topics: [...counts.keys()].map((name) => failedResult(name, tooMany)),
      }
    }
    const reported = new Set<string>()
    const topics = []
    for (const topic of request.topics) {
      if (reported.has(topic.name)) continue
      reported.add(topic.name)
      if (counts.get(topic.name)! > 1) {
        topics.push(failedResult(topic.name, refusal(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.')))
        continue
      }
      topics.push(await createOne(topic, request.validateOnly, context))
    }
    return { throttleTimeMs: 0, topics }
  },
})
