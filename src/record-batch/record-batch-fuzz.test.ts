// Fuzzing: random bytes and single-byte mutations of valid batches (CRC fixed up, so the record and codec
// decoders see them) must only ever raise RecordBatchError or answer an error code, and must finish fast.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildRecordBatch } from './batch-builder.js'
import { BatchOffsets, Compression, computeBatchCrc } from './batch-header.js'
import { decodeBatch, iterateBatches } from './batch-reader.js'
import { decompress } from './compression.js'
import { isRecordBatchError } from '../core/index.js'
import { SeededRandom } from '../testing/index.js'
import { decodeRecords } from './records.js'
import { ProduceValidationError, validateProducedBatches } from './validate.js'

const seed = Number(process.env.BROOK_FUZZ_SEED ?? 20240611)
const codecs = [
  Compression.none,
  Compression.gzip,
  Compression.snappy,
  Compression.lz4,
  Compression.zstd,
] as const
const knownCodes = new Set<number>(Object.values(ProduceValidationError))
const boundBytes = 1 << 20

function makeRandom(initial: number): () => number {
  const seeded = new SeededRandom(initial)
  return () => seeded.next()
}

function onlyBrookErrors(what: string, fn: () => unknown): void {
  try {
    fn()
  } catch (error) {
    if (!isRecordBatchError(error)) {
      assert.fail(`${what} (seed ${seed}) threw ${(error as Error)?.stack ?? error}`)
    }
  }
}

function exercise(bytes: Buffer, what: string): void {
  for (const options of [
    { produceVersion: 9, maxMessageBytes: 1 << 20 },
    { produceVersion: 9, maxMessageBytes: 1 << 20, decompressedBytesMax: boundBytes },
    { produceVersion: 9, maxMessageBytes: 1 << 20, compacted: true, decompressedBytesMax: boundBytes },
  ]) {
    const result = validateProducedBatches(bytes, options)
    assert.ok(knownCodes.has(result.errorCode), `${what}: unknown code ${result.errorCode}`)
  }
  onlyBrookErrors(`${what} decodeBatch`, () => decodeBatch(bytes, { decompressedBytesMax: boundBytes }))
  onlyBrookErrors(`${what} iterateBatches`, () => [...iterateBatches(bytes)])
}

describe('fuzz', () => {
  it('random bytes never escape as anything but RecordBatchError', () => {
    const random = makeRandom(seed)
    const started = Date.now()
    for (let i = 0; i < 3000; i++) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)),
      )
      exercise(bytes, `random #${i}`)
      onlyBrookErrors(`random #${i} decodeRecords`, () => decodeRecords(bytes, Math.floor(random() * 10)))
      for (const codec of codecs)
        onlyBrookErrors(`random #${i} codec ${codec}`, () => decompress(codec, bytes, boundBytes))
    }
    assert.ok(Date.now() - started < 20_000, 'random inputs must not hang')
  })

  it('random bytes behind a valid header reach the record and codec decoders', () => {
    const random = makeRandom(seed + 1)
    const template = buildRecordBatch([{ key: 'k', value: 'v' }])
    for (let i = 0; i < 3000; i++) {
      const payload = Buffer.from(
        Array.from({ length: Math.floor(random() * 120) }, () => Math.floor(random() * 256)),
      )
      const batch = Buffer.concat([template.subarray(0, 61), payload])
      batch.writeInt32BE(batch.length - 12, BatchOffsets.batchLength)
      batch.writeInt16BE(codecs[i % codecs.length], BatchOffsets.attributes)
      const count = Math.floor(random() * 5)
      batch.writeInt32BE(count, BatchOffsets.recordsCount)
      batch.writeInt32BE(count - 1, BatchOffsets.lastOffsetDelta)
      batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc)
      exercise(batch, `payload #${i}`)
    }
  })

  for (const codec of codecs) {
    it(`single-byte mutations of a codec ${codec} batch, CRC fixed up`, () => {
      const random = makeRandom(seed + 2 + codec)
      const valid = buildRecordBatch(
        [
          { key: 'key-1', value: 'value one value one value one', headers: [{ key: 'h', value: 'x' }] },
          { key: null, value: 'second'.repeat(20) },
          { key: 'k3', value: null, headers: [{ key: 'n', value: null }] },
        ],
        { compression: codec, nowMs: 1_700_000_000_000 },
      )
      const started = Date.now()
      for (let i = 0; i < 2000; i++) {
        const mutated = Buffer.from(valid)
        const position = Math.floor(random() * mutated.length)
        mutated[position] = Math.floor(random() * 256)
        if (random() < 0.9) mutated.writeUInt32BE(computeBatchCrc(mutated), BatchOffsets.crc)
        exercise(mutated, `codec ${codec} byte ${position}`)
      }
      assert.ok(Date.now() - started < 20_000, 'mutations must not hang')
    })
  }
})
