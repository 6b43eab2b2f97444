// Reads record batches back: iterates the batches in a buffer of concatenated batches (a Fetch response's
// records, a log segment) and decodes one batch into records with absolute offsets and timestamps.
import {
  Attributes,
  BATCH_HEADER_BYTES,
  BATCH_LOG_OVERHEAD,
  BatchOffsets,
  type BatchHeader,
  isBatchCrcValid,
  readBatchHeader,
  readInt64,
} from './batch-header.js'
import { DECOMPRESSED_BYTES_MAX_DEFAULT, decompress } from './compression.js'
import { invalidRecord } from './errors.js'
import { decodeRecords, decodeRecordsAs, type Record, type RecordHeader } from './records.js'

/** One batch found in a buffer: where it starts, its bytes (a view, no copy) and its parsed header. */
export interface BatchSlice {
  /** Byte position of the batch in the scanned buffer. */
  position: number
  /** The whole batch, batchLength + 12 bytes, as a view into the scanned buffer. */
  bytes: Buffer
  header: BatchHeader
}

/** Options of iterateBatches. */
export interface IterateBatchesOptions {
  /**
   * What to do with an incomplete batch at the end (a Fetch response cut at its byte limit, a torn
   * segment tail): 'stop' (default) ends the iteration there, 'throw' raises RecordBatchError.
   */
  partialTail?: 'stop' | 'throw'
}

/**
 * Yields each complete batch in `buffer` in order. Raises RecordBatchError for a batch whose length field
 * is below the header size or whose magic is not 2. It does not check CRCs.
 */
export function* iterateBatches(buffer: Buffer, options: IterateBatchesOptions = {}): Generator<BatchSlice> {
  let position = 0
  while (position < buffer.length) {
    const left = buffer.length - position
    if (left < BATCH_HEADER_BYTES) {
      // Only a short tail can be partial; but a length field that is itself too small is corrupt.
      if (left >= BATCH_LOG_OVERHEAD && buffer.readInt32BE(position + BatchOffsets.batchLength) < 49) {
        throw invalidRecord(`batch at byte ${position} has an invalid length`)
      }
      if (options.partialTail === 'throw')
        throw invalidRecord(`partial batch of ${left} bytes at byte ${position}`)
      return
    }
    const batchLength = buffer.readInt32BE(position + BatchOffsets.batchLength)
    if (batchLength < BATCH_HEADER_BYTES - BATCH_LOG_OVERHEAD) {
      throw invalidRecord(`batch at byte ${position} has an invalid length ${batchLength}`)
    }
    const magic = buffer.readInt8(position + BatchOffsets.magic)
    if (magic !== 2) throw invalidRecord(`batch at byte ${position} has magic ${magic}, only 2 is supported`)
    const size = batchLength + BATCH_LOG_OVERHEAD
    if (size > left) {
      if (options.partialTail === 'throw')
        throw invalidRecord(`partial batch of ${left} bytes at byte ${position}`)
      return
    }
    const bytes = buffer.subarray(position, position + size)
    yield { position, bytes, header: readBatchHeader(bytes) }
    position += size
  }
}

/** Timestamp types of attribute bit 3. */
export const TimestampType = { createTime: 0, logAppendTime: 1 } as const
export type TimestampTypeValue = (typeof TimestampType)[keyof typeof TimestampType]

/** A record with absolute offset and timestamp. Keys and values are views into the (decompressed) batch. */
export interface DecodedRecord extends Record {
  /** baseOffset + offsetDelta. */
  offset: number
  /** Milliseconds since the epoch: baseTimestamp + timestampDelta, or maxTimestamp for LogAppendTime. */
  timestampMs: number
}

/** A fully decoded batch. */
export interface DecodedBatch {
  header: BatchHeader
  codec: number
  timestampType: TimestampTypeValue
  isTransactional: boolean
  isControl: boolean
  records: DecodedRecord[]
}

/** Options for decoding a batch's records. */
export interface DecodeBatchOptions {
  /** Bound on decompressed bytes (default 128 MiB); more raises RecordBatchError. */
  decompressedBytesMax?: number
  /** Check the CRC first (default true); a mismatch raises RecordBatchError. */
  verifyCrc?: boolean
}

/**
 * Checks the framing of `batch` as one stored batch to decode: its length fields, magic 2, and its CRC
 * unless `verifyCrc` is false. Raises InvalidRecordError. Shared by decodeBatch and walkBatchRecords.
 */
export function checkBatchToDecode(batch: Buffer, verifyCrc: boolean | undefined): void {
  if (batch.length < BATCH_HEADER_BYTES)
    throw invalidRecord(`batch of ${batch.length} bytes is shorter than its header`)
  if (batch.readInt32BE(BatchOffsets.batchLength) + BATCH_LOG_OVERHEAD !== batch.length) {
    throw invalidRecord('batch length field does not match the batch size')
  }
  if (batch.readInt8(BatchOffsets.magic) !== 2) throw invalidRecord('only magic 2 batches can be decoded')
  if (verifyCrc !== false && !isBatchCrcValid(batch)) throw invalidRecord('batch CRC does not match')
}

