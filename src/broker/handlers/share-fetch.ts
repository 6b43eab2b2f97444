// ShareFetch (KIP-932), v1-2 as Kafka 4.4 serves them: the share session's epoch is checked and moved,
// acknowledgements carried on the request are applied (all or nothing per partition, synced before the
// answer), then records are acquired from the session's partitions and returned as whole batches with
// the AcquiredRecords ranges and delivery counts, long-polling up to MaxWaitMs when none are available.
// Epoch -1 closes the session (acknowledgements only) and releases what the member holds there.
// Version notes: v2's ShareAcquireMode is taken as record-limit (MaxRecords is never exceeded, which
// batch-optimized mode also allows); v2's IsRenewAck means acknowledge only, no fetch.
// BatchSize: runs of new records are cut into AcquiredRecords at batch boundaries (splitAtBatches).
// MinBytes as Kafka 4.4: the long poll waits until the log holds at least MinBytes from the partitions'
// next fetch offsets (bytesAvailable), then acquires; at MaxWaitMs it answers with whatever it can acquire.
// share.isolation.level=read_committed (#12): records only below the last stable offset; batches of aborted
// transactions are archived when acquired, never delivered (ShareFetch carries no aborted list), as Kafka 4.4.
// Not implemented: group-level overrides of the share.* configs.
import { quoted } from '../../core/index.js'
import { validGroupId } from '../../groups/index.js'
import { ErrorCode, type MessageValue, ShareFetchRequest, ShareFetchResponse } from '../../protocol/index.js'
import { readBatchHeader } from '../../record-batch/index.js'
import type { AcknowledgementBatch, AcquiredRange } from '../../share-partitions/index.js'
import { abortedBatchSpans } from '../../storage/index.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler, type RequestContext } from '../handler.js'
import { sessionPartition } from '../share-coordinator.js'

/** MaxRecords used when a request sends none (0 or negative): the Java client's max.poll.records. */
const MAX_RECORDS_DEFAULT = 500
/** How often a long poll looks again for records released or unlocked (appends wake it at once). */
const SHARE_POLL_RECHECK_MS = 250

type AckTopics = readonly {
  readonly topicId: string
  readonly partitions: readonly {
    readonly partitionIndex: number
    readonly acknowledgementBatches: readonly AcknowledgementBatch[]
  }[]
}[]

/** One partition's part of the answer, keyed by `topicId:partition`. */
export interface SharePartitionAnswer {
  topicId: string
  partitionIndex: number
  errorCode: number
  errorMessage: string | null
  acknowledgeErrorCode: number
  acknowledgeErrorMessage: string | null
  records: Buffer[]
  acquiredRecords: AcquiredRange[]
}

function answerFor(answers: Map<string, SharePartitionAnswer>, topicId: string, partitionIndex: number) {
  const id = sessionPartition(topicId, partitionIndex)
  let answer = answers.get(id)
  if (answer === undefined) {
    answer = {
      topicId,
      partitionIndex,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      acknowledgeErrorCode: ErrorCode.NONE,
      acknowledgeErrorMessage: null,
      records: [],
      acquiredRecords: [],
    }
    answers.set(id, answer)
  }
  return answer
}

/**
 * Applies the acknowledgements of a ShareFetch or ShareAcknowledge and waits until they are durable;
 * each partition's outcome goes into its answer's acknowledge error.
 */
export async function applyAcknowledgements(
  broker: BrokerContext,
  groupId: string,
  memberId: string,
  topics: AckTopics,
  allowRenew: boolean,
  answers: Map<string, SharePartitionAnswer>,
): Promise<void> {
  const waits: Promise<void>[] = []
  for (const topic of topics) {
    for (const p of topic.partitions) {
      if (p.acknowledgementBatches.length === 0) continue
      const answer = answerFor(answers, topic.topicId, p.partitionIndex)
      const sharePartition = await broker.shares.partition(groupId, topic.topicId, p.partitionIndex)
      if (sharePartition === undefined) {
        answer.acknowledgeErrorCode =
          broker.topics.topicById(topic.topicId) === undefined
            ? ErrorCode.UNKNOWN_TOPIC_ID
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        continue
      }
      const result = sharePartition.acknowledge(memberId, p.acknowledgementBatches, allowRenew)
      answer.acknowledgeErrorCode = result.errorCode
      answer.acknowledgeErrorMessage = result.errorMessage
      waits.push(
        result.durable.catch((error: unknown) => {
          answer.acknowledgeErrorCode = ErrorCode.KAFKA_STORAGE_ERROR
          answer.acknowledgeErrorMessage = `share state not stored: ${(error as Error).message}`
        }),
      )
    }
  }
  await Promise.all(waits)
}

