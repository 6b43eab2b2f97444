// Pipelines: consume a topic, transform each message, produce the results to another topic (the seed's
// chained topics). At-least-once: a message counts as processed only after everything made from it was
// acknowledged, so a crash repeats work but never loses it. Exactly-once waits for transactions.
import { Consumer, type ConsumerOptions, type Message } from './consumer.js'
import { Producer, type ProducerOptions, type ProducerRecord } from './producer.js'

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

/** Starts a pipeline. A transform that throws stops it (after committing what was processed). */
export function pipeline<KI = Buffer | null, VI = Buffer | null, KO = Buffer | null, VO = Buffer | null>(
  options: PipelineOptions<KI, VI, KO, VO>,
): RunningPipeline {
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