/** Checks `batch` (exactly one batch, its CRC unless told not to) and returns its decompressed records. */
function batchBody(batch: Buffer, options: DecodeBatchOptions): Buffer {
  checkBatchToDecode(batch, options.verifyCrc)
  const codec = batch.readInt16BE(BatchOffsets.attributes) & Attributes.codecMask
  return decompress(
    codec,
    batch.subarray(BATCH_HEADER_BYTES),
    options.decompressedBytesMax ?? DECOMPRESSED_BYTES_MAX_DEFAULT,
  )
}

/**
 * Decompresses and decodes the records of `batch` (exactly one batch) with relative offsets and
 * timestamps, exactly `recordsCount` of them. Raises RecordBatchError if anything is malformed.
 */
export function readBatchRecords(batch: Buffer, options: DecodeBatchOptions = {}): Record[] {
  const body = batchBody(batch, options)
  return decodeRecords(body, batch.readInt32BE(BatchOffsets.recordsCount))
}

/** Builds one record of decodeBatchAs from its absolute offset and timestamp (ms since the epoch). */
export type DecodedRecordMaker<T> = (
  offset: number,
  timestampMs: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: RecordHeader[],
) => T

/**
 * Decodes `batch` (exactly one batch) as decodeBatch does, same checks, but builds each record with
 * `make`, in offset order: no intermediate object per record (the SDK's fetch path). Control batches are
 * decoded like any other; look at the header first to skip them.
 */
export function decodeBatchAs<T>(
  batch: Buffer,
  make: DecodedRecordMaker<T>,
  options: DecodeBatchOptions = {},
): T[] {
  const body = batchBody(batch, options)
  const baseOffset = readInt64(batch, BatchOffsets.baseOffset)
  const attributes = batch.readInt16BE(BatchOffsets.attributes)
  const count = batch.readInt32BE(BatchOffsets.recordsCount)
  if (attributes & Attributes.logAppendTime) {
    const maxTimestamp = readInt64(batch, BatchOffsets.maxTimestamp)
    return decodeRecordsAs(body, count, (offsetDelta, _timestampDelta, key, value, headers) =>
      make(baseOffset + offsetDelta, maxTimestamp, key, value, headers),
    )
  }
  const baseTimestamp = readInt64(batch, BatchOffsets.baseTimestamp)
  return decodeRecordsAs(body, count, (offsetDelta, timestampDelta, key, value, headers) =>
    make(baseOffset + offsetDelta, baseTimestamp + timestampDelta, key, value, headers),
  )
}

/**
 * Fully decodes `batch` (exactly one batch): records get absolute offsets, and timestamps that follow the
 * timestamp type (with LogAppendTime every record's timestamp is the batch's maxTimestamp).
 */
export function decodeBatch(batch: Buffer, options: DecodeBatchOptions = {}): DecodedBatch {
  // The body first: it checks the batch's size before the header is read.
  const body = batchBody(batch, options)
  const header = readBatchHeader(batch)
  const timestampType =
    header.attributes & Attributes.logAppendTime ? TimestampType.logAppendTime : TimestampType.createTime
  const logAppendTime = timestampType === TimestampType.logAppendTime
  const records = decodeRecordsAs(
    body,
    header.recordsCount,
    (offsetDelta, timestampDelta, key, value, headers): DecodedRecord => ({
      offsetDelta,
      timestampDelta,
      key,
      value,
      headers,
      offset: header.baseOffset + offsetDelta,
      timestampMs: logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
    }),
  )
  return {
    header,
    codec: header.attributes & Attributes.codecMask,
    timestampType,
    isTransactional: (header.attributes & Attributes.transactional) !== 0,
    isControl: (header.attributes & Attributes.control) !== 0,
    records,
  }
}

/** A transaction marker read from a control record. */
export interface ControlRecord {
  /** 0 abort, 1 commit; other values are control types this code does not know. */
  type: number
  /** -1 when the value is absent or too short. */
  coordinatorEpoch: number
}

/** Reads a control record's key (version, type) and value (version, coordinatorEpoch). */
export function parseControlRecord(record: { key: Buffer | null; value: Buffer | null }): ControlRecord {
  if (record.key === null || record.key.length < 4) throw invalidRecord('control record key is too short')
  const type = record.key.readInt16BE(2)
  const coordinatorEpoch =
    record.value !== null && record.value.length >= 6 ? record.value.readInt32BE(2) : -1
  return { type, coordinatorEpoch }
}
