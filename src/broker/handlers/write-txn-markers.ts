// WriteTxnMarkers: write commit or abort markers into partitions. The Admin client sends it to abort a
// hanging transaction (kafka-transactions.sh abort), with the producer's id, epoch and coordinator epoch
// from DescribeProducers; each partition answers the storage's error code.
import { ErrorCode, WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const writeTxnMarkers = defineHandler({
  request: WriteTxnMarkersRequest,
  response: WriteTxnMarkersResponse,
  versions: { min: 1, max: 2 },
  async handle(request, context) {
    const { broker } = context
    const markers = []
    for (const marker of request.markers) {
      const topics = []
      for (const topic of marker.topics) {
        const partitions = await Promise.all(
          topic.partitionIndexes.map(async (partitionIndex) => {
            const meta = broker.topics.topic(topic.name)
            if (meta === undefined || partitionIndex < 0 || partitionIndex >= meta.partitionCount)
              return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
            const errorCode = await broker.transactions.writeMarker(topic.name, partitionIndex, {
              producerId: marker.producerId,
              producerEpoch: marker.producerEpoch,
              commit: marker.transactionResult,
              coordinatorEpoch: marker.coordinatorEpoch,
            })
            return { partitionIndex, errorCode }
          }),
        )
        topics.push({ name: topic.name, partitions })
      }
      markers.push({ producerId: marker.producerId, topics })
    }
    return { markers }
  },
})
