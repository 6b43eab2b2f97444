// One clean of one compacted log, off the write path: builds the key map over the dirty segments, then
// rewrites the closed segments from the log start to the map's end into `.log.cleaned` files holding the
// latest record of each key, with every batch's base offset kept. Tombstones follow KIP-534: the first clean
// that keeps one stamps its batch with a delete horizon (now + delete.retention.ms); a later clean past it
// drops them.
// It only reads the old segments and writes new files; PartitionLog swaps them in (cleaner-swap.ts).
import type { FileHandle, FileSystem } from '../core/index.js'
import {
  Attributes,
  assembleBatch,
  BatchOffsets,
  type CompressionCodec,
  compress,
  encodeRecords,
  isCodecAvailable,
  type Record,
  readBatchRecords,
  readInt64,
} from '../record-batch/index.js'
import { cleanedSegmentPath } from './cleaner-swap.js'
import type { FilePool } from './file-pool.js'
import { LogSegment, type ScannedBatch, scanBatches } from './log-segment.js'
import { OffsetMap } from './offset-map.js'

/** What a clean needs to know of its log, read at its start. Offsets absolute; `end*`/`firstUncleanable` exclusive. */
export interface CompactionInput {
  fs: FileSystem
  pool: FilePool
  dir: string
  /** The closed segments that may be cleaned, oldest first (never the active one). */
  segments: readonly LogSegment[]
  logStartOffset: number
  firstDirtyOffset: number
  segmentBytes: number
  indexIntervalBytes: number
  /** delete.retention.ms: how long a tombstone stays after the clean that first kept it. */
  deleteRetentionMs: number
  nowMs: number
  dedupeBufferBytes: number
  /**
   * The log's last stable offset at the clean's start: every transaction with a batch below it has ended,
   * so its fate is known.
   */
  lastStableOffset: number
  /** The log's aborted transactions at the clean's start (producer, first offset, marker offset). */
  abortedTxns: readonly { producerId: number; firstOffset: number; lastOffset: number }[]
  /** The last offset of an idempotent producer's latest batch, kept (empty if need be) as Kafka does. */
  producerLastOffset: (producerId: number) => number | undefined
  /** Checked between batches; true stops the clean (the log closes). */
  aborted: () => boolean
  /**
   * Gives the event loop a turn (produce and fetch go on meanwhile) after a window of `ioBytes` read and
   * written since the previous call; the cleaner's I/O budget may make it wait longer.
   */
  pause: (ioBytes: number) => Promise<void>
}

/** A cleaned segment, written and synced as `.log.cleaned`, and the segments it replaces. */
export interface CleanedGroup {
  replaces: LogSegment[]
  segment: LogSegment
}

/** The outcome of a clean; `endOffset` is the new first dirty offset. */
export interface CompactionResult {
  groups: CleanedGroup[]
  endOffset: number
  bytesBefore: number
  bytesAfter: number
  recordsRemoved: number
  keys: number
}

/** A clean stopped because its log is closing or was deleted. */
export class CleanAbortedError extends Error {}

/** The dedupe buffer cannot hold the keys of even one batch. */
export class DedupeBufferTooSmallError extends Error {}

const writeChunkBytes = 1024 * 1024
const scanWindowBytes = 1024 * 1024

/**
 * Cleans `input.segments` up to as much of the dirty part as the key map holds. Returns the cleaned
 * groups (files synced, not yet swapped in), or undefined when there is nothing dirty.
 */
export async function compactSegments(input: CompactionInput): Promise<CompactionResult | undefined> {
  const dirty = input.segments.filter((s) => s.endOffset > input.firstDirtyOffset)
  if (dirty.length === 0) return undefined
  let expectedKeys = 0
  for (const s of dirty) expectedKeys += s.endOffset - Math.max(s.baseOffset, input.firstDirtyOffset)
  const map = new OffsetMap(input.dedupeBufferBytes, expectedKeys)
  const compactable = new CompactableBatches(input)
  const endOffset = await buildOffsetMap(input, dirty, map, compactable)
  if (endOffset <= input.firstDirtyOffset)
    throw new DedupeBufferTooSmallError(
      `dedupe buffer of ${map.bufferBytes} bytes cannot hold the keys of one batch in ${input.dir}`,
    )
  const toClean = input.segments.filter((s) => s.baseOffset < endOffset && s.endOffset > input.logStartOffset)
  const result: CompactionResult = {
    groups: [],
    endOffset,
    bytesBefore: 0,
    bytesAfter: 0,
    recordsRemoved: 0,
    keys: map.size,
  }
  for (const group of groupBySize(toClean, input.segmentBytes)) {
    const cleaned = await cleanGroup(input, group, map, compactable, endOffset, result)
    if (cleaned !== undefined) result.groups.push(cleaned)
  }
  return result
}

