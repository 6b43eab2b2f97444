// Walks the records of one stored batch in place, without an object per record, for readers that want a
// few records out of a batch that may hold millions (ListOffsets' exact record, dead-letter copies, #7):
// decompression off the event loop or in slices, the walk in slices with a pause between them.
import {
  Attributes,
  BATCH_HEADER_BYTES,
  BATCH_LOG_OVERHEAD,
  BatchOffsets,
  type BatchHeader,
  Compression,
  isBatchCrcValid,
  readBatchHeader,
} from './batch-header.js'
import type { DecodedRecord } from './batch-reader.js'
import { DecompressedTooLargeError } from '../core/index.js'
import {
  DECOMPRESSED_BYTES_MAX_DEFAULT,
  declaredDecompressedBytes,
  decompressAsync,
  decompressedBytesAtMost,
} from './compression.js'
import { invalidRecord } from './errors.js'
import { RECORD_BYTES_MIN, readRecordAs } from './records.js'
import type { DecompressionLease } from './validate.js'
import { VarintReader } from './varint.js'

/** Records walked between two pauses: a few milliseconds of work, as RecordScanner's slices. */
export const WALK_RECORDS_PER_SLICE = 20_000

/** How a walk goes about its work. */
export interface RecordWalkOptions {
  /** Gives other work a turn: called between slices of decompression and of the walk. */
  pause: () => Promise<void>
  /** Bound on decompressed bytes (default 128 MiB, the bound per batch of Produce). */
  decompressedBytesMax?: number
  /**
   * Room for the decompressed bytes in a broker-wide budget, reserved before decompressing (no more than
   * the payload can inflate to) and released when the walk ends; null: no room came in time.
   */
  reserve?: (bytes: number) => Promise<DecompressionLease | null>
  /** Check the CRC first (default true, as decodeBatch). */
  verifyCrc?: boolean
  /** Records walked between two pauses (default WALK_RECORDS_PER_SLICE). */
  recordsPerSlice?: number
}

/**
 * The record under the walk, one object reused for every record: read its fields in the visitor, do not
 * keep it. `decode()` builds the whole record (key, value and header values are views into the
 * decompressed batch).
 */
export interface WalkedRecord {
  /** baseOffset + offsetDelta. */
  readonly offset: number
  /** Milliseconds since the epoch: baseTimestamp + timestampDelta, or maxTimestamp for LogAppendTime. */
  readonly timestampMs: number
  decode(): DecodedRecord
}

/** Called for each record in order; true stops the walk after this record. */
export type RecordVisitor = (record: WalkedRecord) => boolean

/** How a walk ended. */
export interface RecordWalkResult {
  /** complete: every record visited; stopped: the visitor said so; noRoom: `reserve` gave no room. */
  outcome: 'complete' | 'stopped' | 'noRoom'
  header: BatchHeader
  /** Records visited. */
  visited: number
}

class Cursor implements WalkedRecord {
  offset = 0
  timestampMs = 0
  start = 0
  constructor(
    private readonly body: Buffer,
    private readonly end: number,
  ) {}

  decode(): DecodedRecord {
    const { offset, timestampMs } = this
    return readRecordAs(
      new VarintReader(this.body, this.start, this.end),
      (offsetDelta, timestampDelta, key, value, headers): DecodedRecord => ({
        offsetDelta,
        timestampDelta,
        key,
        value,
        headers,
        offset,
        timestampMs,
      }),
    )
  }
}

/**
 * Walks the records of `batch` (exactly one batch) in order, giving `visit` each one's absolute offset and
 * timestamp, until the visitor returns true or the records end. Raises the record-batch errors for what
 * decodeBatch refuses (framing, CRC if checked, corrupt or oversized payload); a malformed record is
 * reported when the walk reaches it.
 */
