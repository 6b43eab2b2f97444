// ElectLeaders (kafka-leader-election.sh, Admin.electLeaders): on one node every partition's leader is this
// broker, its preferred replica and its only in-sync replica, so no election is ever needed. Named
// partitions answer ELECTION_NOT_NEEDED (unknown ones UNKNOWN_TOPIC_OR_PARTITION); a request for all
// partitions (null) lists only partitions where something happened, which is none, as Kafka answers.
import { ElectLeadersRequest, ElectLeadersResponse, ErrorCode } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

/** Kafka's ElectionType codes. */
const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const

export const electLeaders = defineHandler({
  request: ElectLeadersRequest,
  response: ElectLeadersResponse,
  versions: { min: 0, max: 2 },
  handle(request, context) {
    const type = request.electionType
    if (type !== ElectionType.PREFERRED && type !== ElectionType.UNCLEAN) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INVALID_REQUEST,
        replicaElectionResults: [],
      }
    }
    if (request.topicPartitions === null)
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: [] }
    // A topic named twice is answered once, with each partition once (the client keys results by partition).
    const byTopic = new Map<string, Set<number>>()
    for (const { topic, partitions } of request.topicPartitions) {
      let set = byTopic.get(topic)
      if (set === undefined) byTopic.set(topic, (set = new Set()))
      for (const partition of partitions) set.add(partition)
    }
    const replicaElectionResults = []
    for (const [topic, partitions] of byTopic) {
      const meta = context.broker.topics.topic(topic)
      const partitionResult = []
      for (const partitionId of partitions) {
        const exists = meta !== undefined && partitionId >= 0 && partitionId < meta.partitionCount
        partitionResult.push(
          exists
            ? {
                partitionId,
                errorCode: ErrorCode.ELECTION_NOT_NEEDED,
                errorMessage: 'Leader election not needed for topic partition.',
              }
            : {
                partitionId,
                errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                errorMessage: 'This server does not host this topic-partition.',
              },
        )
      }
      replicaElectionResults.push({ topic, partitionResult })
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults }
  },
})
