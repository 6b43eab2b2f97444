// Building and reading batches: every codec, absolute offsets and timestamps, LogAppendTime, control
// batches, iteration over concatenated batches, and interop with kafkajs's own encoder and decoder.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import { buildControlBatch, buildRecordBatch, ControlRecordType } from './batch-builder.js'
import {
  Attributes,
  BatchOffsets,
  Compression,
  isBatchCrcValid,
  readBatchHeader,
  setBaseOffset,
  setLogAppendTime,
} from './batch-header.js'
import {
  decodeBatch,
  iterateBatches,
  parseControlRecord,
  readBatchRecords,
  TimestampType,
} from './batch-reader.js'
import { InvalidRecordError } from '../core/index.js'

const require = createRequire(import.meta.url)
const codecs = [
  Compression.none,
  Compression.gzip,
  Compression.snappy,
  Compression.lz4,
  Compression.zstd,
] as const
const inputs = [
  { key: 'k1', value: 'v1', timestampMs: 1_700_000_000_000 },
  { key: null, value: 'second', timestampMs: 1_700_000_000_500, headers: [{ key: 'h', value: 'hv' }] },
  { key: 'k3', value: null, timestampMs: 1_699_999_999_000, headers: [{ key: 'n', value: null }] },
]

describe('buildRecordBatch and decodeBatch', () => {
  for (const codec of codecs) {
    it(`builds and decodes a batch compressed with codec ${codec}`, () => {
      const batch = buildRecordBatch(inputs, {
        compression: codec,
        producerId: 42,
        producerEpoch: 3,
        baseSequence: 10,
        isTransactional: true,
      })
      assert.equal(isBatchCrcValid(batch), true)
      const header = readBatchHeader(batch)
      assert.equal(header.batchLength + 12, batch.length)
      assert.equal(header.magic, 2)
      assert.equal(header.attributes & Attributes.codecMask, codec)
      assert.equal(header.lastOffsetDelta, 2)
      assert.equal(header.recordsCount, 3)
      assert.equal(header.baseTimestamp, 1_700_000_000_000)
      assert.equal(header.maxTimestamp, 1_700_000_000_500)
      assert.deepEqual([header.producerId, header.producerEpoch, header.baseSequence], [42, 3, 10])
      setBaseOffset(batch, 1000)
      const decoded = decodeBatch(batch)
      assert.equal(decoded.codec, codec)
      assert.equal(decoded.isTransactional, true)
      assert.equal(decoded.isControl, false)
      assert.equal(decoded.timestampType, TimestampType.createTime)
      assert.deepEqual(
        decoded.records.map((r) => [
          r.offset,
          r.timestampMs,
          r.key?.toString() ?? null,
          r.value?.toString() ?? null,
        ]),
        [
          [1000, 1_700_000_000_000, 'k1', 'v1'],
          [1001, 1_700_000_000_500, null, 'second'],
          [1002, 1_699_999_999_000, 'k3', null],
        ],
      )
      assert.deepEqual(decoded.records[1].headers, [{ key: 'h', value: Buffer.from('hv') }])
      assert.deepEqual(decoded.records[2].headers, [{ key: 'n', value: null }])
    })
  }

  it('gives every record maxTimestamp under LogAppendTime', () => {
    const batch = buildRecordBatch(inputs, { compression: Compression.lz4 })
    setLogAppendTime(batch, 1_800_000_000_000)
    const decoded = decodeBatch(batch)
    assert.equal(decoded.timestampType, TimestampType.logAppendTime)
    assert.deepEqual(
      decoded.records.map((r) => r.timestampMs),
      [1_800_000_000_000, 1_800_000_000_000, 1_800_000_000_000],
    )
    const built = buildRecordBatch(inputs, { logAppendTime: true, logAppendTimeMs: 5 })
    assert.deepEqual(
      decodeBatch(built).records.map((r) => r.timestampMs),
      [5, 5, 5],
    )
  })

  it('builds commit and abort markers', () => {
    const marker = buildControlBatch({
      type: ControlRecordType.commit,
      producerId: 7,
      producerEpoch: 1,
      coordinatorEpoch: 9,
      timestampMs: 123,
    })
    const decoded = decodeBatch(marker)
    assert.equal(decoded.isControl, true)
    assert.equal(decoded.isTransactional, true)
    assert.equal(decoded.header.baseSequence, -1)
    assert.deepEqual(parseControlRecord(decoded.records[0]), {
      type: ControlRecordType.commit,
      coordinatorEpoch: 9,
    })
    const abort = decodeBatch(
      buildControlBatch({ type: ControlRecordType.abort, producerId: 7, producerEpoch: 1, timestampMs: 1 }),
    )
    assert.equal(parseControlRecord(abort.records[0]).type, ControlRecordType.abort)
  })

  it('rejects a bad CRC, a wrong length and a wrong count', () => {
    const batch = buildRecordBatch(inputs)
    const flipped = Buffer.from(batch)
    flipped[flipped.length - 1] ^= 1
    assert.throws(() => decodeBatch(flipped), /CRC/)
    assert.throws(() => readBatchRecords(batch.subarray(0, batch.length - 1)), InvalidRecordError)
    const miscounted = Buffer.from(batch)
    miscounted.writeInt32BE(4, BatchOffsets.recordsCount)
    assert.throws(() => readBatchRecords(miscounted, { verifyCrc: false }), InvalidRecordError)
  })
})

