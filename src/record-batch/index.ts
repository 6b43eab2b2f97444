// RecordBatch v2: header view, CRC-32C, records and compression codecs.
export {
  Attributes,
  BATCH_HEADER_BYTES,
  BATCH_LOG_OVERHEAD,
  BatchOffsets,
  type BatchHeader,
  Compression,
  type CompressionCodec,
  batchSizeAt,
  computeBatchCrc,
  isBatchCrcValid,
  readBatchHeader,
  readInt64,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  writeInt64,
} from './batch-header.js'
export { crc32c, crc32cPortable } from './crc32c.js'
