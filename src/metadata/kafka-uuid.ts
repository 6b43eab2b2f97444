// Kafka's 128-bit ids (topic ids, cluster ids) and their text form: 16 bytes as unpadded base64url,
// 22 characters. Kafka never hands out the all-zero id, the metadata topic's id (0,1), or an id whose
// text starts with '-' (it would read as a command-line flag).
import { ZERO_UUID } from '../protocol/index.js'

/** Supplies `length` random bytes; node:crypto's randomBytes in production, a seeded source in tests. */
export type RandomBytes = (length: number) => Uint8Array

/** The all-zero id, Kafka's "no id": the protocol's constant. */
export { ZERO_UUID }

const METADATA_TOPIC_UUID = 'AAAAAAAAAAAAAAAAAAAAAQ'

/** A fresh random id as 22-char base64url text, shaped like a version-4 UUID; never zero or reserved. */
export function randomKafkaUuid(randomBytes: RandomBytes): string {
  for (;;) {
    const bytes = Buffer.from(randomBytes(16))
    if (bytes.length !== 16) throw new RangeError('randomBytes must return the requested length')
    // Same bit layout as java.util.UUID.randomUUID, which Kafka's Uuid.randomUuid builds on.
    bytes[6] = (bytes[6] & 0x0f) | 0x40
    bytes[8] = (bytes[8] & 0x3f) | 0x80
    const text = bytes.toString('base64url')
    if (text !== ZERO_UUID && text !== METADATA_TOPIC_UUID && !text.startsWith('-')) return text
  }
}

/** True when `text` is 22 base64url characters that decode to 16 bytes and re-encode to the same text. */
export function isKafkaUuidText(text: string): boolean {
  if (!/^[A-Za-z0-9_-]{22}$/.test(text)) return false
  return Buffer.from(text, 'base64url').toString('base64url') === text
}

/** The 16 bytes of an id given as text (for the wire's `uuid` fields). */
export function kafkaUuidToBytes(text: string): Buffer {
  if (!isKafkaUuidText(text)) throw new RangeError(`not a Kafka uuid: ${text}`)
  return Buffer.from(text, 'base64url')
}

/** The text form of 16 id bytes. */
export function kafkaUuidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a Kafka uuid has 16 bytes, got ${bytes.length}`)
  return Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('base64url')
}
