// Fetch: whole batches from the one containing the fetch offset (clients skip the records before it),
// at least one batch even above the byte limits (KIP-74), long-polling on MaxWaitMs/MinBytes. Sessions
// are not kept: every answer has SessionId 0, so clients keep sending full requests.
import { ErrorCode, FetchRequest, FetchResponse, type MessageValue } from '../../protocol/index.js'
import { brookChannels, countBatches } from '../../core/index.js'
import type { PartitionLog, ReadResult } from '../../storage/index.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler } from '../handler.js'

interface PartitionAnswer {
  partitionIndex: number
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
  records: Buffer[]
  sizeBytes: number
}

function errorAnswer(partitionIndex: number, errorCode: number): PartitionAnswer {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    records: [],
    sizeBytes: 0,
  }
}

type Request = MessageValue<typeof FetchRequest>

interface PlannedRead {
  answer: PartitionAnswer
  log: PartitionLog
  topic: string
  fetchOffset: number
  budgetBytes: number
  read?: Promise<ReadResult>
}

/**
 * Reads every requested partition. Byte budgets are planned first, in request order (each partition gets
 * min(partitionMaxBytes, what is left of maxBytes)), so all reads can run concurrently; then the results
 * are taken in order and cut once the response reaches maxBytes. As in a sequential read, the partition
 * that crosses the limit keeps its first batch (KIP-74), so an oversized batch is never stuck.
 */
async function readAll(broker: BrokerContext, request: Request, version: number) {
  let plannedBytes = 0
  let hasError = false
  const responses = []
  const planned: PlannedRead[] = []
  /** The partitions a long poll waits on. */
  const watched: [string, number][] = []
  for (const topic of request.topics) {
    const meta = version >= 13 ? broker.topics.topicById(topic.topicId) : broker.topics.topic(topic.topic)
    const partitions: PartitionAnswer[] = []
    for (const p of topic.partitions) {
      if (meta === undefined) {
        partitions.push(
          errorAnswer(
            p.partition,
            version >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          ),
        )
        hasError = true
        continue
      }
      let log: PartitionLog | undefined
      try {
        log = await broker.partitions.log(meta.name, p.partition)
      } catch (error) {
        broker.logger.error('opening a partition log failed', {
          topic: meta.name,
          partition: p.partition,
          error,
        })
        partitions.push(errorAnswer(p.partition, ErrorCode.KAFKA_STORAGE_ERROR))
        hasError = true
        continue
      }
      if (log === undefined) {
        partitions.push(errorAnswer(p.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))
        hasError = true
        continue
      }
      if (p.currentLeaderEpoch > 0) {
        // Our leader epoch is always 0: a client ahead of it has metadata from another broker.
        partitions.push(errorAnswer(p.partition, ErrorCode.UNKNOWN_LEADER_EPOCH))
        hasError = true
        continue
      }
      watched.push([meta.name, p.partition])
      const answer: PartitionAnswer = {
        partitionIndex: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: log.highWatermark,
        lastStableOffset: log.highWatermark,
        logStartOffset: log.logStartOffset,
        // Empty, not null: librdkafka rejects a null record set in non-flexible versions.
        records: [],
        sizeBytes: 0,
      }
      partitions.push(answer)
      const remainingBytes = request.maxBytes - plannedBytes
      const inRange = p.fetchOffset >= log.logStartOffset && p.fetchOffset <= log.logEndOffset
      if (remainingBytes > 0 && (!inRange || p.fetchOffset < log.highWatermark)) {
        const budgetBytes = Math.min(p.partitionMaxBytes, remainingBytes)
        // Offsets out of range need a read too (it answers the error), but reserve no bytes for them.
        if (inRange) plannedBytes += budgetBytes
        planned.push({ answer, log, topic: meta.name, fetchOffset: p.fetchOffset, budgetBytes })
      }
    }
    responses.push({ topic: topic.topic, topicId: topic.topicId, partitions })
  }
  for (const plan of planned) {
    plan.read = plan.log.read(plan.fetchOffset, plan.budgetBytes)
    // Awaited below in order; a failure is rethrown there, not reported as unhandled meanwhile.
    plan.read.catch(() => {})
  }
  let totalBytes = 0
  for (const plan of planned) {
    const { answer } = plan
    let read: ReadResult
    try {
      read = await plan.read!
    } catch (error) {
      // A partition deleted with its topic meanwhile is unknown now; any other failure is a storage error.
      if (!plan.log.deleted)
        broker.logger.error('reading a partition log failed', { dir: plan.log.dir, error })
      answer.errorCode = plan.log.deleted
        ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        : ErrorCode.KAFKA_STORAGE_ERROR
      hasError = true
      continue
    }
    if (read.outOfRange) {
      answer.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE
      hasError = true
    } else if (read.batches.length > 0 && totalBytes < request.maxBytes) {
      let count = 0
      let sizeBytes = 0
      for (const batch of read.batches) {
        if (count > 0 && totalBytes + sizeBytes + batch.length > request.maxBytes) break
        sizeBytes += batch.length
        count++
      }
      answer.records = count === read.batches.length ? read.batches : read.batches.slice(0, count)
      answer.sizeBytes = sizeBytes
      totalBytes += sizeBytes
      if (brookChannels.recordsOut.hasSubscribers) {
        const counted = countBatches(answer.records, plan.fetchOffset)
        brookChannels.recordsOut.publish({
          topic: plan.topic,
          records: counted.records,
          bytes: counted.bytes,
        })
      }
    }
    answer.highWatermark = read.highWatermark
    answer.lastStableOffset = read.highWatermark
    answer.logStartOffset = read.logStartOffset
  }
  return { responses, totalBytes, hasError, watched }
}

