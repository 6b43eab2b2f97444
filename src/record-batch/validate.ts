// Produce-side validation of the records of one partition (Kafka's ProduceRequest.validateRecords and
// LogValidator): answers a Kafka error code, never throws for client bytes. Records are decoded only when
// a check needs them (compacted topic, verifyRecords); the batch itself is never modified.
import {
  Attributes,
  BATCH_HEADER_BYTES,
  BATCH_LOG_OVERHEAD,
  BatchOffsets,
  Compression,
  isBatchCrcValid,
  readBatchHeader,
} from './batch-header.js'
import { InvalidRecordError, isRecordBatchError } from '../core/index.js'
import { DECOMPRESSED_BYTES_MAX_DEFAULT, decompress } from './compression.js'
import { decodeRecords, RECORD_BYTES_MIN, type Record } from './records.js'

/** The Kafka error codes this validator answers (values from Kafka's Errors). */
export const ProduceValidationError = {
  NONE: 0,
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
} as const
export type ProduceValidationErrorCode = (typeof ProduceValidationError)[keyof typeof ProduceValidationError]

/** Topic settings and request facts the checks depend on. */
export interface ProduceValidationOptions {
  /** Version of the Produce request; zstd needs 7 or more. */
  produceVersion: number
  /** The topic's max.message.bytes: the largest batch accepted, counting all its bytes. */
  maxMessageBytes: number
  /** cleanup.policy includes compact: every record needs a key (decodes records). */
  compacted?: boolean
  /** Decode every record and check count and offsetDeltas 0..n-1, as Kafka does (decompressing). */
  verifyRecords?: boolean
  /** The topic uses LogAppendTime: client timestamps are not checked. */
  logAppendTime?: boolean
  /** Current time in ms, for the timestamp window. */
  nowMs?: number
  /** message.timestamp.before.max.ms: oldest accepted timestamp is nowMs - this; absent = no limit. */
  timestampBeforeMaxMs?: number
  /** message.timestamp.after.max.ms: newest accepted timestamp is nowMs + this; absent = no limit. */
  timestampAfterMaxMs?: number
  /** Bound on decompressed bytes when records are decoded (default 128 MiB). */
  decompressedBytesMax?: number
}

/** Header facts the broker needs to append the batch. */
export interface ProducedBatchInfo {
  recordsCount: number
  lastOffsetDelta: number
  baseTimestamp: number
  /** As the client sent it; with decoded records it is checked against them. */
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  isTransactional: boolean
  codec: number
  /** Bytes of the whole batch. */
  sizeBytes: number
}

/** A per-record problem, reported in Produce v8+ RecordErrors. */
export interface RecordError {
  /** Index of the record inside the batch (0-based). */
  batchIndex: number
  message: string
}

/** Outcome: errorCode 0 with `batch` set, or an error code with a message. */
export interface ProduceValidationResult {
  errorCode: ProduceValidationErrorCode
  errorMessage: string | null
  recordErrors: RecordError[]
  /** Parsed header, set whenever the header could be read (also alongside most errors). */
  batch: ProducedBatchInfo | null
}

function fail(
  errorCode: ProduceValidationErrorCode,
  errorMessage: string,
  batch: ProducedBatchInfo | null = null,
  recordErrors: RecordError[] = [],
): ProduceValidationResult {
  return { errorCode, errorMessage, recordErrors, batch }
}

/**
 * Validates the `records` field of one partition of a Produce request (v3+: exactly one magic-2 batch)
 * against `options`. Never throws for malformed client bytes; returns the Kafka error code to answer.
 */
