// The aborted-transaction index of one partition (Kafka's .txnindex, kept in memory and saved in the
// producer-state snapshot): one entry per abort marker, in marker order, for read_committed fetches.
// Also reads the type of a control batch's marker record.
import {
  Attributes,
  BATCH_HEADER_BYTES,
  BatchOffsets,
  ControlRecordType,
  readInt64,
  VarintReader,
} from '../record-batch/index.js'

/**
 * The type of the marker in a control batch (ControlRecordType: 0 abort, 1 commit), read from its first
 * record's key (int16 version, int16 type); -1 when the batch does not hold a readable one. Control
 * batches are never compressed.
 */
/**
 * The coordinator epoch of a marker (the int32 after the int16 version of its control record's value),
 * or -1 when the batch holds no readable one.
 */
export function controlCoordinatorEpochOf(batch: Buffer): number {
  try {
    const reader = new VarintReader(batch, BATCH_HEADER_BYTES)
    reader.readVarint() // record length
    reader.skip(1) // record attributes
    reader.readVarlong() // timestamp delta
    reader.readVarint() // offset delta
    const keyLength = reader.readVarint()
    if (keyLength < 0) return -1
    reader.skip(keyLength)
    const valueLength = reader.readVarint()
    if (valueLength < 6 || reader.offset + 6 > batch.length) return -1
    return batch.readInt32BE(reader.offset + 2)
  } catch {
    return -1
  }
}

export function controlTypeOf(batch: Buffer): number {
  try {
    const reader = new VarintReader(batch, BATCH_HEADER_BYTES)
    reader.readVarint() // record length
    reader.skip(1) // record attributes
    reader.readVarlong() // timestamp delta
    reader.readVarint() // offset delta
    const keyLength = reader.readVarint()
    if (keyLength < 4 || reader.offset + 4 > batch.length) return -1
    const type = batch.readInt16BE(reader.offset + 2)
    return type === ControlRecordType.abort || type === ControlRecordType.commit ? type : -1
  } catch {
    return -1
  }
}

/** An aborted transaction: its producer, first offset and the offset of its abort marker (inclusive). */
export interface AbortedTxn {
  producerId: number
  firstOffset: number
  lastOffset: number
  /**
   * The last stable offset right after the marker (the first offset of the oldest transaction still
   * open then, else lastOffset + 1): a search for transactions starting below an offset <= this one can
   * stop here, as every later-aborted transaction was still open and so starts at or after it.
   */
  lastStableOffset: number
}

/** What a read_committed fetch is told: a producer whose records from `firstOffset` on were aborted. */
export interface AbortedTxnRange {
  producerId: number
  firstOffset: number
}

/**
 * The batches among `batches` (in offset order, as a read returns them) that belong to the aborted
 * transactions `aborted` (from `abortedTransactions` over the same range), found as a Kafka consumer
 * finds them: a producer's transactional batches from an aborted transaction's first offset on are
 * aborted until that producer's abort marker. Returns their offset spans, inclusive, in order.
 */
export function abortedBatchSpans(
  batches: readonly Buffer[],
  aborted: readonly AbortedTxnRange[],
): { firstOffset: number; lastOffset: number }[] {
  const spans: { firstOffset: number; lastOffset: number }[] = []
  if (aborted.length === 0) return spans
  const pending = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset)
  let next = 0
  const abortedProducers = new Set<number>()
  for (const batch of batches) {
    const attributes = batch.readInt16BE(BatchOffsets.attributes)
    if ((attributes & Attributes.transactional) === 0) continue
    const baseOffset = readInt64(batch, BatchOffsets.baseOffset)
    const lastOffset = baseOffset + batch.readInt32BE(BatchOffsets.lastOffsetDelta)
    while (next < pending.length && pending[next].firstOffset <= lastOffset)
      abortedProducers.add(pending[next++].producerId)
    const producerId = readInt64(batch, BatchOffsets.producerId)
    if ((attributes & Attributes.control) !== 0) {
      if (controlTypeOf(batch) === ControlRecordType.abort) abortedProducers.delete(producerId)
    } else if (abortedProducers.has(producerId)) spans.push({ firstOffset: baseOffset, lastOffset })
  }
  return spans
}

/** Aborted transactions in marker (lastOffset) order. */
export class AbortedTxnIndex {
  #entries: AbortedTxn[] = []
  /** Entries before this index are dropped (compacted away lazily). */
  #head = 0

  get size(): number {
    return this.#entries.length - this.#head
  }

  /** Records an abort; markers come in offset order. */
  add(entry: AbortedTxn): void {
    const last = this.#entries.at(-1)
    if (last !== undefined && this.#entries.length > this.#head && entry.lastOffset <= last.lastOffset)
      throw new RangeError(`aborted transaction at ${entry.lastOffset} after one at ${last.lastOffset}`)
    this.#entries.push(entry)
  }

  /** Drops the transactions whose marker is below `logStartOffset` (retention, DeleteRecords). */
  dropBefore(logStartOffset: number): void {
    while (this.#head < this.#entries.length && this.#entries[this.#head].lastOffset < logStartOffset)
      this.#head++
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head)
      this.#head = 0
    }
  }

  /**
   * The aborted transactions that may hold records in [fetchOffset, endOffset): marker at or after
   * fetchOffset and first offset before endOffset, oldest marker first.
   */
  between(fetchOffset: number, endOffset: number): AbortedTxnRange[] {
    const result: AbortedTxnRange[] = []
    let low = this.#head
    let high = this.#entries.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.#entries[mid].lastOffset < fetchOffset) low = mid + 1
      else high = mid
    }
    for (let i = low; i < this.#entries.length; i++) {
      const entry = this.#entries[i]
      if (entry.firstOffset < endOffset)
        result.push({ producerId: entry.producerId, firstOffset: entry.firstOffset })
      if (entry.lastStableOffset >= endOffset) break
    }
    return result
  }

  /** Every entry, oldest marker first (tests, snapshots). */
  entries(): AbortedTxn[] {
    return this.#entries.slice(this.#head)
  }

  /** The snapshot form: [[producerId, firstOffset, lastOffset, lastStableOffset], ...]. */
  toJson(): number[][] {
    return this.entries().map((e) => [e.producerId, e.firstOffset, e.lastOffset, e.lastStableOffset])
  }

  /** Parses the snapshot form; undefined when it is not one. */
  static fromJson(json: unknown): AbortedTxnIndex | undefined {
    if (!Array.isArray(json)) return undefined
    const index = new AbortedTxnIndex()
    for (const row of json) {
      if (!Array.isArray(row) || row.length !== 4 || !row.every((n) => Number.isSafeInteger(n)))
        return undefined
      const [producerId, firstOffset, lastOffset, lastStableOffset] = row as number[]
      const last = index.#entries.at(-1)
      if (last !== undefined && lastOffset <= last.lastOffset) return undefined
      index.#entries.push({ producerId, firstOffset, lastOffset, lastStableOffset })
    }
    return index
  }
}
