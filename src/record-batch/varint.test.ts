// Zigzag varint and varlong encodings: edge values, exact bytes, bounds, and kafkajs as an oracle.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import { InvalidRecordError } from '../core/index.js'
import { SeededRandom } from '../testing/index.js'
import {
  encodeVarint,
  encodeVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  VarintReader,
  writeVarint,
  writeVarlong,
} from './varint.js'

const require = createRequire(import.meta.url)

function roundTripVarint(value: number): number {
  const bytes = encodeVarint(value)
  assert.equal(bytes.length, sizeOfVarint(value))
  const reader = new VarintReader(bytes)
  const decoded = reader.readVarint()
  assert.equal(reader.offset, bytes.length)
  return decoded
}

function roundTripVarlong(value: number): number {
  const bytes = encodeVarlong(value)
  assert.equal(bytes.length, sizeOfVarlong(value))
  const reader = new VarintReader(bytes)
  const decoded = reader.readVarlong()
  assert.equal(reader.offset, bytes.length)
  return decoded
}

describe('varint', () => {
  it('encodes 0, -1, 1 and the int32 extremes to the zigzag bytes', () => {
    assert.deepEqual([...encodeVarint(0)], [0x00])
    assert.deepEqual([...encodeVarint(-1)], [0x01])
    assert.deepEqual([...encodeVarint(1)], [0x02])
    assert.deepEqual([...encodeVarint(-64)], [0x7f])
    assert.deepEqual([...encodeVarint(64)], [0x80, 0x01])
    assert.deepEqual([...encodeVarint(2147483647)], [0xfe, 0xff, 0xff, 0xff, 0x0f])
    assert.deepEqual([...encodeVarint(-2147483648)], [0xff, 0xff, 0xff, 0xff, 0x0f])
  })

  it('round-trips edge values', () => {
    for (const value of [
      0,
      -1,
      1,
      63,
      -64,
      64,
      -65,
      8191,
      8192,
      2 ** 20,
      -(2 ** 20),
      2147483647,
      -2147483648,
    ]) {
      assert.equal(roundTripVarint(value), value)
    }
  })

  it('rejects a varint longer than 5 bytes or with bits beyond 32', () => {
    assert.throws(
      () => new VarintReader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).readVarint(),
      InvalidRecordError,
    )
    assert.throws(
      () => new VarintReader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x1f])).readVarint(),
      InvalidRecordError,
    )
  })

  it('rejects a varint cut off by the end bound, even if the buffer goes on', () => {
    const bytes = Buffer.from([0x80, 0x80, 0x01])
    assert.throws(() => new VarintReader(bytes, 0, 2).readVarint(), /past the end/)
    assert.throws(() => new VarintReader(Buffer.alloc(0)).readVarint(), InvalidRecordError)
  })

  it('writes at an offset and returns the next offset', () => {
    const buffer = Buffer.alloc(8, 0xaa)
    const next = writeVarint(buffer, 300, 2)
    assert.equal(next, 4)
    assert.equal(buffer[0], 0xaa)
    const reader = new VarintReader(buffer, 2)
    assert.equal(reader.readVarint(), 300)
  })
})

describe('varlong', () => {
  it('round-trips small, timestamp-sized and large values', () => {
    const values = [
      0,
      -1,
      1,
      1_700_000_000_000,
      -1_700_000_000_000,
      2 ** 48,
      2 ** 49,
      -(2 ** 49),
      2 ** 52 - 1,
      2 ** 52,
      -(2 ** 52),
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ]
    for (const value of values) assert.equal(roundTripVarlong(value), value, `value ${value}`)
  })

  it('encodes int64 extremes of 10 bytes and refuses values beyond the exact range', () => {
    // zigzag(int64 max) = 2^64 - 2: nine 0xff-ish bytes then 0x01.
    const max = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])
    assert.throws(() => new VarintReader(max).readVarlong(), /exact range/)
    const tooLong = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])
    assert.throws(() => new VarintReader(tooLong).readVarlong(), /64 bits/)
    const elevenBytes = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00])
    assert.throws(() => new VarintReader(elevenBytes).readVarlong(), InvalidRecordError)
    assert.throws(() => encodeVarlong(2 ** 60), InvalidRecordError)
  })

  it('agrees with kafkajs on random values', () => {
    const Encoder = require('kafkajs/src/protocol/encoder')
    const Long = require('kafkajs/src/utils/long')
    const seeded = new SeededRandom(7)
    const random = () => seeded.next()
    for (let i = 0; i < 500; i++) {
      const int32 = Math.floor(random() * 2 ** 32) - 2 ** 31
      assert.deepEqual(encodeVarint(int32), new Encoder().writeVarInt(int32).buffer, `varint ${int32}`)
      const magnitude = Math.floor(random() * 2 ** Math.floor(random() * 53))
      const int64 = random() < 0.5 ? -magnitude : magnitude
      assert.deepEqual(
        encodeVarlong(int64),
        new Encoder().writeVarLong(Long.fromNumber(int64)).buffer,
        `varlong ${int64}`,
      )
    }
  })

  it('writes at an offset and returns the next offset', () => {
    const buffer = Buffer.alloc(16)
    const next = writeVarlong(buffer, -1_700_000_000_000, 3)
    assert.equal(next, 3 + sizeOfVarlong(-1_700_000_000_000))
    assert.equal(new VarintReader(buffer, 3).readVarlong(), -1_700_000_000_000)
  })
})