export const fetch = defineHandler({
  request: FetchRequest,
  response: FetchResponse,
  versions: { min: 4, max: 16 },
  // A fetch offset beyond 2^53 stays beyond every log end: it is answered OFFSET_OUT_OF_RANGE.
  acceptsUnsafeInt64: true,
  async handle(request, context) {
    const { broker } = context
    const version = context.header.apiVersion
    if (request.sessionId !== 0 || request.sessionEpoch > 0) {
      // We never hand out sessions, so an incremental fetch names one we do not have.
      return { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] }
    }
    // A client may ask to wait up to 2^31 ms; the wait is capped so no request holds its connection's
    // order slot and a waiter for longer than fetchWaitMaxMs (an empty answer before then is legal).
    const cappedWaitMs = Math.min(Math.max(0, request.maxWaitMs), broker.config.fetchWaitMaxMs)
    const deadline = broker.clock.monotonicMs() + cappedWaitMs
    const { session } = context
    for (;;) {
      const result = await readAll(broker, request, version)
      const waitMs = deadline - broker.clock.monotonicMs()
      if (
        result.totalBytes >= request.minBytes ||
        result.hasError ||
        waitMs <= 0 ||
        broker.partitions.isClosing ||
        session.isClosed
      ) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: result.responses }
      }
      // The session's signal ends the wait when the connection closes, so a long poll of a client that
      // went away stops holding its waiter and timer.
      if (result.watched.length === 0) await waitOut(broker, waitMs, session.signal)
      else await broker.partitions.waitForAppend(result.watched, waitMs, session.signal)
    }
  },
})

/**
 * A Fetch that reads no partition (an empty partition list) has nothing to wake it: it waits out its time on
 * the clock, as Kafka's does. Waiting on nothing would resolve at once and the loop would spin in
 * microtasks, starving every other connection until the wait ended (#7, found by the fuzzer).
 */
function waitOut(broker: BrokerContext, waitMs: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      timer.cancel()
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = broker.clock.setTimeout(done, waitMs)
    signal.addEventListener('abort', done, { once: true })
  })
}
