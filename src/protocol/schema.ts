// The language message definitions are written in: each Kafka message once, for all its versions, as
// plain data. compile.ts turns a (message, version) into straight-line encode and decode functions.
//
// Version ranges are strings: '0+' (from 0 on), '3-5' (inclusive), '7' (exactly 7), 'none'.

/** Wire types of a scalar field. `records` is a nullable byte blob holding record batches. */
export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'uint32'
  | 'float64'
  | 'uuid'
  | 'string'
  | 'bytes'
  | 'records'

/** A scalar field, or an array of scalars (`'[]int32'`). */
export interface ScalarFieldDef {
  readonly name: string
  readonly type: PrimitiveType | `[]${PrimitiveType}`
  /** Versions in which the field is on the wire. Outside them it decodes as its default. */
  readonly versions: string
  /** Versions in which null is allowed (strings, bytes, records, arrays). */
  readonly nullableVersions?: string
  /** Tag number, for a tagged field (flexible versions only). */
  readonly tag?: number
  /** Versions in which the field is sent as a tagged field; required with `tag`. */
  readonly taggedVersions?: string
  /** Value used when the field is absent from a version or not given to the encoder. */
  readonly default?: number | string | boolean | null
}

/** A struct (`'struct'`) or an array of structs (`'[]'`), with nested fields. */
export interface StructFieldDef {
  readonly name: string
  readonly type: 'struct' | '[]'
  readonly versions: string
  readonly nullableVersions?: string
  readonly tag?: number
  readonly taggedVersions?: string
  /** Only null is allowed: a nullable struct whose absent value is null rather than all defaults. */
  readonly default?: null
  readonly fields: readonly FieldDef[]
}

export type FieldDef = ScalarFieldDef | StructFieldDef

/** One Kafka request or response body. */
export interface MessageDef {
  readonly apiKey: number
  /** Kafka's name, such as 'ProduceRequest'. */
  readonly name: string
  readonly kind: 'request' | 'response'
  /** Versions Brook can encode and decode, such as '0-11'. */
  readonly validVersions: string
  /** Versions using compact encodings and tagged fields, such as '9+'. */
  readonly flexibleVersions: string
  readonly fields: readonly FieldDef[]
}

/** Identity helper that keeps the literal types of a definition, so its value types can be inferred. */
export function defineMessage<const M extends MessageDef>(message: M): M {
  return message
}

interface PrimitiveValues {
  bool: boolean
  int8: number
  int16: number
  int32: number
  int64: number
  uint16: number
  uint32: number
  float64: number
  /** A topic id or member id as 22 characters of base64url, Kafka's own text form. */
  uuid: string
  string: string
  bytes: Buffer
  /** Decoded as one view into the frame; encoded from one buffer or a list of buffers written in order. */
  records: Buffer | readonly Buffer[]
}

type Nullable<F> = F extends { nullableVersions: string } ? null : never

type FieldValue<F> = F extends { type: '[]'; fields: infer S extends readonly FieldDef[] }
  ? StructValue<S>[] | Nullable<F>
  : F extends { type: 'struct'; fields: infer S extends readonly FieldDef[] }
    ? StructValue<S> | Nullable<F>
    : F extends { type: `[]${infer P extends PrimitiveType}` }
      ? PrimitiveValues[P][] | Nullable<F>
      : F extends { type: infer P extends PrimitiveType }
        ? PrimitiveValues[P] | Nullable<F>
        : never

/** The JavaScript value of a struct with the given fields. Every field is present after decoding. */
export type StructValue<Fs extends readonly FieldDef[]> = {
  -readonly [F in Fs[number] as F['name']]: FieldValue<F>
}

/** The decoded value of a message. */
export type MessageValue<M extends MessageDef> = StructValue<M['fields']>

type DeepPartial<T> = T extends Buffer
  ? T
  : T extends readonly (infer E)[]
    ? readonly DeepPartial<E>[]
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T

/** What an encoder accepts: any field may be left out and is then encoded as its default. */
export type MessageInput<M extends MessageDef> = DeepPartial<MessageValue<M>>

/** True if `version` lies in the range string `range`. */
export function inVersions(range: string, version: number): boolean {
  if (range === 'none') return false
  if (range.endsWith('+')) return version >= Number(range.slice(0, -1))
  const dash = range.indexOf('-')
  if (dash === -1) return version === Number(range)
  return version >= Number(range.slice(0, dash)) && version <= Number(range.slice(dash + 1))
}

/** The lowest and highest version of a closed range such as '0-11' or '3'. */
export function versionBounds(range: string): { min: number; max: number } {
  const dash = range.indexOf('-')
  if (dash === -1) return { min: Number(range), max: Number(range) }
  return { min: Number(range.slice(0, dash)), max: Number(range.slice(dash + 1)) }
}
