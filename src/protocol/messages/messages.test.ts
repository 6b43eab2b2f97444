// Structural checks of every message definition: version ranges well formed and nested correctly,
// tagged fields only in flexible versions, unique names and tags. Round trips live with the compiler.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ApiKey } from '../api-keys.js'
import type { FieldDef, MessageDef } from '../schema.js'
import { inVersions } from '../schema.js'
import { apiMessages } from './index.js'

const primitives = new Set([
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint16',
  'uint32',
  'float64',
  'uuid',
  'string',
  'bytes',
  'records',
])
const integerTypes = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'uint32'])
const nullableTypes = new Set(['string', 'bytes', 'records'])

/** A range as first..last inclusive; last is Infinity for an open range, and null stands for 'none'. */
interface Range {
  readonly first: number
  readonly last: number
}

function parseRange(range: string, where: string): Range | null {
  if (range === 'none') return null
  const match = /^(\d+)(?:(\+)|-(\d+))?$/.exec(range)
  assert.ok(match, `${where}: malformed range '${range}'`)
  const first = Number(match[1])
  const last = match[2] ? Number.POSITIVE_INFINITY : match[3] !== undefined ? Number(match[3]) : first
  assert.ok(first <= last, `${where}: empty range '${range}'`)
  return { first, last }
}

function within(inner: Range | null, outer: Range | null): boolean {
  if (inner === null) return true
  if (outer === null) return false
  return inner.first >= outer.first && inner.last <= outer.last
}

/** The versions of `range` that also lie in `valid`, so '0+' inside '0-13' is read as '0-13'. */
function clip(range: Range | null, valid: Range): Range | null {
  if (range === null) return null
  const first = Math.max(range.first, valid.first)
  const last = Math.min(range.last, valid.last)
  return first <= last ? { first, last } : null
}

function checkFields(
  message: MessageDef,
  fields: readonly FieldDef[],
  parent: Range,
  valid: Range,
  flexible: Range | null,
  path: string,
): number {
  let count = 0
  const names = new Set<string>()
  const tags = new Set<number>()
  for (const field of fields) {
    const where = `${path}.${field.name}`
    count++
    assert.match(field.name, /^[a-z][A-Za-z0-9]*$/, `${where}: name is not camelCase`)
    assert.ok(!names.has(field.name), `${where}: duplicate field name`)
    names.add(field.name)

    const versions = clip(parseRange(field.versions, where), valid)
    assert.ok(versions !== null, `${where}: versions '${field.versions}' miss ${message.validVersions}`)
    // Kafka sometimes gives a nested field a wider range than its struct ('0+' inside a '12+' struct);
    // only the overlap is ever on the wire, so require an overlap rather than containment.
    assert.ok(clip(versions, parent) !== null, `${where}: versions '${field.versions}' miss its parent's`)

    const isStruct = field.type === 'struct' || field.type === '[]'
    const isArray = field.type.startsWith('[]')
    if (!isStruct) {
      const element = isArray ? field.type.slice(2) : field.type
      assert.ok(primitives.has(element), `${where}: unknown type '${field.type}'`)
    }

    if (field.nullableVersions !== undefined) {
      const nullable = clip(parseRange(field.nullableVersions, where), valid)
      assert.ok(within(nullable, versions), `${where}: nullableVersions outside versions`)
      assert.ok(
        isStruct || isArray || nullableTypes.has(field.type),
        `${where}: type '${field.type}' cannot be null`,
      )
    }

    assert.equal(
      field.tag === undefined,
      field.taggedVersions === undefined,
      `${where}: tag without taggedVersions`,
    )
    if (field.tag !== undefined && field.taggedVersions !== undefined) {
      assert.ok(Number.isInteger(field.tag) && field.tag >= 0, `${where}: bad tag ${field.tag}`)
      assert.ok(!tags.has(field.tag), `${where}: duplicate tag ${field.tag}`)
      tags.add(field.tag)
      const tagged = clip(parseRange(field.taggedVersions, where), valid)
      assert.ok(tagged !== null, `${where}: taggedVersions miss validVersions`)
      assert.ok(within(tagged, versions), `${where}: taggedVersions outside versions`)
      assert.ok(within(tagged, flexible), `${where}: tagged in a non-flexible version`)
    }

    if ('default' in field && field.default !== undefined) {
      const value = field.default
      if (value === null) {
        assert.ok(field.nullableVersions !== undefined, `${where}: default null on a non-nullable field`)
      } else if (integerTypes.has(field.type)) {
        assert.ok(Number.isSafeInteger(value), `${where}: default ${value} is not a safe integer`)
      } else if (field.type === 'bool') {
        assert.equal(typeof value, 'boolean', `${where}: default of a bool`)
      } else if (field.type === 'string') {
        assert.equal(typeof value, 'string', `${where}: default of a string`)
      } else {
        assert.fail(`${where}: unexpected default on type '${field.type}'`)
      }
    }

    if (isStruct) {
      assert.ok('fields' in field && field.fields.length > 0, `${where}: struct without fields`)
      count += checkFields(message, field.fields, clip(versions, parent) ?? parent, valid, flexible, where)
    }
  }
  return count
}

