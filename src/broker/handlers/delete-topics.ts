// DeleteTopics: deletes topics by name (v0-5 `topicNames`, v6 `topics` entries with a name) or by id (v6
// entries with a null name), with Kafka's per-topic errors. Partition logs follow the registry.
import { ErrorCode, DeleteTopicsRequest, DeleteTopicsResponse, ZERO_UUID } from '../../protocol/index.js'
import type { RegistryResult } from '../../metadata/index.js'
import { defineHandler } from '../handler.js'

interface DeletableTopic {
  readonly name: string | null
  readonly topicId: string
}

interface DeletableTopicResult {
  name: string | null
  topicId: string
  errorCode: number
  errorMessage: string | null
}

function failed(topic: DeletableTopic, errorCode: number, errorMessage: string): DeletableTopicResult {
  return { name: topic.name, topicId: topic.topicId, errorCode, errorMessage }
}

function outcome(topic: DeletableTopic, result: RegistryResult): DeletableTopicResult {
  if (!result.ok) return failed(topic, result.errorCode, result.errorMessage)
  return {
    name: result.topic.name,
    topicId: result.topic.topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
  }
}

/** DeleteTopics v0-6. Every requested topic gets a result; a topic named twice is refused, not deleted. */
export const deleteTopics = defineHandler({
  request: DeleteTopicsRequest,
  response: DeleteTopicsResponse,
  versions: { min: 0, max: 6 },
  async handle(request, context) {
    const registry = context.broker.topics
    const version = context.header.apiVersion
    const wanted: DeletableTopic[] =
      version >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }))
    const nameCounts = new Map<string, number>()
    const idCounts = new Map<string, number>()
    for (const topic of wanted) {
      if (topic.name !== null) nameCounts.set(topic.name, (nameCounts.get(topic.name) ?? 0) + 1)
      else idCounts.set(topic.topicId, (idCounts.get(topic.topicId) ?? 0) + 1)
    }
    const responses: DeletableTopicResult[] = []
    const reportedNames = new Set<string>()
    const reportedIds = new Set<string>()
    for (const topic of wanted) {
      if (topic.name !== null) {
        if (reportedNames.has(topic.name)) continue
        reportedNames.add(topic.name)
      } else {
        if (reportedIds.has(topic.topicId)) continue
        reportedIds.add(topic.topicId)
      }
      if (!registry.brokerConfig.deleteTopicEnable) {
        // Kafka answers TOPIC_DELETION_DISABLED from v3; older clients only know INVALID_REQUEST.
        responses.push(
          version >= 3
            ? failed(topic, ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.')
            : failed(topic, ErrorCode.INVALID_REQUEST, 'Topic deletion is disabled.'),
        )
        continue
      }
      if (topic.name === null) {
        if (topic.topicId === ZERO_UUID) {
          responses.push(
            failed(topic, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'),
          )
        } else if (idCounts.get(topic.topicId)! > 1) {
          responses.push(failed(topic, ErrorCode.INVALID_REQUEST, 'Duplicate topic id.'))
        } else {
          responses.push(outcome(topic, await registry.deleteTopicById(topic.topicId)))
        }
        continue
      }
      if (topic.topicId !== ZERO_UUID) {
        responses.push(
          failed(topic, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'),
        )
      } else if (nameCounts.get(topic.name)! > 1) {
        responses.push(failed(topic, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'))
      } else {
        responses.push(outcome(topic, await registry.deleteTopic(topic.name)))
      }
    }
    return { throttleTimeMs: 0, responses }
  },
})
