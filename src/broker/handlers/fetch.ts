// Fetch: whole batches from the one containing the fetch offset (clients skip the records before it),
// at least one batch even above the byte limits (KIP-74), long-polling on MaxWaitMs/MinBytes; incremental
// fetch sessions (KIP-227): a full fetch with epoch 0 opens a session, later requests name only the
// partitions that changed and answers carry only partitions with records, errors or new offsets.
// isolation_level 1 (read_committed) reads below the last stable offset and lists the aborted
// transactions overlapping the records returned.
import { brookChannels, countBatches } from '../../core/index.js'
import { ErrorCode, FetchRequest, FetchResponse, type MessageValue, ZERO_UUID } from '../../protocol/index.js'
import { BatchOffsets, readInt64 } from '../../record-batch/index.js'
import type { PartitionLog, ReadResult } from '../../storage/index.js'
import type { BrokerContext } from '../broker-context.js'
import { type FetchSession, type SessionPartition, sessionPartitionKey } from '../fetch-session-cache.js'
import { defineHandler } from '../handler.js'

interface PartitionAnswer {
  partitionIndex: number
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
  /** read_committed: the aborted transactions overlapping the records returned; null otherwise. */
  abortedTransactions: { producerId: number; firstOffset: number }[] | null
  records: Buffer[]
  sizeBytes: number
}

/** FetchRequest isolation_level 1: read only below the last stable offset (KIP-98). */
const READ_COMMITTED = 1

type Request = MessageValue<typeof FetchRequest>

/** A partition being fetched: what the client asked, the log once resolved, and an error if it failed. */
interface Target extends SessionPartition {
  /** The log, kept across polls of a session while it is not deleted and its topic is the same. */
  log: PartitionLog | undefined
  /** The id of the topic `log` belongs to, to notice a deletion before it reaches the log. */
  logTopicId: string
}

interface PlannedRead {
  answer: PartitionAnswer
  target: Target
  budgetBytes: number
  read?: Promise<ReadResult>
}

interface Answered {
  target: Target
  answer: PartitionAnswer
}

const SESSION_ID_NONE = 0
const EPOCH_INITIAL = 0
const EPOCH_FINAL = -1

/** The targets of the request's partitions, in request order (a repeated partition: the last one wins). */
function requestTargets(broker: BrokerContext, request: Request, version: number): Target[] {
  const targets: Target[] = []
  for (const topic of request.topics) {
    const meta = version >= 13 ? broker.topics.topicById(topic.topicId) : broker.topics.topic(topic.topic)
    for (const p of topic.partitions) {
      targets.push({
        topic: meta?.name ?? topic.topic ?? '',
        topicId: version >= 13 ? topic.topicId : ZERO_UUID,
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        partitionMaxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: p.currentLeaderEpoch,
        sentHighWatermark: -1,
        sentLogStartOffset: -1,
        log: undefined,
        logTopicId: ZERO_UUID,
      })
    }
  }
  return targets
}

function targetKey(target: SessionPartition, usesTopicIds: boolean): string {
  return sessionPartitionKey(usesTopicIds ? target.topicId : target.topic, target.partition)
}

function errorAnswer(partitionIndex: number, errorCode: number): PartitionAnswer {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: null,
    records: [],
    sizeBytes: 0,
  }
}

