// walkBatchRecords (#7): the same offsets and timestamps as decodeBatch for every codec, early stop,
// LogAppendTime, control batches, pauses between slices, the decompression budget, malformed data.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DecompressedTooLargeError, InvalidRecordError, isRecordBatchError } from '../core/index.js'
import { assembleBatch, buildControlBatch, buildRecordBatch, ControlRecordType } from './batch-builder.js'
import { BatchOffsets, Compression, type CompressionCodec, computeBatchCrc } from './batch-header.js'
import { decodeBatch, parseControlRecord } from './batch-reader.js'
import { compress, DECOMPRESSED_BYTES_MAX_DEFAULT } from './compression.js'
import { type RecordWalkOptions, walkBatchRecords } from './record-walker.js'
import type { DecompressionLease } from './validate.js'
import { writeVarint } from './varint.js'

const nowMs = 1_700_000_000_000
const codecs: CompressionCodec[] = [
  Compression.none,
  Compression.gzip,
  Compression.snappy,
  Compression.lz4,
  Compression.zstd,
]
const noPause: RecordWalkOptions = { pause: async () => {} }

function sample(codec: CompressionCodec, options: Parameters<typeof buildRecordBatch>[1] = {}): Buffer {
  return buildRecordBatch(
    Array.from({ length: 50 }, (_, i) => ({
      key: i % 3 === 0 ? null : `k${i}`,
      value: `value-${i}`.repeat(i % 5),
      timestampMs: nowMs + ((i * 37) % 50),
      headers: i % 4 === 0 ? [{ key: 'h', value: `${i}` }] : [],
    })),
    { nowMs, compression: codec, baseOffset: 1000, ...options },
  )
}

async function walkAll(batch: Buffer, options: RecordWalkOptions = noPause) {
  const seen: [number, number][] = []
  const result = await walkBatchRecords(
    batch,
    (record) => {
      seen.push([record.offset, record.timestampMs])
      return false
    },
    options,
  )
  return { seen, result }
}

/** `count` tiny null-key records (timestampDelta = index), built as the fuzzer's bombs are. */
function tinyRecords(count: number): Buffer {
  const body = Buffer.allocUnsafe(count * 14)
  let at = 0
  for (let i = 0; i < count; i++) {
    const start = at
    at += 1
    body[at++] = 0
    at = writeVarint(body, i, at) // timestampDelta i (a small varlong is written as a varint)
    at = writeVarint(body, i, at)
    body[at++] = 1
    body[at++] = 1
    body[at++] = 0
    writeVarint(body, at - start - 1, start)
  }
  return body.subarray(0, at)
}

function fieldsFor(codec: number, count: number) {
  return {
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    attributes: codec,
    lastOffsetDelta: count - 1,
    baseTimestamp: nowMs,
    maxTimestamp: nowMs + count - 1,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    recordsCount: count,
  }
}

