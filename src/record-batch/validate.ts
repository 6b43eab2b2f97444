// Produce-side validation of the records of one partition (Kafka's ProduceRequest.validateRecords and
// LogValidator): answers a Kafka error code, never throws for client bytes. Every record of every batch is
// checked (decompressed, within a per-batch bound and a per-request budget); the batch is never modified.
import {
  Attributes,
  BATCH_HEADER_BYTES,
  BATCH_LOG_OVERHEAD,
  BatchOffsets,
  Compression,
  isBatchCrcValid,
  readBatchHeader,
} from './batch-header.js'
import { DecompressedTooLargeError, InvalidRecordError, isRecordBatchError } from '../core/index.js'
import {
  DECOMPRESSED_BYTES_MAX_DEFAULT,
  declaredDecompressedBytes,
  decompress,
  decompressedBytesAtMost,
  decompressAsync,
} from './compression.js'
import { RecordScanner, type RecordScanRules } from './record-scanner.js'
import { RECORD_BYTES_MIN } from './records.js'

/** The Kafka error codes this validator answers (values from Kafka's Errors). */
export const ProduceValidationError = {
  NONE: 0,
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
  REQUEST_TIMED_OUT: 7,
} as const
export type ProduceValidationErrorCode = (typeof ProduceValidationError)[keyof typeof ProduceValidationError]

/** Topic settings and request facts the checks depend on. */
export interface ProduceValidationOptions {
  /** Version of the Produce request; zstd needs 7 or more. */
  produceVersion: number
  /** The topic's max.message.bytes: the largest batch accepted, counting all its bytes. */
  maxMessageBytes: number
  /** cleanup.policy includes compact: every record needs a key. */
  compacted?: boolean
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
  /**
   * Async validation of an accepted batch returns its decoded records (`decoded`) and keeps their room in
   * the broker-wide budget until `release()`: for a topic that recompresses them.
   */
  keepDecoded?: boolean
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
  /** With `keepDecoded`, on success: the batch's records, decompressed. */
  decoded?: Buffer
  /** With `keepDecoded`, on success: frees the decoded records' room in the budget; call it once. */
  release?: () => void
}

function fail(
  errorCode: ProduceValidationErrorCode,
  errorMessage: string,
  batch: ProducedBatchInfo | null = null,
  recordErrors: RecordError[] = [],
): ProduceValidationResult {
  return { errorCode, errorMessage, recordErrors, batch }
}

