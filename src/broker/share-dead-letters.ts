// Dead letters of share groups (KIP-1191, as Kafka 4.4): a record archived by REJECT or at the delivery
// count limit is appended, through the partition log's own append path, to the group's
// `errors.deadletterqueue.topic.name`, with Kafka's `__dlq.errors.*` headers naming where it came from.
// Exactly once across crashes: the letter is owed in the share state (stored with the archiving), its
// target is stored before its append, and a retry skips the records its scan finds already there.
import { type Logger, brookChannels } from '../core/index.js'
import type { TopicRegistry } from '../metadata/index.js'
import {
  type BatchRecordInput,
  buildRecordBatch,
  type RecordHeader,
  walkBatchRecords,
} from '../record-batch/index.js'
import type {
  DeadLetter,
  DeadLetterTarget,
  SharePartitionKey,
  ShareStateRecord,
} from '../share-partitions/index.js'
import type { PartitionStore } from './partition-store.js'

/** Kafka 4.4's header names (ShareGroupDLQStateManager); values are UTF-8 text, numbers in decimal. */
export const DEAD_LETTER_HEADERS = {
  topic: '__dlq.errors.topic',
  partition: '__dlq.errors.partition',
  offset: '__dlq.errors.offset',
  group: '__dlq.errors.group',
  deliveryCount: '__dlq.errors.delivery.count',
  message: '__dlq.errors.message',
} as const

/** Most records one dead-letter batch holds (a run of archived records is split into such batches). */
export const DEAD_LETTER_BATCH_RECORDS_MAX = 500

const SOURCE_READ_BYTES = 1 << 20

export interface DeadLetterWriterOptions {
  readonly topics: TopicRegistry
  readonly partitions: PartitionStore
  readonly logger: Logger
  readonly nowMs: () => number
  /** The group's effective value of a group config. */
  readonly groupConfig: (groupId: string, name: string) => string
  /** Stores a `share-dead-letter` record (target chosen, or letter done); resolves once synced. */
  readonly record: (record: ShareStateRecord) => Promise<void>
  /** Gives other work a turn between slices of reading stored batches (one may hold millions of records, #7). */
  readonly pause: () => Promise<void>
}

/** The text of `__dlq.errors.message` for a reason: Kafka 4.4's own texts. */
export function deadLetterMessage(reason: DeadLetter['reason']): string {
  return reason === 'rejected'
    ? 'Offset rejected by client.'
    : 'Offset delivery count exceeded the threshold.'
}

/**
 * Writes dead letters one at a time in the order they come (a chain of promises), so a group's dead
 * letters keep their order. `write` returns once the letters are appended and synced, or given up
 * (no topic configured, topic missing: logged); it never throws.
 */
export class DeadLetterWriter {
  readonly #options: DeadLetterWriterOptions
  #chain: Promise<void> = Promise.resolve()

  constructor(options: DeadLetterWriterOptions) {
    this.#options = options
  }

  /**
   * Queues the letters of one share-partition; the promise resolves when they are written or dropped.
   * `stored` false: nothing is owed (the group has no dead-letter topic), they are only counted.
   * `resumed`: letters owed from before a restart, already counted then.
   */
  write(
    key: SharePartitionKey,
    letters: readonly DeadLetter[],
    options: { stored?: boolean; resumed?: boolean } = {},
  ): Promise<void> {
    if (brookChannels.deadLetters.hasSubscribers && options.resumed !== true)
      for (const letter of letters)
        brookChannels.deadLetters.publish({
          group: key.groupId,
          records: letter.lastOffset - letter.firstOffset + 1,
          reason: letter.reason,
        })
    if (options.stored === false) return Promise.resolve()
    const next = this.#chain
      .then(() => this.#write(key, letters))
      .catch((error: unknown) => {
        this.#options.logger.error('dead letter not written', { group: key.groupId, error })
      })
    this.#chain = next
    return next
  }

  /** Resolves once every queued letter is written or dropped. */
  settled(): Promise<void> {
    return this.#chain
  }

  async #write(key: SharePartitionKey, letters: readonly DeadLetter[]): Promise<void> {
    for (const letter of letters) await this.#writeLetter(key, letter)
  }

