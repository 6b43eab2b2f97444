// RecordBatch v2 header: byte offsets of its fields and a view that reads and rewrites them in place.
// A batch is kept exactly as the client sent it; only baseOffset, partitionLeaderEpoch (not covered by
// the CRC) and, for LogAppendTime topics, attributes and maxTimestamp (CRC recomputed) are rewritten.
import { crc32c } from './crc32c.js'

/** Byte offsets inside a RecordBatch v2, from the start of the batch. */
export const BatchOffsets = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
  records: 61,
} as const

/** Bytes before batchLength's count starts: baseOffset (8) and batchLength (4). */
export const BATCH_LOG_OVERHEAD = 12
/** Size of the fixed header, up to the first record. */
export const BATCH_HEADER_BYTES = 61

/** Compression codec in attribute bits 0-2. */
export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const
export type CompressionCodec = (typeof Compression)[keyof typeof Compression]

export const Attributes = {
  codecMask: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const

/** Reads a signed 64-bit big-endian integer as a number (exact up to 2^53). */
export function readInt64(buffer: Buffer, offset: number): number {
  const high = buffer.readInt32BE(offset)
  const low = buffer.readUInt32BE(offset + 4)
  return high * 4294967296 + low
}

/** Writes a number as a signed 64-bit big-endian integer. */
export function writeInt64(buffer: Buffer, value: number, offset: number): void {
  const high = Math.floor(value / 4294967296)
  const low = value - high * 4294967296
  buffer.writeInt32BE(high, offset)
  buffer.writeUInt32BE(low >>> 0, offset + 4)
}

/** The fields of one batch header, read from `buffer` at `start`. */
export interface BatchHeader {
  baseOffset: number
  /** Bytes after the batchLength field; the whole batch is batchLength + 12 bytes. */
  batchLength: number
  partitionLeaderEpoch: number
  magic: number
  crc: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordsCount: number
}

/** Reads every header field of the batch at `start`. The caller checks that 61 bytes are there. */
export function readBatchHeader(buffer: Buffer, start = 0): BatchHeader {
  return {
    baseOffset: readInt64(buffer, start),
    batchLength: buffer.readInt32BE(start + 8),
    partitionLeaderEpoch: buffer.readInt32BE(start + 12),
    magic: buffer.readInt8(start + 16),
    crc: buffer.readUInt32BE(start + 17),
    attributes: buffer.readInt16BE(start + 21),
    lastOffsetDelta: buffer.readInt32BE(start + 23),
    baseTimestamp: readInt64(buffer, start + 27),
    maxTimestamp: readInt64(buffer, start + 35),
    producerId: readInt64(buffer, start + 43),
    producerEpoch: buffer.readInt16BE(start + 51),
    baseSequence: buffer.readInt32BE(start + 53),
    recordsCount: buffer.readInt32BE(start + 57),
  }
}

/** Total size in bytes of the batch at `start` (batchLength + 12), or -1 if the length field is cut off. */
export function batchSizeAt(buffer: Buffer, start = 0): number {
  if (buffer.length - start < BATCH_LOG_OVERHEAD) return -1
  return buffer.readInt32BE(start + BatchOffsets.batchLength) + BATCH_LOG_OVERHEAD
}

/** CRC-32C over attributes..end, which is what the header's crc field must hold. */
export function computeBatchCrc(batch: Buffer): number {
  return crc32c(batch.subarray(BatchOffsets.attributes))
}

/** True if the stored CRC matches the batch bytes. `batch` must be exactly one batch. */
export function isBatchCrcValid(batch: Buffer): boolean {
  return batch.readUInt32BE(BatchOffsets.crc) === computeBatchCrc(batch)
}

/** Rewrites baseOffset in place (not covered by the CRC). */
export function setBaseOffset(batch: Buffer, baseOffset: number): void {
  writeInt64(batch, baseOffset, BatchOffsets.baseOffset)
}

/** Rewrites partitionLeaderEpoch in place (not covered by the CRC). */
export function setPartitionLeaderEpoch(batch: Buffer, epoch: number): void {
  batch.writeInt32BE(epoch, BatchOffsets.partitionLeaderEpoch)
}

/** Marks the batch LogAppendTime with `timestampMs` as maxTimestamp, and recomputes the CRC. */
export function setLogAppendTime(batch: Buffer, timestampMs: number): void {
  const attributes = batch.readInt16BE(BatchOffsets.attributes)
  batch.writeInt16BE(attributes | Attributes.logAppendTime, BatchOffsets.attributes)
  writeInt64(batch, timestampMs, BatchOffsets.maxTimestamp)
  batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc)
}