/** The answer's `responses`, grouped by topic in first-seen order. */
export function responsesOf(answers: Map<string, SharePartitionAnswer>, nodeId: number) {
  const byTopic = new Map<string, SharePartitionAnswer[]>()
  for (const answer of answers.values()) {
    const list = byTopic.get(answer.topicId) ?? []
    list.push(answer)
    byTopic.set(answer.topicId, list)
  }
  return [...byTopic].map(([topicId, partitions]) => ({
    topicId,
    partitions: partitions.map((a) => ({
      partitionIndex: a.partitionIndex,
      errorCode: a.errorCode,
      errorMessage: a.errorMessage,
      acknowledgeErrorCode: a.acknowledgeErrorCode,
      acknowledgeErrorMessage: a.acknowledgeErrorMessage,
      currentLeader: { leaderId: nodeId, leaderEpoch: 0 },
      records: a.records,
      acquiredRecords: a.acquiredRecords,
    })),
  }))
}

/** Whether the group reads only committed records (group config share.isolation.level). */
function isReadCommitted(context: RequestContext, groupId: string): boolean {
  return context.broker.shares.groupConfig(groupId, 'share.isolation.level') === 'read_committed'
}

/**
 * Bytes of the log from each session partition's next fetch offset up to its high watermark, counted up to
 * `enoughBytes` (whole batches, so the figure may pass it); what MinBytes is held against, as Kafka 4.4
 * does (it counts log bytes, including records in between that are not acquirable). Partitions that do
 * not exist count nothing here; acquireAll answers their errors.
 */
async function bytesAvailable(
  context: RequestContext,
  groupId: string,
  partitions: readonly string[],
  enoughBytes: number,
): Promise<{ bytes: number; watched: [string, number][] }> {
  const { broker } = context
  // A partition that is gone answers at once (acquireAll gives its error), as it does without MinBytes.
  const gone = { bytes: Number.POSITIVE_INFINITY, watched: [] }
  let bytes = 0
  const watched: [string, number][] = []
  for (const id of partitions) {
    const at = id.lastIndexOf(':')
    const topicId = id.slice(0, at)
    const partitionIndex = Number(id.slice(at + 1))
    const meta = broker.topics.topicById(topicId)
    if (meta === undefined) return gone
    const sharePartition = await broker.shares.partition(groupId, topicId, partitionIndex)
    const log = await broker.partitions.log(meta.name, partitionIndex)
    if (sharePartition === undefined || log === undefined) return gone
    watched.push([meta.name, partitionIndex])
    if (bytes >= enoughBytes) continue
    let fromOffset = sharePartition.nextFetchOffset()
    const readCommitted = isReadCommitted(context, groupId)
    const visibleEnd = readCommitted ? log.lastStableOffset : log.highWatermark
    // A read stops before a batch that would pass its byte budget, unless it is the first: read on.
    while (fromOffset !== null && fromOffset < visibleEnd && bytes < enoughBytes) {
      const read = await log.read(fromOffset, enoughBytes - bytes, readCommitted)
      if (read.outOfRange || read.batches.length === 0) break
      for (const batch of read.batches) bytes += batch.length
      const last = readBatchHeader(read.batches[read.batches.length - 1])
      fromOffset = last.baseOffset + last.lastOffsetDelta + 1
    }
  }
  return { bytes, watched }
}

