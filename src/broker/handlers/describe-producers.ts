// DescribeProducers (kafka-transactions.sh describe-producers, Admin.describeProducers): the idempotent
// producers a partition remembers, with their epoch, last sequence, last append and the first offset of
// their ongoing transaction (-1 outside one). coordinatorEpoch is -1: the log does not keep the epoch of
// the coordinator that wrote a producer's last marker.
import { DescribeProducersRequest, DescribeProducersResponse, ErrorCode } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const describeProducers = defineHandler({
  request: DescribeProducersRequest,
  response: DescribeProducersResponse,
  versions: { min: 0, max: 0 },
  async handle(request, context) {
    const { broker } = context
    const topics = []
    for (const topic of request.topics) {
      const partitions = []
      for (const partitionIndex of topic.partitionIndexes) {
        const log = await broker.partitions.log(topic.name, partitionIndex)
        if (log === undefined) {
          partitions.push({
            partitionIndex,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: null,
            activeProducers: [],
          })
          continue
        }
        const activeProducers = []
        for (const entry of log.producerState.entries()) {
          activeProducers.push({
            producerId: entry.producerId,
            producerEpoch: entry.producerEpoch,
            lastSequence: entry.batches.at(-1)?.lastSequence ?? -1,
            lastTimestamp: entry.lastTimestampMs,
            coordinatorEpoch: -1,
            currentTxnStartOffset: entry.currentTxnFirstOffset ?? -1,
          })
        }
        partitions.push({ partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers })
      }
      topics.push({ name: topic.name, partitions })
    }
    return { throttleTimeMs: 0, topics }
  },
})
