// ListOffsets: earliest (-2), latest (-1), max timestamp (-3), earliest local (-4), or the first offset
// whose timestamp is at or after a given time.
import { ErrorCode, ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/index.js'
import { decodeBatch } from '../../record-batch/index.js'
import type { OffsetAndTimestamp, PartitionLog } from '../../storage/index.js'
import { defineHandler } from '../handler.js'

/**
 * Storage indexes timestamps per batch; Kafka answers per record. Decodes the batch holding `found`
 * and returns the record that `pick` chooses from it, or `found` itself if the batch cannot be read.
 */
async function exactRecord(
  log: PartitionLog,
  found: OffsetAndTimestamp,
  pick: (
    records: { offset: number; timestampMs: number }[],
  ) => { offset: number; timestampMs: number } | undefined,
): Promise<OffsetAndTimestamp> {
  try {
    const read = await log.read(found.offset, 1)
    const batch = read.batches[0]
    if (batch === undefined) return found
    const chosen = pick(decodeBatch(batch, { verifyCrc: false }).records)
    return chosen === undefined ? found : { offset: chosen.offset, timestamp: chosen.timestampMs }
  } catch {
    return found
  }
}

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
            if (found !== null) {
              // The first record carrying the largest timestamp, as Kafka reports it.
              ;({ offset, timestamp } = await exactRecord(log, found, (records) => {
                let best: (typeof records)[number] | undefined
                for (const record of records)
                  if (best === undefined || record.timestampMs > best.timestampMs) best = record
                return best
              }))
            }
            break
          }
          default: {
            if (p.timestamp < 0) {
              partitions.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST })
              continue
            }
            const found = await log.offsetForTimestamp(p.timestamp)
            if (found !== null) {
              const target = p.timestamp
              ;({ offset, timestamp } = await exactRecord(log, found, (records) =>
                records.find((record) => record.timestampMs >= target),
              ))
            }
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
    return { throttleTimeMs: 0, topics }
  },
})
