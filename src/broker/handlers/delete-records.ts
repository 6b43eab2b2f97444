// DeleteRecords (kafka-delete-records.sh, Admin.deleteRecords): moves partitions' log start offsets
// forward. Offset -1 means the high watermark; an offset past it, or any other negative one, is
// OFFSET_OUT_OF_RANGE. Whole segments below the new start are deleted; lowWatermark is the new start.
import { OffsetOutOfRangeError } from '../../core/index.js'
import { DeleteRecordsRequest, DeleteRecordsResponse, ErrorCode } from '../../protocol/index.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler } from '../handler.js'

const HIGH_WATERMARK = -1

async function deletePartition(
  broker: BrokerContext,
  topic: string,
  partition: number,
  offset: number,
): Promise<{ lowWatermark: number; errorCode: number }> {
  const failed = (errorCode: number) => ({ lowWatermark: -1, errorCode })
  const log = await broker.partitions.log(topic, partition)
  if (log === undefined) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  // As Kafka: records of a topic whose cleanup.policy lacks delete cannot be deleted.
  if (broker.partitions.settings(topic)?.cleanupPolicyDelete === false)
    return failed(ErrorCode.POLICY_VIOLATION)
  const target = offset === HIGH_WATERMARK ? log.highWatermark : offset
  if (target < 0 || target > log.highWatermark) return failed(ErrorCode.OFFSET_OUT_OF_RANGE)
  try {
    return { lowWatermark: await log.deleteRecordsBefore(target), errorCode: ErrorCode.NONE }
  } catch (error) {
    if (error instanceof OffsetOutOfRangeError) return failed(ErrorCode.OFFSET_OUT_OF_RANGE)
    if (log.deleted) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    broker.logger.error('DeleteRecords failed', { topic, partition, error })
    return failed(ErrorCode.KAFKA_STORAGE_ERROR)
  }
}

export const deleteRecords = defineHandler({
  request: DeleteRecordsRequest,
  response: DeleteRecordsResponse,
  versions: { min: 0, max: 2 },
  async handle(request, context) {
    const { broker } = context
    const topics = []
    for (const topic of request.topics) {
      const partitions = []
      for (const p of topic.partitions) {
        const result = await deletePartition(broker, topic.name, p.partitionIndex, p.offset)
        partitions.push({ partitionIndex: p.partitionIndex, ...result })
      }
      topics.push({ name: topic.name, partitions })
    }
    return { throttleTimeMs: 0, topics }
  },
})
