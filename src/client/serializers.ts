// Serialisers turn values into record bytes and back. Bytes (Buffer in, Buffer out) is the default; string
// and JSON are built in; anything implementing Serde<T> is accepted and types `message.value` as T.
import { DeserializeError, SerializeError } from './errors.js'

/** Turns a value into record bytes (null for a null key or a tombstone). */
export interface Serializer<T> {
  /** The bytes of `value` for a record of `topic`; throwing makes send() reject with SerializeError. */
  serialize(value: T, topic: string): Buffer | null
}

/** Turns record bytes back into a value. */
export interface Deserializer<T> {
  /** The value of `data` read from `topic`; throwing makes the consumer's iteration throw DeserializeError. */
  deserialize(data: Buffer | null, topic: string): T
}

/** Both directions for one type; every built-in serialiser is one. */
export interface Serde<T> extends Serializer<T>, Deserializer<T> {}

const bytes: Serde<Buffer | null> = {
  serialize(input) {
    const value = input as unknown
    if (value === null || value === undefined) return null
    if (Buffer.isBuffer(value)) return value
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    if (typeof value === 'string') return Buffer.from(value, 'utf8')
    throw new SerializeError(`bytes serialiser needs a Buffer, Uint8Array or string, got ${typeof value}`)
  },
  deserialize: (data) => data,
}

const string: Serde<string | null> = {
  serialize(value) {
    if (value === null || value === undefined) return null
    if (typeof value !== 'string')
      throw new SerializeError(`string serialiser needs a string, got ${typeof value}`)
    return Buffer.from(value, 'utf8')
  },
  deserialize: (data) => (data === null ? null : data.toString('utf8')),
}

/** JSON text in UTF-8; a value JSON cannot encode (a cycle, a BigInt, undefined) is a serialise error. */
function json<T = unknown>(): Serde<T> {
  return {
    serialize(value) {
      if (value === null) return null
      let text: string | undefined
      try {
        text = JSON.stringify(value)
      } catch (error) {
        throw new SerializeError(`value cannot be encoded as JSON: ${(error as Error).message}`, {
          cause: error,
        })
      }
      if (text === undefined) throw new SerializeError(`value of type ${typeof value} has no JSON form`)
      return Buffer.from(text, 'utf8')
    },
    deserialize(data) {
      if (data === null) return null as T
      try {
        return JSON.parse(data.toString('utf8')) as T
      } catch (error) {
        throw new DeserializeError(`record is not JSON: ${(error as Error).message}`, {
          cause: error,
        })
      }
    },
  }
}

/** The built-in serialisers: `serializers.bytes`, `serializers.string`, `serializers.json<T>()`. */
export const serializers = {
  /** Buffer in and out (also takes a Uint8Array or a string to send); null stays null. The default. */
  bytes,
  /** UTF-8 strings; null stays null. */
  string,
  /** JSON in UTF-8, typed by the caller: `serializers.json<Order>()`; null stays null. */
  json,
} as const
