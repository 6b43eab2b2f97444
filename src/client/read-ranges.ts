// readTopicRanges(): reads fixed offset ranges of a topic's partitions without a consumer group (nothing joined,
// nothing committed). The dead-letter scanner, the console's message browser and the CLI's queue peek use it.
import type { Clock, Timer } from '../core/index.js'
import { SystemClock } from '../io/index.js'
import type { ClientOptions } from './cluster.js'
import { Consumer, type Message } from './consumer.js'

/** How often a read waiting for records checks whether its ranges have ended without one. */
const RANGE_END_CHECK_MS = 100

/** Offsets [from, end) of one partition. */
export interface OffsetRange {
  /** The first offset read. */
  readonly from: number
  /** The offset after the last one read. */
  readonly end: number
}

/**
 * What the visitor of {@link readTopicRanges} answers for each record: `true` to go on, `false` to stop reading
 * that record's partition, `'stop'` to end the whole read.
 */
export type RangeVisitAnswer = boolean | 'stop'

/** How {@link readTopicRanges} ended: every range read, the visitor stopped it, or `timeMaxMs` passed. */
export type RangeReadOutcome = 'read' | 'stopped' | 'timed out'

/** Options of {@link readTopicRanges}. */
export interface ReadTopicRangesOptions {
  /** Give up after this long (default: no limit). */
  timeMaxMs?: number
  /** The clock of the time limit (default: `clientOptions.clock`, else the system clock). */
  clock?: Clock
}

/**
 * Reads `topic` over the given offset range of each listed partition (partitions not listed are not read), calling
 * `visit` for each record in offset order per partition. Uses a Consumer without a group: nothing is joined or
 * committed, and several reads may run at once.
 *
 * @example
 * ```ts
 * await readTopicRanges({ bootstrap: 'localhost:9092' }, 'orders', new Map([[0, { from: 10, end: 20 }]]), (m) => {
 *   console.log(m.offset, m.value?.toString())
 *   return true
 * })
 * ```
 */
export async function readTopicRanges(
  clientOptions: ClientOptions,
  topic: string,
  ranges: ReadonlyMap<number, OffsetRange>,
  visit: (message: Message) => RangeVisitAnswer,
  options: ReadTopicRangesOptions = {},
): Promise<RangeReadOutcome> {
  const open = new Map([...ranges].filter(([, r]) => r.from < r.end))
  if (open.size === 0) return 'read'
  const stop = new AbortController()
  let timedOut = false
  // The clients' clock (a simulated one in tests), as every timer of the SDK.
  const clock = options.clock ?? clientOptions.clock ?? new SystemClock()
  const timer =
    options.timeMaxMs === undefined
      ? undefined
      : clock.setTimeout(() => {
          timedOut = true
          stop.abort()
        }, options.timeMaxMs)
  const consumer = new Consumer({
    ...clientOptions,
    topics: [topic],
    fromBeginning: true,
    maxWaitMs: 100,
    bufferedRecordsMax: 1000,
    signal: stop.signal,
  })
  const close = (partition: number) => {
    open.delete(partition)
    consumer.pause([{ topic, partition }])
  }
  try {
    await consumer.start()
    for (const tp of consumer.assignment()) {
      const range = open.get(tp.partition)
      if (range === undefined) consumer.pause([tp])
      else consumer.seek(topic, tp.partition, range.from)
    }
    // Records are awaited with a tick beside: a range may end in offsets no record will come for (control records
    // of transactions, compacted gaps), so a partition whose fetch position passed its end with nothing buffered
    // is done too.
    const records = consumer[Symbol.asyncIterator]()
    let pending: Promise<IteratorResult<Message>> | undefined
    for (;;) {
      pending ??= records.next()
      let tick: Timer | undefined
      const result = await Promise.race([
        pending,
        new Promise<undefined>((resolve) => {
          tick = clock.setTimeout(() => resolve(undefined), RANGE_END_CHECK_MS)
        }),
      ])
      tick?.cancel()
      if (result === undefined) {
        if (consumer.bufferedCount === 0)
          for (const [partition, range] of open) {
            const position = consumer.fetchPosition(topic, partition)
            if (position !== undefined && position >= range.end) close(partition)
          }
        if (open.size === 0) return 'read'
        continue
      }
      pending = undefined
      if (result.done) break
      const message = result.value
      const range = open.get(message.partition)
      // A batch may start before the offset sought, and a partition's last batch may end after the range.
      if (range === undefined || message.offset < range.from) continue
      if (message.offset >= range.end) close(message.partition)
      else {
        const answer = visit(message)
        if (answer === 'stop') return 'stopped'
        if (!answer || message.offset + 1 >= range.end) close(message.partition)
      }
      if (open.size === 0) return 'read'
    }
    return timedOut ? 'timed out' : 'read'
  } catch (error) {
    if (timedOut) return 'timed out'
    throw error
  } finally {
    timer?.cancel()
    await consumer.close()
  }
}