describe('iterateBatches', () => {
  it('yields each batch of a concatenation and stops at a partial tail', () => {
    const batches = [
      buildRecordBatch(inputs),
      buildRecordBatch([{ value: 'x' }], { compression: Compression.gzip }),
    ]
    setBaseOffset(batches[1], 3)
    const joined = Buffer.concat([...batches, batches[0].subarray(0, 30)])
    const found = [...iterateBatches(joined)]
    assert.equal(found.length, 2)
    assert.equal(found[1].position, batches[0].length)
    assert.deepEqual(found[1].bytes, batches[1])
    assert.equal(found[1].header.baseOffset, 3)
    assert.throws(() => [...iterateBatches(joined, { partialTail: 'throw' })], /partial batch/)
    assert.equal([...iterateBatches(Buffer.concat([batches[0], batches[0].subarray(0, 70)]))].length, 1)
  })

  it('raises on a length below the header size or a magic other than 2', () => {
    const batch = buildRecordBatch(inputs)
    const badLength = Buffer.from(batch)
    badLength.writeInt32BE(10, BatchOffsets.batchLength)
    assert.throws(() => [...iterateBatches(badLength)], /invalid length/)
    const badMagic = Buffer.from(batch)
    badMagic.writeInt8(1, BatchOffsets.magic)
    assert.throws(() => [...iterateBatches(badMagic)], /magic 1/)
  })
})

describe('interop with kafkajs', () => {
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0')
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0')
  const BatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder')
  const Decoder = require('kafkajs/src/protocol/decoder')

  it('decodes a batch kafkajs encoded (uncompressed and gzip)', async () => {
    for (const compression of [0, 1]) {
      const encoder = await RecordBatch({
        compression,
        firstTimestamp: 1_700_000_000_000,
        maxTimestamp: 1_700_000_000_010,
        lastOffsetDelta: 1,
        records: [
          Record({
            offsetDelta: 0,
            timestampDelta: 0,
            key: Buffer.from('a'),
            value: Buffer.from('1'),
            headers: { h: 'x' },
          }),
          Record({ offsetDelta: 1, timestampDelta: 10, key: null, value: Buffer.from('2') }),
        ],
      })
      const batch: Buffer = encoder.buffer
      const decoded = decodeBatch(batch)
      assert.equal(decoded.codec, compression)
      assert.deepEqual(
        decoded.records.map((r) => [r.offset, r.timestampMs, r.key?.toString() ?? null, r.value?.toString()]),
        [
          [0, 1_700_000_000_000, 'a', '1'],
          [1, 1_700_000_000_010, null, '2'],
        ],
      )
      assert.deepEqual(decoded.records[0].headers, [{ key: 'h', value: Buffer.from('x') }])
    }
  })

  it('builds batches kafkajs decodes (uncompressed and gzip)', async () => {
    for (const compression of [Compression.none, Compression.gzip]) {
      const batch = buildRecordBatch(inputs, { compression })
      const decoded = await BatchDecoder(new Decoder(batch))
      assert.deepEqual(
        decoded.records.map(
          (r: { offset: string; key: Buffer | null; value: Buffer | null; timestamp: string }) => [
            r.offset,
            r.timestamp,
            r.key?.toString() ?? null,
            r.value?.toString() ?? null,
          ],
        ),
        [
          ['0', '1700000000000', 'k1', 'v1'],
          ['1', '1700000000500', null, 'second'],
          ['2', '1699999999000', 'k3', null],
        ],
      )
    }
  })
})
