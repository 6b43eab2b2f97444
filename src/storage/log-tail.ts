// The in-memory tail of a partition log: the most recently appended batches in offset order, so that
// fetches of recent offsets are served without reading the file. Batches not yet handed to the OS are
// never dropped (they exist nowhere else); a read never returns batches at or past the visible end.
import { AssertionError } from '../core/index.js'

/** One batch kept in memory. Offsets absolute; `endOffset` exclusive. */
export interface TailEntry {
  baseOffset: number
  endOffset: number
  maxTimestampMs: number
  batch: Buffer
}

/** Where a tail read puts its batches (a subset of PartitionLog's ReadResult). */
export interface TailReadTarget {
  batches: Buffer[]
  sizeBytes: number
}

/** Batches in offset order, contiguous: each entry starts where the previous one ended. */
export class LogTail {
  #entries: TailEntry[] = []
  #head = 0
  #bytes = 0

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes
  }

  /** The oldest batch held, or undefined when empty. */
  get first(): TailEntry | undefined {
    return this.#entries[this.#head]
  }

  /** Adds a batch after the last one; it must start where the last one ended (ordered, contiguous). */
  push(entry: TailEntry): void {
    const last = this.#entries.length > this.#head ? this.#entries[this.#entries.length - 1] : undefined
    if (last !== undefined && last.endOffset !== entry.baseOffset)
      throw new AssertionError(
        `tail is contiguous: batch at ${entry.baseOffset} after one ending at ${last.endOffset}`,
      )
    if (!(entry.endOffset > entry.baseOffset))
      throw new AssertionError(`tail batch at ${entry.baseOffset} holds offsets`)
    this.#entries.push(entry)
    this.#bytes += entry.batch.length
  }

  /**
   * Drops the oldest batches while more than `limitBytes` are held, keeping every batch that ends past
   * `writtenEndOffset` (not yet written). Returns the bytes freed.
   */
  trim(limitBytes: number, writtenEndOffset: number): number {
    const before = this.#bytes
    while (this.#bytes > limitBytes && this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head]
      if (entry.endOffset > writtenEndOffset) break
      this.#bytes -= entry.batch.length
      this.#entries[this.#head++] = undefined as unknown as TailEntry
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head)
      this.#head = 0
    }
    return before - this.#bytes
  }

  /**
   * Drops the oldest batches that end at or before `endOffset` and were written (at most
   * `writtenEndOffset`), as after a clean replaced them on disk. Returns the bytes freed.
   */
  dropBefore(endOffset: number, writtenEndOffset: number): number {
    const before = this.#bytes
    while (this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head]
      if (entry.endOffset > endOffset || entry.endOffset > writtenEndOffset) break
      this.#bytes -= entry.batch.length
      this.#entries[this.#head++] = undefined as unknown as TailEntry
    }
    return before - this.#bytes
  }

  /** Forgets everything; returns the bytes freed. */
  clear(): number {
    const freed = this.#bytes
    this.#entries = []
    this.#head = 0
    this.#bytes = 0
    return freed
  }

  /**
   * Adds the batches from the one containing `fetchOffset` (which must be at or after the first held),
   * stopping before `maxBytes` would be exceeded (but taking at least one) and before `visibleEndOffset`.
   */
  read(fetchOffset: number, maxBytes: number, visibleEndOffset: number, result: TailReadTarget): void {
    let low = this.#head
    let high = this.#entries.length - 1
    let start = this.#head
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (this.#entries[mid].baseOffset <= fetchOffset) {
        start = mid
        low = mid + 1
      } else high = mid - 1
    }
    for (let i = start; i < this.#entries.length; i++) {
      const entry = this.#entries[i]
      if (entry.baseOffset >= visibleEndOffset) break
      if (result.batches.length > 0 && result.sizeBytes + entry.batch.length > maxBytes) break
      result.batches.push(entry.batch)
      result.sizeBytes += entry.batch.length
    }
  }

  /** The held batches, oldest first. */
  *entries(): IterableIterator<TailEntry> {
    for (let i = this.#head; i < this.#entries.length; i++) yield this.#entries[i]
  }
}
