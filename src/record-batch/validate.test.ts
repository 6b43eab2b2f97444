// validateProducedBatches: a valid batch per codec, and each Kafka error the Produce handler must answer.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { assembleBatch, buildControlBatch, buildRecordBatch, type BatchRecordInput } from './batch-builder.js'
import { Attributes, BatchOffsets, Compression, computeBatchCrc } from './batch-header.js'
import { compress } from './compression.js'
import { encodeRecords } from './records.js'
import { RECORD_ERRORS_MAX } from './record-scanner.js'
import {
  ProduceValidationError as E,
  type ProduceValidationOptions,
  validateProducedBatches,
  validateProducedBatchesAsync,
  ValidationPacer,
} from './validate.js'

const nowMs = 1_700_000_000_000
const base: ProduceValidationOptions = { produceVersion: 9, maxMessageBytes: 1_048_588 }
const inputs: BatchRecordInput[] = [
  { key: 'a', value: '1', timestampMs: nowMs },
  { key: 'b', value: '2', timestampMs: nowMs + 10 },
]

/** Applies `change` to a copy of `batch` and recomputes the CRC, so only the intended check trips. */
function mutate(batch: Buffer, change: (copy: Buffer) => void): Buffer {
  const copy = Buffer.from(batch)
  change(copy)
  copy.writeUInt32BE(computeBatchCrc(copy), BatchOffsets.crc)
  return copy
}

