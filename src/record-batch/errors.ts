// Errors raised by record-batch when bytes from a client or a log do not form valid records, or a codec
// cannot run. Each carries a stable `code`; the produce validator maps them to Kafka error codes.
import { BrookError } from '../core/index.js'

/** Stable codes of RecordBatchError. */
export const RecordBatchErrorCode = {
  /** A record, varint or batch framing is malformed or runs past its bounds. */
  invalidRecord: 'BROOK_ERR_RECORD_INVALID',
  /** Compressed bytes could not be decompressed. */
  corruptCompressed: 'BROOK_ERR_COMPRESSED_CORRUPT',
  /** Decompression would produce more bytes than the caller's bound. */
  decompressedTooLarge: 'BROOK_ERR_DECOMPRESSED_TOO_LARGE',
  /** The codec id in the attributes is not one Kafka defines. */
  unknownCodec: 'BROOK_ERR_CODEC_UNKNOWN',
  /** The codec's native package failed to load. */
  codecUnavailable: 'BROOK_ERR_CODEC_UNAVAILABLE',
} as const
export type RecordBatchErrorCodeValue = (typeof RecordBatchErrorCode)[keyof typeof RecordBatchErrorCode]

/** Raised for malformed records or batches, failed decompression and unavailable codecs. */
export class RecordBatchError extends BrookError {
  declare readonly code: RecordBatchErrorCodeValue
  constructor(code: RecordBatchErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'RecordBatchError'
  }
}

/** Shorthand for the most common error: malformed record bytes. */
export function invalidRecord(message: string): RecordBatchError {
  return new RecordBatchError(RecordBatchErrorCode.invalidRecord, message)
}
