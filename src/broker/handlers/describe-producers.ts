// DescribeProducers (kafka-transactions.sh describe-producers, Admin.describeProducers): the idempotent
// producers a partition remembers, with their epoch, last sequence and last append. Brook has no
// transactions yet, so coordinatorEpoch and currentTxnStartOffset are -1, as Kafka answers for
// producers outside a transaction.
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
            currentTxnStartOffset: -1,
          })
        }
        partitions.push({ partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers })
      }
      topics.push({ name: topic.name, partitions })
    }
    return { throttleTimeMs: 0, topics }
  },
})