describe('validateProducedBatches', () => {
  for (const codec of [
    Compression.none,
    Compression.gzip,
    Compression.snappy,
    Compression.lz4,
    Compression.zstd,
  ]) {
    it(`accepts a valid batch with codec ${codec}, on plain and compacted topics`, () => {
      const batch = buildRecordBatch(inputs, {
        compression: codec,
        producerId: 5,
        producerEpoch: 0,
        baseSequence: 0,
      })
      for (const options of [base, { ...base, compacted: true }]) {
        const result = validateProducedBatches(batch, options)
        assert.equal(result.errorCode, E.NONE, result.errorMessage ?? '')
        assert.deepEqual(result.batch, {
          recordsCount: 2,
          lastOffsetDelta: 1,
          baseTimestamp: nowMs,
          maxTimestamp: nowMs + 10,
          producerId: 5,
          producerEpoch: 0,
          baseSequence: 0,
          isTransactional: false,
          codec,
          sizeBytes: batch.length,
        })
      }
    })
  }

  it('answers INVALID_RECORD for no batch, two batches, a cut batch and magic 1', () => {
    const batch = buildRecordBatch(inputs)
    assert.equal(validateProducedBatches(null, base).errorCode, E.INVALID_RECORD)
    assert.equal(validateProducedBatches(Buffer.alloc(0), base).errorCode, E.INVALID_RECORD)
    assert.equal(validateProducedBatches(Buffer.concat([batch, batch]), base).errorCode, E.INVALID_RECORD)
    assert.equal(
      validateProducedBatches(batch.subarray(0, batch.length - 1), base).errorCode,
      E.INVALID_RECORD,
    )
    assert.equal(validateProducedBatches(batch.subarray(0, 40), base).errorCode, E.INVALID_RECORD)
    const magic1 = Buffer.from(batch)
    magic1.writeInt8(1, BatchOffsets.magic)
    assert.equal(validateProducedBatches(magic1, base).errorCode, E.INVALID_RECORD)
  })

  it('answers CORRUPT_MESSAGE for a bad CRC or a length below the header size', () => {
    const batch = buildRecordBatch(inputs)
    const flipped = Buffer.from(batch)
    flipped[flipped.length - 2] ^= 0x10
    const result = validateProducedBatches(flipped, base)
    assert.equal(result.errorCode, E.CORRUPT_MESSAGE)
    assert.equal(result.batch?.recordsCount, 2)
    const shortLength = Buffer.from(batch)
    shortLength.writeInt32BE(20, BatchOffsets.batchLength)
    assert.equal(validateProducedBatches(shortLength, base).errorCode, E.CORRUPT_MESSAGE)
    assert.equal(validateProducedBatches(batch.subarray(0, 5), base).errorCode, E.CORRUPT_MESSAGE)
  })

  it('answers INVALID_RECORD when lastOffsetDelta + 1 differs from recordsCount or the count is 0', () => {
    const batch = buildRecordBatch(inputs)
    const delta = mutate(batch, (b) => b.writeInt32BE(5, BatchOffsets.lastOffsetDelta))
    assert.equal(validateProducedBatches(delta, base).errorCode, E.INVALID_RECORD)
    const empty = assembleBatch(Buffer.alloc(0), {
      baseOffset: 0,
      partitionLeaderEpoch: -1,
      attributes: 0,
      lastOffsetDelta: -1,
      baseTimestamp: nowMs,
      maxTimestamp: nowMs,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordsCount: 0,
    })
    assert.equal(validateProducedBatches(empty, base).errorCode, E.INVALID_RECORD)
  })

  it('answers INVALID_RECORD when an uncompressed batch claims more records than its bytes can hold', () => {
    const batch = mutate(buildRecordBatch(inputs), (b) => {
      b.writeInt32BE(1_000_000, BatchOffsets.recordsCount)
      b.writeInt32BE(999_999, BatchOffsets.lastOffsetDelta)
    })
    const result = validateProducedBatches(batch, base)
    assert.equal(result.errorCode, E.INVALID_RECORD)
    assert.match(result.errorMessage ?? '', /cannot fit/)
  })

  it('answers INVALID_RECORD when the header count disagrees with the records (#7)', () => {
    // Three records encoded, header says two: only decoding can notice.
    const body = encodeRecords(
      [0, 1, 2].map((i) => ({
        offsetDelta: i,
        timestampDelta: 0,
        key: null,
        value: Buffer.from('v'),
        headers: [],
      })),
    )
    for (const codec of [Compression.none, Compression.zstd]) {
      const batch = assembleBatch(compress(codec, body), {
        baseOffset: 0,
        partitionLeaderEpoch: -1,
        attributes: codec,
        lastOffsetDelta: 1,
        baseTimestamp: nowMs,
        maxTimestamp: nowMs,
        producerId: -1,
        producerEpoch: -1,
        baseSequence: -1,
        recordsCount: 2,
      })
      assert.equal(validateProducedBatches(batch, base).errorCode, E.INVALID_RECORD)
    }
  })

  it('answers INVALID_RECORD for offsetDeltas other than 0..n-1', () => {
    const body = encodeRecords(
      [0, 2].map((i) => ({ offsetDelta: i, timestampDelta: 0, key: null, value: null, headers: [] })),
    )
    const batch = assembleBatch(body, {
      baseOffset: 0,
      partitionLeaderEpoch: -1,
      attributes: 0,
      lastOffsetDelta: 1,
      baseTimestamp: nowMs,
      maxTimestamp: nowMs,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordsCount: 2,
    })
    const result = validateProducedBatches(batch, base)
    assert.equal(result.errorCode, E.INVALID_RECORD)
    assert.match(result.errorMessage ?? '', /offsetDelta 2/)
  })

  it('answers CORRUPT_MESSAGE when a checksummed compressed payload does not decompress', () => {
    const batch = mutate(buildRecordBatch(inputs, { compression: Compression.gzip }), (b) =>
      b.fill(0x33, 70, 80),
    )
    // A poison batch (#7): stored with error 0 before, it stopped every consumer of its partition.
    assert.equal(validateProducedBatches(batch, base).errorCode, E.CORRUPT_MESSAGE)
  })

  it('answers INVALID_RECORD for a control batch from a client', () => {
    const marker = buildControlBatch({ type: 1, producerId: 1, producerEpoch: 0, timestampMs: nowMs })
    assert.equal(validateProducedBatches(marker, base).errorCode, E.INVALID_RECORD)
  })

  it('answers INVALID_RECORD for producerId >= 0 with baseSequence < 0', () => {
    const batch = buildRecordBatch(inputs, { producerId: 3, producerEpoch: 0, baseSequence: -1 })
    assert.equal(validateProducedBatches(batch, base).errorCode, E.INVALID_RECORD)
  })

  it('answers INVALID_RECORD for a baseOffset other than 0', () => {
    const batch = buildRecordBatch(inputs, { baseOffset: 10 })
    assert.equal(validateProducedBatches(batch, base).errorCode, E.INVALID_RECORD)
  })

  it('answers UNSUPPORTED_COMPRESSION_TYPE for zstd before Produce v7', () => {
    const batch = buildRecordBatch(inputs, { compression: Compression.zstd })
    assert.equal(
      validateProducedBatches(batch, { ...base, produceVersion: 6 }).errorCode,
      E.UNSUPPORTED_COMPRESSION_TYPE,
    )
    assert.equal(validateProducedBatches(batch, { ...base, produceVersion: 7 }).errorCode, E.NONE)
  })

  it('answers CORRUPT_MESSAGE for an unknown codec', () => {
    const batch = mutate(buildRecordBatch(inputs), (b) => b.writeInt16BE(6, BatchOffsets.attributes))
    assert.equal(validateProducedBatches(batch, base).errorCode, E.CORRUPT_MESSAGE)
  })

  it('answers MESSAGE_TOO_LARGE above maxMessageBytes, counting the whole batch', () => {
    const batch = buildRecordBatch(inputs)
    assert.equal(validateProducedBatches(batch, { ...base, maxMessageBytes: batch.length }).errorCode, E.NONE)
    assert.equal(
      validateProducedBatches(batch, { ...base, maxMessageBytes: batch.length - 1 }).errorCode,
      E.MESSAGE_TOO_LARGE,
    )
  })

  it('answers INVALID_TIMESTAMP outside the before/after window, from the header or from records', () => {
    const window = { ...base, nowMs, timestampBeforeMaxMs: 1000, timestampAfterMaxMs: 1000 }
    const ok = buildRecordBatch(inputs)
    assert.equal(validateProducedBatches(ok, window).errorCode, E.NONE)
    const future = buildRecordBatch([...inputs, { value: 'late', timestampMs: nowMs + 5000 }])
    assert.equal(validateProducedBatches(future, window).errorCode, E.INVALID_TIMESTAMP)
    const old = buildRecordBatch([{ value: 'old', timestampMs: nowMs - 5000 }])
    assert.equal(validateProducedBatches(old, window).errorCode, E.INVALID_TIMESTAMP)
    // A middle record older than the first is only visible when decoding; it is reported per record.
    const middle = buildRecordBatch([inputs[0], { value: 'old', timestampMs: nowMs - 5000 }, inputs[1]])
    const verified = validateProducedBatches(middle, window)
    assert.equal(verified.errorCode, E.INVALID_TIMESTAMP)
    assert.deepEqual(
      verified.recordErrors.map((e) => e.batchIndex),
      [1],
    )
    // LogAppendTime topics do not check client timestamps; no window means no check.
    assert.equal(validateProducedBatches(future, { ...window, logAppendTime: true }).errorCode, E.NONE)
    assert.equal(validateProducedBatches(future, { ...base, nowMs }).errorCode, E.NONE)
  })

  it('answers INVALID_RECORD with record errors for keyless records on a compacted topic', () => {
    for (const codec of [Compression.none, Compression.snappy]) {
      const batch = buildRecordBatch(
        [{ key: 'k', value: 'v' }, { value: 'no key' }, { key: null, value: 'x' }],
        {
          compression: codec,
        },
      )
      assert.equal(validateProducedBatches(batch, base).errorCode, E.NONE)
      const result = validateProducedBatches(batch, { ...base, compacted: true })
      assert.equal(result.errorCode, E.INVALID_RECORD)
      assert.deepEqual(
        result.recordErrors.map((e) => e.batchIndex),
        [1, 2],
      )
    }
  })

  it('reports the transactional flag', () => {
    const batch = buildRecordBatch(inputs, {
      producerId: 1,
      producerEpoch: 0,
      baseSequence: 0,
      isTransactional: true,
    })
    const result = validateProducedBatches(batch, base)
    assert.equal(result.errorCode, E.NONE)
    assert.equal(result.batch?.isTransactional, true)
    assert.equal(Attributes.transactional, 0x10)
  })

  it('answers records of length -1 or junk after a valid header, uncompressed or lz4, as INVALID_RECORD or CORRUPT_MESSAGE (#7)', () => {
    // Poison batches: the CRC holds, the records do not. They were stored with error 0 on plain topics.
    const minusOne = assembleBatch(Buffer.from([0x01, 0, 0, 0, 0, 0, 0, 0]), {
      baseOffset: 0,
      partitionLeaderEpoch: -1,
      attributes: 0,
      lastOffsetDelta: 0,
      baseTimestamp: nowMs,
      maxTimestamp: nowMs,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordsCount: 1,
    })
    assert.equal(validateProducedBatches(minusOne, base).errorCode, E.INVALID_RECORD)
    const lz4Junk = mutate(buildRecordBatch(inputs, { compression: Compression.lz4 }), (b) =>
      b.fill(0x5a, 72, b.length),
    )
    assert.equal(validateProducedBatches(lz4Junk, base).errorCode, E.CORRUPT_MESSAGE)
  })

  it('stops at the first RECORD_ERRORS_MAX record errors (#7)', () => {
    const batch = buildRecordBatch(Array.from({ length: 5000 }, () => ({ value: 'no key' })))
    const result = validateProducedBatches(batch, { ...base, compacted: true })
    assert.equal(result.errorCode, E.INVALID_RECORD)
    assert.deepEqual(
      result.recordErrors.map((e) => e.batchIndex),
      Array.from({ length: RECORD_ERRORS_MAX }, (_, i) => i),
    )
  })

  it('answers the same asynchronously, pausing between slices and drawing on the request budget (#7)', async () => {
    let pauses = 0
    const pacer = new ValidationPacer(async () => {
      pauses++
    })
    for (const codec of [
      Compression.none,
      Compression.gzip,
      Compression.snappy,
      Compression.lz4,
      Compression.zstd,
    ]) {
      const batch = buildRecordBatch(inputs, { compression: codec })
      const budget = { bytesLeft: 1 << 20 }
      const result = await validateProducedBatchesAsync(batch, base, budget, pacer)
      assert.equal(result.errorCode, E.NONE, `codec ${codec}: ${result.errorMessage}`)
      if (codec !== Compression.none) assert.ok(budget.bytesLeft < 1 << 20, `codec ${codec} drew nothing`)
      const tight = await validateProducedBatchesAsync(batch, base, { bytesLeft: 4 }, pacer)
      assert.equal(
        tight.errorCode,
        codec === Compression.none ? E.NONE : E.MESSAGE_TOO_LARGE,
        `codec ${codec}`,
      )
    }
    const many = buildRecordBatch(
      Array.from({ length: 50_000 }, (_, i) => ({ key: `k${i}`, value: 'v' })),
      { compression: Compression.zstd },
    )
    pauses = 0
    const result = await validateProducedBatchesAsync(
      many,
      { ...base, compacted: true },
      { bytesLeft: 1 << 30 },
      pacer,
    )
    assert.equal(result.errorCode, E.NONE)
    assert.ok(pauses >= 2, `paused ${pauses} times over 50,000 records`)
  })
  it('refuses a gzip, snappy or zstd batch declaring more than its bound before reserving room, and reserves only what snappy and zstd declare (#7)', async () => {
    // A 5 KB zstd batch declaring 160 MiB reserved 128 MiB of the broker-wide budget and inflated to it
    // before it was refused; every small batch reserved the whole 128 MiB bound as well.
    const pacer = new ValidationPacer(async () => {})
    for (const codec of [Compression.gzip, Compression.snappy, Compression.zstd]) {
      const reserved: number[] = []
      const budget = {
        bytesLeft: 256 << 20,
        reserve: async (bytes: number) => {
          reserved.push(bytes)
          return { bytes, shrink() {}, release() {} }
        },
      }
      const bomb = buildRecordBatch([{ key: 'k', value: Buffer.alloc(4 << 20), timestampMs: nowMs }], {
        compression: codec,
      })
      const refused = await validateProducedBatchesAsync(
        bomb,
        { ...base, decompressedBytesMax: 1 << 20 },
        budget,
        pacer,
      )
      assert.equal(refused.errorCode, E.MESSAGE_TOO_LARGE, `codec ${codec}: ${refused.errorMessage}`)
      assert.deepEqual(reserved, [], `codec ${codec}: a declared bomb reserved room`)
      const small = await validateProducedBatchesAsync(
        buildRecordBatch(inputs, { compression: codec }),
        base,
        budget,
        pacer,
      )
      assert.equal(small.errorCode, E.NONE, `codec ${codec}: ${small.errorMessage}`)
      assert.equal(reserved.length, 1)
      // gzip states only a lower bound (its trailer): the whole bound is reserved, as before.
      if (codec !== Compression.gzip)
        assert.ok(reserved[0] < 1024, `codec ${codec}: reserved ${reserved[0]} bytes for two small records`)
    }
  })
  it('reserves for an LZ4 batch at most what its blocks can hold, not the whole bound (#7)', async () => {
    // Every LZ4 batch reserved the 128 MiB bound: two at a time broker-wide, whatever their size.
    const reserved: number[] = []
    const budget = {
      bytesLeft: 256 << 20,
      reserve: async (bytes: number) => {
        reserved.push(bytes)
        return { bytes, shrink() {}, release() {} }
      },
    }
    const pacer = new ValidationPacer(async () => {})
    const batch = buildRecordBatch(inputs, { compression: Compression.lz4 })
    const result = await validateProducedBatchesAsync(batch, base, budget, pacer)
    assert.equal(result.errorCode, E.NONE, result.errorMessage ?? '')
    // At most one block of lz4-napi's 4 MiB maximum (a stored block counts its own length).
    assert.equal(reserved.length, 1)
    assert.ok(reserved[0] <= 4 << 20, `reserved ${reserved[0]} bytes for two small records`)
  })
  it('shares one slice of work between the batches of a request: 40 batches of 5,000 records pause (#7)', async () => {
    // A slice per batch let 400 batches of 20,000 records each be checked in one turn of the event loop.
    const batch = buildRecordBatch(Array.from({ length: 5_000 }, (_, i) => ({ key: `k${i}`, value: 'v' })))
    let pauses = 0
    const pacer = new ValidationPacer(async () => {
      pauses++
    })
    for (let i = 0; i < 40; i++) {
      const result = await validateProducedBatchesAsync(batch, base, { bytesLeft: 0 }, pacer)
      assert.equal(result.errorCode, E.NONE, result.errorMessage ?? '')
    }
    // 200,000 records and their bytes: about one pause per 20,000 records of work.
    assert.ok(pauses >= 9 && pauses <= 12, `paused ${pauses} times over 40 batches of 5,000 records`)
  })
  it('answers int64 header fields beyond 2^53 with INVALID_TIMESTAMP or INVALID_RECORD (#7)', () => {
    const unsafe = 2n ** 63n - 1n
    for (const [field, code] of [
      [BatchOffsets.baseTimestamp, E.INVALID_TIMESTAMP],
      [BatchOffsets.maxTimestamp, E.INVALID_TIMESTAMP],
      [BatchOffsets.producerId, E.INVALID_RECORD],
    ] as const) {
      const batch = mutate(buildRecordBatch(inputs), (b) => b.writeBigInt64BE(unsafe, field))
      assert.equal(validateProducedBatches(batch, base).errorCode, code, `offset ${field}`)
    }
  })
})
