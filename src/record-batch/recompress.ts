// Topic compression.type on append: a batch whose codec differs from the topic's is rewritten in the topic's
// codec, as Kafka does; header fields (offsets span, timestamps, producer id, epoch, sequence, attributes
// other than the codec) stay, and the CRC is computed again.
import { assembleBatch } from './batch-builder.js'
import {
  Attributes,
  BATCH_HEADER_BYTES,
  BatchOffsets,
  type CompressionCodec,
  readInt64,
} from './batch-header.js'
import {
  type CompressionLevel,
  compress,
  compressAsync,
  DECOMPRESSED_BYTES_MAX_DEFAULT,
  decompress,
} from './compression.js'

/** Kafka's topic compression.type values and the codec each stores; `producer` keeps the batch's. */
export const TOPIC_COMPRESSION_CODECS: Readonly<Record<string, CompressionCodec | undefined>> = {
  producer: undefined,
  uncompressed: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
}

/**
 * `batch` (one whole RecordBatch v2) with its records in `codec`; the batch itself when already in it.
 * Raises RecordBatchError when the records are corrupt or decompress past `decompressedBytesMax`.
 */
export function recompressBatch(
  batch: Buffer,
  codec: CompressionCodec,
  decompressedBytesMax: number = DECOMPRESSED_BYTES_MAX_DEFAULT,
): Buffer {
  const attributes = batch.readInt16BE(BatchOffsets.attributes)
  const current = attributes & Attributes.codecMask
  if (current === codec) return batch
  const records = decompress(current, batch.subarray(BATCH_HEADER_BYTES), decompressedBytesMax)
  return withRecords(batch, codec, compress(codec, records))
}

/**
 * Like `recompressBatch`, without holding the event loop (`compressAsync`), from the batch's records
 * already decoded (the produce validation's output, so they are not inflated twice), at the topic's `level`
 * for the codec (compression.gzip.level, compression.zstd.level).
 */
export async function recompressBatchAsync(
  batch: Buffer,
  codec: CompressionCodec,
  records: Buffer,
  pause: () => Promise<void>,
  level: CompressionLevel = undefined,
): Promise<Buffer> {
  const current = batch.readInt16BE(BatchOffsets.attributes) & Attributes.codecMask
  if (current === codec) return batch
  return withRecords(batch, codec, await compressAsync(codec, records, pause, level))
}

/** `batch`'s header around `compressed`, records in `codec`, CRC computed. */
function withRecords(batch: Buffer, codec: CompressionCodec, compressed: Buffer): Buffer {
  const attributes = batch.readInt16BE(BatchOffsets.attributes)
  return assembleBatch(compressed, {
    baseOffset: readInt64(batch, BatchOffsets.baseOffset),
    partitionLeaderEpoch: batch.readInt32BE(BatchOffsets.partitionLeaderEpoch),
    attributes: (attributes & ~Attributes.codecMask) | codec,
    lastOffsetDelta: batch.readInt32BE(BatchOffsets.lastOffsetDelta),
    baseTimestamp: readInt64(batch, BatchOffsets.baseTimestamp),
    maxTimestamp: readInt64(batch, BatchOffsets.maxTimestamp),
    producerId: readInt64(batch, BatchOffsets.producerId),
    producerEpoch: batch.readInt16BE(BatchOffsets.producerEpoch),
    baseSequence: batch.readInt32BE(BatchOffsets.baseSequence),
    recordsCount: batch.readInt32BE(BatchOffsets.recordsCount),
  })
}
