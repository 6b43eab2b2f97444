// Pipelines: consume a topic, transform each message, produce the results to another topic (the seed's
// chained topics). At-least-once by default: a message counts as processed only after everything made from
// it was acknowledged, so a crash repeats work but never loses it. Exactly-once (`exactlyOnce`): the
// results and the input offsets are committed in one transaction, read with read_committed, so a crash or
// a rebalance neither loses nor duplicates anything downstream.
import { Consumer, type ConsumerOptions, type Message } from './consumer.js'
import { randomUuidText } from '../core/index.js'
import { CryptoRandom, SystemClock } from '../io/index.js'
import { InvalidArgumentError } from './errors.js'
import { Producer, type ProducerOptions, type ProducerRecord, type TransactionOffset } from './producer.js'
import { tpKey } from './topic-partition.js'

/** How an exactly-once pipeline groups its work into transactions. */
export interface ExactlyOnceOptions {
  /**
   * The producer's transactional id (default: the group id plus a random suffix). A stable id per
   * pipeline instance lets a restarted instance fence the one it replaces at once.
   */
  transactionalId?: string
  /** A transaction is committed once it holds this many input messages (default 500). */
  transactionMessagesMax?: number
  /** ... or once it has been open this long, in ms (default 100). It also commits when no input is waiting. */
  transactionIntervalMs?: number
}

/** What a pipeline reads (KI, VI: input key and value types), how it transforms, and where it writes (KO, VO). */
export interface PipelineOptions<KI, VI, KO, VO> {
  /** The consumer side: bootstrap, groupId, topics, deserialisers... */
  consumer: ConsumerOptions<KI, VI>
  /** The producer side (defaults to the consumer's bootstrap and client options). */
  producer?: Partial<ProducerOptions<KO, VO>>
  /** Records to produce for one message: one, several, or none (null/[]) to drop it. */
  transform: (
    message: Message<KI, VI>,
  ) =>
    | ProducerRecord<KO, VO>
    | ReadonlyArray<ProducerRecord<KO, VO>>
    | null
    | Promise<ProducerRecord<KO, VO> | ReadonlyArray<ProducerRecord<KO, VO>> | null>
  /**
   * Exactly-once (`true`, or its settings): the consumer reads with read_committed and commits nothing
   * itself; each transaction holds the results of a run of input messages and those messages' offsets.
   * Needs a consumer `groupId`. A transaction that fails (a rebalance took a partition, say) is aborted
   * and its input read again.
   */
  exactlyOnce?: boolean | ExactlyOnceOptions
}

/** A running consume-transform-produce loop; `done` settles when it stops (close() or an error). */
export interface RunningPipeline {
  /** Settles when the pipeline stops: resolves after close(), rejects with the error that stopped it. */
  readonly done: Promise<void>
  /** Messages fully processed so far. */
  readonly processedCount: number
  /** Closes the consumer (committing what was processed), then waits for the loop to end and the producer to close. */
  close(): Promise<void>
}

/**
 * Starts a pipeline. A transform that throws stops it (after committing what was processed; in
 * exactly-once mode the open transaction is aborted, so its input is processed again by the next run).
 */
export function pipeline<KI = Buffer | null, VI = Buffer | null, KO = Buffer | null, VO = Buffer | null>(
  options: PipelineOptions<KI, VI, KO, VO>,
): RunningPipeline {
  if (options.exactlyOnce !== undefined && options.exactlyOnce !== false)
    return exactlyOncePipeline(options, options.exactlyOnce === true ? {} : options.exactlyOnce)
  const consumer = new Consumer<KI, VI>(options.consumer)
  const producer = new Producer<KO, VO>({
    ...(options.consumer as unknown as ProducerOptions<KO, VO>),
    keySerializer: undefined,
    valueSerializer: undefined,
    ...options.producer,
  })
  let processedCount = 0
  const done = (async () => {
    try {
      for await (const message of consumer) {
        const out = await options.transform(message)
        const records = out === null ? [] : Array.isArray(out) ? out : [out as ProducerRecord<KO, VO>]
        await Promise.all(records.map((record) => producer.send(record)))
        processedCount++
      }
    } finally {
      await consumer.close()
      await producer.close()
    }
  })()
  return {
    done,
    get processedCount() {
      return processedCount
    },
    async close() {
      await consumer.close()
      await done.catch(() => undefined)
    },
  }
}