/** Consecutive segments whose sizes add up to at most `segmentBytes` (and offsets fit an int32 span). */
function groupBySize(segments: readonly LogSegment[], segmentBytes: number): LogSegment[][] {
  const groups: LogSegment[][] = []
  let current: LogSegment[] = []
  let bytes = 0
  for (const segment of segments) {
    const first = current[0]
    if (
      first !== undefined &&
      (bytes + segment.sizeBytes > segmentBytes || segment.endOffset - first.baseOffset > 2147483647)
    ) {
      groups.push(current)
      current = []
      bytes = 0
    }
    current.push(segment)
    bytes += segment.sizeBytes
  }
  if (current.length > 0) groups.push(current)
  return groups
}

/**
 * Hands the whole batches of a segment (validated, so with their full bytes) to `visit` about a megabyte
 * at a time, so memory stays bounded whatever the segment's size.
 */
async function forEachBatches(
  segment: LogSegment,
  visit: (batches: ScannedBatch[], bytes: number) => Promise<boolean>,
): Promise<void> {
  if (segment.writtenBytes === 0) return
  let position = 0
  while (position < segment.writtenBytes) {
    const batches: ScannedBatch[] = []
    let bytes = 0
    segment.beginRead()
    let scan: Awaited<ReturnType<typeof scanBatches>>
    try {
      scan = await segment.withFile((handle) =>
        scanBatches(handle, position, segment.writtenBytes, { validate: true, offsetGaps: true }, (batch) => {
          batches.push(batch)
          bytes += batch.sizeBytes
          return bytes < scanWindowBytes
        }),
      )
    } finally {
      segment.endRead()
    }
    if (scan.corrupt || scan.endPosition === position)
      throw new Error(`corrupt batch at ${scan.endPosition} in ${segment.logPath}`)
    const read = scan.endPosition - position
    position = scan.endPosition
    if (!(await visit(batches, read))) return
  }
}

/**
 * Which batches a clean may compact: plain data batches and those of committed transactions below the last
 * stable offset (their records are compacted by key like any other, as Kafka does). Control batches
 * (markers), aborted transactions' batches and those of transactions that may still be open stay whole.
 */
class CompactableBatches {
  /** producerId -> its aborted transactions' [firstOffset, markerOffset], in offset order. */
  readonly #aborted = new Map<number, [number, number][]>()
  readonly #lastStableOffset: number

  constructor(input: CompactionInput) {
    this.#lastStableOffset = input.lastStableOffset
    for (const txn of input.abortedTxns) {
      let list = this.#aborted.get(txn.producerId)
      if (list === undefined) this.#aborted.set(txn.producerId, (list = []))
      list.push([txn.firstOffset, txn.lastOffset])
    }
  }

  has(batch: ScannedBatch): boolean {
    const attributes = batch.bytes.readInt16BE(BatchOffsets.attributes)
    if ((attributes & Attributes.control) !== 0) return false
    if ((attributes & Attributes.transactional) === 0) return true
    return batch.lastOffset < this.#lastStableOffset && !this.#isAborted(batch.producerId, batch.baseOffset)
  }

  /** Whether `offset` lies in an aborted transaction of `producerId` (first offset to marker). */
  #isAborted(producerId: number, offset: number): boolean {
    const list = this.#aborted.get(producerId)
    if (list === undefined) return false
    // The first transaction whose marker is at or after `offset` (markers are in offset order).
    let low = 0
    let high = list.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (list[mid][1] < offset) low = mid + 1
      else high = mid
    }
    return low < list.length && list[low][0] <= offset
  }
}

/**
 * Records the latest offset of each key from the first dirty offset on, batch by batch, until the map
 * would overflow. Returns the exclusive end of what it covers.
 */