/** Finds the log of a target not resolved yet (or whose log was deleted); returns an error code. */
async function resolve(broker: BrokerContext, target: Target, usesTopicIds: boolean): Promise<number> {
  target.log = undefined
  const meta = usesTopicIds ? broker.topics.topicById(target.topicId) : broker.topics.topic(target.topic)
  if (meta === undefined)
    return usesTopicIds ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
  target.topic = meta.name
  target.logTopicId = meta.topicId
  let log: PartitionLog | undefined
  try {
    log = await broker.partitions.log(meta.name, target.partition)
  } catch (error) {
    broker.logger.error('opening a partition log failed', {
      topic: meta.name,
      partition: target.partition,
      error,
    })
    return ErrorCode.KAFKA_STORAGE_ERROR
  }
  if (log === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
  target.log = log
  return ErrorCode.NONE
}

/**
 * Reads the targets. Byte budgets are planned first, in target order (each partition gets
 * min(partitionMaxBytes, what is left of maxBytes)), so all reads can run concurrently; then the results
 * are taken in order and cut once the response reaches maxBytes. As in a sequential read, the partition
 * that crosses the limit keeps its first batch (KIP-74), so an oversized batch is never stuck.
 * In an incremental fetch a partition with nothing to read and offsets the client already has is
 * skipped before anything is allocated for it, so an idle poll costs no allocation per partition.
 */
async function readAll(
  broker: BrokerContext,
  targets: Iterable<Target>,
  maxBytes: number,
  incremental: boolean,
  usesTopicIds: boolean,
  readCommitted: boolean,
) {
  let plannedBytes = 0
  let hasError = false
  /** Whether a target's log was looked up again (its watch entry may have changed). */
  let resolved = false
  const answered: Answered[] = []
  const planned: PlannedRead[] = []
  for (const target of targets) {
    let errorCode: number = ErrorCode.NONE
    // A session keeps the log between polls while it is not deleted and its topic is still the same
    // incarnation (a deletion reaches the registry before the log).
    if (
      target.log === undefined ||
      target.log.deleted ||
      broker.topics.topic(target.topic)?.topicId !== target.logTopicId
    ) {
      errorCode = await resolve(broker, target, usesTopicIds)
      resolved = true
    }
    // Our leader epoch is always 0: a client ahead of it has metadata from another broker.
    if (errorCode === ErrorCode.NONE && target.currentLeaderEpoch > 0)
      errorCode = ErrorCode.UNKNOWN_LEADER_EPOCH
    const log = target.log
    if (errorCode !== ErrorCode.NONE || log === undefined) {
      answered.push({ target, answer: errorAnswer(target.partition, errorCode) })
      hasError = true
      continue
    }
    const highWatermark = log.highWatermark
    const lastStableOffset = readCommitted ? log.lastStableOffset : highWatermark
    const logStartOffset = log.logStartOffset
    const remainingBytes = maxBytes - plannedBytes
    const inRange = target.fetchOffset >= logStartOffset && target.fetchOffset <= log.logEndOffset
    const reads = remainingBytes > 0 && (!inRange || target.fetchOffset < lastStableOffset)
    if (
      incremental &&
      !reads &&
      highWatermark === target.sentHighWatermark &&
      logStartOffset === target.sentLogStartOffset
    )
      continue
    const answer: PartitionAnswer = {
      partitionIndex: target.partition,
      errorCode: ErrorCode.NONE,
      highWatermark,
      lastStableOffset,
      logStartOffset,
      abortedTransactions: null,
      // Empty, not null: librdkafka rejects a null record set in non-flexible versions.
      records: [],
      sizeBytes: 0,
    }
    answered.push({ target, answer })
    if (reads) {
      const budgetBytes = Math.min(target.partitionMaxBytes, remainingBytes)
      // Offsets out of range need a read too (it answers the error), but reserve no bytes for them.
      if (inRange) plannedBytes += budgetBytes
      planned.push({ answer, target, budgetBytes })
    }
  }
  for (const plan of planned) {
    plan.read = plan.target.log!.read(plan.target.fetchOffset, plan.budgetBytes, readCommitted)
    // Awaited below in order; a failure is rethrown there, not reported as unhandled meanwhile.
    plan.read.catch(() => {})
  }
  let totalBytes = 0
  for (const plan of planned) {
    const { answer } = plan
    const log = plan.target.log!
    let read: ReadResult
    try {
      read = await plan.read!
    } catch (error) {
      // A partition deleted with its topic meanwhile is unknown now; any other failure is a storage error.
      if (!log.deleted) broker.logger.error('reading a partition log failed', { dir: log.dir, error })
      answer.errorCode = log.deleted ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.KAFKA_STORAGE_ERROR
      hasError = true
      continue
    }
    if (read.outOfRange) {
      answer.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE
      hasError = true
    } else if (read.batches.length > 0 && totalBytes < maxBytes) {
      let count = 0
      let sizeBytes = 0
      for (const batch of read.batches) {
        if (count > 0 && totalBytes + sizeBytes + batch.length > maxBytes) break
        sizeBytes += batch.length
        count++
      }
      answer.records = count === read.batches.length ? read.batches : read.batches.slice(0, count)
      answer.sizeBytes = sizeBytes
      totalBytes += sizeBytes
      if (readCommitted) {
        const last = answer.records[count - 1]
        const endOffset = readInt64(last, 0) + last.readInt32BE(BatchOffsets.lastOffsetDelta) + 1
        answer.abortedTransactions = log.abortedTransactions(plan.target.fetchOffset, endOffset)
      }
    }
    answer.highWatermark = read.highWatermark
    answer.lastStableOffset = read.lastStableOffset
    answer.logStartOffset = read.logStartOffset
  }
  return { answered, totalBytes, hasError, resolved }
}

/** Records and bytes an answer returns, per partition, to the records-out channel (metrics). */
function publishRecordsOut(answered: readonly Answered[]): void {
  for (const { target, answer } of answered) {
    if (answer.sizeBytes === 0) continue
    const counted = countBatches(answer.records, target.fetchOffset)
    brookChannels.recordsOut.publish({ topic: target.topic, records: counted.records, bytes: counted.bytes })
  }
}

/** Whether an incremental answer must carry this partition: records, an error or offsets the client lacks. */
function mustAnswer({ target, answer }: Answered): boolean {
  return (
    answer.sizeBytes > 0 ||
    answer.errorCode !== ErrorCode.NONE ||
    answer.highWatermark !== target.sentHighWatermark ||
    answer.logStartOffset !== target.sentLogStartOffset
  )
}

/** The partitions a long poll waits on: those with a log. */
function watchList(targets: Iterable<Target>): [string, number][] {
  const watched: [string, number][] = []
  for (const target of targets) if (target.log !== undefined) watched.push([target.topic, target.partition])
  return watched
}

/**
 * The answer's topics: consecutive partitions of one topic together (an incremental answer may name a
 * topic twice, as Kafka's does). For a session, also records what the client now knows of each partition
 * and, in an incremental fetch, moves the answered partitions to the end of the session's order.
 */
function answerTopics(
  answered: Answered[],
  session: FetchSession | undefined,
  incremental: boolean,
  keepsState: boolean,
) {
  const responses: { topic: string; topicId: string; partitions: PartitionAnswer[] }[] = []
  let current: { topic: string; topicId: string; partitions: PartitionAnswer[] } | undefined
  for (const item of answered) {
    if (incremental && !mustAnswer(item)) continue
    const { target, answer } = item
    if (current === undefined || current.topic !== target.topic || current.topicId !== target.topicId) {
      current = { topic: target.topic, topicId: target.topicId, partitions: [] }
      responses.push(current)
    }
    current.partitions.push(answer)
    if (!keepsState) continue
    // After an error the high watermark is forgotten, so the partition is answered again once it clears.
    target.sentHighWatermark = answer.errorCode === ErrorCode.NONE ? answer.highWatermark : -1
    target.sentLogStartOffset = answer.logStartOffset
    if (incremental && session !== undefined) {
      const key = targetKey(target, session.usesTopicIds)
      if (session.partitions.get(key) === target) {
        session.partitions.delete(key)
        session.partitions.set(key, target)
      }
    }
  }
  return responses
}

/** Applies an incremental request to its session: new or changed partitions, then forgotten ones. */
function updateSession(
  broker: BrokerContext,
  session: FetchSession,
  request: Request,
  version: number,
): void {
  const { usesTopicIds } = session
  for (const target of requestTargets(broker, request, version)) {
    const key = targetKey(target, usesTopicIds)
    const known = session.partitions.get(key) as Target | undefined
    if (known === undefined) {
      session.partitions.set(key, target)
      continue
    }
    known.fetchOffset = target.fetchOffset
    known.partitionMaxBytes = target.partitionMaxBytes
    known.currentLeaderEpoch = target.currentLeaderEpoch
  }
  if (request.topics.length > 0 || request.forgottenTopicsData.length > 0) session.watchList = undefined
  for (const forgotten of request.forgottenTopicsData) {
    const topicOrId = usesTopicIds ? forgotten.topicId : forgotten.topic
    for (const partition of forgotten.partitions)
      session.partitions.delete(sessionPartitionKey(topicOrId, partition))
  }
}

function sessionError(errorCode: number) {
  return { throttleTimeMs: 0, errorCode, sessionId: SESSION_ID_NONE, responses: [] }
}

export const fetch = defineHandler({
  request: FetchRequest,
  response: FetchResponse,
  // v17 (ReplicaDirectoryId) and v18 (HighWatermark) add request fields only followers send; a
  // consumer's v17/v18 fetch is a v16 fetch.
  versions: { min: 4, max: 18 },
  // A fetch offset beyond 2^53 stays beyond every log end: it is answered OFFSET_OUT_OF_RANGE.
  acceptsUnsafeInt64: true,
  async handle(request, context) {
    const { broker } = context
    const cache = broker.fetchSessions
    const version = context.header.apiVersion
    const usesTopicIds = version >= 13
    const { sessionId, sessionEpoch } = request
    let session: FetchSession | undefined
    let fullTargets: Target[] | undefined
    if (sessionEpoch === EPOCH_INITIAL || sessionEpoch === EPOCH_FINAL) {
      // A full fetch: it closes the session it names; epoch 0 asks for a new one, -1 for none.
      if (sessionId !== SESSION_ID_NONE) cache.remove(sessionId)
      fullTargets = requestTargets(broker, request, version)
    } else {
      session = cache.get(sessionId)
      if (session === undefined) return sessionError(ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
      if (session.epoch !== sessionEpoch) return sessionError(ErrorCode.INVALID_FETCH_SESSION_EPOCH)
      if (session.usesTopicIds !== usesTopicIds) return sessionError(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR)
      const previousSize = session.size
      updateSession(broker, session, request, version)
      session.advanceEpoch()
      cache.touch(session, broker.clock.monotonicMs(), previousSize)
    }
    const incremental = session !== undefined
    const opensSession = sessionEpoch === EPOCH_INITIAL && version >= 7
    // A client may ask to wait up to 2^31 ms; the wait is capped so no request holds its connection's
    // order slot and a waiter for longer than fetchWaitMaxMs (an empty answer before then is legal).
    const cappedWaitMs = Math.min(Math.max(0, request.maxWaitMs), broker.config.fetchWaitMaxMs)
    const deadline = broker.clock.monotonicMs() + cappedWaitMs
    const connection = context.session
    let watched: [string, number][] | undefined
    for (;;) {
      const targets = session !== undefined ? (session.partitions.values() as Iterable<Target>) : fullTargets!
      const result = await readAll(
        broker,
        targets,
        request.maxBytes,
        incremental,
        usesTopicIds,
        request.isolationLevel === READ_COMMITTED,
      )
      const waitMs = deadline - broker.clock.monotonicMs()
      if (
        result.totalBytes >= request.minBytes ||
        result.hasError ||
        waitMs <= 0 ||
        broker.partitions.isClosing ||
        connection.isClosed
      ) {
        // Counted here, for the answer sent: a long poll may read the same records several times.
        if (brookChannels.recordsOut.hasSubscribers) publishRecordsOut(result.answered)
        let answerSessionId = session?.id ?? SESSION_ID_NONE
        let created: FetchSession | undefined
        if (opensSession) {
          created = cache.create(broker.clock.monotonicMs(), fullTargets!.length, usesTopicIds)
          answerSessionId = created?.id ?? SESSION_ID_NONE
        }
        const responses = answerTopics(
          result.answered,
          session,
          incremental,
          session !== undefined || created !== undefined,
        )
        if (created !== undefined) {
          for (const target of fullTargets!) created.partitions.set(targetKey(target, usesTopicIds), target)
          cache.added(created, created.size)
        }
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: answerSessionId, responses }
      }
      // The session's signal ends the wait when the connection closes, so a long poll of a client that
      // went away stops holding its waiter and timer.
      // A session keeps its list between polls (an idle poll allocates none); a log looked up again
      // (a topic created, deleted or recreated) makes it stale.
      if (result.resolved) {
        watched = undefined
        if (session !== undefined) session.watchList = undefined
      }
      if (session !== undefined)
        watched = session.watchList ??= watchList(session.partitions.values() as Iterable<Target>)
      else watched ??= watchList(fullTargets!)
      if (watched.length === 0) await waitOut(broker, waitMs, connection.signal)
      else await broker.partitions.waitForAppend(watched, waitMs, connection.signal)
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