function recordsOf<KO, VO>(
  out: ProducerRecord<KO, VO> | ReadonlyArray<ProducerRecord<KO, VO>> | null,
): ReadonlyArray<ProducerRecord<KO, VO>> {
  return out === null ? [] : Array.isArray(out) ? out : [out as ProducerRecord<KO, VO>]
}

/**
 * The exactly-once loop: messages are transformed inside a transaction; the transaction commits (results
 * plus the offsets after its last message of each partition) every `transactionMessagesMax` messages,
 * every `transactionIntervalMs`, or when no more input is buffered. On a failed commit it aborts and seeks
 * its partitions back to the transaction's first messages.
 */
function exactlyOncePipeline<KI, VI, KO, VO>(
  options: PipelineOptions<KI, VI, KO, VO>,
  settings: ExactlyOnceOptions,
): RunningPipeline {
  const groupId = options.consumer.groupId
  if (groupId === undefined)
    throw new InvalidArgumentError('an exactly-once pipeline needs a consumer groupId')
  const messagesMax = settings.transactionMessagesMax ?? 500
  const intervalMs = settings.transactionIntervalMs ?? 100
  const consumer = new Consumer<KI, VI>({
    ...options.consumer,
    autoCommit: false,
    isolationLevel: 'read_committed',
  })
  const producer = new Producer<KO, VO>({
    ...(options.consumer as unknown as ProducerOptions<KO, VO>),
    keySerializer: undefined,
    valueSerializer: undefined,
    ...options.producer,
    transactionalId: settings.transactionalId ?? `${groupId}-${randomUuidText(new CryptoRandom())}`,
  })
  const clock = options.consumer.clock ?? new SystemClock()
  let processedCount = 0
  /** Per partition of the open transaction: its first message's offset and the offset after its last. */
  let open = new Map<string, { topic: string; partition: number; first: number; next: number }>()
  let openCount = 0
  let openedAt = 0
  let sends: Promise<unknown>[] = []
  /** close() was called: the loop commits what it holds, then stops. */
  let stopping = false
  /** The loop holds a message or an open transaction (close() must not close the consumer under it). */
  let busy = false

  const commit = async () => {
    const offsets: TransactionOffset[] = [...open.values()].map((p) => ({
      topic: p.topic,
      partition: p.partition,
      offset: p.next,
    }))
    try {
      await Promise.all(sends)
      await producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata())
      await producer.commitTransaction()
      processedCount += openCount
    } catch {
      // The failure is the producer's to report: abortTransaction() throws it again when it was fenced,
      // which stops the pipeline; other failures (a rebalance took a partition) only repeat the input.
      await producer.abortTransaction()
      // Read the transaction's input again, where this consumer still owns it.
      const assigned = new Set(consumer.assignment().map((tp) => tpKey(tp.topic, tp.partition)))
      for (const [key, p] of open) if (assigned.has(key)) consumer.seek(p.topic, p.partition, p.first)
    } finally {
      open = new Map()
      openCount = 0
      sends = []
    }
  }

  const done = (async () => {
    try {
      await producer.initTransactions()
      for await (const message of consumer) {
        busy = true
        if (openCount === 0) {
          await producer.beginTransaction()
          openedAt = clock.monotonicMs()
        }
        const records = recordsOf(await options.transform(message))
        for (const record of records) {
          const sent = producer.send(record)
          // A failed send fails the commit; the rejection is handled there.
          sent.catch(() => undefined)
          sends.push(sent)
        }
        const key = tpKey(message.topic, message.partition)
        const entry = open.get(key)
        if (entry === undefined)
          open.set(key, {
            topic: message.topic,
            partition: message.partition,
            first: message.offset,
            next: message.offset + 1,
          })
        else entry.next = message.offset + 1
        openCount++
        if (
          openCount >= messagesMax ||
          clock.monotonicMs() - openedAt >= intervalMs ||
          consumer.bufferedCount === 0 ||
          stopping
        )
          await commit()
        busy = openCount > 0
        if (stopping && !busy) break
      }
      if (openCount > 0) await commit()
    } catch (error) {
      if (producer.inTransaction) await producer.abortTransaction().catch(() => undefined)
      throw error
    } finally {
      await consumer.close()
      await producer.close()
    }
  })()
  return {
    done,
    get processedCount() {
      return processedCount
    },
    async close() {
      stopping = true
      // An idle loop waits for input: closing the consumer ends it. A busy one commits, then stops.
      if (!busy) await consumer.close()
      await done.catch(() => undefined)
    },
  }
}
