// Compiles a message definition for one version into straight-line encode and decode functions, once, by
// generating JavaScript source. The hot path then runs plain property reads and writer calls: no
// per-field interpretation of the definition.
import { isDeepStrictEqual } from 'node:util'
import { ProtocolError } from '../core/index.js'
import { Reader, ZERO_UUID } from './reader.js'
import {
  type FieldDef,
  type MessageDef,
  type MessageInput,
  type MessageValue,
  type PrimitiveType,
  inVersions,
} from './schema.js'
import { Writer } from './writer.js'

/** Encode and decode functions for one message at one version. */
export interface MessageCodec<M extends MessageDef> {
  readonly version: number
  readonly flexible: boolean
  decode(reader: Reader): MessageValue<M>
  encode(writer: Writer, value: MessageInput<M>): void
  /**
   * Encodes like `encode`, as steps: the iterator stops after each element of a top-level array of
   * structs, so that a caller can give the event loop a turn while a large answer is encoded. Running it
   * to the end writes the same bytes as `encode`.
   */
  encodeSteps(writer: Writer, value: MessageInput<M>): Iterator<void, void, void>
}

function isStruct(field: FieldDef): field is FieldDef & { fields: readonly FieldDef[] } {
  return field.type === '[]' || field.type === 'struct'
}

function elementType(field: FieldDef): PrimitiveType | undefined {
  return field.type.startsWith('[]') && field.type.length > 2
    ? (field.type.slice(2) as PrimitiveType)
    : undefined
}

/** Default value of a field. */
function defaultValue(field: FieldDef): unknown {
  if ('default' in field && field.default !== undefined) return field.default
  if (field.type === 'struct') return null // filled by decodeDefault of the struct below
  if (field.type.startsWith('[]')) return []
  switch (field.type as PrimitiveType) {
    case 'bool':
      return false
    case 'string':
      return ''
    case 'uuid':
      return ZERO_UUID
    case 'bytes':
      return Buffer.alloc(0)
    case 'records':
      return null
    default:
      return 0
  }
}

interface Context {
  helpers: unknown[]
}

function helper(context: Context, value: unknown): string {
  context.helpers.push(value)
  return `h[${context.helpers.length - 1}]`
}

function primitiveRead(type: PrimitiveType, nullable: boolean, flexible: boolean, name: string): string {
  switch (type) {
    case 'int64':
      return `r.int64(${JSON.stringify(name)})`
    case 'bool':
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint16':
    case 'uint32':
    case 'float64':
    case 'uuid':
      return `r.${type}()`
    case 'string':
      return flexible
        ? nullable
          ? 'r.compactNullableString()'
          : 'r.compactString()'
        : nullable
          ? 'r.nullableString()'
          : 'r.string()'
    case 'bytes':
    case 'records':
      return flexible
        ? nullable
          ? 'r.compactNullableBytes()'
          : 'r.compactBytes()'
        : nullable
          ? 'r.nullableBytes()'
          : 'r.bytes()'
  }
}

function primitiveWrite(type: PrimitiveType, nullable: boolean, flexible: boolean, value: string): string {
  switch (type) {
    case 'bool':
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'uint16':
    case 'uint32':
    case 'float64':
    case 'uuid':
      return `w.${type}(${value})`
    case 'string':
      return flexible
        ? nullable
          ? `w.compactNullableString(${value})`
          : `w.compactString(${value})`
        : nullable
          ? `w.nullableString(${value})`
          : `w.string(${value})`
    case 'bytes':
      return flexible
        ? nullable
          ? `w.compactNullableBytes(${value})`
          : `w.compactBytes(${value})`
        : nullable
          ? `w.nullableBytes(${value})`
          : `w.bytes(${value})`
    case 'records':
      return `w.records(${value}, ${flexible})`
  }
}