export function validateProducedBatches(
  records: Buffer | null,
  options: ProduceValidationOptions,
): ProduceValidationResult {
  if (records === null || records.length === 0) {
    return fail(ProduceValidationError.INVALID_RECORD, 'produce request must hold exactly one record batch')
  }
  if (records.length < BATCH_LOG_OVERHEAD) {
    return fail(ProduceValidationError.CORRUPT_MESSAGE, `records of ${records.length} bytes hold no batch`)
  }
  const batchLength = records.readInt32BE(BatchOffsets.batchLength)
  if (batchLength < BATCH_HEADER_BYTES - BATCH_LOG_OVERHEAD) {
    return fail(
      ProduceValidationError.CORRUPT_MESSAGE,
      `batch length ${batchLength} is below the header size`,
    )
  }
  if (records.length < BATCH_HEADER_BYTES || batchLength + BATCH_LOG_OVERHEAD > records.length) {
    return fail(ProduceValidationError.INVALID_RECORD, 'records end before the batch does')
  }
  if (batchLength + BATCH_LOG_OVERHEAD < records.length) {
    return fail(ProduceValidationError.INVALID_RECORD, 'produce request must hold exactly one record batch')
  }
  const magic = records.readInt8(BatchOffsets.magic)
  if (magic !== 2) return fail(ProduceValidationError.INVALID_RECORD, `record batch magic ${magic} is not 2`)

  const header = readBatchHeader(records)
  const codec = header.attributes & Attributes.codecMask
  const batch: ProducedBatchInfo = {
    recordsCount: header.recordsCount,
    lastOffsetDelta: header.lastOffsetDelta,
    baseTimestamp: header.baseTimestamp,
    maxTimestamp: header.maxTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    isTransactional: (header.attributes & Attributes.transactional) !== 0,
    codec,
    sizeBytes: records.length,
  }
  if (codec === Compression.zstd && options.produceVersion < 7) {
    return fail(ProduceValidationError.UNSUPPORTED_COMPRESSION_TYPE, 'zstd needs Produce v7 or later', batch)
  }
  if (codec > Compression.zstd) {
    return fail(ProduceValidationError.CORRUPT_MESSAGE, `unknown compression codec ${codec}`, batch)
  }
  if (header.baseOffset !== 0) {
    return fail(ProduceValidationError.INVALID_RECORD, 'a produced batch must have baseOffset 0', batch)
  }
  if (records.length > options.maxMessageBytes) {
    return fail(
      ProduceValidationError.MESSAGE_TOO_LARGE,
      `batch of ${records.length} bytes exceeds max.message.bytes ${options.maxMessageBytes}`,
      batch,
    )
  }
  if (!isBatchCrcValid(records)) {
    return fail(ProduceValidationError.CORRUPT_MESSAGE, 'record batch CRC does not match', batch)
  }
  if (header.attributes & Attributes.control) {
    return fail(ProduceValidationError.INVALID_RECORD, 'clients may not write control batches', batch)
  }
  if (header.producerId >= 0 && header.baseSequence < 0) {
    return fail(ProduceValidationError.INVALID_RECORD, 'an idempotent batch needs baseSequence >= 0', batch)
  }
  if (header.lastOffsetDelta < 0 || header.recordsCount <= 0) {
    return fail(ProduceValidationError.INVALID_RECORD, 'record batch must hold at least one record', batch)
  }
  if (header.lastOffsetDelta + 1 !== header.recordsCount) {
    return fail(
      ProduceValidationError.INVALID_RECORD,
      `recordsCount ${header.recordsCount} does not match lastOffsetDelta ${header.lastOffsetDelta}`,
      batch,
    )
  }

  // Cheap bound so a tiny batch cannot claim millions of offsets: every record takes at least 7 bytes.
  const payloadBytesMax =
    codec === Compression.none
      ? records.length - BATCH_HEADER_BYTES
      : (options.decompressedBytesMax ?? DECOMPRESSED_BYTES_MAX_DEFAULT)
  if (header.recordsCount > payloadBytesMax / RECORD_BYTES_MIN) {
    return fail(
      ProduceValidationError.INVALID_RECORD,
      `recordsCount ${header.recordsCount} cannot fit in the batch`,
      batch,
    )
  }

  const checkTimestamps =
    !options.logAppendTime &&
    options.nowMs !== undefined &&
    (options.timestampBeforeMaxMs !== undefined || options.timestampAfterMaxMs !== undefined)
  const firstTimestampMs = checkTimestamps
    ? options.nowMs! - (options.timestampBeforeMaxMs ?? Number.POSITIVE_INFINITY)
    : 0
  const lastTimestampMs = checkTimestamps
    ? options.nowMs! + (options.timestampAfterMaxMs ?? Number.POSITIVE_INFINITY)
    : 0
  const outsideWindow = (timestampMs: number): boolean =>
    timestampMs >= 0 && (timestampMs < firstTimestampMs || timestampMs > lastTimestampMs)

  if (!(options.compacted || options.verifyRecords)) {
    // Header-only path: the first and the largest timestamps stand in for every record's.
    if (checkTimestamps && (outsideWindow(header.baseTimestamp) || outsideWindow(header.maxTimestamp))) {
      return fail(
        ProduceValidationError.INVALID_TIMESTAMP,
        'record timestamp is outside the accepted window',
        batch,
      )
    }
    return { errorCode: ProduceValidationError.NONE, errorMessage: null, recordErrors: [], batch }
  }

  let decoded: Record[]
  try {
    const body = decompress(
      codec,
      records.subarray(BATCH_HEADER_BYTES),
      options.decompressedBytesMax ?? DECOMPRESSED_BYTES_MAX_DEFAULT,
    )
    decoded = decodeRecords(body, header.recordsCount)
  } catch (error) {
    if (!isRecordBatchError(error)) throw error
    // A batch whose CRC holds but whose payload will not decompress is corrupt; malformed records inside
    // a checksummed batch are invalid, as in Kafka's DefaultRecord.readFrom.
    const errorCode =
      error instanceof InvalidRecordError
        ? ProduceValidationError.INVALID_RECORD
        : ProduceValidationError.CORRUPT_MESSAGE
    return fail(errorCode, error.message, batch)
  }

  const recordErrors: RecordError[] = []
  let timestampError = false
  let keyError = false
  for (let i = 0; i < decoded.length; i++) {
    const record = decoded[i]
    if (record.offsetDelta !== i) {
      return fail(
        ProduceValidationError.INVALID_RECORD,
        `record ${i} has offsetDelta ${record.offsetDelta}`,
        batch,
      )
    }
    if (options.compacted && record.key === null) {
      keyError = true
      recordErrors.push({ batchIndex: i, message: 'compacted topic cannot accept a record without a key' })
    } else if (checkTimestamps && outsideWindow(header.baseTimestamp + record.timestampDelta)) {
      timestampError = true
      recordErrors.push({ batchIndex: i, message: 'record timestamp is outside the accepted window' })
    }
  }
  if (keyError) {
    return fail(
      ProduceValidationError.INVALID_RECORD,
      'compacted topic cannot accept records without a key',
      batch,
      recordErrors,
    )
  }
  if (timestampError) {
    return fail(
      ProduceValidationError.INVALID_TIMESTAMP,
      'record timestamp is outside the accepted window',
      batch,
      recordErrors,
    )
  }
  return { errorCode: ProduceValidationError.NONE, errorMessage: null, recordErrors: [], batch }
}