/** Acquires records from the session's partitions; returns the partitions a long poll waits on. */
async function acquireAll(
  context: RequestContext,
  groupId: string,
  memberId: string,
  partitions: readonly string[],
  maxRecords: number,
  maxBytes: number,
  batchSize: number,
  answers: Map<string, SharePartitionAnswer>,
): Promise<{ acquiredCount: number; watched: [string, number][] }> {
  const { broker } = context
  let recordsLeft = maxRecords
  let bytesLeft = maxBytes
  const watched: [string, number][] = []
  const durables: { answer: SharePartitionAnswer; durable: Promise<void> }[] = []
  for (const id of partitions) {
    const at = id.lastIndexOf(':')
    const topicId = id.slice(0, at)
    const partitionIndex = Number(id.slice(at + 1))
    const meta = broker.topics.topicById(topicId)
    const sharePartition =
      meta === undefined ? undefined : await broker.shares.partition(groupId, topicId, partitionIndex)
    const log = meta === undefined ? undefined : await broker.partitions.log(meta.name, partitionIndex)
    if (meta === undefined || sharePartition === undefined || log === undefined) {
      const answer = answerFor(answers, topicId, partitionIndex)
      answer.errorCode =
        meta === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      continue
    }
    watched.push([meta.name, partitionIndex])
    if (log.logStartOffset > sharePartition.startOffset)
      void sharePartition.advanceLogStart(log.logStartOffset).catch(() => {})
    if (recordsLeft <= 0 || bytesLeft <= 0) continue
    const fromOffset = sharePartition.nextFetchOffset()
    // share.isolation.level=read_committed: only below the last stable offset, as Kafka 4.4.
    const readCommitted = isReadCommitted(context, groupId)
    const visibleEnd = readCommitted ? log.lastStableOffset : log.highWatermark
    if (fromOffset === null || fromOffset >= visibleEnd) continue
    const read = await log.read(fromOffset, bytesLeft, readCommitted)
    if (read.outOfRange || read.batches.length === 0) continue
    const lastBatch = readBatchHeader(read.batches[read.batches.length - 1])
    const readEndOffset = lastBatch.baseOffset + lastBatch.lastOffsetDelta + 1
    let { acquired, durable } = sharePartition.acquire(
      memberId,
      recordsLeft,
      readCommitted ? read.lastStableOffset : read.highWatermark,
      readEndOffset,
      fromOffset,
    )
    if (readCommitted && acquired.length > 0) {
      // A share consumer cannot drop aborted records itself (ShareFetch has no aborted list): archive them.
      const spans = abortedBatchSpans(read.batches, log.abortedTransactions(fromOffset, readEndOffset))
      if (spans.length > 0) {
        const archived = sharePartition.archiveAcquired(memberId, acquired, spans)
        acquired = archived.acquired
        const both = [durable, archived.durable]
        durable = Promise.all(both).then(() => {})
      }
    }
    if (acquired.length === 0) {
      // Everything acquired was archived: nothing to answer; the state is stored in the background.
      durable.catch(() => {})
      continue
    }
    const answer = answerFor(answers, topicId, partitionIndex)
    for (const range of acquired) recordsLeft -= range.lastOffset - range.firstOffset + 1
    // Whole batches, only those holding an acquired offset; the client skips the other records.
    for (const batch of read.batches) {
      const header = readBatchHeader(batch)
      const first = header.baseOffset
      const last = header.baseOffset + header.lastOffsetDelta
      if (acquired.some((range) => range.firstOffset <= last && range.lastOffset >= first)) {
        answer.records.push(batch)
        bytesLeft -= batch.length
      }
    }
    const bases = read.batches.map((batch) => readBatchHeader(batch).baseOffset)
    answer.acquiredRecords.push(...acquired.flatMap((range) => splitAtBatches(range, bases, batchSize)))
    durables.push({ answer, durable })
  }
  let acquiredCount = 0
  for (const { answer, durable } of durables) {
    try {
      await durable
      for (const range of answer.acquiredRecords) acquiredCount += range.lastOffset - range.firstOffset + 1
    } catch (error) {
      // Not stored, so not handed out: the locks expire and the records come back.
      answer.records = []
      answer.acquiredRecords = []
      answer.errorCode = ErrorCode.KAFKA_STORAGE_ERROR
      answer.errorMessage = `share state not stored: ${(error as Error).message}`
    }
  }
  return { acquiredCount, watched }
}

/**
 * BatchSize as Kafka 4.4 applies it to records acquired for the first time: a run longer than `batchSize`
 * is cut into AcquiredRecords at record-batch boundaries, a new one starting at the first batch whose
 * base offset is `batchSize` or more past the current one's start (batches are never split).
 */
export function splitAtBatches(
  range: AcquiredRange,
  batchBaseOffsets: readonly number[],
  batchSize: number,
): AcquiredRange[] {
  if (range.deliveryCount !== 1 || batchSize <= 0 || range.lastOffset - range.firstOffset + 1 <= batchSize)
    return [range]
  const out: AcquiredRange[] = []
  let first = range.firstOffset
  for (const base of batchBaseOffsets) {
    if (base > range.lastOffset) break
    if (base - first >= batchSize) {
      out.push({ firstOffset: first, lastOffset: base - 1, deliveryCount: 1 })
      first = base
    }
  }
  out.push({ firstOffset: first, lastOffset: range.lastOffset, deliveryCount: 1 })
  return out
}