/** Source of an expression reading one field's value (not tagged-field framing). */
function readExpression(field: FieldDef, version: number, flexible: boolean, context: Context): string {
  const nullable = field.nullableVersions !== undefined && inVersions(field.nullableVersions, version)
  if (isStruct(field)) {
    const decodeStruct = helper(context, compileStructDecoder(field.fields, version, flexible, context))
    if (field.type === 'struct') {
      return nullable ? `(r.int8() < 0 ? null : ${decodeStruct}(r, h))` : `${decodeStruct}(r, h)`
    }
    return `${helper(context, readArray)}(r, h, ${flexible}, ${nullable}, ${decodeStruct})`
  }
  const element = elementType(field)
  if (element !== undefined) {
    const readElement = helper(
      context,
      new Function('r', `return ${primitiveRead(element, false, flexible, field.name)}`),
    )
    return `${helper(context, readArray)}(r, h, ${flexible}, ${nullable}, ${readElement})`
  }
  return primitiveRead(field.type as PrimitiveType, nullable, flexible, field.name)
}

function readArray(
  r: Reader,
  h: unknown[],
  flexible: boolean,
  nullable: boolean,
  readElement: (r: Reader, h: unknown[]) => unknown,
): unknown[] | null {
  const count = flexible ? r.compactArrayLength() : r.arrayLength()
  if (count < 0) {
    if (!nullable) throw new ProtocolError('null where an array is required')
    return null
  }
  const result = new Array(count)
  for (let i = 0; i < count; i++) result[i] = readElement(r, h)
  return result
}

function writeArray(
  w: Writer,
  h: unknown[],
  value: unknown[] | null | undefined,
  flexible: boolean,
  nullable: boolean,
  name: string,
  writeElement: (w: Writer, v: unknown, h: unknown[]) => void,
): void {
  const items = writeArrayCount(w, value, flexible, nullable, name)
  for (let i = 0; i < items.length; i++) writeElement(w, items[i], h)
}

/** Writes an array's count (or null); returns the elements to write next. */
function writeArrayCount(
  w: Writer,
  value: unknown[] | null | undefined,
  flexible: boolean,
  nullable: boolean,
  name: string,
): unknown[] {
  if (value === null) {
    if (!nullable) throw new ProtocolError(`${name} may not be null in this version`)
    if (flexible) w.uvarint(0)
    else w.int32(-1)
    return []
  }
  const items = value ?? []
  if (flexible) w.uvarint(items.length + 1)
  else w.int32(items.length)
  return items
}

function writeExpression(
  field: FieldDef,
  version: number,
  flexible: boolean,
  context: Context,
  value: string,
): string {
  const nullable = field.nullableVersions !== undefined && inVersions(field.nullableVersions, version)
  if (isStruct(field)) {
    const encodeStruct = helper(context, compileStructEncoder(field.fields, version, flexible, context))
    if (field.type === 'struct') {
      if (nullable)
        return `if (${value} === null) w.int8(-1); else { w.int8(1); ${encodeStruct}(w, ${value} ?? {}, h) }`
      return `${encodeStruct}(w, ${value} ?? {}, h)`
    }
    return `${helper(context, writeArray)}(w, h, ${value}, ${flexible}, ${nullable}, ${JSON.stringify(field.name)}, ${encodeStruct})`
  }
  const element = elementType(field)
  if (element !== undefined) {
    const writeElement = helper(
      context,
      new Function('w', 'v', `${primitiveWrite(element, false, flexible, 'v')}`),
    )
    return `${helper(context, writeArray)}(w, h, ${value}, ${flexible}, ${nullable}, ${JSON.stringify(field.name)}, ${writeElement})`
  }
  const type = field.type as PrimitiveType
  if (!nullable && (type === 'string' || type === 'bytes' || type === 'records')) {
    return `if (${value} === null) throw new h[0](${JSON.stringify(`${field.name} may not be null in this version`)}); ${primitiveWrite(type, nullable, flexible, value)}`
  }
  return primitiveWrite(type, nullable, flexible, value)
}

