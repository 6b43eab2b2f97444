// DescribeTopicPartitions (KIP-966; kafka-topics.sh --describe and Admin.describeTopics in Kafka 4.x): topics
// and their partitions in name order, at most a page of partitions per answer, with a cursor to the next.
// One node leads every partition at epoch 0, its only replica and its ISR; no eligible leader replicas.
import { OFFSETS_TOPIC_ID, OFFSETS_TOPIC_NAME } from '../../groups/index.js'
import {
  DescribeTopicPartitionsRequest,
  DescribeTopicPartitionsResponse,
  ErrorCode,
  ZERO_UUID,
} from '../../protocol/index.js'
import { authorizedOperations } from '../authorized-operations.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler } from '../handler.js'

/**
 * The most partitions one answer holds, whatever the client asks: Kafka's broker config
 * `max.request.partition.size.limit` (default 2000), fixed here.
 */
export const DESCRIBE_TOPIC_PARTITIONS_LIMIT_MAX = 2000

const legalTopicName = /^[a-zA-Z0-9._-]{1,249}$/

interface Described {
  readonly name: string
  readonly topicId: string
  readonly partitionCount: number
  readonly isInternal: boolean
}

/** The topic as this broker shows it, the internal offsets topic included once groups use it. */
function find(broker: BrokerContext, name: string): Described | undefined {
  const topic = broker.topics.topic(name)
  if (topic !== undefined)
    return { name, topicId: topic.topicId, partitionCount: topic.partitionCount, isInternal: false }
  if (name === OFFSETS_TOPIC_NAME && broker.groups.offsetsTopicExists) {
    const partitionCount = Number(broker.topics.brokerConfig.value('offsets.topic.num.partitions'))
    return { name, topicId: OFFSETS_TOPIC_ID, partitionCount, isInternal: true }
  }
  return undefined
}

function invalidRequest(names: readonly string[]) {
  return {
    throttleTimeMs: 0,
    topics: names.map((name) => ({
      errorCode: ErrorCode.INVALID_REQUEST,
      name,
      topicId: ZERO_UUID,
      isInternal: false,
      partitions: [],
    })),
    nextCursor: null,
  }
}

export const describeTopicPartitions = defineHandler({
  request: DescribeTopicPartitionsRequest,
  response: DescribeTopicPartitionsResponse,
  versions: { min: 0, max: 0 },
  handle(request, context) {
    const { broker } = context
    const nodeId = broker.config.nodeId
    const all = request.topics.length === 0
    const cursor = request.cursor
    const from = cursor?.topicName ?? ''
    let names: string[]
    if (all) {
      names = broker.topics.topics().map((topic) => topic.name)
      if (broker.groups.offsetsTopicExists && !names.includes(OFFSETS_TOPIC_NAME))
        names.push(OFFSETS_TOPIC_NAME)
    } else {
      names = request.topics.map((topic) => topic.name)
    }
    // Kafka compares names as Java strings (UTF-16 code units), as JavaScript does.
    names = [...new Set(names.filter((name) => name >= from))].sort()
    // As Kafka: a cursor outside the topics asked for, or before partition 0, makes the whole request
    // invalid (every topic asked for answers INVALID_REQUEST).
    if (cursor !== null && ((!all && !names.includes(cursor.topicName)) || cursor.partitionIndex < 0))
      return invalidRequest(request.topics.map((topic) => topic.name))
    let remaining = Math.max(Math.min(DESCRIBE_TOPIC_PARTITIONS_LIMIT_MAX, request.responsePartitionLimit), 1)
    const topics = []
    let nextCursor: { topicName: string; partitionIndex: number } | null = null
    for (const name of names) {
      if (remaining === 0) {
        // The page is full: the next one starts with this topic (which may not exist).
        nextCursor = { topicName: name, partitionIndex: 0 }
        break
      }
      const topic = find(broker, name)
      if (topic === undefined) {
        // Listing every topic skips one deleted meanwhile; one asked for by name gets an error.
        if (!all)
          topics.push({
            errorCode:
              legalTopicName.test(name) && name !== '.' && name !== '..'
                ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
                : ErrorCode.INVALID_TOPIC_EXCEPTION,
            name,
            topicId: ZERO_UUID,
            isInternal: name === OFFSETS_TOPIC_NAME,
            partitions: [],
            topicAuthorizedOperations: authorizedOperations('topic', true),
          })
        continue
      }
      const start = cursor !== null && name === cursor.topicName ? cursor.partitionIndex : 0
      const end = Math.min(topic.partitionCount, start + remaining)
      const partitions = []
      for (let partitionIndex = start; partitionIndex < end; partitionIndex++) {
        partitions.push({
          errorCode: ErrorCode.NONE,
          partitionIndex,
          leaderId: nodeId,
          leaderEpoch: 0,
          replicaNodes: [nodeId],
          isrNodes: [nodeId],
          eligibleLeaderReplicas: [],
          lastKnownElr: [],
          offlineReplicas: [],
        })
      }
      topics.push({
        errorCode: ErrorCode.NONE,
        name,
        topicId: topic.topicId,
        isInternal: topic.isInternal,
        partitions,
        // Always given, even for a topic not found (the request has no flag): every operation, as Kafka
        // without an authorizer.
        topicAuthorizedOperations: authorizedOperations('topic', true),
      })
      if (end < topic.partitionCount) {
        nextCursor = { topicName: name, partitionIndex: end }
        break
      }
      remaining -= partitions.length
    }
    return { throttleTimeMs: 0, topics, nextCursor }
  },
})