export async function walkBatchRecords(
  batch: Buffer,
  visit: RecordVisitor,
  options: RecordWalkOptions,
): Promise<RecordWalkResult> {
  if (batch.length < BATCH_HEADER_BYTES)
    throw invalidRecord(`batch of ${batch.length} bytes is shorter than its header`)
  if (batch.readInt32BE(BatchOffsets.batchLength) + BATCH_LOG_OVERHEAD !== batch.length) {
    throw invalidRecord('batch length field does not match the batch size')
  }
  if (batch.readInt8(BatchOffsets.magic) !== 2) throw invalidRecord('only magic 2 batches can be decoded')
  if (options.verifyCrc !== false && !isBatchCrcValid(batch)) throw invalidRecord('batch CRC does not match')
  const header = readBatchHeader(batch)
  const codec = header.attributes & Attributes.codecMask
  const payload = batch.subarray(BATCH_HEADER_BYTES)
  let lease: DecompressionLease | null = null
  try {
    let body = payload
    if (codec !== Compression.none) {
      let maxBytes = options.decompressedBytesMax ?? DECOMPRESSED_BYTES_MAX_DEFAULT
      // Reserve no more than the payload can inflate to: its stated size, or its LZ4 blocks' maxima.
      const declared = declaredDecompressedBytes(codec, payload)
      if (declared !== null) {
        if (declared.bytes > maxBytes) {
          throw new DecompressedTooLargeError(
            `batch declares ${declared.bytes} decompressed bytes, over the bound of ${maxBytes}`,
          )
        }
        if (declared.exact) maxBytes = declared.bytes
      }
      maxBytes = Math.min(maxBytes, decompressedBytesAtMost(codec, payload) ?? maxBytes)
      if (options.reserve !== undefined) {
        lease = await options.reserve(maxBytes)
        if (lease === null) return { outcome: 'noRoom', header, visited: 0 }
        maxBytes = Math.min(maxBytes, lease.bytes)
      }
      body = await decompressAsync(codec, payload, maxBytes, options.pause)
      lease?.shrink(body.length)
    }
    return await walkRecords(body, header, visit, options)
  } finally {
    lease?.release()
  }
}

/** The walk proper over decompressed records; checks as decodeRecords does, record by record. */
async function walkRecords(
  body: Buffer,
  header: BatchHeader,
  visit: RecordVisitor,
  options: RecordWalkOptions,
): Promise<RecordWalkResult> {
  const count = header.recordsCount
  const end = body.length
  if (!Number.isInteger(count) || count < 0) throw invalidRecord(`invalid record count ${count}`)
  if (count > end / RECORD_BYTES_MIN) throw invalidRecord(`record count ${count} cannot fit in ${end} bytes`)
  const logAppendTime = (header.attributes & Attributes.logAppendTime) !== 0
  const { baseOffset, baseTimestamp, maxTimestamp } = header
  const perSlice = Math.max(1, options.recordsPerSlice ?? WALK_RECORDS_PER_SLICE)
  const reader = new VarintReader(body, 0, end)
  const cursor = new Cursor(body, end)
  let sliceLeft = perSlice
  for (let i = 0; i < count; i++) {
    if (sliceLeft === 0) {
      await options.pause()
      sliceLeft = perSlice
    }
    sliceLeft--
    const start = reader.offset
    const length = reader.readVarint()
    if (length < RECORD_BYTES_MIN - 1 || length > reader.remaining) {
      throw invalidRecord(`record length ${length} is invalid with ${reader.remaining} bytes left`)
    }
    const recordEnd = reader.offset + length
    reader.end = recordEnd
    reader.readInt8() // attributes
    const timestampDelta = reader.readVarlong()
    const offsetDelta = reader.readVarint()
    const keyLength = reader.readVarint()
    if (keyLength < -1) throw invalidRecord(`record key length ${keyLength} is negative`)
    if (keyLength > 0) reader.skip(keyLength)
    const valueLength = reader.readVarint()
    if (valueLength < -1) throw invalidRecord(`record value length ${valueLength} is negative`)
    if (valueLength > 0) reader.skip(valueLength)
    const headerCount = reader.readVarint()
    if (headerCount < 0 || headerCount > reader.remaining / 2) {
      throw invalidRecord(`header count ${headerCount} is invalid with ${reader.remaining} bytes left`)
    }
    for (let h = 0; h < headerCount; h++) {
      const headerKeyLength = reader.readVarint()
      if (headerKeyLength < 0) throw invalidRecord('record header key is null')
      reader.skip(headerKeyLength)
      const headerValueLength = reader.readVarint()
      if (headerValueLength < -1)
        throw invalidRecord(`record header value length ${headerValueLength} is negative`)
      if (headerValueLength > 0) reader.skip(headerValueLength)
    }
    if (reader.offset !== recordEnd) {
      throw invalidRecord(
        `record declares ${length} bytes but its fields end ${recordEnd - reader.offset} early`,
      )
    }
    reader.end = end
    cursor.start = start
    cursor.offset = baseOffset + offsetDelta
    cursor.timestampMs = logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta
    if (visit(cursor)) return { outcome: 'stopped', header, visited: i + 1 }
  }
  if (reader.offset !== end) {
    throw invalidRecord(`${end - reader.offset} bytes left after the batch's ${count} records`)
  }
  return { outcome: 'complete', header, visited: count }
}
