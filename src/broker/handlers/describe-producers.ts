// DescribeProducers (kafka-transactions.sh describe-producers, Admin.describeProducers): the idempotent
// producers a partition remembers, with their epoch, last sequence, their last batch's max timestamp and the first offset of
// their ongoing transaction (-1 outside one), and the coordinator epoch of its last marker (-1 before any,
// #12; kafka-transactions.sh abort sends it back in WriteTxnMarkers). The internal __consumer_offsets topic Metadata lists
// once groups are in use has no log here: its partitions answer NONE with no producers, as Kafka's (no
// producer writes there), so Admin (kafka-transactions.sh find-hanging) does not retry them until it times out.
import { OFFSETS_TOPIC_NAME } from '../../groups/index.js'
import { DescribeProducersRequest, DescribeProducersResponse, ErrorCode } from '../../protocol/index.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler } from '../handler.js'

/** Whether (topic, partition) is a partition of the internal offsets topic as Metadata shows it. */
function isOffsetsTopicPartition(broker: BrokerContext, topic: string, partition: number): boolean {
  if (topic !== OFFSETS_TOPIC_NAME || !broker.groups.offsetsTopicExists) return false
  if (broker.topics.topic(OFFSETS_TOPIC_NAME) !== undefined) return false
  const count = Number(broker.topics.brokerConfig.value('offsets.topic.num.partitions'))
  return partition >= 0 && partition < count
}

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
        if (isOffsetsTopicPartition(broker, topic.name, partitionIndex)) {
          partitions.push({
            partitionIndex,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            activeProducers: [],
          })
          continue
        }
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
            lastTimestamp: entry.lastBatchTimestampMs,
            coordinatorEpoch: entry.coordinatorEpoch,
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