function defaultExpression(field: FieldDef, version: number, flexible: boolean, context: Context): string {
  if (field.type === 'struct' && !('default' in field)) {
    const decoder = compileStructDecoder(
      (field as { fields: readonly FieldDef[] }).fields,
      version,
      flexible,
      context,
    )
    const makeDefault = helper(context, () => decoder(new Reader(Buffer.alloc(0)), context.helpers, true))
    return `${makeDefault}()`
  }
  const value = defaultValue(field)
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return '[]'
  if (Buffer.isBuffer(value)) return `${helper(context, Buffer)}.alloc(0)`
  return helper(context, value)
}

type StructDecoder = (r: Reader, h: unknown[], defaultsOnly?: boolean) => Record<string, unknown>
type StructEncoder = (w: Writer, value: Record<string, unknown>, h: unknown[]) => void

function propertyAccess(name: string): string {
  return `[${JSON.stringify(name)}]`
}

function compileStructDecoder(
  fields: readonly FieldDef[],
  version: number,
  flexible: boolean,
  context: Context,
): StructDecoder {
  const lines: string[] = ['const o = {}', 'if (d) {']
  for (const field of fields)
    lines.push(`o${propertyAccess(field.name)} = ${defaultExpression(field, version, flexible, context)}`)
  lines.push('return o', '}')
  const tagged: FieldDef[] = []
  for (const field of fields) {
    const present = inVersions(field.versions, version)
    const isTagged =
      flexible && field.taggedVersions !== undefined && inVersions(field.taggedVersions, version)
    if (present && isTagged) {
      tagged.push(field)
      lines.push(`o${propertyAccess(field.name)} = ${defaultExpression(field, version, flexible, context)}`)
    } else if (present && field.tag === undefined) {
      lines.push(`o${propertyAccess(field.name)} = ${readExpression(field, version, flexible, context)}`)
    } else {
      lines.push(`o${propertyAccess(field.name)} = ${defaultExpression(field, version, flexible, context)}`)
    }
  }
  if (flexible) {
    lines.push('{ const n = r.uvarint(); let last = -1')
    lines.push(
      'for (let i = 0; i < n; i++) { const tag = r.uvarint(); const size = r.uvarint(); const end = r.offset + size',
    )
    lines.push("if (tag <= last) r.fail('tagged fields out of order'); last = tag")
    lines.push("if (end > r.end) r.fail('tagged field exceeds the message')")
    lines.push('switch (tag) {')
    for (const field of tagged) {
      lines.push(
        `case ${field.tag}: o${propertyAccess(field.name)} = ${readExpression(field, version, flexible, context)}; if (r.offset !== end) r.fail('tagged field size mismatch'); break`,
      )
    }
    lines.push('default: r.offset = end } } }')
  }
  lines.push('return o')
  return new Function('r', 'h', 'd', lines.join('\n')) as StructDecoder
}

function compileStructEncoder(
  fields: readonly FieldDef[],
  version: number,
  flexible: boolean,
  context: Context,
): StructEncoder {
  return new Function('w', 'v', 'h', encoderLines(fields, version, flexible, context, false)) as StructEncoder
}

/** A struct encoder as a generator that yields after each element of the struct's arrays of structs. */
function compileStructEncoderSteps(
  fields: readonly FieldDef[],
  version: number,
  flexible: boolean,
  context: Context,
): StructEncoderSteps {
  const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as new (
    ...args: string[]
  ) => StructEncoderSteps
  return new GeneratorFunction('w', 'v', 'h', encoderLines(fields, version, flexible, context, true))
}

type StructEncoderSteps = (w: Writer, value: Record<string, unknown>, h: unknown[]) => Iterator<void>

