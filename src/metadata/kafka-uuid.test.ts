import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  isKafkaUuidText,
  kafkaUuidFromBytes,
  kafkaUuidToBytes,
  randomKafkaUuid,
  ZERO_UUID,
} from './kafka-uuid.js'

describe('Kafka uuids', () => {
  it('are 22 base64url characters that round-trip through 16 bytes', () => {
    for (let i = 0; i < 200; i++) {
      const id = randomKafkaUuid((n) => randomBytes(n))
      assert.match(id, /^[A-Za-z0-9_-]{22}$/)
      assert.ok(!id.startsWith('-'))
      assert.ok(isKafkaUuidText(id))
      const bytes = kafkaUuidToBytes(id)
      assert.equal(bytes.length, 16)
      assert.equal(bytes[6] >> 4, 4, 'version 4 nibble')
      assert.equal(kafkaUuidFromBytes(bytes), id)
    }
  })

  it('never come out all zero, even from a source of zeros', () => {
    const id = randomKafkaUuid((n) => Buffer.alloc(n))
    assert.notEqual(id, ZERO_UUID)
    assert.notDeepEqual(kafkaUuidToBytes(id), Buffer.alloc(16))
  })

  it('skip ids whose text starts with a dash', () => {
    // 0xf8 = 0b111110.., and base64url's 62nd character is '-'.
    const sources = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x11)]
    const id = randomKafkaUuid(() => sources.shift()!)
    assert.equal(sources.length, 0, 'the first draw was refused')
    assert.ok(!id.startsWith('-'))
    assert.equal(kafkaUuidToBytes(id)[0], 0x11)
  })

  it('reject malformed text', () => {
    assert.equal(isKafkaUuidText('short'), false)
    assert.equal(isKafkaUuidText('AAAAAAAAAAAAAAAAAAAAA='), false)
    // The last character carries 2 spare bits that must be zero for a canonical encoding.
    assert.equal(isKafkaUuidText('AAAAAAAAAAAAAAAAAAAAAB'), false)
    assert.throws(() => kafkaUuidToBytes('nope'), RangeError)
  })
})
