// Record batches for fuzzed Produce requests: valid ones with every codec, then bombs (a small batch that
// inflates past the decompression bound, or into millions of tiny records), poison records under a good
// CRC, damaged headers, control batches and plain garbage. Bombs are compressed once and reused.
import {
  Attributes,
  BATCH_HEADER_BYTES,
  BatchOffsets,
  Compression,
  type CompressionCodec,
  assembleBatch,
  buildControlBatch,
  buildRecordBatch,
  compress,
  computeBatchCrc,
  encodeRecords,
  isCodecAvailable,
  writeInt64,
  writeVarint,
} from '../../src/record-batch/index.js'
import type { SeededRandom } from '../../src/testing/index.js'
import type { FuzzTopic } from './request-values.js'

/** Bytes a bomb inflates to when it carries one zero-filled value: above the 128 MiB bound per batch. */
export const BOMB_VALUE_BYTES = 160 * 1024 * 1024
/** Records in a bomb of tiny null-key records (each 7-10 bytes before compression). */
export const BOMB_RECORDS = 2_000_000
/** Most bytes of bombs put into one records field (copies of one bomb, as in the 248-copy attack). */
const BOMB_COPIES_BYTES_MAX = 4 * 1024 * 1024

const CODECS: readonly CompressionCodec[] = [
  Compression.none,
  Compression.gzip,
  Compression.snappy,
  Compression.lz4,
  Compression.zstd,
]

interface Bomb {
  name: string
  batch: Buffer
}

/** Makes the `records` values of fuzzed Produce requests. */
export class BatchFactory {
  readonly codecs: readonly CompressionCodec[]
  private readonly bombs: Bomb[] = []
  private nowMs = 0

  constructor(options: { bombs: boolean }) {
    this.codecs = CODECS.filter((codec) => isCodecAvailable(codec))
    if (options.bombs) {
      for (const codec of this.codecs) {
        if (codec === Compression.none) continue
        this.bombs.push({ name: `bomb-value-${codec}`, batch: valueBomb(codec) })
        this.bombs.push({ name: `bomb-records-${codec}`, batch: recordsBomb(codec) })
      }
    }
  }

  /** Bombs prepared, with their sizes, for the report. */
  describeBombs(): string[] {
    return this.bombs.map((bomb) => `${bomb.name} ${bomb.batch.length} B`)
  }

  /** A records value: usually valid batches; hostile ones named in `notes`. */
  records(
    rng: SeededRandom,
    topic: FuzzTopic | undefined,
    notes: string[],
    nowMs: number,
  ): Buffer | Buffer[] | null {
    if (nowMs === -1) return this.validBatch(rng, topic, 10)
    this.nowMs = nowMs
    const roll = rng.next()
    if (roll < 0.72) return this.validBatches(rng, topic)
    if (roll < 0.75) {
      notes.push('records=large')
      return this.validBatch(rng, topic, rng.intBetween(100_000, 1_000_000))
    }
    if (roll < 0.8 && this.bombs.length > 0) {
      const bomb = rng.pick(this.bombs)
      const copies = Math.min(
        rng.pick([1, 1, 2, 8, 64, 248]),
        Math.max(1, Math.floor(BOMB_COPIES_BYTES_MAX / bomb.batch.length)),
      )
      notes.push(`records=${bomb.name}x${copies}`)
      return new Array(copies).fill(bomb.batch)
    }
    if (roll < 0.85) return damagedHeader(this.validBatch(rng, topic, 200), rng, notes)
    if (roll < 0.9) return poisonRecords(this.validBatch(rng, topic, 200), rng, notes)
    if (roll < 0.92) {
      const batch = this.validBatch(rng, topic, 100)
      batch[rng.intBetween(BatchOffsets.crc, batch.length - 1)] ^= 1 << rng.int(8)
      notes.push('records=bad-crc')
      return batch
    }
    if (roll < 0.94) {
      notes.push('records=control')
      return buildControlBatch({
        type: rng.pick([0, 1] as const),
        producerId: rng.int(1000),
        producerEpoch: 0,
        timestampMs: this.nowMs,
      })
    }
    if (roll < 0.96) {
      notes.push('records=truncated')
      const batch = this.validBatch(rng, topic, 300)
      return batch.subarray(0, rng.int(batch.length))
    }
    if (roll < 0.98) {
      notes.push('records=garbage')
      return rng.bytes(rng.int(200))
    }
    notes.push('records=empty-or-null')
    return rng.chance(0.5) ? null : Buffer.alloc(0)
  }

  private validBatches(rng: SeededRandom, topic: FuzzTopic | undefined): Buffer | Buffer[] {
    const count = rng.chance(0.8) ? 1 : rng.intBetween(2, 4)
    const batches: Buffer[] = []
    for (let i = 0; i < count; i++) batches.push(this.validBatch(rng, topic, rng.pick([0, 10, 100, 1000])))
    return count === 1 ? batches[0] : batches
  }