function checkMessage(message: MessageDef, apiKey: number, kind: 'request' | 'response'): number {
  assert.equal(message.apiKey, apiKey)
  assert.equal(message.kind, kind)
  assert.ok(message.name.endsWith(kind === 'request' ? 'Request' : 'Response'), message.name)
  assert.match(message.validVersions, /^\d+(-\d+)?$/, `${message.name}: validVersions must be closed`)
  const valid = parseRange(message.validVersions, message.name)
  assert.ok(valid !== null)
  assert.match(message.flexibleVersions, /^(\d+\+|none)$/, `${message.name}: flexibleVersions`)
  const flexible = parseRange(message.flexibleVersions, message.name)
  return checkFields(message, message.fields, valid, valid, flexible, message.name)
}

describe('message definitions', () => {
  it('cover the APIs in key order, each key once and named as in ApiKey', () => {
    const keys = apiMessages.map((api) => api.apiKey)
    assert.deepEqual(
      keys,
      [...keys].sort((a, b) => a - b),
    )
    assert.equal(new Set(keys).size, keys.length)
    for (const api of apiMessages) assert.equal(ApiKey[api.name], api.apiKey, api.name)
    assert.ok(apiMessages.length >= 36)
  })

  for (const api of apiMessages) {
    it(`${api.name} (key ${api.apiKey}) is well formed`, () => {
      const request: MessageDef = api.request
      const response: MessageDef = api.response
      assert.equal(request.name, `${api.name}Request`)
      assert.equal(response.name, `${api.name}Response`)
      assert.equal(request.validVersions, response.validVersions, 'request and response versions differ')
      assert.equal(
        request.flexibleVersions,
        response.flexibleVersions,
        'request and response flexibility differ',
      )
      checkMessage(request, api.apiKey, 'request')
      assert.ok(checkMessage(response, api.apiKey, 'response') > 0, 'a response has fields')
    })
  }

  it('starts every API at version 0, as old clients expect', () => {
    for (const api of apiMessages) assert.ok(inVersions(api.request.validVersions, 0), api.name)
  })

  it('keeps the version ranges of Kafka 4.4 plus the versions it removed', () => {
    const expected: Record<string, string> = {
      Produce: '0-13',
      Fetch: '0-18',
      ListOffsets: '0-11',
      Metadata: '0-13',
      OffsetCommit: '0-10',
      OffsetFetch: '0-10',
      FindCoordinator: '0-6',
      JoinGroup: '0-9',
      Heartbeat: '0-4',
      LeaveGroup: '0-5',
      SyncGroup: '0-5',
      DescribeGroups: '0-6',
      ListGroups: '0-5',
      ApiVersions: '0-5',
      CreateTopics: '0-7',
      DeleteTopics: '0-6',
      InitProducerId: '0-6',
      ShareFetch: '0-2',
      TxnOffsetCommit: '0-6',
      OffsetForLeaderEpoch: '0-4',
      DescribeQuorum: '0-2',
      DescribeTopicPartitions: '0',
      UnregisterController: '0',
    }
    for (const api of apiMessages) {
      if (api.name in expected) assert.equal(api.request.validVersions, expected[api.name], api.name)
    }
  })
})

describe('selected facts', () => {
  it('puts throttleTimeMs last in Produce responses and first in Fetch responses', () => {
    const produce = apiMessages.find((api) => api.name === 'Produce')?.response.fields ?? []
    const fetch = apiMessages.find((api) => api.name === 'Fetch')?.response.fields ?? []
    assert.equal(produce.filter((field: FieldDef) => field.tag === undefined).at(-1)?.name, 'throttleTimeMs')
    assert.equal(fetch[0]?.name, 'throttleTimeMs')
  })

  it('keeps the fields that only removed versions had', () => {
    const partitionsOf = (name: string, kind: 'request' | 'response'): readonly FieldDef[] => {
      const api = apiMessages.find((entry) => entry.name === name)
      const topics = api?.[kind].fields.find((field) => field.name === 'topics')
      const partitions =
        topics && 'fields' in topics ? topics.fields.find((f) => f.name === 'partitions') : undefined
      return partitions && 'fields' in partitions ? partitions.fields : []
    }
    const listOffsets = partitionsOf('ListOffsets', 'request').map((field) => field.name)
    assert.deepEqual(listOffsets.slice(0, 4), [
      'partitionIndex',
      'currentLeaderEpoch',
      'timestamp',
      'maxNumOffsets',
    ])
    const commit = partitionsOf('OffsetCommit', 'request').find((field) => field.name === 'commitTimestamp')
    assert.equal(commit?.versions, '1')
  })
})