async function buildOffsetMap(
  input: CompactionInput,
  dirty: readonly LogSegment[],
  map: OffsetMap,
  compactable: CompactableBatches,
): Promise<number> {
  let endOffset = input.firstDirtyOffset
  let full = false
  for (const segment of dirty) {
    await forEachBatches(segment, async (batches, readBytes) => {
      for (const batch of batches) {
        if (batch.lastOffset < input.firstDirtyOffset) continue
        if (input.aborted()) throw new CleanAbortedError(`clean of ${input.dir} stopped`)
        if (compactable.has(batch) && isCodecAvailable(codecOf(batch.bytes))) {
          const count = batch.bytes.readInt32BE(BatchOffsets.recordsCount)
          if (map.size + count > map.capacity) {
            full = true
            return false
          }
          for (const record of readBatchRecords(batch.bytes, { verifyCrc: false })) {
            if (record.key !== null)
              map.put(OffsetMap.hash(record.key), batch.baseOffset + record.offsetDelta)
          }
        }
        endOffset = batch.lastOffset + 1
      }
      await input.pause(readBytes)
      return true
    })
    if (full) break
    // The map covers the whole segment: its end (gaps included) is the next one's start.
    endOffset = Math.max(endOffset, segment.endOffset)
  }
  return endOffset
}

function codecOf(batch: Buffer): number {
  return batch.readInt16BE(BatchOffsets.attributes) & Attributes.codecMask
}

/**
 * Writes the cleaned form of one group of segments to `<first base>.log.cleaned` and syncs it. Returns
 * undefined when a single segment would come out unchanged (nothing to swap).
 */
async function cleanGroup(
  input: CompactionInput,
  group: readonly LogSegment[],
  map: OffsetMap,
  compactable: CompactableBatches,
  endOffset: number,
  result: CompactionResult,
): Promise<CleanedGroup | undefined> {
  const first = group[0]
  const segment = new LogSegment(input.dir, first.baseOffset, input.pool)
  const path = cleanedSegmentPath(input.dir, first.baseOffset)
  await input.fs.remove(path)
  const handle = await input.fs.open(path, { create: true })
  let changed = group.length > 1
  try {
    let pending: Buffer[] = []
    let pendingBytes = 0
    let written = 0
    const flush = async (): Promise<number> => {
      if (pendingBytes === 0) return 0
      const bytes = pendingBytes
      await handle.write(written, pending)
      written += pendingBytes
      pending = []
      pendingBytes = 0
      return bytes
    }
    for (const old of group) {
      result.bytesBefore += old.sizeBytes
      await forEachBatches(old, async (batches, readBytes) => {
        for (const batch of batches) {
          if (input.aborted()) throw new CleanAbortedError(`clean of ${input.dir} stopped`)
          const out = cleanBatch(input, batch, map, compactable, endOffset, result)
          if (out !== batch.bytes) changed = true
          if (out === undefined) continue
          segment.track(
            segment.sizeBytes,
            batch.baseOffset,
            batch.lastOffset,
            readInt64(out, BatchOffsets.maxTimestamp),
            out.length,
            input.indexIntervalBytes,
          )
          segment.sizeBytes += out.length
          // A copy: the scan's chunk is dropped once this window is done.
          pending.push(out === batch.bytes ? Buffer.from(out) : out)
          pendingBytes += out.length
        }
        const writtenBytes = pendingBytes >= writeChunkBytes ? await flush() : 0
        await input.pause(readBytes + writtenBytes)
        return true
      })
    }
    await input.pause(await flush())
    if (!changed) {
      await closeAndRemove(input.fs, handle, path)
      result.bytesAfter += first.sizeBytes
      return undefined
    }
    await handle.sync()
    await handle.close()
  } catch (error) {
    await closeAndRemove(input.fs, handle, path).catch(() => {})
    throw error
  }
  const last = group[group.length - 1]
  // Offsets are never renumbered: the cleaned segment spans exactly the offsets of what it replaces.
  segment.endOffset = last.endOffset
  segment.writtenBytes = segment.sizeBytes
  segment.opened = true
  segment.sealed = true
  result.bytesAfter += segment.sizeBytes
  return { replaces: [...group], segment }
}

async function closeAndRemove(fs: FileSystem, handle: FileHandle, path: string): Promise<void> {
  await handle.close()
  await fs.remove(path)
}

/** The delete horizon a clean stamped on `batch` (KIP-534: attribute bit 6, baseTimestamp), else undefined. */
export function deleteHorizonOf(batch: Buffer): number | undefined {
  if ((batch.readInt16BE(BatchOffsets.attributes) & Attributes.deleteHorizon) === 0) return undefined
  return readInt64(batch, BatchOffsets.baseTimestamp)
}

