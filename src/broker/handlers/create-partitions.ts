// CreatePartitions: grows topics to a new total partition count, with Kafka's (KRaft) errors and
// messages. Every requested topic is echoed in `results`: clients such as librdkafka wait for each one.
import { quoted } from '../../core/index.js'
import { CreatePartitionsRequest, CreatePartitionsResponse, ErrorCode } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'
import { replicaListProblem } from './create-topics.js'

type CreatePartitionsTopic = {
  readonly name: string
  readonly count: number
  readonly assignments: readonly { readonly brokerIds: readonly number[] }[] | null
}

interface TopicResult {
  name: string
  errorCode: number
  errorMessage: string | null
}

function failed(name: string, errorCode: number, errorMessage: string | null): TopicResult {
  return { name, errorCode, errorMessage }
}

/** CreatePartitions v0-3. validateOnly checks everything and changes nothing. */
export const createPartitions = defineHandler({
  request: CreatePartitionsRequest,
  response: CreatePartitionsResponse,
  versions: { min: 0, max: 3 },
  async handle(request, context) {
    const registry = context.broker.topics
    const nodeId = context.broker.config.nodeId
    const counts = new Map<string, number>()
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1)
    const reported = new Set<string>()
    const results: TopicResult[] = []

    const growOne = async (topic: CreatePartitionsTopic): Promise<TopicResult> => {
      const existing = registry.topic(topic.name)
      if (existing === undefined) {
        return failed(
          topic.name,
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          'This server does not host this topic-partition.',
        )
      }
      const current = existing.partitionCount
      if (topic.count === current) {
        return failed(topic.name, ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`)
      }
      if (topic.count < current) {
        return failed(
          topic.name,
          ErrorCode.INVALID_PARTITIONS,
          `The topic ${quoted(topic.name)} currently has ${current} partition(s); ${topic.count} would not be an increase.`,
        )
      }
      const additional = topic.count - current
      if (topic.assignments !== null) {
        if (topic.assignments.length !== additional) {
          return failed(
            topic.name,
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            `Attempted to add ${additional} additional partition(s), but only ${topic.assignments.length} assignment(s) were specified.`,
          )
        }
        for (const assignment of topic.assignments) {
          const problem = replicaListProblem(assignment.brokerIds, nodeId)
          if (problem !== undefined) return failed(topic.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem)
        }
      }
      const grown = await registry.createPartitions(topic.name, topic.count, {
        validateOnly: request.validateOnly,
      })
      if (!grown.ok) return failed(topic.name, grown.errorCode, grown.errorMessage)
      return { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null }
    }

    for (const topic of request.topics) {
      if (reported.has(topic.name)) continue
      reported.add(topic.name)
      if (counts.get(topic.name)! > 1) {
        results.push(failed(topic.name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'))
        continue
      }
      results.push(await growOne(topic))
    }
    return { throttleTimeMs: 0, results }
  },
})
