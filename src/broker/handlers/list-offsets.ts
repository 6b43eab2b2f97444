// ListOffsets: earliest (-2), latest (-1), max timestamp (-3), earliest local (-4), or the first offset
// whose timestamp is at or after a given time.
import { ErrorCode, ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

const LATEST = -1
const EARLIEST = -2
const MAX_TIMESTAMP = -3
const EARLIEST_LOCAL = -4
const LATEST_TIERED = -5

export const listOffsets = defineHandler({
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
  versions: { min: 0, max: 9 },
  async handle(request, context) {
    const { broker } = context
    const version = context.header.apiVersion
    const topics = []
    for (const topic of request.topics) {
      const partitions = []
      for (const p of topic.partitions) {
        const base = {
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.NONE,
          timestamp: -1,
          offset: -1,
          leaderEpoch: -1,
          oldStyleOffsets: [] as number[],
        }
        const log =
          broker.topics.topic(topic.name) === undefined
            ? undefined
            : await broker.partitions.log(topic.name, p.partitionIndex)
        if (log === undefined) {
          partitions.push({ ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })
          continue
        }
        if (p.currentLeaderEpoch > 0) {
          partitions.push({ ...base, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH })
          continue
        }
        let offset = -1
        let timestamp = -1
        switch (p.timestamp) {
          case LATEST:
            offset = log.highWatermark
            break
          case EARLIEST:
          case EARLIEST_LOCAL:
            offset = log.logStartOffset
            break
          case LATEST_TIERED:
            // No tiered storage: nothing has been uploaded, which Kafka answers with offset -1.
            offset = -1
            break
          case MAX_TIMESTAMP: {
            const found = log.maxTimestampOffset()
            if (found !== null) ({ offset, timestamp } = found)
            break
          }
          default: {
            if (p.timestamp < 0) {
              partitions.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST })
              continue
            }
            const found = await log.offsetForTimestamp(p.timestamp)
            if (found !== null) ({ offset, timestamp } = found)
          }
        }
        const leaderEpoch = offset >= 0 ? 0 : -1
        partitions.push({
          ...base,
          offset,
          timestamp,
          leaderEpoch,
          oldStyleOffsets: offset >= 0 ? [offset] : [],
        })
      }
      topics.push({ name: topic.name, partitions })
    }
    void version
    return { throttleTimeMs: 0, topics }
  },
})