/**
 * The cleaned form of one batch: the batch itself when every record stays and it needs no delete horizon,
 * undefined when no record stays (unless it is a producer's latest batch: then an empty batch keeps its
 * offsets and sequences), else a rebuilt batch with the same base offset, offset span, sequences, codec
 * and max timestamp holding the kept records.
 *
 * Tombstones (KIP-534, as Kafka 4.4): a batch that keeps a tombstone and has no delete horizon gets one,
 * `nowMs + deleteRetentionMs`, written as Kafka does (attribute bit 6 set, baseTimestamp = the horizon,
 * each record's timestamp delta rewritten so its timestamp is unchanged); a clean at or after the horizon
 * drops the tombstones. The tombstone's own timestamp plays no part, so one written with an old producer
 * timestamp still stays delete.retention.ms for consumers to see.
 */
function cleanBatch(
  input: CompactionInput,
  batch: ScannedBatch,
  map: OffsetMap,
  compactable: CompactableBatches,
  endOffset: number,
  result: CompactionResult,
): Buffer | undefined {
  const bytes = batch.bytes
  if (batch.baseOffset >= endOffset || !compactable.has(batch)) return bytes
  const codec = codecOf(bytes) as CompressionCodec
  if (!isCodecAvailable(codec)) return bytes
  const recordsCount = bytes.readInt32BE(BatchOffsets.recordsCount)
  if (recordsCount === 0) return keepIfProducersLast(input, batch, bytes)
  const horizonMs = deleteHorizonOf(bytes)
  const tombstonesExpire = horizonMs !== undefined && input.nowMs >= horizonMs
  const records = readBatchRecords(bytes, { verifyCrc: false })
  const kept: Record[] = []
  let keepsTombstone = false
  for (const record of records) {
    const offset = batch.baseOffset + record.offsetDelta
    if (record.key === null) continue // a compacted log keeps keyed records only, as Kafka's cleaner does
    const latest = map.get(OffsetMap.hash(record.key))
    if (latest > offset) continue
    if (record.value === null) {
      if (tombstonesExpire) continue
      keepsTombstone = true
    }
    kept.push(record)
  }
  result.recordsRemoved += records.length - kept.length
  const stampHorizon = keepsTombstone && horizonMs === undefined
  if (kept.length === records.length && !stampHorizon) return bytes
  if (kept.length === 0) return keepIfProducersLast(input, batch, emptyBatch(bytes))
  let attributes = bytes.readInt16BE(BatchOffsets.attributes)
  let baseTimestamp = readInt64(bytes, BatchOffsets.baseTimestamp)
  let rewritten = kept
  if (stampHorizon) {
    const horizon = input.nowMs + input.deleteRetentionMs
    const shift = baseTimestamp - horizon
    rewritten = kept.map((record) => ({ ...record, timestampDelta: record.timestampDelta + shift }))
    attributes |= Attributes.deleteHorizon
    baseTimestamp = horizon
  }
  const fields = {
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: bytes.readInt32BE(BatchOffsets.partitionLeaderEpoch),
    attributes,
    lastOffsetDelta: bytes.readInt32BE(BatchOffsets.lastOffsetDelta),
    baseTimestamp,
    maxTimestamp: readInt64(bytes, BatchOffsets.maxTimestamp),
    producerId: readInt64(bytes, BatchOffsets.producerId),
    producerEpoch: bytes.readInt16BE(BatchOffsets.producerEpoch),
    baseSequence: bytes.readInt32BE(BatchOffsets.baseSequence),
    recordsCount: kept.length,
  }
  return assembleBatch(compress(codec, encodeRecords(rewritten)), fields)
}

function keepIfProducersLast(input: CompactionInput, batch: ScannedBatch, bytes: Buffer): Buffer | undefined {
  if (batch.producerId < 0) return undefined
  return input.producerLastOffset(batch.producerId) === batch.lastOffset ? bytes : undefined
}

/** The header of `batch` with no records (uncompressed), as Kafka keeps a producer's emptied last batch. */
function emptyBatch(batch: Buffer): Buffer {
  const attributes = batch.readInt16BE(BatchOffsets.attributes) & ~Attributes.codecMask
  return assembleBatch(Buffer.alloc(0), {
    baseOffset: readInt64(batch, BatchOffsets.baseOffset),
    partitionLeaderEpoch: batch.readInt32BE(BatchOffsets.partitionLeaderEpoch),
    attributes,
    lastOffsetDelta: batch.readInt32BE(BatchOffsets.lastOffsetDelta),
    baseTimestamp: readInt64(batch, BatchOffsets.baseTimestamp),
    maxTimestamp: readInt64(batch, BatchOffsets.maxTimestamp),
    producerId: readInt64(batch, BatchOffsets.producerId),
    producerEpoch: batch.readInt16BE(BatchOffsets.producerEpoch),
    baseSequence: batch.readInt32BE(BatchOffsets.baseSequence),
    recordsCount: 0,
  })
}
