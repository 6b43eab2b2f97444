// Contiguous offset ranges with a value each: the share-partition window [startOffset, endOffset) kept
// as a sorted array of ranges, never as one entry per record. Adjacent ranges with equal values merge.
import { assert } from '../core/index.js'

/** One range of offsets; `firstOffset` and `lastOffset` are both inclusive. */
export interface OffsetRange<V> {
  firstOffset: number
  lastOffset: number
  value: V
}

/**
 * Ranges covering [startOffset, endOffset) exactly, sorted, without holes or overlaps. `endOffset` is
 * exclusive (the next offset not yet covered). Operations cost O(ranges) at worst.
 */
export class OffsetRanges<V> {
  #startOffset: number
  #ranges: OffsetRange<V>[] = []
  readonly #equal: (a: V, b: V) => boolean

  constructor(startOffset: number, equal: (a: V, b: V) => boolean) {
    this.#startOffset = startOffset
    this.#equal = equal
  }

  get startOffset(): number {
    return this.#startOffset
  }

  /** Exclusive end: the first offset not covered. Equals `startOffset` when empty. */
  get endOffset(): number {
    const last = this.#ranges.at(-1)
    return last === undefined ? this.#startOffset : last.lastOffset + 1
  }

  get rangeCount(): number {
    return this.#ranges.length
  }

  /** The ranges in offset order. Callers must not change them. */
  ranges(): readonly OffsetRange<V>[] {
    return this.#ranges
  }

  /** Covers [endOffset, endOffset + count) with `value`. */
  append(count: number, value: V): void {
    assert(Number.isSafeInteger(count) && count > 0, `append count ${count}`)
    const firstOffset = this.endOffset
    const last = this.#ranges.at(-1)
    if (last !== undefined && this.#equal(last.value, value)) last.lastOffset += count
    else this.#ranges.push({ firstOffset, lastOffset: firstOffset + count - 1, value })
  }

  /** Index of the range holding `offset`, or -1 when outside [startOffset, endOffset). */
  indexOf(offset: number): number {
    let low = 0
    let high = this.#ranges.length - 1
    while (low <= high) {
      const middle = (low + high) >>> 1
      const range = this.#ranges[middle]
      if (offset < range.firstOffset) high = middle - 1
      else if (offset > range.lastOffset) low = middle + 1
      else return middle
    }
    return -1
  }

  /**
   * Sets [firstOffset, lastOffset] (inside the window) to `update(oldValue)`, splitting ranges at the
   * edges and merging equal neighbours afterwards.
   */
  update(firstOffset: number, lastOffset: number, update: (value: V) => V): void {
    assert(
      firstOffset >= this.#startOffset && lastOffset < this.endOffset && firstOffset <= lastOffset,
      `update [${firstOffset}, ${lastOffset}] outside [${this.#startOffset}, ${this.endOffset})`,
    )
    const firstIndex = this.#split(firstOffset)
    this.#split(lastOffset + 1)
    let index = firstIndex
    while (index < this.#ranges.length && this.#ranges[index].lastOffset <= lastOffset) {
      const range = this.#ranges[index]
      range.value = update(range.value)
      index++
    }
    this.#mergeAround(firstIndex, index - 1)
  }

  /**
   * Drops every offset below `offset` (which may pass `endOffset`: the window is then empty and starts
   * there). Returns the ranges (or parts) dropped.
   */
  advanceStart(offset: number): OffsetRange<V>[] {
    if (offset <= this.#startOffset) return []
    const dropped: OffsetRange<V>[] = []
    if (offset >= this.endOffset) {
      dropped.push(...this.#ranges)
      this.#ranges = []
    } else {
      const index = this.#split(offset)
      dropped.push(...this.#ranges.splice(0, index))
    }
    this.#startOffset = offset
    return dropped
  }

  /** Drops every range from `offset` on (offset inside the window or at its end). */
  truncateEnd(offset: number): void {
    assert(offset >= this.#startOffset && offset <= this.endOffset, `truncate at ${offset}`)
    const index = this.#split(offset)
    this.#ranges.length = index
  }

  /** Checks the invariants; for tests and assertions after bulk changes. */
  checkInvariants(): void {
    let expected = this.#startOffset
    for (let i = 0; i < this.#ranges.length; i++) {
      const range = this.#ranges[i]
      assert(
        range.firstOffset === expected,
        `range ${i} starts at ${range.firstOffset}, expected ${expected}`,
      )
      assert(range.lastOffset >= range.firstOffset, `range ${i} is empty`)
      if (i > 0)
        assert(!this.#equal(this.#ranges[i - 1].value, range.value), `ranges ${i - 1} and ${i} not merged`)
      expected = range.lastOffset + 1
    }
  }

  /** Makes `offset` the first offset of a range (splitting one if needed); returns that range's index. */
  #split(offset: number): number {
    if (offset >= this.endOffset) return this.#ranges.length
    const index = this.indexOf(offset)
    assert(index >= 0, `split at ${offset} outside the window`)
    const range = this.#ranges[index]
    if (range.firstOffset === offset) return index
    const tail: OffsetRange<V> = { firstOffset: offset, lastOffset: range.lastOffset, value: range.value }
    range.lastOffset = offset - 1
    this.#ranges.splice(index + 1, 0, tail)
    return index + 1
  }

  /** Merges equal neighbours among ranges firstIndex-1 .. lastIndex+1. */
  #mergeAround(firstIndex: number, lastIndex: number): void {
    let index = Math.min(lastIndex + 1, this.#ranges.length - 1)
    const stop = Math.max(firstIndex, 1)
    while (index >= stop) {
      const previous = this.#ranges[index - 1]
      const range = this.#ranges[index]
      if (this.#equal(previous.value, range.value)) {
        previous.lastOffset = range.lastOffset
        this.#ranges.splice(index, 1)
      }
      index--
    }
  }
}
