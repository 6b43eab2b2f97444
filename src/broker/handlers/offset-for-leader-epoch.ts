// OffsetForLeaderEpoch (consumers validate their position with it after a leader change, KIP-320): the
// end offset of a leader epoch. This one node has led every partition at epoch 0 since its first offset
// (every appended batch carries epoch 0), so epoch 0 ends at the log end offset and no later epoch exists.
import { ErrorCode, OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../../protocol/index.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler } from '../handler.js'

/** The leader epoch of every partition on this node. */
const LEADER_EPOCH = 0
/** "No epoch" in requests and answers. */
const NO_EPOCH = -1

interface EpochEnd {
  readonly errorCode: number
  readonly leaderEpoch: number
  readonly endOffset: number
}

const unknownEpoch = (errorCode: number): EpochEnd => ({ errorCode, leaderEpoch: NO_EPOCH, endOffset: -1 })

async function epochEnd(
  broker: BrokerContext,
  topic: string,
  p: { partition: number; currentLeaderEpoch: number; leaderEpoch: number },
): Promise<EpochEnd> {
  const log =
    broker.topics.topic(topic) === undefined ? undefined : await broker.partitions.log(topic, p.partition)
  if (log === undefined) return unknownEpoch(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  // The client's idea of the current epoch, when it has one, must be ours (as Fetch and ListOffsets check).
  if (p.currentLeaderEpoch !== NO_EPOCH) {
    if (p.currentLeaderEpoch > LEADER_EPOCH) return unknownEpoch(ErrorCode.UNKNOWN_LEADER_EPOCH)
    if (p.currentLeaderEpoch < LEADER_EPOCH) return unknownEpoch(ErrorCode.FENCED_LEADER_EPOCH)
  }
  // As Kafka's epoch cache with the one entry (epoch 0 from the log start): the current epoch ends at the
  // log end; an epoch before it ends where epoch 0 starts; a later or undefined one is unknown.
  if (p.leaderEpoch === LEADER_EPOCH)
    return { errorCode: ErrorCode.NONE, leaderEpoch: LEADER_EPOCH, endOffset: log.logEndOffset }
  if (p.leaderEpoch < NO_EPOCH)
    return { errorCode: ErrorCode.NONE, leaderEpoch: p.leaderEpoch, endOffset: log.logStartOffset }
  return unknownEpoch(ErrorCode.NONE)
}

export const offsetForLeaderEpoch = defineHandler({
  request: OffsetForLeaderEpochRequest,
  response: OffsetForLeaderEpochResponse,
  // Kafka 4.x clients send v2 (librdkafka) to v4; v0-1 were removed from Kafka 4.0.
  versions: { min: 2, max: 4 },
  async handle(request, context) {
    const { broker } = context
    const topics = []
    for (const topic of request.topics) {
      const partitions = []
      for (const p of topic.partitions) {
        let found: EpochEnd
        try {
          found = await epochEnd(broker, topic.topic, p)
        } catch (error) {
          broker.logger.error('OffsetForLeaderEpoch could not read the log', {
            topic: topic.topic,
            partition: p.partition,
            error,
          })
          found = unknownEpoch(ErrorCode.KAFKA_STORAGE_ERROR)
        }
        partitions.push({ partition: p.partition, ...found })
      }
      topics.push({ topic: topic.topic, partitions })
    }
    return { throttleTimeMs: 0, topics }
  },
})