type Request = MessageValue<typeof ShareFetchRequest>

export const shareFetch = defineHandler({
  request: ShareFetchRequest,
  response: ShareFetchResponse,
  versions: { min: 1, max: 2 },
  async handle(request: Request, context) {
    const { broker, session } = context
    const version = context.header.apiVersion
    const lockMs = broker.config.shareRecordLockDurationMs
    const topLevel = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      acquisitionLockTimeoutMs: lockMs,
      responses: [],
      nodeEndpoints: [],
    })
    const groupId = request.groupId ?? ''
    const memberId = request.memberId ?? ''
    if (!validGroupId(groupId)) return topLevel(ErrorCode.INVALID_GROUP_ID, 'GroupId is empty or too long')
    if (memberId === '') return topLevel(ErrorCode.INVALID_REQUEST, 'MemberId is empty')
    const epoch = request.shareSessionEpoch
    const hasAcknowledgements = request.topics.some((t) =>
      t.partitions.some((p) => p.acknowledgementBatches.length > 0),
    )
    if (epoch === 0 && hasAcknowledgements)
      return topLevel(ErrorCode.INVALID_REQUEST, 'acknowledgements on the request that opens a share session')
    const group = broker.shares.group(groupId)
    if (epoch !== -1 && (group === undefined || !group.hasMember(memberId)))
      return topLevel(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `member ${quoted(memberId)} is not in share group ${quoted(groupId)}`,
      )
    const added = request.topics.flatMap((t) =>
      t.partitions.map((p) => sessionPartition(t.topicId, p.partitionIndex)),
    )
    const forgotten = request.forgottenTopicsData.flatMap((t) =>
      t.partitions.map((partition) => sessionPartition(t.topicId, partition)),
    )
    const opened = broker.shares.sessions.fetch(groupId, memberId, epoch, session.id, added, forgotten)
    if (opened.session === null) return topLevel(opened.errorCode, opened.errorMessage ?? '')
    broker.shares.watchConnection(session.id, (callback) => session.onClose(callback))
    const answers = new Map<string, SharePartitionAnswer>()
    const renewOnly = version >= 2 && request.isRenewAck
    await applyAcknowledgements(broker, groupId, memberId, request.topics, renewOnly, answers)
    if (epoch === -1) broker.shares.releaseSession(opened.session)
    if (epoch !== -1 && !renewOnly) {
      const maxRecords = request.maxRecords > 0 ? request.maxRecords : MAX_RECORDS_DEFAULT
      const waitMs = Math.min(Math.max(0, request.maxWaitMs), broker.config.fetchWaitMaxMs)
      const deadline = broker.clock.monotonicMs() + waitMs
      const partitions = [...opened.session.partitions]
      for (;;) {
        // A connection that closed has had its records released by the close hook; acquiring for it
        // again would lock them for a client that is gone until the lock expires.
        if (session.isClosed) break
        if (request.minBytes > 1 && deadline > broker.clock.monotonicMs() && !broker.partitions.isClosing) {
          const available = await bytesAvailable(context, groupId, partitions, request.minBytes)
          if (available.bytes < request.minBytes) {
            await broker.partitions.waitForAppend(
              available.watched,
              Math.min(deadline - broker.clock.monotonicMs(), SHARE_POLL_RECHECK_MS),
              session.signal,
            )
            continue
          }
        }
        const { acquiredCount, watched } = await acquireAll(
          context,
          groupId,
          memberId,
          partitions,
          maxRecords,
          request.maxBytes,
          request.batchSize > 0 ? request.batchSize : maxRecords,
          answers,
        )
        if (session.isClosed) {
          // Closed while acquiring (the close hook ran before these acquisitions): release them too.
          broker.shares.releaseSession(opened.session)
          break
        }
        const leftMs = deadline - broker.clock.monotonicMs()
        if (acquiredCount > 0 || leftMs <= 0 || broker.partitions.isClosing) break
        if ([...answers.values()].some((a) => a.errorCode !== ErrorCode.NONE)) break
        await broker.partitions.waitForAppend(
          watched,
          Math.min(leftMs, SHARE_POLL_RECHECK_MS),
          session.signal,
        )
      }
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      acquisitionLockTimeoutMs: lockMs,
      responses: responsesOf(answers, broker.config.nodeId),
      nodeEndpoints: [],
    }
  },
})
