// The sparse offset index and the time index of one segment, kept in memory and saved as files:
// `.index` holds (relative offset int32, file position int32) pairs; `.timeindex` holds (timestamp int64,
// relative offset int32). See docs/storage-format.md.
import { readInt64, writeInt64 } from '../record-batch/index.js'

/** Bytes per offset-index entry and per time-index entry. */
export const OFFSET_INDEX_ENTRY_BYTES = 8
export const TIME_INDEX_ENTRY_BYTES = 12

/**
 * Both indexes of a segment. Offsets are relative to the segment's baseOffset. An offset entry (r, p)
 * says the batch whose baseOffset is base+r starts at byte p. A time entry (t, r) says t is the largest
 * timestamp in the segment up to and including offset base+r, and that offset holds it.
 */
export class SegmentIndex {
  offsets: number[] = []
  positions: number[] = []
  timestamps: number[] = []
  timeOffsets: number[] = []

  addOffset(relativeOffset: number, position: number): void {
    const last = this.offsets.length - 1
    if (last >= 0 && (relativeOffset <= this.offsets[last] || position <= this.positions[last])) return
    this.offsets.push(relativeOffset)
    this.positions.push(position)
  }

  addTime(timestampMs: number, relativeOffset: number): void {
    const last = this.timestamps.length - 1
    if (last >= 0 && (timestampMs <= this.timestamps[last] || relativeOffset <= this.timeOffsets[last]))
      return
    this.timestamps.push(timestampMs)
    this.timeOffsets.push(relativeOffset)
  }

  /** File position of the last indexed batch starting at or before `relativeOffset`; 0 if none. */
  positionFor(relativeOffset: number): number {
    const i = lastAtOrBelow(this.offsets, relativeOffset)
    return i < 0 ? 0 : this.positions[i]
  }

  /**
   * Relative offset from which to scan for the first batch with maxTimestamp >= `timestampMs`: every
   * batch before it is known to hold only older timestamps.
   */
  scanStartForTimestamp(timestampMs: number): number {
    let low = 0
    let high = this.timestamps.length - 1
    let found = -1
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (this.timestamps[mid] < timestampMs) {
        found = mid
        low = mid + 1
      } else high = mid - 1
    }
    return found < 0 ? 0 : this.timeOffsets[found] + 1
  }

  /** Drops entries at or beyond `position` / `relativeOffset` (after a truncation). */
  truncate(position: number, relativeOffset: number): void {
    let n = this.positions.length
    while (n > 0 && (this.positions[n - 1] >= position || this.offsets[n - 1] >= relativeOffset)) n--
    this.offsets.length = n
    this.positions.length = n
    let t = this.timeOffsets.length
    while (t > 0 && this.timeOffsets[t - 1] >= relativeOffset) t--
    this.timestamps.length = t
    this.timeOffsets.length = t
  }

  encodeOffsets(): Buffer {
    const out = Buffer.allocUnsafe(this.offsets.length * OFFSET_INDEX_ENTRY_BYTES)
    for (let i = 0; i < this.offsets.length; i++) {
      out.writeInt32BE(this.offsets[i], i * 8)
      out.writeInt32BE(this.positions[i], i * 8 + 4)
    }
    return out
  }

  encodeTimes(): Buffer {
    const out = Buffer.allocUnsafe(this.timestamps.length * TIME_INDEX_ENTRY_BYTES)
    for (let i = 0; i < this.timestamps.length; i++) {
      writeInt64(out, this.timestamps[i], i * 12)
      out.writeInt32BE(this.timeOffsets[i], i * 12 + 8)
    }
    return out
  }

  /**
   * Parses index files, or returns undefined when they are not a plausible index of a segment of
   * `segmentBytes` bytes: wrong length, entries out of order, or positions past the end.
   */
  static decode(offsetBytes: Buffer, timeBytes: Buffer, segmentBytes: number): SegmentIndex | undefined {
    if (offsetBytes.length % OFFSET_INDEX_ENTRY_BYTES !== 0) return undefined
    if (timeBytes.length % TIME_INDEX_ENTRY_BYTES !== 0) return undefined
    const index = new SegmentIndex()
    for (let at = 0; at < offsetBytes.length; at += 8) {
      const relative = offsetBytes.readInt32BE(at)
      const position = offsetBytes.readInt32BE(at + 4)
      const n = index.offsets.length
      if (relative < 0 || position < 0 || position >= segmentBytes) return undefined
      if (n > 0 && (relative <= index.offsets[n - 1] || position <= index.positions[n - 1])) return undefined
      index.addOffset(relative, position)
    }
    for (let at = 0; at < timeBytes.length; at += 12) {
      const timestamp = readInt64(timeBytes, at)
      const relative = timeBytes.readInt32BE(at + 8)
      const n = index.timestamps.length
      if (relative < 0) return undefined
      if (n > 0 && (timestamp <= index.timestamps[n - 1] || relative <= index.timeOffsets[n - 1]))
        return undefined
      index.addTime(timestamp, relative)
    }
    return index
  }
}

/** Index of the last element <= `target` in an ascending array, or -1. */
export function lastAtOrBelow(values: readonly number[], target: number): number {
  let low = 0
  let high = values.length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >>> 1
    if (values[mid] <= target) {
      found = mid
      low = mid + 1
    } else high = mid - 1
  }
  return found
}
