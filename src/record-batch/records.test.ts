// Records inside a batch: round trips, exact bytes, and strict, bounded rejection of malformed input.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidRecordError } from '../core/index.js'
import { decodeRecords, encodeRecords, type Record, sizeOfRecords } from './records.js'
import { encodeVarint } from './varint.js'

const sample: Record[] = [
  { offsetDelta: 0, timestampDelta: 0, key: Buffer.from('key'), value: Buffer.from('value'), headers: [] },
  { offsetDelta: 1, timestampDelta: -5, key: null, value: null, headers: [{ key: 'h', value: null }] },
  {
    offsetDelta: 2,
    timestampDelta: 1_700_000_000_000,
    key: Buffer.alloc(0),
    value: Buffer.alloc(300, 1),
    headers: [
      { key: 'trace-id', value: Buffer.from('abc') },
      { key: 'ünïcode', value: Buffer.alloc(0) },
    ],
  },
]

describe('records', () => {
  it('round-trips records with null, empty and large fields and headers', () => {
    const bytes = encodeRecords(sample)
    assert.equal(bytes.length, sizeOfRecords(sample))
    assert.deepEqual(decodeRecords(bytes, sample.length), sample)
  })

  it('encodes a minimal record to the exact bytes', () => {
    const bytes = encodeRecords([
      { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('a'), headers: [] },
    ])
    // length 7, attributes, timestampDelta, offsetDelta, key -1, value length 1, 'a', 0 headers
    assert.deepEqual([...bytes], [0x0e, 0x00, 0x00, 0x00, 0x01, 0x02, 0x61, 0x00])
  })

  it('returns views into the input, not copies', () => {
    const bytes = encodeRecords(sample)
    const [first] = decodeRecords(bytes, sample.length)
    assert.equal(first.value!.buffer, bytes.buffer)
  })

  it('rejects fewer records than the count, and bytes left over', () => {
    const bytes = encodeRecords(sample)
    assert.throws(() => decodeRecords(bytes, 4), InvalidRecordError)
    assert.throws(() => decodeRecords(bytes, 2), /left after/)
    assert.throws(() => decodeRecords(Buffer.concat([bytes, Buffer.from([0])]), 3), /left after/)
  })

  it('rejects a count that cannot fit before allocating for it', () => {
    assert.throws(() => decodeRecords(Buffer.alloc(10), 2_000_000_000), /cannot fit/)
    assert.throws(() => decodeRecords(Buffer.alloc(10), -1), InvalidRecordError)
  })

  it('rejects lengths that run past the record or are invalid', () => {
    const one = encodeRecords([sample[0]])
    const longer = Buffer.from(one)
    longer[0] += 2 // record claims 1 more byte than it has
    assert.throws(() => decodeRecords(longer, 1), InvalidRecordError)
    const shorter = Buffer.from(one)
    shorter[0] -= 2 // value would run past the record's declared end
    assert.throws(() => decodeRecords(shorter, 1), InvalidRecordError)
    // key length -2
    const body = Buffer.concat([Buffer.from([0, 0, 0]), encodeVarint(-2), Buffer.from([0x00, 0x00])])
    assert.throws(() => decodeRecords(Buffer.concat([encodeVarint(body.length), body]), 1), /negative/)
  })

  it('rejects a null header key and a header count beyond the bytes left', () => {
    const nullKey = Buffer.from([0, 0, 0, 1, 1, 2, 0x01, 0x01])
    assert.throws(
      () => decodeRecords(Buffer.concat([encodeVarint(nullKey.length), nullKey]), 1),
      /header key is null/,
    )
    const hugeCount = Buffer.concat([Buffer.from([0, 0, 0, 1, 1]), encodeVarint(1_000_000_000)])
    assert.throws(
      () => decodeRecords(Buffer.concat([encodeVarint(hugeCount.length), hugeCount]), 1),
      /header count/,
    )
  })
})
