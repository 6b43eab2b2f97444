// One segment of a partition log: a `.log` file of whole record batches starting at `baseOffset`, its
// in-memory indexes, and the counters the log needs (bytes assigned, written, synced). Plus the forward
// scan over batch headers used by recovery, index rebuilds and timestamp lookups. The file is opened on
// demand through the shared FilePool, never held for the segment's lifetime.
import { type FileHandle, type FileSystem, brookChannels } from '../core/index.js'
import {
  Attributes,
  BATCH_HEADER_BYTES,
  BatchOffsets,
  isBatchCrcValid,
  readInt64,
} from '../record-batch/index.js'
import type { FilePool } from './file-pool.js'
import { SegmentIndex } from './segment-index.js'

/** File name stem of a segment: its baseOffset as 20 zero-padded digits. */
export function segmentStem(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0')
}

/** A segment. Positions are bytes from the start of its file; offsets are absolute unless named relative. */
export class LogSegment {
  readonly baseOffset: number
  readonly logPath: string
  readonly indexPath: string
  readonly timeIndexPath: string
  /** Where the segment's file is opened on demand. */
  readonly pool: FilePool
  /** True once the file exists on disk (created by the first write, or found at open). */
  opened = false
  /** Bytes assigned to batches, including ones still queued for writing. */
  sizeBytes = 0
  /** Bytes handed to the OS (the file is at least this long). */
  writtenBytes = 0
  /** Exclusive: the offset after the last batch assigned to this segment. */
  endOffset: number
  index = new SegmentIndex()
  bytesSinceIndexEntry = 0
  /** Largest batch maxTimestamp in the segment, and the last offset of the batch holding it; -1 if none. */
  maxTimestampMs = -1
  offsetOfMaxTimestamp = -1
  /** Time (epoch ms) the segment's age is measured from, for segmentMs rolls; -1 until the first append. */
  rollBaseMs = -1
  /** Counts completed writes; `syncedWrites` is the count covered by the last completed fdatasync. */
  writes = 0
  syncedWrites = 0
  /** No more appends go here; its index files still need writing while `indexSaved` is false. */
  sealed = false
  indexSaved = false
  /** In-flight reads; a deleted segment closes its file when they finish. */
  readers = 0
  deleted = false
  #onDrained: (() => void) | undefined

  constructor(directory: string, baseOffset: number, pool: FilePool) {
    this.pool = pool
    this.baseOffset = baseOffset
    this.endOffset = baseOffset
    const stem = `${directory}/${segmentStem(baseOffset)}`
    this.logPath = `${stem}.log`
    this.indexPath = `${stem}.index`
    this.timeIndexPath = `${stem}.timeindex`
  }

  /** Records a batch of `sizeBytes` at `position` in the indexes (it is not written here). */
  track(
    position: number,
    baseOffset: number,
    lastOffset: number,
    maxTimestampMs: number,
    sizeBytes: number,
    indexIntervalBytes: number,
  ): void {
    if (position > 0 && this.bytesSinceIndexEntry >= indexIntervalBytes) {
      this.index.addOffset(baseOffset - this.baseOffset, position)
      this.bytesSinceIndexEntry = 0
      // A time entry rides along with each offset entry, so the time index stays as sparse.
      if (this.maxTimestampMs >= 0)
        this.index.addTime(this.maxTimestampMs, this.offsetOfMaxTimestamp - this.baseOffset)
    }
    this.bytesSinceIndexEntry += sizeBytes
    if (maxTimestampMs > this.maxTimestampMs) {
      this.maxTimestampMs = maxTimestampMs
      this.offsetOfMaxTimestamp = lastOffset
    }
    if (this.rollBaseMs < 0) this.rollBaseMs = maxTimestampMs
    this.endOffset = lastOffset + 1
  }

  /** Adds the final time entry (the segment's maximum), so the saved time index knows it. */
  completeTimeIndex(): void {
    if (this.maxTimestampMs >= 0)
      this.index.addTime(this.maxTimestampMs, this.offsetOfMaxTimestamp - this.baseOffset)
  }

  /** Saves both index files atomically. */
  async saveIndex(fs: FileSystem): Promise<void> {
    this.completeTimeIndex()
    await fs.writeFileAtomic(this.indexPath, this.index.encodeOffsets())
    await fs.writeFileAtomic(this.timeIndexPath, this.index.encodeTimes())
  }

  /** True when some completed write is not yet covered by a completed fdatasync. */
  get dirty(): boolean {
    return this.writes > this.syncedWrites
  }

  /** Runs `fn` with the segment's file open (within the pool's budget). */
  withFile<T>(fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    return this.pool.use(this.logPath, fn)
  }

  /** Creates the file (empty) if it does not exist yet. */
  async create(): Promise<void> {
    await this.pool.use(this.logPath, async () => {}, true)
    this.opened = true
  }

  read(position: number, length: number): Promise<Buffer> {
    return this.pool.use(this.logPath, (h) => h.read(position, length))
  }

  /** Writes `buffers` at `position` and counts the write (see `dirty`). */
  async write(position: number, buffers: readonly Buffer[]): Promise<void> {
    await this.pool.use(this.logPath, (h) => h.write(position, buffers))
    this.writes++
  }

