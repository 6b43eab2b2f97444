// Builds CRC-valid RecordBatch v2 byte buffers for tests. The records section is opaque filler: storage
// never decodes records, so only the header fields and the CRC need to be right.
import { BATCH_HEADER_BYTES, BatchOffsets, computeBatchCrc, writeInt64 } from '../record-batch/index.js'

/** Fields of a test batch; sizes in bytes, times in epoch ms. */
export interface TestBatchOptions {
  recordsCount?: number
  /** Bytes after the 61-byte header. */
  payloadBytes?: number
  baseTimestampMs?: number
  maxTimestampMs?: number
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
  /** Byte used to fill the payload (varied so batches differ). */
  fill?: number
}

/** A RecordBatch v2 with baseOffset 0, magic 2, and a correct CRC-32C. */
export function makeTestBatch(options: TestBatchOptions = {}): Buffer {
  const recordsCount = options.recordsCount ?? 1
  const payloadBytes = options.payloadBytes ?? 16
  const batch = Buffer.alloc(BATCH_HEADER_BYTES + payloadBytes, options.fill ?? 0x61)
  const baseTimestampMs = options.baseTimestampMs ?? 1_700_000_000_000
  writeInt64(batch, 0, BatchOffsets.baseOffset)
  batch.writeInt32BE(batch.length - 12, BatchOffsets.batchLength)
  batch.writeInt32BE(0, BatchOffsets.partitionLeaderEpoch)
  batch.writeInt8(2, BatchOffsets.magic)
  batch.writeInt16BE(0, BatchOffsets.attributes)
  batch.writeInt32BE(recordsCount - 1, BatchOffsets.lastOffsetDelta)
  writeInt64(batch, baseTimestampMs, BatchOffsets.baseTimestamp)
  writeInt64(batch, options.maxTimestampMs ?? baseTimestampMs, BatchOffsets.maxTimestamp)
  writeInt64(batch, options.producerId ?? -1, BatchOffsets.producerId)
  batch.writeInt16BE(options.producerEpoch ?? -1, BatchOffsets.producerEpoch)
  batch.writeInt32BE(options.baseSequence ?? -1, BatchOffsets.baseSequence)
  batch.writeInt32BE(recordsCount, BatchOffsets.recordsCount)
  batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc)
  return batch
}
