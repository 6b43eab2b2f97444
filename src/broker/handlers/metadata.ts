// Metadata: brokers (this one node), and topics with their partitions, creating unknown topics when
// auto.create.topics.enable is on and the client allows it. Once groups are in use the internal
// __consumer_offsets topic is listed too, as Kafka lists it (clients wait for it).
import { OFFSETS_TOPIC_ID, OFFSETS_TOPIC_NAME } from '../../groups/index.js'
import { ErrorCode, MetadataRequest, MetadataResponse, ZERO_UUID } from '../../protocol/index.js'
import type { TopicMetadata } from '../../metadata/index.js'
import { authorizedOperations } from '../authorized-operations.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler } from '../handler.js'

/** The internal offsets topic as Metadata lists it, with offsets.topic.num.partitions partitions. */
function offsetsTopic(broker: BrokerContext, withOperations = false) {
  const partitionCount = Number(broker.topics.brokerConfig.value('offsets.topic.num.partitions'))
  return describeTopic(
    { name: OFFSETS_TOPIC_NAME, topicId: OFFSETS_TOPIC_ID, partitionCount },
    broker.config.nodeId,
    true,
    withOperations,
  )
}

function describeTopic(
  topic: Pick<TopicMetadata, 'name' | 'topicId' | 'partitionCount'>,
  nodeId: number,
  isInternal = false,
  withOperations = false,
) {
  const partitions = []
  for (let partitionIndex = 0; partitionIndex < topic.partitionCount; partitionIndex++) {
    partitions.push({
      errorCode: ErrorCode.NONE,
      partitionIndex,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })
  }
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal,
    partitions,
    topicAuthorizedOperations: authorizedOperations('topic', withOperations),
  }
}

export const metadata = defineHandler({
  request: MetadataRequest,
  response: MetadataResponse,
  // v13 adds a top-level error code (KIP-1102: REBOOTSTRAP_REQUIRED), never needed by one node.
  versions: { min: 0, max: 13 },
  async handle(request, context) {
    const { broker } = context
    const nodeId = broker.config.nodeId
    const version = context.header.apiVersion
    const withOperations = version >= 8 && request.includeTopicAuthorizedOperations
    // v0 sends an empty array for "all topics"; v1+ sends null.
    const all = request.topics === null || (version === 0 && request.topics.length === 0)
    const topics = []
    if (all) {
      for (const topic of broker.topics.topics())
        topics.push(describeTopic(topic, nodeId, false, withOperations))
      if (broker.groups.offsetsTopicExists && broker.topics.topic(OFFSETS_TOPIC_NAME) === undefined) {
        topics.push(offsetsTopic(broker, withOperations))
      }
    } else {
      for (const wanted of request.topics ?? []) {
        let topic: TopicMetadata | undefined
        if (wanted.name !== null && wanted.name !== '') topic = broker.topics.topic(wanted.name)
        else if (wanted.topicId !== ZERO_UUID) topic = broker.topics.topicById(wanted.topicId)
        if (topic !== undefined) {
          topics.push(describeTopic(topic, nodeId, false, withOperations))
          continue
        }
        const name = wanted.name
        if (name === OFFSETS_TOPIC_NAME || (name === null && wanted.topicId === OFFSETS_TOPIC_ID)) {
          // Never auto-created as a topic of records; asking with auto-creation allowed makes it exist.
          if (request.allowAutoTopicCreation && broker.config.autoCreateTopics)
            broker.groups.requestOffsetsTopic()
          if (broker.groups.offsetsTopicExists) {
            topics.push(offsetsTopic(broker, withOperations))
            continue
          }
        }
        if (name === null || name === '') {
          // The answer's name is nullable only from v12, where topics may be asked for by id; older
          // versions name the topic as asked ('' is not a valid topic name).
          topics.push(
            version >= 12
              ? { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: wanted.topicId, partitions: [] }
              : {
                  errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
                  name: '',
                  topicId: ZERO_UUID,
                  partitions: [],
                },
          )
          continue
        }
        if (broker.config.autoCreateTopics && request.allowAutoTopicCreation && name !== OFFSETS_TOPIC_NAME) {
          const created = await broker.topics.createTopic({ name })
          if (created.ok) {
            topics.push(describeTopic(created.topic, nodeId, false, withOperations))
            continue
          }
          if (created.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) {
            // Another request created it first (it was queued in the registry when this one looked).
            // Kafka never answers Metadata with TOPIC_ALREADY_EXISTS: describe the topic, or say it is
            // not ready if it was deleted again meanwhile.
            const existing = broker.topics.topic(name)
            topics.push(
              existing !== undefined
                ? describeTopic(existing, nodeId, false, withOperations)
                : { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, name, topicId: ZERO_UUID, partitions: [] },
            )
            continue
          }
          topics.push({ errorCode: created.errorCode, name, topicId: ZERO_UUID, partitions: [] })
          continue
        }
        topics.push({
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          name,
          topicId: ZERO_UUID,
          partitions: [],
        })
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId, host: broker.config.advertisedHost, port: broker.advertisedPort, rack: null }],
      clusterId: broker.clusterId,
      controllerId: nodeId,
      topics,
      // v8-10 only (later versions ask DescribeCluster).
      clusterAuthorizedOperations: authorizedOperations(
        'cluster',
        version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations,
      ),
      errorCode: ErrorCode.NONE,
    }
  },
})
