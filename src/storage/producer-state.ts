// Producer state of one partition: per producerId the epoch, the last five batches' sequence ranges and
// offsets (retries are recognised as duplicates and gaps as out of order, KIP-98), and the first offset of
// the producer's ongoing transaction on this partition, if any.
import { Attributes, BatchOffsets, ControlRecordType } from '../record-batch/index.js'
import { AbortedTxnIndex, controlCoordinatorEpochOf, controlTypeOf } from './txn-index.js'

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
  /** When the producer's last batch was appended (broker clock): producer.id.expiration.ms counts from it. */
  lastTimestampMs: number
  /**
   * The max timestamp of the producer's last batch (its own clock, or the append time on a LogAppendTime
   * topic): what DescribeProducers reports as lastTimestamp, as Kafka does (#9).
   */
  lastBatchTimestampMs: number
  /** First offset of the producer's ongoing transaction on this partition; null when none. */
  currentTxnFirstOffset: number | null
  /**
   * The coordinator epoch of the last marker appended for the producer (-1 before any): a marker with an
   * older one comes from a fenced coordinator and is refused, as Kafka does (#12).
   */
  coordinatorEpoch: number
}

/** An ongoing transaction on this partition. */
export interface OngoingTxn {
  producerId: number
  producerEpoch: number
  firstOffset: number
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
  /** producerId -> first offset of its ongoing transaction, in increasing first-offset order. */
  readonly #ongoing = new Map<number, number>()

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

  /**
   * Records an appended batch, appended at `timestampMs` with max timestamp `batchTimestampMs`. Batches
   * without a sequence (control batches) only advance the epoch.
   */
  update(
    producerId: number,
    producerEpoch: number,
    firstSequence: number,
    lastSequence: number,
    baseOffset: number,
    lastOffset: number,
    timestampMs: number,
    batchTimestampMs: number = timestampMs,
  ): void {
    if (producerId < 0) return
    let entry = this.#entries.get(producerId)
    if (entry === undefined) {
      entry = {
        producerId,
        producerEpoch,
        batches: [],
        lastTimestampMs: timestampMs,
        lastBatchTimestampMs: batchTimestampMs,
        currentTxnFirstOffset: null,
        coordinatorEpoch: -1,
      }
      this.#entries.set(producerId, entry)
    }
    if (producerEpoch > entry.producerEpoch) {
      entry.producerEpoch = producerEpoch
      entry.batches = []
    }
    entry.lastTimestampMs = Math.max(entry.lastTimestampMs, timestampMs)
    entry.lastBatchTimestampMs = batchTimestampMs
    if (firstSequence < 0) return
    entry.batches.push({ firstSequence, lastSequence, baseOffset, lastOffset })
    if (entry.batches.length > PRODUCER_BATCHES_KEPT) entry.batches.shift()
  }

  /**
   * A transactional batch of `producerId` was appended at `baseOffset`: starts its ongoing transaction
   * there unless one is already open. The producer's entry must exist (update first).
   */
  beginTransaction(producerId: number, baseOffset: number): void {
    const entry = this.#entries.get(producerId)
    if (entry === undefined || entry.currentTxnFirstOffset !== null) return
    entry.currentTxnFirstOffset = baseOffset
    this.#ongoing.set(producerId, baseOffset)
  }

  /**
   * Applies an appended transactional batch of `producerId` (after `update`): a data batch starts the
   * producer's transaction if none is open; a control batch (marker) ends it and, on abort, records it in
   * `aborted`. Returns the first offset of the transaction a marker ended, else null. Used by appends and
   * by recovery's replay alike, so both build the same state.
   */
  applyTransactional(
    producerId: number,
    batch: Buffer,
    baseOffset: number,
    aborted: AbortedTxnIndex,
  ): number | null {
    if ((batch.readInt16BE(BatchOffsets.attributes) & Attributes.control) === 0) {
      this.beginTransaction(producerId, baseOffset)
      return null
    }
    const entry = this.#entries.get(producerId)
    const coordinatorEpoch = controlCoordinatorEpochOf(batch)
    if (entry !== undefined && coordinatorEpoch > entry.coordinatorEpoch)
      entry.coordinatorEpoch = coordinatorEpoch
    const first = this.endTransaction(producerId)
    if (first !== null && controlTypeOf(batch) === ControlRecordType.abort) {
      aborted.add({
        producerId,
        firstOffset: first,
        lastOffset: baseOffset,
        lastStableOffset: this.firstOngoingOffset() ?? baseOffset + 1,
      })
    }
    return first
  }