describe('walkBatchRecords (#7)', () => {
  it('#7: gives the offsets and timestamps decodeBatch gives, for every codec', async () => {
    for (const codec of codecs) {
      const batch = sample(codec)
      const expected = decodeBatch(batch).records.map((r) => [r.offset, r.timestampMs])
      const { seen, result } = await walkAll(batch)
      assert.deepEqual(seen, expected, `codec ${codec}`)
      assert.equal(result.outcome, 'complete')
      assert.equal(result.visited, 50)
      assert.equal(result.header.baseOffset, 1000)
    }
  })

  it('#7: decode() builds the whole record the walk is on', async () => {
    const batch = sample(Compression.lz4)
    const expected = decodeBatch(batch).records
    const decoded: unknown[] = []
    await walkBatchRecords(
      batch,
      (record) => {
        if (record.offset % 7 === 0) decoded.push(record.decode())
        return false
      },
      noPause,
    )
    assert.deepEqual(
      decoded,
      expected.filter((r) => r.offset % 7 === 0),
    )
  })

  it('#7: stops after the record the visitor names, and reports it', async () => {
    for (const codec of codecs) {
      const seen: number[] = []
      const result = await walkBatchRecords(
        sample(codec),
        (record) => {
          seen.push(record.offset)
          return record.offset === 1012
        },
        noPause,
      )
      assert.equal(result.outcome, 'stopped')
      assert.equal(result.visited, 13)
      assert.deepEqual(
        seen,
        Array.from({ length: 13 }, (_, i) => 1000 + i),
      )
    }
  })

  it('#7: LogAppendTime gives every record the batch maxTimestamp', async () => {
    const batch = sample(Compression.gzip, { logAppendTime: true, logAppendTimeMs: nowMs + 99_999 })
    const { seen } = await walkAll(batch)
    assert.equal(seen.length, 50)
    for (const [, timestampMs] of seen) assert.equal(timestampMs, nowMs + 99_999)
  })

  it('#7: walks a control batch (a transaction marker) like any other', async () => {
    const batch = buildControlBatch({
      type: ControlRecordType.commit,
      producerId: 7,
      producerEpoch: 1,
      timestampMs: nowMs,
      baseOffset: 42,
    })
    const records: ReturnType<typeof parseControlRecord>[] = []
    const { result } = await walkAll(batch)
    await walkBatchRecords(
      batch,
      (record) => {
        records.push(parseControlRecord(record.decode()))
        return false
      },
      noPause,
    )
    assert.equal(result.visited, 1)
    assert.equal(records[0].type, ControlRecordType.commit)
  })

  it('#7: pauses between slices of records, and in no other place for an uncompressed batch', async () => {
    const count = 10_000
    const batch = assembleBatch(tinyRecords(count), fieldsFor(Compression.none, count))
    let pauses = 0
    const { seen } = await walkAll(batch, {
      recordsPerSlice: 1000,
      pause: async () => {
        pauses++
      },
    })
    assert.equal(seen.length, count)
    assert.equal(pauses, count / 1000 - 1)
    assert.deepEqual(seen[count - 1], [count - 1, nowMs + count - 1])
  })

  it('#7: reserves no more than a payload can inflate to, shrinks to its size and releases at the end', async () => {
    const count = 20_000
    const body = tinyRecords(count)
    for (const codec of [Compression.gzip, Compression.snappy, Compression.lz4, Compression.zstd]) {
      const batch = assembleBatch(compress(codec, body), fieldsFor(codec, count))
      const events: string[] = []
      let held = 0
      const reserve = async (bytes: number): Promise<DecompressionLease> => {
        held = bytes
        events.push(`reserve ${bytes}`)
        return {
          bytes,
          shrink: (to: number) => {
            held = to
            events.push(`shrink ${to}`)
          },
          release: () => {
            held = 0
            events.push('release')
          },
        }
      }
      let heldDuringWalk = -1
      await walkBatchRecords(
        batch,
        () => {
          heldDuringWalk = held
          return false
        },
        { ...noPause, reserve },
      )
      const reserved = Number(events[0].split(' ')[1])
      assert.ok(reserved >= body.length, `codec ${codec}: reserved ${reserved}`)
      // A gzip trailer states only the least size (ISIZE is modulo 2^32): the bound is reserved, then shrunk.
      if (codec === Compression.gzip) assert.equal(reserved, DECOMPRESSED_BYTES_MAX_DEFAULT)
      else assert.ok(reserved < 16 * 1024 * 1024, `codec ${codec}: reserved ${reserved}, not the whole bound`)
      assert.deepEqual(events.slice(1), [`shrink ${body.length}`, 'release'], `codec ${codec}`)
      assert.equal(heldDuringWalk, body.length, 'the room is held while the records are walked')
      assert.equal(held, 0)
    }
  })

  it('#7: no room in the budget ends the walk without decompressing; an error releases the room', async () => {
    const count = 1000
    const batch = assembleBatch(
      compress(Compression.gzip, tinyRecords(count)),
      fieldsFor(Compression.gzip, count),
    )
    let visited = 0
    const result = await walkBatchRecords(
      batch,
      () => {
        visited++
        return false
      },
      { ...noPause, reserve: async () => null },
    )
    assert.equal(result.outcome, 'noRoom')
    assert.equal(visited, 0)

    const broken = Buffer.from(batch)
    broken.writeInt32BE(count + 5, BatchOffsets.recordsCount)
    let released = 0
    await assert.rejects(
      walkBatchRecords(broken, () => false, {
        ...noPause,
        verifyCrc: false,
        reserve: async (bytes) => ({ bytes, shrink: () => {}, release: () => released++ }),
      }),
      InvalidRecordError,
    )
    assert.equal(released, 1)
  })

  it('#7: malformed data raises the record-batch errors decodeBatch raises', async () => {
    const good = sample(Compression.none)
    const withCrc = (change: (copy: Buffer) => void) => {
      const copy = Buffer.from(good)
      change(copy)
      copy.writeUInt32BE(computeBatchCrc(copy), BatchOffsets.crc)
      return copy
    }
    const cases: [string, Buffer, RecordWalkOptions][] = [
      ['short batch', good.subarray(0, 40), noPause],
      ['length field', withCrc((b) => b.writeInt32BE(b.length, BatchOffsets.batchLength)), noPause],
      ['magic', withCrc((b) => b.writeInt8(1, BatchOffsets.magic)), noPause],
      [
        'crc',
        Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([good[good.length - 1] ^ 1])]),
        noPause,
      ],
      ['count too large', withCrc((b) => b.writeInt32BE(1_000_000, BatchOffsets.recordsCount)), noPause],
      ['count negative', withCrc((b) => b.writeInt32BE(-1, BatchOffsets.recordsCount)), noPause],
      ['bytes left over', withCrc((b) => b.writeInt32BE(49, BatchOffsets.recordsCount)), noPause],
      ['unknown codec', withCrc((b) => b.writeInt16BE(6, BatchOffsets.attributes)), noPause],
      [
        'corrupt gzip',
        assembleBatch(Buffer.from('not gzip at all, really not'), fieldsFor(Compression.gzip, 1)),
        noPause,
      ],
      [
        'corrupt lz4',
        assembleBatch(Buffer.from([4, 34, 77, 24, 1, 2, 3]), fieldsFor(Compression.lz4, 1)),
        noPause,
      ],
    ]
    // A record whose length runs past the batch, and one with a key length of -2.
    const body = tinyRecords(3)
    const longRecord = Buffer.from(body)
    longRecord[0] = 100
    cases.push(['record length', assembleBatch(longRecord, fieldsFor(Compression.none, 3)), noPause])
    const badKey = Buffer.from(body)
    badKey[4] = 3 // zigzag -2
    cases.push(['key length', assembleBatch(badKey, fieldsFor(Compression.none, 3)), noPause])
    for (const [name, batch, options] of cases) {
      await assert.rejects(
        walkAll(batch, options),
        (error) => isRecordBatchError(error),
        `${name}: a record-batch error`,
      )
      assert.throws(
        () => decodeBatch(batch),
        (error) => isRecordBatchError(error),
        `${name}: decodeBatch agrees`,
      )
    }
  })

  it('#7: a payload over the bound is refused, before reserving when it states its size', async () => {
    const count = 20_000
    const body = tinyRecords(count)
    for (const codec of [Compression.gzip, Compression.lz4, Compression.zstd, Compression.snappy]) {
      const batch = assembleBatch(compress(codec, body), fieldsFor(codec, count))
      let reserved = 0
      await assert.rejects(
        walkAll(batch, {
          ...noPause,
          decompressedBytesMax: 1000,
          reserve: async (bytes) => {
            reserved++
            return { bytes, shrink: () => {}, release: () => {} }
          },
        }),
        DecompressedTooLargeError,
        `codec ${codec}`,
      )
      if (codec !== Compression.lz4) assert.equal(reserved, 0, `codec ${codec} states its size`)
    }
  })
})
