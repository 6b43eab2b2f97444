// ListOffsets: earliest (-2), latest (-1), max timestamp (-3), earliest local (-4), or the first offset
// whose timestamp is at or after a given time. With isolation_level 1 (read_committed) answers stop at the
// last stable offset instead of the high watermark (LATEST is the LSO), as Kafka's do.
import { ErrorCode, ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/index.js'
import { type RecordVisitor, walkBatchRecords } from '../../record-batch/index.js'
import type { OffsetAndTimestamp, PartitionLog } from '../../storage/index.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler } from '../handler.js'

/** Which record of the batch `exactRecord` answers with. */
type Choice = { kind: 'atOrAfter'; timestampMs: number } | { kind: 'maxTimestamp' }

/**
 * Storage indexes timestamps per batch; Kafka answers per record. Walks the batch holding `found` and
 * returns the record `choice` names, or `found` itself when the batch is gone or no record qualifies; null when the broker-wide
 * decompression budget had no room in time. The batch is decompressed off the event loop or in slices,
 * within the budget, and walked in slices without a record object each: a batch of 2 million records
 * held the event loop 300-500 ms decoded at once (#7). A read error is thrown (the partition is answered
 * KAFKA_STORAGE_ERROR), never turned into a quiet answer.
 */
async function exactRecord(
  broker: BrokerContext,
  log: PartitionLog,
  found: OffsetAndTimestamp,
  choice: Choice,
): Promise<OffsetAndTimestamp | null> {
  const read = await log.read(found.offset, 1)
  const batch = read.batches[0]
  if (batch === undefined) return found
  // Two numbers, not an object per better record: timestamps that only grow would make one per record.
  let hit = false
  let chosenOffset = -1
  let chosenMs = -1
  const visit: RecordVisitor =
    choice.kind === 'atOrAfter'
      ? (record) => {
          if (record.timestampMs < choice.timestampMs) return false
          hit = true
          chosenOffset = record.offset
          chosenMs = record.timestampMs
          return true
        }
      : // The first record carrying the largest timestamp, as Kafka reports it.
        (record) => {
          if (!hit || record.timestampMs > chosenMs) {
            hit = true
            chosenOffset = record.offset
            chosenMs = record.timestampMs
          }
          return false
        }
  const walk = await walkBatchRecords(batch, visit, {
    verifyCrc: false,
    pause: () => broker.slices.turn(),
    reserve: (bytes) => broker.decompression.reserve(bytes),
  })
  if (walk.outcome === 'noRoom') return null
  return hit ? { offset: chosenOffset, timestamp: chosenMs } : found
}

const LATEST = -1
const EARLIEST = -2
const MAX_TIMESTAMP = -3
const EARLIEST_LOCAL = -4
const LATEST_TIERED = -5
/** v11 (KIP-1023): the first offset not yet uploaded to tiered storage. */
const EARLIEST_PENDING_UPLOAD = -6
/** isolation_level 1 (v2+). */
const READ_COMMITTED = 1

interface Lookup {
  errorCode: number
  offset: number
  timestamp: number
}

/** The decompression budget had no room in time: retriable, as Produce answers it (#7). */
const busy: Lookup = { errorCode: ErrorCode.REQUEST_TIMED_OUT, offset: -1, timestamp: -1 }

/** The answer for one partition; throws on a storage error. */
async function lookup(
  broker: BrokerContext,
  topicName: string,
  p: { partitionIndex: number; currentLeaderEpoch: number; timestamp: number },
  readCommitted: boolean,
): Promise<Lookup> {
  const log =
    broker.topics.topic(topicName) === undefined
      ? undefined
      : await broker.partitions.log(topicName, p.partitionIndex)
  if (log === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, offset: -1, timestamp: -1 }
  if (p.currentLeaderEpoch > 0)
    return { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, offset: -1, timestamp: -1 }
  let offset = -1
  let timestamp = -1
  const visibleEnd = readCommitted ? log.lastStableOffset : log.highWatermark
  switch (p.timestamp) {
    case LATEST:
      offset = visibleEnd
      break
    case EARLIEST:
    case EARLIEST_LOCAL:
      offset = log.logStartOffset
      break
    case LATEST_TIERED:
    case EARLIEST_PENDING_UPLOAD:
      // No tiered storage: nothing has been uploaded and nothing is pending, which Kafka 4.4 answers with
      // offset -1 for both (measured with Admin.listOffsets on a topic without remote storage).
      offset = -1
      break
    case MAX_TIMESTAMP: {
      const found = log.maxTimestampOffset()
      if (found !== null) {
        const exact = await exactRecord(broker, log, found, { kind: 'maxTimestamp' })
        if (exact === null) return busy
        ;({ offset, timestamp } = exact)
        if (offset >= visibleEnd) [offset, timestamp] = [-1, -1]
      }
      break
    }
    default: {
      if (p.timestamp < 0) return { errorCode: ErrorCode.INVALID_REQUEST, offset: -1, timestamp: -1 }
      const found = await log.offsetForTimestamp(p.timestamp)
      if (found !== null) {
        const exact = await exactRecord(broker, log, found, { kind: 'atOrAfter', timestampMs: p.timestamp })
        if (exact === null) return busy
        ;({ offset, timestamp } = exact)
        // Records past the high watermark (read_committed: the LSO) are not yet visible to consumers.
        if (offset >= visibleEnd) [offset, timestamp] = [-1, -1]
      }
    }
  }
  return { errorCode: ErrorCode.NONE, offset, timestamp }
}

export const listOffsets = defineHandler({
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
  // v10 adds timeoutMs (waiting for remote storage, which Brook has not), v11 EARLIEST_PENDING_UPLOAD.
  versions: { min: 0, max: 11 },
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
        let found: Lookup
        try {
          found = await lookup(broker, topic.name, p, request.isolationLevel === READ_COMMITTED)
        } catch (error) {
          broker.logger.error('ListOffsets could not read the log', {
            topic: topic.name,
            partition: p.partitionIndex,
            error,
          })
          found = { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, offset: -1, timestamp: -1 }
        }
        const { errorCode, offset, timestamp } = found
        const leaderEpoch = offset >= 0 ? 0 : -1
        partitions.push({
          ...base,
          errorCode,
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
