// Dead letters of share groups (KIP-1191, as Kafka 4.4): a record archived by REJECT or at the delivery
// count limit is appended, through the partition log's own append path, to the group's
// `errors.deadletterqueue.topic.name`, with Kafka's `__dlq.errors.*` headers naming where it came from.
import { type Logger, brookChannels } from '../core/index.js'
import type { TopicRegistry } from '../metadata/index.js'
import {
  type BatchRecordInput,
  buildRecordBatch,
  decodeBatch,
  type RecordHeader,
} from '../record-batch/index.js'
import type { DeadLetter, SharePartitionKey } from '../share-partitions/index.js'
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

  /** Queues the letters of one share-partition; the promise resolves when they are written or dropped. */
  write(key: SharePartitionKey, letters: readonly DeadLetter[]): Promise<void> {
    if (brookChannels.deadLetters.hasSubscribers)
      for (const letter of letters)
        brookChannels.deadLetters.publish({
          group: key.groupId,
          records: letter.lastOffset - letter.firstOffset + 1,
          reason: letter.reason,
        })
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
    const { topics, partitions, logger, groupConfig } = this.#options
    const dlqTopic = groupConfig(key.groupId, 'errors.deadletterqueue.topic.name')
    if (dlqTopic === '') return
    const copy = groupConfig(key.groupId, 'errors.deadletterqueue.copy.record.enable') === 'true'
    const source = topics.topicById(key.topicId)
    const target = topics.topic(dlqTopic)
    if (source === undefined || target === undefined || target.partitionCount <= 0) {
      logger.warn('dead-letter topic missing: dead letters dropped', { group: key.groupId, topic: dlqTopic })
      return
    }
    // As Kafka: the source partition modulo the dead-letter topic's partition count.
    const targetPartition = key.partition % target.partitionCount
    const log = await partitions.log(dlqTopic, targetPartition)
    if (log === undefined) return
    const sourceLog = copy ? await partitions.log(source.name, key.partition) : undefined
    for (const letter of letters) {
      for (
        let first = letter.firstOffset;
        first <= letter.lastOffset;
        first += DEAD_LETTER_BATCH_RECORDS_MAX
      ) {
        const last = Math.min(letter.lastOffset, first + DEAD_LETTER_BATCH_RECORDS_MAX - 1)
        const originals = sourceLog === undefined ? new Map() : await readRecords(sourceLog, first, last)
        const records: BatchRecordInput[] = []
        for (let offset = first; offset <= last; offset++) {
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
        const nowMs = this.#options.nowMs()
        const batch = buildRecordBatch(records, { nowMs, partitionLeaderEpoch: 0 })
        const outcome = log.append({ batch, recordsCount: records.length, maxTimestamp: nowMs })
        await log.waitDurable(outcome.lastOffset + 1)
      }
    }
  }
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
): Promise<Map<number, SourceRecord>> {
  const out = new Map<number, SourceRecord>()
  let offset = first
  while (offset <= last) {
    const read = await log.read(offset, SOURCE_READ_BYTES)
    if (read.outOfRange || read.batches.length === 0) break
    let next = offset
    for (const batch of read.batches) {
      const decoded = decodeBatch(batch)
      for (const record of decoded.records) {
        if (record.offset >= offset && record.offset <= last)
          out.set(record.offset, { key: record.key, value: record.value, headers: record.headers })
        next = Math.max(next, record.offset + 1)
      }
      next = Math.max(next, decoded.header.baseOffset + decoded.header.lastOffsetDelta + 1)
    }
    if (next <= offset) break
    offset = next
  }
  return out
}
