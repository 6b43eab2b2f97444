// Idempotent-producer state of one partition: per producerId the epoch and the last five batches'
// sequence ranges and offsets, so retries are recognised as duplicates and gaps as out of order (KIP-98).

/** Batches remembered per producer, as Kafka does (max.in.flight.requests.per.connection <= 5). */
export const PRODUCER_BATCHES_KEPT = 5

/** One remembered batch: sequence numbers and offsets, all inclusive. */
export interface ProducerBatch {
  firstSequence: number
  lastSequence: number
  baseOffset: number
  lastOffset: number
}

export interface ProducerEntry {
  producerId: number
  producerEpoch: number
  /** Oldest first, at most PRODUCER_BATCHES_KEPT. */
  batches: ProducerBatch[]
  lastTimestampMs: number
}

/**
 * Outcome of checking an incoming idempotent batch. `duplicate` carries the offsets the original got;
 * `unknownProducer` means no state for this producerId and a non-zero first sequence (the broker may
 * accept it, as Kafka 2.x+ does, or answer UNKNOWN_PRODUCER_ID).
 */
export type SequenceCheck =
  | { kind: 'ok' }
  | { kind: 'duplicate'; baseOffset: number; lastOffset: number }
  | { kind: 'outOfOrder'; expectedSequence: number }
  | { kind: 'invalidEpoch'; currentEpoch: number }
  | { kind: 'unknownProducer' }

const int32Max = 2147483647

/** The sequence after `sequence`, wrapping from Int32 max to 0 as producers do. */
export function nextSequence(sequence: number): number {
  return sequence === int32Max ? 0 : sequence + 1
}

/** The last sequence of a batch starting at `baseSequence` with `lastOffsetDelta`, wrapping at Int32 max. */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  const last = baseSequence + lastOffsetDelta
  return last > int32Max ? last - int32Max - 1 : last
}

/** Producer states of one partition. Not persisted by itself: PartitionLog snapshots and rebuilds it. */
export class ProducerStateTable {
  readonly #entries = new Map<number, ProducerEntry>()

  get size(): number {
    return this.#entries.size
  }

  get(producerId: number): ProducerEntry | undefined {
    return this.#entries.get(producerId)
  }

  /** Every remembered producer (DescribeProducers), in the order first seen. */
  entries(): IterableIterator<ProducerEntry> {
    return this.#entries.values()
  }

  /** Checks a batch before it is appended; producerId < 0 (not idempotent) is always ok. */
  check(
    producerId: number,
    producerEpoch: number,
    firstSequence: number,
    lastSequence: number,
  ): SequenceCheck {
    if (producerId < 0 || firstSequence < 0) return { kind: 'ok' }
    const entry = this.#entries.get(producerId)
    if (entry === undefined) return firstSequence === 0 ? { kind: 'ok' } : { kind: 'unknownProducer' }
    if (producerEpoch < entry.producerEpoch)
      return { kind: 'invalidEpoch', currentEpoch: entry.producerEpoch }
    if (producerEpoch > entry.producerEpoch) {
      return firstSequence === 0 ? { kind: 'ok' } : { kind: 'outOfOrder', expectedSequence: 0 }
    }
    for (const batch of entry.batches) {
      if (batch.firstSequence === firstSequence && batch.lastSequence === lastSequence) {
        return { kind: 'duplicate', baseOffset: batch.baseOffset, lastOffset: batch.lastOffset }
      }
    }
    const last = entry.batches.at(-1)
    if (last === undefined) return { kind: 'ok' }
    const expectedSequence = nextSequence(last.lastSequence)
    return firstSequence === expectedSequence ? { kind: 'ok' } : { kind: 'outOfOrder', expectedSequence }
  }

  /** Records an appended batch. Batches without a sequence (control batches) only advance the epoch. */
  update(
    producerId: number,
    producerEpoch: number,
    firstSequence: number,
    lastSequence: number,
    baseOffset: number,
    lastOffset: number,
    timestampMs: number,
  ): void {
    if (producerId < 0) return
    let entry = this.#entries.get(producerId)
    if (entry === undefined) {
      entry = { producerId, producerEpoch, batches: [], lastTimestampMs: timestampMs }
      this.#entries.set(producerId, entry)
    }
    if (producerEpoch > entry.producerEpoch) {
      entry.producerEpoch = producerEpoch
      entry.batches = []
    }
    entry.lastTimestampMs = Math.max(entry.lastTimestampMs, timestampMs)
    if (firstSequence < 0) return
    entry.batches.push({ firstSequence, lastSequence, baseOffset, lastOffset })
    if (entry.batches.length > PRODUCER_BATCHES_KEPT) entry.batches.shift()
  }

  /** Forgets producers whose last append is older than `beforeMs` (producer.id.expiration.ms). */
  expire(beforeMs: number): void {
    for (const [id, entry] of this.#entries) if (entry.lastTimestampMs < beforeMs) this.#entries.delete(id)
  }

  /** Serialises the table as covering offsets below `endOffset` (exclusive). */
  toSnapshot(endOffset: number): Buffer {
    const producers = [...this.#entries.values()].map((e) => [
      e.producerId,
      e.producerEpoch,
      e.lastTimestampMs,
      e.batches.map((b) => [b.firstSequence, b.lastSequence, b.baseOffset, b.lastOffset]),
    ])
    return Buffer.from(JSON.stringify({ version: 1, endOffset, producers }))
  }

  /** Parses a snapshot; undefined when it is not one. */
  static fromSnapshot(bytes: Buffer): { table: ProducerStateTable; endOffset: number } | undefined {
    try {
      const parsed = JSON.parse(bytes.toString('utf8')) as {
        version: number
        endOffset: number
        producers: [number, number, number, number[][]][]
      }
      if (parsed.version !== 1 || !Number.isSafeInteger(parsed.endOffset)) return undefined
      const table = new ProducerStateTable()
      for (const [producerId, producerEpoch, lastTimestampMs, batches] of parsed.producers) {
        table.#entries.set(producerId, {
          producerId,
          producerEpoch,
          lastTimestampMs,
          batches: batches.map(([firstSequence, lastSequence, baseOffset, lastOffset]) => ({
            firstSequence,
            lastSequence,
            baseOffset,
            lastOffset,
          })),
        })
      }
      return { table, endOffset: parsed.endOffset }
    } catch {
      return undefined
    }
  }
}
