// Round trips every message at every version with generated values, and fuzzes every request decoder:
// arbitrary bytes either decode or raise ProtocolError, nothing else.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ProtocolError } from '../core/index.js'
import { SeededRandom } from '../testing/index.js'
import { allApis } from './api-codecs.js'
import { ApiKey, apiKeyName } from './api-keys.js'
import { compileMessage } from './compile.js'
import { Reader } from './reader.js'
import { type FieldDef, type MessageDef, type PrimitiveType, inVersions, versionBounds } from './schema.js'
import { Writer } from './writer.js'

/** A seeded generator (SeededRandom) as a function, so a failure replays from its seed. */
function prng(seed: number): () => number {
  const seeded = new SeededRandom(seed)
  return () => seeded.next()
}

function primitive(type: PrimitiveType, rand: () => number): unknown {
  const int = (bits: number) => Math.floor(rand() * 2 ** bits) - 2 ** (bits - 1)
  switch (type) {
    case 'bool':
      return rand() < 0.5
    case 'int8':
      return int(8)
    case 'int16':
      return int(16)
    case 'int32':
      return int(32)
    case 'int64':
      return int(48) * 31
    case 'uint16':
      return Math.floor(rand() * 65536)
    case 'uint32':
      return Math.floor(rand() * 4294967296)
    case 'float64':
      return rand() * 1000 - 500
    case 'uuid':
      return Buffer.from(Array.from({ length: 16 }, () => Math.floor(rand() * 256))).toString('base64url')
    case 'string':
      return (
        Array.from({ length: Math.floor(rand() * 12) }, () =>
          String.fromCharCode(97 + Math.floor(rand() * 26)),
        ).join('') + (rand() < 0.2 ? 'é✓' : '')
      )
    case 'bytes':
    case 'records':
      return Buffer.from(Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 256)))
  }
}

function generate(fields: readonly FieldDef[], version: number, rand: () => number): Record<string, unknown> {
  const value: Record<string, unknown> = {}
  for (const field of fields) {
    if (!inVersions(field.versions, version)) continue
    const nullable = field.nullableVersions !== undefined && inVersions(field.nullableVersions, version)
    if (nullable && rand() < 0.2) {
      value[field.name] = null
      continue
    }
    if (field.type === 'struct' && 'fields' in field)
      value[field.name] = generate(field.fields, version, rand)
    else if (field.type === '[]' && 'fields' in field) {
      value[field.name] = Array.from({ length: Math.floor(rand() * 3) }, () =>
        generate(field.fields, version, rand),
      )
    } else if (field.type.startsWith('[]')) {
      const element = field.type.slice(2) as PrimitiveType
      value[field.name] = Array.from({ length: Math.floor(rand() * 4) }, () => primitive(element, rand))
    } else value[field.name] = primitive(field.type as PrimitiveType, rand)
  }
  return value
}

/** Checks that every field present in `version` decoded to what was encoded. */
function comparePresent(
  fields: readonly FieldDef[],
  version: number,
  expected: any,
  actual: any,
  path: string,
): void {
  for (const field of fields) {
    if (!inVersions(field.versions, version)) continue
    const e = expected[field.name]
    const a = actual[field.name]
    const where = `${path}.${field.name}`
    if (e === null || !('fields' in field)) {
      deepStrictEqual(a, e, where)
    } else if (field.type === 'struct') {
      comparePresent(field.fields, version, e, a, where)
    } else {
      strictEqual(a.length, e.length, `${where}.length`)
      for (let i = 0; i < e.length; i++) comparePresent(field.fields, version, e[i], a[i], `${where}[${i}]`)
    }
  }
}

const codecs = new Map<string, ReturnType<typeof compileMessage>>()
function codecFor(message: MessageDef, version: number): ReturnType<typeof compileMessage> {
  const key = `${message.name}:${version}`
  let codec = codecs.get(key)
  if (codec === undefined) codecs.set(key, (codec = compileMessage(message, version)))
  return codec
}

function encode(message: MessageDef, version: number, value: unknown): Buffer {
  const writer = new Writer(16)
  codecFor(message, version).encode(writer, value as never)
  return writer.toBuffer()
}

const apis = allApis()

test("every API definition has a known key, once, under Kafka's name, on both its messages (#7)", () => {
  const keys = apis.map((api) => api.apiKey)
  deepStrictEqual(new Set(keys).size, keys.length, 'an API key is defined twice')
  for (const api of apis) {
    strictEqual(apiKeyName(api.apiKey), api.name, `key ${api.apiKey}`)
    strictEqual(api.request.apiKey, api.apiKey, `${api.name} request`)
    strictEqual(api.response.apiKey, api.apiKey, `${api.name} response`)
  }
  for (const key of [
    ApiKey.Produce,
    ApiKey.Fetch,
    ApiKey.Metadata,
    ApiKey.ApiVersions,
    ApiKey.FindCoordinator,
  ]) {
    ok(keys.includes(key), `no definition for key ${key}`)
  }
})

for (const api of apis) {
  describe(`${api.name} (key ${api.apiKey})`, () => {
    for (const message of [api.request, api.response]) {
      const { min, max } = versionBounds(message.validVersions)
      test(`${message.name} round-trips at versions ${min}-${max}`, () => {
        for (let version = min; version <= max; version++) {
          for (let seed = 1; seed <= 25; seed++) {
            const value = generate(message.fields, version, prng(seed * 7919 + version))
            const bytes = encode(message, version, value)
            const decoded = codecFor(message, version).decode(new Reader(bytes))
            comparePresent(
              message.fields,
              version,
              value,
              decoded,
              `${message.name} v${version} seed ${seed}`,
            )
            deepStrictEqual(
              encode(message, version, decoded),
              bytes,
              `${message.name} v${version} re-encodes identically`,
            )
            const stepped = new Writer(16)
            const steps = codecFor(message, version).encodeSteps(stepped, value as never)
            while (steps.next().done !== true);
            deepStrictEqual(
              stepped.toBuffer(),
              bytes,
              `${message.name} v${version} encodes the same in steps`,
            )
          }
          // An empty input encodes every field as its default and decodes back.
          const empty = encode(message, version, {})
          codecFor(message, version).decode(new Reader(empty))
        }
      })
    }
    test(`${api.request.name} decoders survive arbitrary and mutated bytes`, () => {
      const { min, max } = versionBounds(api.request.validVersions)
      const rand = prng(api.apiKey + 1)
      for (let version = min; version <= max; version++) {
        const codec = codecFor(api.request, version)
        const valid = encode(api.request, version, generate(api.request.fields, version, rand))
        const seeded = new SeededRandom(api.apiKey * 1000 + version)
        const inputs: Buffer[] = [seeded.bytes(0), seeded.bytes(3), seeded.bytes(64), seeded.bytes(300)]
        for (let i = 0; i < 40; i++) {
          const mutated = Buffer.from(valid)
          if (mutated.length > 0) mutated[Math.floor(rand() * mutated.length)] = Math.floor(rand() * 256)
          inputs.push(mutated, valid.subarray(0, Math.floor(rand() * valid.length)))
        }
        for (const input of inputs) {
          try {
            codec.decode(new Reader(input))
          } catch (error) {
            ok(error instanceof ProtocolError, `${api.request.name} v${version}: ${String(error)}`)
          }
        }
      }
    })
  })
}