  /** Fdatasyncs the file; afterwards every write completed before the call is durable. */
  async sync(): Promise<void> {
    const covered = this.writes
    if (brookChannels.fsync.hasSubscribers) {
      const startedMs = performance.now()
      await this.pool.use(this.logPath, (h) => h.sync())
      brookChannels.fsync.publish({ durationMs: performance.now() - startedMs })
    } else await this.pool.use(this.logPath, (h) => h.sync())
    if (covered > this.syncedWrites) this.syncedWrites = covered
  }

  /** Closes the file's descriptor if open (after its current users); later calls reopen it. */
  closeFile(): Promise<void> {
    return this.pool.close(this.logPath)
  }

  /** Marks a read in progress; call `endRead` when done. */
  beginRead(): void {
    this.readers++
  }

  endRead(): void {
    this.readers--
    if (this.readers === 0 && this.#onDrained !== undefined) this.#onDrained()
  }

  /** Resolves once no read is using the segment. */
  drained(): Promise<void> {
    if (this.readers === 0) return Promise.resolve()
    return new Promise((resolve) => {
      this.#onDrained = resolve
    })
  }
}

/** One batch met by a scan: a view of its bytes and the header fields storage needs. */
export interface ScannedBatch {
  position: number
  sizeBytes: number
  baseOffset: number
  lastOffset: number
  maxTimestampMs: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  /**
   * The whole batch when the scan was asked to validate or it is a control batch (otherwise possibly
   * just its header).
   */
  bytes: Buffer
}

/** Where a scan stopped: the first position not holding a (valid) batch, and the offset after the last. */
export interface ScanResult {
  endPosition: number
  endOffset: number
  /** True when the scan stopped at bytes that are not a valid batch (torn or corrupt). */
  corrupt: boolean
}

const scanChunkBytes = 1024 * 1024

/**
 * Walks batches from `position` up to `endPosition` (exclusive). With `validate`, each batch must have a
 * sane length, magic 2, a matching CRC-32C and start at the next offset (the first one at
 * `expectedOffset` when given; with `offsetGaps`, at that offset or a later one, as in a compacted
 * segment); the scan stops at the first that does not. `visit` may return false to stop early.
 */
export async function scanBatches(
  handle: FileHandle,
  position: number,
  endPosition: number,
  options: { validate: boolean; expectedOffset?: number; offsetGaps?: boolean },
  visit: (batch: ScannedBatch) => boolean | undefined,
): Promise<ScanResult> {
  let expected = options.expectedOffset
  let endOffset = expected ?? -1
  let chunk: Buffer = Buffer.alloc(0)
  let chunkStart = position
  while (position < endPosition) {
    let at = position - chunkStart
    if (chunk.length - at < BATCH_HEADER_BYTES) {
      chunkStart = position
      chunk = await handle.read(position, Math.min(scanChunkBytes, endPosition - position))
      at = 0
      if (chunk.length < BATCH_HEADER_BYTES) return { endPosition: position, endOffset, corrupt: true }
    }
    const sizeBytes = chunk.readInt32BE(at + BatchOffsets.batchLength) + 12
    if (sizeBytes < BATCH_HEADER_BYTES || position + sizeBytes > endPosition) {
      return { endPosition: position, endOffset, corrupt: true }
    }
    const baseOffset = readInt64(chunk, at)
    if (options.validate) {
      if (chunk.readInt8(at + BatchOffsets.magic) !== 2)
        return { endPosition: position, endOffset, corrupt: true }
      // A compacted segment has gaps where the cleaner removed whole batches: offsets only have to grow.
      if (expected !== undefined && (options.offsetGaps ? baseOffset < expected : baseOffset !== expected))
        return { endPosition: position, endOffset, corrupt: true }
    }
    let bytes: Buffer
    if (at + sizeBytes <= chunk.length) bytes = chunk.subarray(at, at + sizeBytes)
    else if (options.validate) {
      chunkStart = position
      chunk = await handle.read(
        position,
        Math.max(sizeBytes, Math.min(scanChunkBytes, endPosition - position)),
      )
      if (chunk.length < sizeBytes) return { endPosition: position, endOffset, corrupt: true }
      bytes = chunk.subarray(0, sizeBytes)
      at = 0
    } else if ((chunk.readInt16BE(at + BatchOffsets.attributes) & Attributes.control) !== 0) {
      // Control batches (transaction markers) are read whole: their marker type is in the record.
      bytes = await handle.read(position, sizeBytes)
      if (bytes.length < sizeBytes) return { endPosition: position, endOffset, corrupt: true }
    } else bytes = chunk.subarray(at, at + BATCH_HEADER_BYTES)
    if (options.validate && !isBatchCrcValid(bytes))
      return { endPosition: position, endOffset, corrupt: true }
    const lastOffsetDelta = bytes.readInt32BE(BatchOffsets.lastOffsetDelta)
    if (options.validate && lastOffsetDelta < 0) return { endPosition: position, endOffset, corrupt: true }
    const lastOffset = baseOffset + lastOffsetDelta
    const proceed = visit({
      position,
      sizeBytes,
      baseOffset,
      lastOffset,
      maxTimestampMs: readInt64(bytes, BatchOffsets.maxTimestamp),
      producerId: readInt64(bytes, BatchOffsets.producerId),
      producerEpoch: bytes.readInt16BE(BatchOffsets.producerEpoch),
      baseSequence: bytes.readInt32BE(BatchOffsets.baseSequence),
      bytes,
    })
    position += sizeBytes
    endOffset = lastOffset + 1
    expected = endOffset
    if (proceed === false) break
  }
  return { endPosition: position, endOffset, corrupt: false }
}
