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
export {
  type AssembleBatchFields,
  assembleBatch,
  type BatchRecordInput,
  type BuildBatchOptions,
  type BytesInput,
  buildControlBatch,
  buildRecordBatch,
  type ControlBatchOptions,
  ControlRecordType,
  type ControlRecordTypeValue,
} from './batch-builder.js'
export {
  type BatchSlice,
  type ControlRecord,
  type DecodeBatchOptions,
  type DecodedBatch,
  type DecodedRecord,
  decodeBatch,
  decodeBatchAs,
  type DecodedRecordMaker,
  type IterateBatchesOptions,
  iterateBatches,
  parseControlRecord,
  readBatchRecords,
  TimestampType,
  type TimestampTypeValue,
} from './batch-reader.js'
export {
  type CompressionLevel,
  compress,
  compressSnappyRaw,
  compressSnappyXerial,
  DECOMPRESSED_BYTES_MAX_DEFAULT,
  decompress,
  decompressAsync,
  declaredDecompressedBytes,
  isCodecAvailable,
  isXerialSnappy,
  XERIAL_MAGIC,
} from './compression.js'
export { decompressLz4FramesPortable, scanLz4Frames } from './lz4-frame.js'
export {
  decodeRecords,
  decodeRecordsAs,
  encodeRecords,
  RECORD_BYTES_MIN,
  type Record,
  type RecordHeader,
  type RecordMaker,
  readRecord,
  readRecordAs,
  sizeOfRecords,
} from './records.js'
export { RECORD_ERRORS_MAX, RecordScanner, type RecordScanRules } from './record-scanner.js'
export {
  type RecordVisitor,
  type RecordWalkOptions,
  type RecordWalkResult,
  WALK_RECORDS_PER_SLICE,
  type WalkedRecord,
  walkBatchRecords,
} from './record-walker.js'
export { recompressBatch, recompressBatchAsync, TOPIC_COMPRESSION_CODECS } from './recompress.js'
export {
  type DecompressionBudget,
  type DecompressionLease,
  PRODUCE_DECOMPRESSED_BYTES_MAX_DEFAULT,
  type ProducedBatchInfo,
  ProduceValidationError,
  type ProduceValidationErrorCode,
  type ProduceValidationOptions,
  type ProduceValidationResult,
  type RecordError,
  validateProducedBatches,
  validateProducedBatchesAsync,
  ValidationPacer,
} from './validate.js'
export {
  encodeVarint,
  encodeVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  VarintReader,
  writeVarint,
  writeVarlong,
} from './varint.js'
