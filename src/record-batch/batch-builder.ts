// Builds RecordBatch v2 buffers from records: used by tests, the in-process SDK, benchmarks and the broker
// when it writes transaction markers. The result is a complete batch with a valid CRC-32C.
import { assert } from '../core/index.js'
import {
  Attributes,
  BATCH_HEADER_BYTES,
  BATCH_LOG_OVERHEAD,
  BatchOffsets,
  Compression,
  type CompressionCodec,
  computeBatchCrc,
  writeInt64,
} from './batch-header.js'
import { compress } from './compression.js'
import { encodeRecords, type Record } from './records.js'

/** Bytes or text; text is encoded as UTF-8. */
export type BytesInput = Buffer | string | null | undefined

/** One record to build. Absent timestampMs means the builder's `nowMs`. */
export interface BatchRecordInput {
  key?: BytesInput
  value?: BytesInput
  headers?: readonly { key: string; value?: BytesInput }[]
  /** Milliseconds since the epoch. */
  timestampMs?: number
}

/** Batch-level settings; every field has Kafka's "none" default (-1 ids, no compression, CreateTime). */
export interface BuildBatchOptions {
  baseOffset?: number
  partitionLeaderEpoch?: number
  compression?: CompressionCodec
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
  isTransactional?: boolean
  isControl?: boolean
  /** Sets the LogAppendTime attribute; maxTimestamp then is `logAppendTimeMs` (default `nowMs`). */
  logAppendTime?: boolean
  logAppendTimeMs?: number
  /** Timestamp for records that carry none, in ms; defaults to Date.now(). */
  nowMs?: number
}

function toBytes(input: BytesInput): Buffer | null {
  if (input === null || input === undefined) return null
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input
}

/**
 * Builds one RecordBatch v2 holding `records` (at least one) with offsetDeltas 0..n-1, compressed with
 * `options.compression`, and returns it as a new buffer with its CRC set.
 */
export function buildRecordBatch(
  records: readonly BatchRecordInput[],
  options: BuildBatchOptions = {},
): Buffer {
  assert(records.length > 0, 'a record batch holds at least one record')
  const nowMs = options.nowMs ?? Date.now()
  const timestamps = records.map((record) => record.timestampMs ?? nowMs)
  const baseTimestamp = timestamps[0]
  let maxTimestamp = baseTimestamp
  for (const timestamp of timestamps) if (timestamp > maxTimestamp) maxTimestamp = timestamp
  const decoded: Record[] = records.map((record, i) => ({
    offsetDelta: i,
    timestampDelta: timestamps[i] - baseTimestamp,
    key: toBytes(record.key),
    value: toBytes(record.value),
    headers: (record.headers ?? []).map((header) => ({ key: header.key, value: toBytes(header.value) })),
  }))
  const codec = options.compression ?? Compression.none
  let attributes = codec
  if (options.logAppendTime) {
    attributes |= Attributes.logAppendTime
    maxTimestamp = options.logAppendTimeMs ?? nowMs
  }
  if (options.isTransactional) attributes |= Attributes.transactional
  if (options.isControl) attributes |= Attributes.control
  return assembleBatch(compress(codec, encodeRecords(decoded)), {
    baseOffset: options.baseOffset ?? 0,
    partitionLeaderEpoch: options.partitionLeaderEpoch ?? -1,
    attributes,
    lastOffsetDelta: records.length - 1,
    baseTimestamp,
    maxTimestamp,
    producerId: options.producerId ?? -1,
    producerEpoch: options.producerEpoch ?? -1,
    baseSequence: options.baseSequence ?? -1,
    recordsCount: records.length,
  })
}

/** Header fields assembleBatch writes; batchLength, magic and crc are derived. */
export interface AssembleBatchFields {
  baseOffset: number
  partitionLeaderEpoch: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordsCount: number
}

/** Writes a batch header (magic 2, CRC computed) in front of already encoded, maybe compressed, records. */
export function assembleBatch(recordsBytes: Buffer, fields: AssembleBatchFields): Buffer {
  const batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + recordsBytes.length)
  writeInt64(batch, fields.baseOffset, BatchOffsets.baseOffset)
  batch.writeInt32BE(batch.length - BATCH_LOG_OVERHEAD, BatchOffsets.batchLength)
  batch.writeInt32BE(fields.partitionLeaderEpoch, BatchOffsets.partitionLeaderEpoch)
  batch.writeInt8(2, BatchOffsets.magic)
  batch.writeInt16BE(fields.attributes, BatchOffsets.attributes)
  batch.writeInt32BE(fields.lastOffsetDelta, BatchOffsets.lastOffsetDelta)
  writeInt64(batch, fields.baseTimestamp, BatchOffsets.baseTimestamp)
  writeInt64(batch, fields.maxTimestamp, BatchOffsets.maxTimestamp)
  writeInt64(batch, fields.producerId, BatchOffsets.producerId)
  batch.writeInt16BE(fields.producerEpoch, BatchOffsets.producerEpoch)
  batch.writeInt32BE(fields.baseSequence, BatchOffsets.baseSequence)
  batch.writeInt32BE(fields.recordsCount, BatchOffsets.recordsCount)
  recordsBytes.copy(batch, BATCH_HEADER_BYTES)
  batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc)
  return batch
}

/** Control record types (the int16 `type` in a control record's key). */
export const ControlRecordType = { abort: 0, commit: 1 } as const
export type ControlRecordTypeValue = (typeof ControlRecordType)[keyof typeof ControlRecordType]

/** Settings of a transaction marker batch. */
export interface ControlBatchOptions {
  type: ControlRecordTypeValue
  producerId: number
  producerEpoch: number
  coordinatorEpoch?: number
  /** Milliseconds since the epoch. */
  timestampMs: number
  baseOffset?: number
  partitionLeaderEpoch?: number
}

/**
 * Builds a transaction marker: a transactional control batch of one record whose key is
 * (version 0, type) and whose value is (version 0, coordinatorEpoch).
 */
export function buildControlBatch(options: ControlBatchOptions): Buffer {
  const key = Buffer.alloc(4)
  key.writeInt16BE(0, 0)
  key.writeInt16BE(options.type, 2)
  const value = Buffer.alloc(6)
  value.writeInt16BE(0, 0)
  value.writeInt32BE(options.coordinatorEpoch ?? 0, 2)
  return buildRecordBatch([{ key, value, timestampMs: options.timestampMs }], {
    baseOffset: options.baseOffset ?? 0,
    partitionLeaderEpoch: options.partitionLeaderEpoch ?? -1,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: -1,
    isTransactional: true,
    isControl: true,
    nowMs: options.timestampMs,
  })
}