  /** Ends the producer's ongoing transaction (its marker was appended); its first offset, or null. */
  endTransaction(producerId: number): number | null {
    const entry = this.#entries.get(producerId)
    if (entry === undefined || entry.currentTxnFirstOffset === null) return null
    const first = entry.currentTxnFirstOffset
    entry.currentTxnFirstOffset = null
    this.#ongoing.delete(producerId)
    return first
  }

  /** The lowest first offset of the ongoing transactions, or undefined when none is open. */
  firstOngoingOffset(): number | undefined {
    for (const first of this.#ongoing.values()) return first
    return undefined
  }

  /** The ongoing transactions, oldest first. */
  ongoingTransactions(): OngoingTxn[] {
    const result: OngoingTxn[] = []
    for (const [producerId, firstOffset] of this.#ongoing) {
      const producerEpoch = this.#entries.get(producerId)?.producerEpoch ?? -1
      result.push({ producerId, producerEpoch, firstOffset })
    }
    return result
  }

  /**
   * Forgets producers whose last append is older than `beforeMs` (producer.id.expiration.ms); never one
   * with an ongoing transaction (its coordinator still has to end it, as in Kafka).
   */
  expire(beforeMs: number): void {
    for (const [id, entry] of this.#entries) {
      if (entry.lastTimestampMs < beforeMs && entry.currentTxnFirstOffset === null) this.#entries.delete(id)
    }
  }

  /**
   * Serialises the table (and the log's aborted-transaction index) as covering offsets below `endOffset`
   * (exclusive). Format: docs/storage-format.md, version 2.
   */
  toSnapshot(endOffset: number, aborted?: AbortedTxnIndex): Buffer {
    const producers = [...this.#entries.values()].map((e) => [
      e.producerId,
      e.producerEpoch,
      e.lastTimestampMs,
      e.batches.map((b) => [b.firstSequence, b.lastSequence, b.baseOffset, b.lastOffset]),
      e.currentTxnFirstOffset,
      e.lastBatchTimestampMs,
      e.coordinatorEpoch,
    ])
    return Buffer.from(JSON.stringify({ version: 2, endOffset, producers, aborted: aborted?.toJson() ?? [] }))
  }

  /**
   * Parses a snapshot; undefined when it is not one. A version 1 snapshot (before transactions) reads as
   * no ongoing transactions and no aborted ones.
   */
  static fromSnapshot(
    bytes: Buffer,
  ): { table: ProducerStateTable; endOffset: number; aborted: AbortedTxnIndex } | undefined {
    try {
      const parsed = JSON.parse(bytes.toString('utf8')) as {
        version: number
        endOffset: number
        producers: [number, number, number, number[][], (number | null)?, number?, number?][]
        aborted?: unknown
      }
      if ((parsed.version !== 1 && parsed.version !== 2) || !Number.isSafeInteger(parsed.endOffset))
        return undefined
      const aborted = parsed.version === 2 ? AbortedTxnIndex.fromJson(parsed.aborted) : new AbortedTxnIndex()
      if (aborted === undefined) return undefined
      const table = new ProducerStateTable()
      const ongoing: [number, number][] = []
      for (const [
        producerId,
        producerEpoch,
        lastTimestampMs,
        batches,
        txnFirst,
        batchTs,
        coordinatorEpoch,
      ] of parsed.producers) {
        const currentTxnFirstOffset = parsed.version === 2 && typeof txnFirst === 'number' ? txnFirst : null
        table.#entries.set(producerId, {
          producerId,
          producerEpoch,
          lastTimestampMs,
          // Snapshots written before #9 lack it: the append time is the closest known value.
          lastBatchTimestampMs: typeof batchTs === 'number' ? batchTs : lastTimestampMs,
          batches: batches.map(([firstSequence, lastSequence, baseOffset, lastOffset]) => ({
            firstSequence,
            lastSequence,
            baseOffset,
            lastOffset,
          })),
          currentTxnFirstOffset,
          // Snapshots written before it lack the coordinator epoch: no marker is refused then.
          coordinatorEpoch: typeof coordinatorEpoch === 'number' ? coordinatorEpoch : -1,
        })
        if (currentTxnFirstOffset !== null) ongoing.push([producerId, currentTxnFirstOffset])
      }
      ongoing.sort((a, b) => a[1] - b[1])
      for (const [producerId, first] of ongoing) table.#ongoing.set(producerId, first)
      return { table, endOffset: parsed.endOffset, aborted }
    } catch {
      return undefined
    }
  }
}
