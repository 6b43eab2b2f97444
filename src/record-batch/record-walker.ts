// Walks the records of one stored batch in place, without an object per record, for readers that want a
// few records out of a batch that may hold millions (ListOffsets' exact record, dead-letter copies, #7):
// decompression off the event loop or in slices, the walk in slices with a pause between them.
import {
  Attributes,
  BATCH_HEADER_BYTES,
  type BatchHeader,
  Compression,
  readBatchHeader,
} from './batch-header.js'
import { checkBatchToDecode, type DecodedRecord } from './batch-reader.js'
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
import { type RecordFrame, readRecordFrame } from './record-scanner.js'
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
  /** Milliseconds since the epoch: baseTimestamp + frame.timestampDelta, or maxTimestamp for LogAppendTime. */
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
  checkBatchToDecode(batch, options.verifyCrc)
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
  const frame: RecordFrame = { timestampDelta: 0, offsetDelta: 0, keyLength: 0 }
  let sliceLeft = perSlice
  for (let i = 0; i < count; i++) {
    if (sliceLeft === 0) {
      await options.pause()
      sliceLeft = perSlice
    }
    sliceLeft--
    const start = reader.offset
    readRecordFrame(reader, end, frame)
    cursor.start = start
    cursor.offset = baseOffset + frame.offsetDelta
    cursor.timestampMs = logAppendTime ? maxTimestamp : baseTimestamp + frame.timestampDelta
    if (visit(cursor)) return { outcome: 'stopped', header, visited: i + 1 }
  }
  if (reader.offset !== end) {
    throw invalidRecord(`${end - reader.offset} bytes left after the batch's ${count} records`)
  }
  return { outcome: 'complete', header, visited: count }
}