  /** One valid batch of a few records whose values hold about `valueBytes` bytes in all. */
  validBatch(rng: SeededRandom, topic: FuzzTopic | undefined, valueBytes: number): Buffer {
    const records = rng.intBetween(1, 5)
    const keyed = topic?.compacted === true || rng.chance(0.5)
    const per = Math.floor(valueBytes / records)
    const inputs = []
    for (let i = 0; i < records; i++) {
      inputs.push({
        key: keyed ? `k${rng.int(20)}` : null,
        value: compressibleBytes(rng, per),
        headers: rng.chance(0.2) ? [{ key: 'h', value: 'v' }] : [],
      })
    }
    const idempotent = rng.chance(0.1)
    return buildRecordBatch(inputs, {
      compression: rng.pick(this.codecs),
      producerId: idempotent ? rng.int(5) : -1,
      producerEpoch: idempotent ? 0 : -1,
      baseSequence: idempotent ? rng.int(10) : -1,
      nowMs: this.nowMs,
    })
  }
}

/** Text-like bytes: compress somewhat, as real values do. */
function compressibleBytes(rng: SeededRandom, length: number): Buffer {
  const out = Buffer.allocUnsafe(length)
  const word = 97 + rng.int(26)
  for (let i = 0; i < length; i++) out[i] = i % 7 === 0 ? 97 + rng.int(26) : word
  return out
}

/** One record whose value is BOMB_VALUE_BYTES of zeros, compressed with `codec`. */
function valueBomb(codec: CompressionCodec): Buffer {
  const records = encodeRecords([
    {
      offsetDelta: 0,
      timestampDelta: 0,
      key: Buffer.from('k'),
      value: Buffer.alloc(BOMB_VALUE_BYTES),
      headers: [],
    },
  ])
  return assembleBatch(compress(codec, records), batchFields(codec, 1))
}

/** BOMB_RECORDS records with null keys and values, compressed with `codec`. */
function recordsBomb(codec: CompressionCodec): Buffer {
  const body = Buffer.allocUnsafe(BOMB_RECORDS * 12)
  let at = 0
  for (let i = 0; i < BOMB_RECORDS; i++) {
    const start = at
    at += 1 // length, patched below (the body is always under 64 bytes)
    body[at++] = 0 // attributes
    body[at++] = 0 // timestampDelta 0
    at = writeVarint(body, i, at) // offsetDelta
    body[at++] = 1 // key length -1
    body[at++] = 1 // value length -1
    body[at++] = 0 // no headers
    writeVarint(body, at - start - 1, start)
  }
  return assembleBatch(compress(codec, body.subarray(0, at)), batchFields(codec, BOMB_RECORDS))
}

function batchFields(codec: CompressionCodec, records: number) {
  const nowMs = Date.now()
  return {
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    attributes: codec,
    lastOffsetDelta: records - 1,
    baseTimestamp: nowMs,
    maxTimestamp: nowMs,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    recordsCount: records,
  }
}

/** A header field set to an edge value, the CRC recomputed (so only deeper checks can catch it). */
function damagedHeader(batch: Buffer, rng: SeededRandom, notes: string[]): Buffer {
  const fields: [string, number, number, readonly number[]][] = [
    ['batchLength', BatchOffsets.batchLength, 4, [0, -1, 49, 2 ** 31 - 1, batch.length]],
    ['magic', BatchOffsets.magic, 1, [0, 1, 3, -1]],
    ['attributes', BatchOffsets.attributes, 2, [5, 6, 7, Attributes.transactional, Attributes.control, -1]],
    ['lastOffsetDelta', BatchOffsets.lastOffsetDelta, 4, [-1, 2 ** 31 - 1, 1000]],
    ['baseTimestamp', BatchOffsets.baseTimestamp, 8, [-1, 0, 2 ** 53 - 1]],
    ['maxTimestamp', BatchOffsets.maxTimestamp, 8, [-1, 2 ** 53 - 1]],
    ['producerId', BatchOffsets.producerId, 8, [2 ** 53 - 1, 0, -2]],
    ['producerEpoch', BatchOffsets.producerEpoch, 2, [32767, -2]],
    ['baseSequence', BatchOffsets.baseSequence, 4, [2 ** 31 - 1, -2]],
    ['recordsCount', BatchOffsets.recordsCount, 4, [0, -1, 2 ** 31 - 1, 10_000_000]],
  ]
  const [name, offset, size, values] = rng.pick(fields)
  const value = rng.pick(values)
  if (size === 1) batch.writeInt8(value, offset)
  else if (size === 2) batch.writeInt16BE(value, offset)
  else if (size === 4) batch.writeInt32BE(value, offset)
  else writeInt64(batch, value, offset)
  if (offset >= BatchOffsets.attributes) batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc)
  notes.push(`records=header-${name}=${value}`)
  return batch
}

/** Records section damaged (bytes flipped, or a record length made -1), the CRC made right again. */
function poisonRecords(batch: Buffer, rng: SeededRandom, notes: string[]): Buffer {
  if (batch.length <= BATCH_HEADER_BYTES) return batch
  const at = rng.intBetween(BATCH_HEADER_BYTES, batch.length - 1)
  if (rng.chance(0.5)) batch[at] ^= 0xff
  else batch[BATCH_HEADER_BYTES] = 1 // first record's length varint: -1
  batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc)
  notes.push('records=poison')
  return batch
}
