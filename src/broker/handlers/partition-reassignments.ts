// AlterPartitionReassignments and ListPartitionReassignments (kafka-reassign-partitions.sh, Admin): one
// node has one possible replica list per partition, [this node]. Reassigning to it is valid and completes at
// once; any other broker is not registered (INVALID_REPLICA_ASSIGNMENT); a cancellation finds nothing in
// progress (NO_REASSIGNMENT_IN_PROGRESS); the list of reassignments in progress is always empty. Messages
// follow Kafka 4.4's controller.
import { quoted } from '../../core/index.js'
import {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ErrorCode,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from '../../protocol/index.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler } from '../handler.js'

function reassign(
  broker: BrokerContext,
  topic: string,
  partitionIndex: number,
  replicas: readonly number[] | null,
): { errorCode: number; errorMessage: string | null } {
  const meta = broker.topics.topic(topic)
  if (meta === undefined || partitionIndex < 0 || partitionIndex >= meta.partitionCount)
    return {
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      errorMessage: `Unable to find partition ${quoted(topic)}-${partitionIndex}.`,
    }
  if (replicas === null)
    return {
      errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
      errorMessage: 'No partition reassignment is in progress.',
    }
  if (replicas.length === 0)
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: 'The manual partition assignment includes an empty replica list.',
    }
  const nodeId = broker.config.nodeId
  const stranger = replicas.find((replica) => replica !== nodeId)
  if (stranger !== undefined)
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: `The manual partition assignment includes broker ${stranger}, but no such broker is registered.`,
    }
  if (replicas.length > 1)
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: `The manual partition assignment includes the broker ${nodeId} more than once.`,
    }
  return { errorCode: ErrorCode.NONE, errorMessage: null }
}

export const alterPartitionReassignments = defineHandler({
  request: AlterPartitionReassignmentsRequest,
  response: AlterPartitionReassignmentsResponse,
  versions: { min: 0, max: 1 },
  handle(request, context) {
    return {
      throttleTimeMs: 0,
      allowReplicationFactorChange: request.allowReplicationFactorChange,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => ({
          partitionIndex: partition.partitionIndex,
          ...reassign(context.broker, topic.name, partition.partitionIndex, partition.replicas),
        })),
      })),
    }
  },
})

export const listPartitionReassignments = defineHandler({
  request: ListPartitionReassignmentsRequest,
  response: ListPartitionReassignmentsResponse,
  versions: { min: 0, max: 0 },
  handle() {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] }
  },
})