  /**
   * One letter: its target stored first (unless a previous run stored it), then every record of the run
   * not already in the target partition appended and synced, then the letter stored as done.
   */
  async #writeLetter(key: SharePartitionKey, letter: DeadLetter): Promise<void> {
    const { topics, partitions, logger, groupConfig, record } = this.#options
    const done = () =>
      record({ type: 'share-dead-letter', key, firstOffset: letter.firstOffset, target: null })
    const source = topics.topicById(key.topicId)
    let target: DeadLetterTarget | undefined = letter.target
    const retry = target !== undefined
    if (target === undefined) {
      const dlqTopic = groupConfig(key.groupId, 'errors.deadletterqueue.topic.name')
      const meta = dlqTopic === '' ? undefined : topics.topic(dlqTopic)
      if (source === undefined || meta === undefined || meta.partitionCount <= 0) {
        if (dlqTopic !== '')
          logger.warn('dead-letter topic missing: dead letters dropped', {
            group: key.groupId,
            topic: dlqTopic,
          })
        await done()
        return
      }
      // As Kafka: the source partition modulo the dead-letter topic's partition count.
      const partition = key.partition % meta.partitionCount
      const log = await partitions.log(dlqTopic, partition)
      if (log === undefined) {
        await done()
        return
      }
      target = { topic: dlqTopic, partition, fromOffset: log.logEndOffset }
      await record({ type: 'share-dead-letter', key, firstOffset: letter.firstOffset, target })
    }
    const log = await partitions.log(target.topic, target.partition)
    if (source === undefined || log === undefined) {
      logger.warn('dead-letter topic missing: dead letters dropped', {
        group: key.groupId,
        topic: target.topic,
      })
      await done()
      return
    }
    const written = retry
      ? await lettersIn(log, target.fromOffset, key, source.name, this.#options.pause)
      : new Set<number>()
    const copy = groupConfig(key.groupId, 'errors.deadletterqueue.copy.record.enable') === 'true'
    const sourceLog = copy ? await partitions.log(source.name, key.partition) : undefined
    for (let first = letter.firstOffset; first <= letter.lastOffset; first += DEAD_LETTER_BATCH_RECORDS_MAX) {
      const last = Math.min(letter.lastOffset, first + DEAD_LETTER_BATCH_RECORDS_MAX - 1)
      const originals =
        sourceLog === undefined ? new Map() : await readRecords(sourceLog, first, last, this.#options.pause)
      const records: BatchRecordInput[] = []
      for (let offset = first; offset <= last; offset++) {
        if (written.has(offset)) continue
        const original = originals.get(offset)
        const headers: { key: string; value: string | Buffer | null }[] = (original?.headers ?? []).map(
          (h: RecordHeader) => ({ key: h.key, value: h.value }),
        )
        headers.push(
          { key: DEAD_LETTER_HEADERS.topic, value: source.name },
          { key: DEAD_LETTER_HEADERS.partition, value: String(key.partition) },
          { key: DEAD_LETTER_HEADERS.offset, value: String(offset) },
          { key: DEAD_LETTER_HEADERS.group, value: key.groupId },
          { key: DEAD_LETTER_HEADERS.deliveryCount, value: String(letter.deliveryCount) },
          { key: DEAD_LETTER_HEADERS.message, value: deadLetterMessage(letter.reason) },
        )
        records.push({ key: original?.key ?? null, value: original?.value ?? null, headers })
      }
      if (records.length === 0) continue
      const nowMs = this.#options.nowMs()
      const batch = buildRecordBatch(records, { nowMs, partitionLeaderEpoch: 0 })
      const outcome = log.append({ batch, recordsCount: records.length, maxTimestamp: nowMs })
      await log.waitDurable(outcome.lastOffset + 1)
    }
    await done()
  }
}

/**
 * The source offsets of the letters of `key` (by group, source topic name and partition headers) in the
 * dead-letter log from `fromOffset` to its end: what a run cut short by a crash already wrote.
 */
async function lettersIn(
  log: ReadableLog,
  fromOffset: number,
  key: SharePartitionKey,
  topicName: string,
  pause: () => Promise<void>,
): Promise<Set<number>> {
  const found = new Set<number>()
  const wanted = new Map([
    [DEAD_LETTER_HEADERS.group, key.groupId],
    [DEAD_LETTER_HEADERS.topic, topicName],
    [DEAD_LETTER_HEADERS.partition, String(key.partition)],
  ])
  let offset = Math.max(fromOffset, log.logStartOffset)
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, SOURCE_READ_BYTES)
    if (read.outOfRange || read.batches.length === 0) break
    let next = offset
    for (const batch of read.batches) {
      const { header } = await walkBatchRecords(
        batch,
        (walked) => {
          const record = walked.decode()
          const headers = new Map(record.headers.map((h) => [h.key, h.value?.toString('utf8')]))
          const matches = [...wanted].every(([name, value]) => headers.get(name) === value)
          const sourceOffset = Number(headers.get(DEAD_LETTER_HEADERS.offset))
          if (matches && Number.isSafeInteger(sourceOffset)) found.add(sourceOffset)
          return false
        },
        { pause },
      )
      next = Math.max(next, header.baseOffset + header.lastOffsetDelta + 1)
    }
    if (next <= offset) break
    offset = next
  }
  return found
}

interface SourceRecord {
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

type ReadableLog = NonNullable<Awaited<ReturnType<PartitionStore['log']>>>

/** The records at offsets first..last still in the log (gone ones are simply absent). */
async function readRecords(
  log: ReadableLog,
  first: number,
  last: number,
  pause: () => Promise<void>,
): Promise<Map<number, SourceRecord>> {
  const out = new Map<number, SourceRecord>()
  let offset = first
  while (offset <= last) {
    const read = await log.read(offset, SOURCE_READ_BYTES)
    if (read.outOfRange || read.batches.length === 0) break
    let next = offset
    for (const batch of read.batches) {
      // Only the records in range are decoded; the walk stops past `last` (offsets ascend in a batch).
      const from = offset
      const { header } = await walkBatchRecords(
        batch,
        (walked) => {
          if (walked.offset > last) return true
          if (walked.offset >= from) {
            const record = walked.decode()
            out.set(record.offset, { key: record.key, value: record.value, headers: record.headers })
          }
          next = Math.max(next, walked.offset + 1)
          return false
        },
        { pause },
      )
      next = Math.max(next, header.baseOffset + header.lastOffsetDelta + 1)
    }
    if (next <= offset) break
    offset = next
  }
  return out
}