/** The checks on the batch header and framing; the records come after. */
function checkBatchHeader(
  records: Buffer | null,
  options: ProduceValidationOptions,
): ProduceValidationResult | CheckedHeader {
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
  // int64 header fields are kept as numbers: one beyond ±(2^53-1) is only held rounded, and 2^63-1 cannot
  // be written back (the time index stores maxTimestamp). Kafka-written values never come near.
  if (!Number.isSafeInteger(header.baseTimestamp) || !Number.isSafeInteger(header.maxTimestamp)) {
    return fail(ProduceValidationError.INVALID_TIMESTAMP, 'batch timestamp is beyond 2^53', batch)
  }
  if (!Number.isSafeInteger(header.producerId)) {
    return fail(ProduceValidationError.INVALID_RECORD, 'producerId is beyond 2^53', batch)
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
  const timestampWindow = checkTimestamps
    ? {
        firstMs: options.nowMs! - (options.timestampBeforeMaxMs ?? Number.POSITIVE_INFINITY),
        lastMs: options.nowMs! + (options.timestampAfterMaxMs ?? Number.POSITIVE_INFINITY),
      }
    : undefined
  return {
    batch,
    codec,
    recordsCount: header.recordsCount,
    rules: { keyRequired: options.compacted === true, baseTimestamp: header.baseTimestamp, timestampWindow },
  }
}

/** A batch whose header passed: what the record checks need. */
interface CheckedHeader {
  batch: ProducedBatchInfo
  codec: number
  recordsCount: number
  rules: RecordScanRules
}

function isCheckedHeader(value: ProduceValidationResult | CheckedHeader): value is CheckedHeader {
  return 'rules' in value
}

/** The answer for a payload that would not decompress or whose records are malformed. */
function recordsFailure(error: unknown, batch: ProducedBatchInfo): ProduceValidationResult {
  if (!isRecordBatchError(error)) throw error
  // A batch whose CRC holds but whose payload will not decompress is corrupt; malformed records inside a
  // checksummed batch are invalid, as in Kafka's DefaultRecord.readFrom. A payload inflating past its
  // bound or the request's budget is too large (a non-retriable answer, unlike CORRUPT_MESSAGE).
  const errorCode =
    error instanceof InvalidRecordError
      ? ProduceValidationError.INVALID_RECORD
      : error instanceof DecompressedTooLargeError
        ? ProduceValidationError.MESSAGE_TOO_LARGE
        : ProduceValidationError.CORRUPT_MESSAGE
  return fail(errorCode, error.message, batch)
}

/** The answer once every record was scanned (or the scan stopped at the error cap). */
function scanResult(scanner: RecordScanner, batch: ProducedBatchInfo): ProduceValidationResult {
  if (scanner.findings.length === 0) {
    return { errorCode: ProduceValidationError.NONE, errorMessage: null, recordErrors: [], batch }
  }
  const recordErrors = scanner.findings.map((f) => ({
    batchIndex: f.batchIndex,
    message:
      f.problem === 'keyMissing'
        ? 'compacted topic cannot accept a record without a key'
        : 'record timestamp is outside the accepted window',
  }))
  if (scanner.findings.some((f) => f.problem === 'keyMissing')) {
    return fail(
      ProduceValidationError.INVALID_RECORD,
      'compacted topic cannot accept records without a key',
      batch,
      recordErrors,
    )
  }
  return fail(
    ProduceValidationError.INVALID_TIMESTAMP,
    'record timestamp is outside the accepted window',
    batch,
    recordErrors,
  )
}

/**
 * Validates the `records` field of one partition of a Produce request (v3+: exactly one magic-2 batch)
 * against `options`: the header, then every record (decompressed), as Kafka does. Never throws for
 * malformed client bytes; returns the Kafka error code to answer. Runs to the end on the caller's turn;
 * the broker uses `validateProducedBatchesAsync`.
 */
export function validateProducedBatches(
  records: Buffer | null,
  options: ProduceValidationOptions,
): ProduceValidationResult {
  const checked = checkBatchHeader(records, options)
  if (!isCheckedHeader(checked)) return checked
  const { batch, codec } = checked
  try {
    const payload = (records as Buffer).subarray(BATCH_HEADER_BYTES)
    const body = decompress(codec, payload, options.decompressedBytesMax ?? DECOMPRESSED_BYTES_MAX_DEFAULT)
    const scanner = new RecordScanner(body, checked.recordsCount, checked.rules)
    scanner.scan(Number.POSITIVE_INFINITY)
    return scanResult(scanner, batch)
  } catch (error) {
    return recordsFailure(error, batch)
  }
}

/** Decompressed bytes the batches of one Produce request may still inflate to, all partitions together. */
export interface DecompressionBudget {
  bytesLeft: number
  /**
   * Broker-wide room for decompressed bytes (#7): reserves up to `bytes` before a batch decompresses;
   * resolves with a lease, or null when no room came in time (answered REQUEST_TIMED_OUT, retriable).
   */
  reserve?: (bytes: number) => Promise<DecompressionLease | null>
}

/** Room held in a broker-wide decompression budget: shrunk to the real size, released after the scan. */
export interface DecompressionLease {
  /** Bytes granted (at most the broker-wide budget); decompression is bounded by it. */
  readonly bytes: number
  shrink(toBytes: number): void
  release(): void
}

/** Default of a DecompressionBudget per Produce request: 256 MiB. */
export const PRODUCE_DECOMPRESSED_BYTES_MAX_DEFAULT = 256 * 1024 * 1024

/** Records checked between two pauses: a few milliseconds of work. */
const RECORDS_PER_SLICE = 20_000

/** Batch bytes (checksummed, copied, appended) that count as the work of checking one record. */
const BYTES_PER_RECORD_OF_WORK = 256

/**
 * The fixed work of one partition of a request (its log and settings looked up, a batch header checked,
 * an error built, an answer entry) in records of work: ~25-40 µs, where a record takes ~0.15 µs. Without it
 * a Produce of 99,000 partitions of tiny corrupt batches counted 99,000 records and ran ~1 s in one slice.
 */
const PARTITION_WORK_RECORDS = 200

/**
 * Spreads the validation of one Produce request over turns of the event loop (#7). Every partition of
 * the request draws on the same slice: records checked, plus batch bytes at one record per
 * BYTES_PER_RECORD_OF_WORK; when the slice is used up, `pause()` gives other connections a turn. A slice
 * per batch let a request of 400 uncompressed batches of 20,000 records check 8 million records in one
 * turn (480 ms of CPU, a bystander waited 1.3-3.5 s on a loaded machine).
 */
export class ValidationPacer {
  #left: number
  readonly #pause: () => Promise<void>
  readonly #recordsPerSlice: number

  constructor(pause: () => Promise<void>, recordsPerSlice = RECORDS_PER_SLICE) {
    this.#pause = pause
    this.#recordsPerSlice = recordsPerSlice
    this.#left = recordsPerSlice
  }

  /** Records of work the current slice still allows (at least 1). */
  get recordsLeft(): number {
    return Math.max(1, this.#left)
  }

  /** Counts `records` of work done; true when the slice is used up and the caller should `pause()`. */
  spend(records: number): boolean {
    this.#left -= records
    return this.#left <= 0
  }

  /** Counts the work of handling `bytes` of batch; true when the caller should `pause()`. */
  spendBytes(bytes: number): boolean {
    return this.spend(Math.ceil(bytes / BYTES_PER_RECORD_OF_WORK))
  }

  /** Counts the fixed work of one partition of a request; true when the caller should `pause()`. */
  spendPartition(): boolean {
    return this.spend(PARTITION_WORK_RECORDS)
  }

  /** Gives other connections a turn and starts a new slice. */
  async pause(): Promise<void> {
    await this.#pause()
    this.#left = this.#recordsPerSlice
  }
}

/**
 * Like `validateProducedBatches`, without holding the event loop for long: decompression runs off it or
 * in slices (`decompressAsync`), records are checked in slices shared by the partitions of one request
 * (`pacer`) with a pause between them, and decompressed bytes are taken from `budget`, shared likewise.
 */
export async function validateProducedBatchesAsync(
  records: Buffer | null,
  options: ProduceValidationOptions,
  budget: DecompressionBudget,
  pacer: ValidationPacer,
): Promise<ProduceValidationResult> {
  // The checksum, and the copy and append that follow an accepted batch, cost in proportion to its bytes.
  if (records !== null && pacer.spendBytes(records.length)) await pacer.pause()
  const checked = checkBatchHeader(records, options)
  if (!isCheckedHeader(checked)) return checked
  const { batch, codec } = checked
  let lease: DecompressionLease | null = null
  try {
    const payload = (records as Buffer).subarray(BATCH_HEADER_BYTES)
    let body = payload
    if (codec !== Compression.none) {
      const perBatch = options.decompressedBytesMax ?? DECOMPRESSED_BYTES_MAX_DEFAULT
      let maxBytes = Math.min(perBatch, budget.bytesLeft)
      // A payload that states its size (snappy, zstd with a content size, a gzip trailer) is refused at
      // once when that is over the bound, and one that states it exactly reserves only that: the decoder
      // holds it to it (#7). LZ4 reserves at most what its blocks can hold. Otherwise the whole bound is
      // reserved; either is shrunk to the real size once known and held until the records are checked.
      const declared = declaredDecompressedBytes(codec, payload)
      if (declared !== null) {
        if (declared.bytes > maxBytes) {
          return fail(
            ProduceValidationError.MESSAGE_TOO_LARGE,
            `batch declares ${declared.bytes} decompressed bytes, over the bound of ${maxBytes}`,
            batch,
          )
        }
        if (declared.exact) maxBytes = declared.bytes
      }
      maxBytes = Math.min(maxBytes, decompressedBytesAtMost(codec, payload) ?? maxBytes)
      if (budget.reserve !== undefined) {
        lease = await budget.reserve(maxBytes)
        if (lease === null) {
          return fail(
            ProduceValidationError.REQUEST_TIMED_OUT,
            'the broker is decompressing too much at once; retry later',
            batch,
          )
        }
        maxBytes = Math.min(maxBytes, lease.bytes)
      }
      body = await decompressAsync(codec, payload, maxBytes, () => pacer.pause())
      budget.bytesLeft -= body.length
      lease?.shrink(body.length)
    }
    const scanner = new RecordScanner(body, checked.recordsCount, checked.rules)
    for (;;) {
      const before = scanner.checked
      const done = scanner.scan(pacer.recordsLeft)
      if (pacer.spend(scanner.checked - before)) await pacer.pause()
      if (done) break
    }
    const result = scanResult(scanner, batch)
    if (options.keepDecoded === true && result.errorCode === ProduceValidationError.NONE) {
      const kept = lease
      lease = null
      result.decoded = body
      result.release = () => kept?.release()
    }
    return result
  } catch (error) {
    return recordsFailure(error, batch)
  } finally {
    lease?.release()
  }
}
