// The codec's defences against hostile requests (#7): the bound on array elements per request, int64
// values beyond 2^53 noted by field, and the bound on the bytes an answer encodes.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ProtocolError } from '../core/index.js'
import {
  ANSWER_SLICE_BYTES,
  encodeResponseFrame,
  encodeResponseFrameInSlices,
  requestCodec,
} from './api-codecs.js'
import { ApiKey } from './api-keys.js'
import { Reader } from './reader.js'
import { Writer } from './writer.js'

/** DescribeGroups v5 body (flexible) with `count` empty group ids. */
function describeGroupsBody(count: number): Buffer {
  const w = new Writer()
  w.uvarint(count + 1)
  for (let i = 0; i < count; i++) w.compactString('')
  w.bool(false)
  w.uvarint(0)
  return w.toBuffer()
}

describe('codec bounds (#7)', () => {
  const codec = requestCodec(ApiKey.DescribeGroups, 5)!

  it('decodes up to elementsMax array elements per request and refuses one more', () => {
    const body = describeGroupsBody(1000)
    const atBound = codec.decode(new Reader(body, 0, body.length, 1000)) as unknown as { groups: string[] }
    assert.equal(atBound.groups.length, 1000)
    assert.throws(() => codec.decode(new Reader(body, 0, body.length, 999)), ProtocolError)
  })

  it('counts the elements of nested arrays together', () => {
    const offsetCommit = requestCodec(ApiKey.OffsetCommit, 2)!
    const w = new Writer()
    w.string('g')
    w.int32(1)
    w.string('m')
    w.int64(-1)
    w.int32(2) // topics
    for (const name of ['a', 'b']) {
      w.string(name)
      w.int32(3) // partitions
      for (let p = 0; p < 3; p++) {
        w.int32(p)
        w.int64(5)
        w.nullableString(null)
      }
    }
    const bytes = w.toBuffer()
    assert.doesNotThrow(() => offsetCommit.decode(new Reader(bytes, 0, bytes.length, 8)))
    assert.throws(() => offsetCommit.decode(new Reader(bytes, 0, bytes.length, 7)), ProtocolError)
  })

  it('notes int64 fields beyond ±(2^53-1) by name and keeps them beyond the safe range', () => {
    const listOffsets = requestCodec(ApiKey.ListOffsets, 1)!
    const w = new Writer()
    w.int32(-1)
    w.int32(1)
    w.string('t')
    w.int32(2)
    w.int32(0)
    w.int64(2 ** 53 - 1)
    w.int32(1)
    w.int64(-1)
    const safe = w.toBuffer()
    const reader = new Reader(safe)
    listOffsets.decode(reader)
    assert.deepEqual(reader.unsafeInt64Fields, [])
    // Patch the first timestamp to 2^63-1.
    const unsafe = Buffer.from(safe)
    const at = unsafe.length - 8 - 4 - 8 // the second partition (int32 + int64) comes after it
    unsafe.writeBigInt64BE(2n ** 63n - 1n, at)
    const flagged = new Reader(unsafe)
    const value = listOffsets.decode(flagged) as unknown as {
      topics: { partitions: { timestamp: number }[] }[]
    }
    assert.deepEqual(flagged.unsafeInt64Fields, ['timestamp'])
    assert.ok(value.topics[0].partitions[0].timestamp > Number.MAX_SAFE_INTEGER)
  })

  it('refuses to write an int64 that is not a safe integer', () => {
    const w = new Writer()
    w.int64(Number.MAX_SAFE_INTEGER)
    w.int64(-Number.MAX_SAFE_INTEGER)
    assert.throws(() => w.int64(2 ** 63), { code: 'BROOK_ERR_ASSERTION' })
    assert.throws(() => w.int64(2 ** 53), { code: 'BROOK_ERR_ASSERTION' })
  })

  it('stops encoding past encodedBytesMax, not counting blobs passed through', () => {
    const w = new Writer(16, 1000)
    w.raw(Buffer.alloc(100_000)) // passed through as a chunk
    for (let i = 0; i < 200; i++) w.int32(i)
    assert.throws(() => {
      for (let i = 0; i < 100; i++) w.int32(i)
    }, ProtocolError)
  })

  it('encodes a large answer in slices with a pause between them, to the same bytes (#7)', async () => {
    // DescribeConfigs v4 with 30,000 results of 40 configs each: ~50 MiB, 0.8 s of CPU in one turn before.
    const configs = Array.from({ length: 40 }, (_, i) => ({
      name: `config.name.${i}`,
      value: `value-${i}`,
      readOnly: false,
      configSource: 5,
      isSensitive: false,
      synonyms: [{ name: `synonym.${i}`, value: `value-${i}`, source: 5 }],
      configType: 2,
      documentation: null,
    }))
    const body = {
      throttleTimeMs: 0,
      results: Array.from({ length: 30_000 }, (_, i) => ({
        errorCode: 0,
        errorMessage: null,
        resourceType: 2,
        resourceName: `topic-${i}`,
        configs,
      })),
    }
    let pauses = 0
    const sliced = await encodeResponseFrameInSlices(
      ApiKey.DescribeConfigs,
      4,
      7,
      body,
      2 ** 31,
      async () => {
        pauses++
      },
    )
    const whole = encodeResponseFrame(ApiKey.DescribeConfigs, 4, 7, body)
    const bytes = Buffer.concat(sliced)
    assert.deepEqual(bytes, Buffer.concat(whole))
    assert.ok(
      pauses >= Math.floor(bytes.length / ANSWER_SLICE_BYTES) - 1,
      `${pauses} pauses in ${bytes.length} bytes`,
    )
    // The bound on encoded bytes still holds.
    await assert.rejects(
      encodeResponseFrameInSlices(ApiKey.DescribeConfigs, 4, 7, body, 1 << 20, async () => {}),
      ProtocolError,
    )
  })
})