function encoderLines(
  fields: readonly FieldDef[],
  version: number,
  flexible: boolean,
  context: Context,
  steps: boolean,
): string {
  const lines: string[] = []
  const tagged: FieldDef[] = []
  for (const field of fields) {
    if (!inVersions(field.versions, version)) continue
    if (flexible && field.taggedVersions !== undefined && inVersions(field.taggedVersions, version)) {
      tagged.push(field)
      continue
    }
    if (field.tag !== undefined) continue
    const value = `v${propertyAccess(field.name)}`
    const fallback = defaultExpression(field, version, flexible, context)
    if (steps && field.type === '[]' && isStruct(field)) {
      const nullable = field.nullableVersions !== undefined && inVersions(field.nullableVersions, version)
      const encodeStruct = helper(context, compileStructEncoder(field.fields, version, flexible, context))
      lines.push(
        `{ let x = ${value}; if (x === undefined) x = ${fallback}; const items = ${helper(context, writeArrayCount)}(w, x, ${flexible}, ${nullable}, ${JSON.stringify(field.name)}); for (let i = 0; i < items.length; i++) { ${encodeStruct}(w, items[i], h); yield } }`,
      )
      continue
    }
    lines.push(
      `{ let x = ${value}; if (x === undefined) x = ${fallback}; ${writeExpression(field, version, flexible, context, 'x')} }`,
    )
  }
  if (flexible) {
    if (tagged.length === 0) {
      lines.push('w.uvarint(0)')
    } else {
      // A tagged field is written only when it differs from its default, as Kafka does.
      lines.push('const t = []')
      for (const field of tagged) {
        const value = `v${propertyAccess(field.name)}`
        const isDefault = helper(context, makeIsDefault(field, version, flexible, context))
        const sub = helper(context, Writer)
        lines.push(
          `if (${value} !== undefined && !${isDefault}(${value})) { const w2 = new ${sub}(64); { const w = w2; const x = ${value}; ${writeExpression(field, version, flexible, context, 'x')} } t.push([${field.tag}, w2.toBuffer()]) }`,
        )
      }
      lines.push(
        'w.uvarint(t.length); for (const [tag, bytes] of t) { w.uvarint(tag); w.uvarint(bytes.length); w.raw(bytes) }',
      )
    }
  }
  return lines.join('\n')
}

function makeIsDefault(
  field: FieldDef,
  version: number,
  flexible: boolean,
  context: Context,
): (value: unknown) => boolean {
  if (field.type === 'struct' && !('default' in field)) {
    // A tagged struct is left out when every field holds its default, as Kafka does.
    const fields = (field as { fields: readonly FieldDef[] }).fields
    const decoder = compileStructDecoder(fields, version, flexible, context)
    const fallbackStruct = decoder(new Reader(Buffer.alloc(0)), context.helpers, true)
    return (value) =>
      value === undefined || isDeepStrictEqual({ ...fallbackStruct, ...(value as object) }, fallbackStruct)
  }
  const fallback = defaultValue(field)
  return (value) => {
    if (value === fallback) return true
    if (Array.isArray(value)) return value.length === 0 && Array.isArray(fallback)
    if (Buffer.isBuffer(value)) return value.length === 0 && Buffer.isBuffer(fallback)
    return false
  }
}

/** Compiles `message` at `version`. Throws if the version is outside the definition's valid range. */
export function compileMessage<M extends MessageDef>(message: M, version: number): MessageCodec<M> {
  if (!inVersions(message.validVersions, version)) {
    throw new ProtocolError(`${message.name} has no version ${version}`)
  }
  const flexible = inVersions(message.flexibleVersions, version)
  const context: Context = { helpers: [ProtocolError] }
  const decodeStruct = compileStructDecoder(message.fields, version, flexible, context)
  const encodeStruct = compileStructEncoder(message.fields, version, flexible, context)
  let encodeStructSteps: StructEncoderSteps | undefined
  const helpers = context.helpers
  return {
    version,
    flexible,
    decode: (reader) => decodeStruct(reader, helpers) as MessageValue<M>,
    encode: (writer, value) => encodeStruct(writer, value as Record<string, unknown>, helpers),
    encodeSteps(writer, value) {
      // Compiled on first use: most messages are never encoded in steps.
      encodeStructSteps ??= compileStructEncoderSteps(message.fields, version, flexible, context)
      return encodeStructSteps(writer, value as Record<string, unknown>, helpers)
    },
  }
}
