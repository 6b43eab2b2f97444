// CRC-32C: the standard check value, native and portable agreement, and continuation.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { crc32c, crc32cPortable } from './crc32c.js'

describe('crc32c', () => {
  it('matches the CRC-32C check value of "123456789"', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283)
    assert.equal(crc32cPortable(Buffer.from('123456789')), 0xe3069283)
    assert.equal(crc32c(Buffer.alloc(0)), 0)
  })

  it('agrees between native and portable on odd lengths and offsets, and continues a checksum', () => {
    const data = Buffer.from(Array.from({ length: 1031 }, (_, i) => (i * 31 + 7) & 0xff))
    for (const [start, end] of [
      [0, 1031],
      [3, 20],
      [5, 1000],
    ]) {
      const slice = data.subarray(start, end)
      assert.equal(crc32c(slice), crc32cPortable(slice))
    }
    const whole = crc32cPortable(data)
    assert.equal(crc32cPortable(data.subarray(500), crc32cPortable(data.subarray(0, 500))), whole)
    assert.equal(crc32c(data.subarray(500), crc32c(data.subarray(0, 500))), whole)
  })
})
