// Builds request values for any (API, version) from the protocol's own message definitions: each field by
// its type, steered by its name toward what the broker knows (existing topics, real partitions, live
// groups, record batches), with edge values now and then. Encoding the result with the compiled codec
// always works: only values the codec can write are produced; byte-level damage is frame-mutator's job.
import { type FieldDef, type MessageDef, ZERO_UUID, inVersions } from '../../src/protocol/index.js'
import type { SeededRandom } from '../../src/testing/index.js'

/** A topic the fuzzer knows: its name, id (base64url) and partition count. */
export interface FuzzTopic {
  name: string
  topicId: string
  partitions: number
  compacted: boolean
}

/** What the generated requests aim at: things that exist on the broker, so they reach deep code. */
export interface FuzzWorld {
  topics: FuzzTopic[]
  groups: string[]
  memberIds: string[]
  producerIds: number[]
  /** Wall-clock time the requests are made at (timestamps), in ms since the epoch. */
  nowMs: number
  /**
   * The `records` value of a Produce partition: one or more batches, garbage, or null. With `nowMs` -1, one
   * small valid batch (the request already holds its share of record bytes).
   */
  records(
    rng: SeededRandom,
    topic: FuzzTopic | undefined,
    notes: string[],
    nowMs: number,
  ): Buffer | Buffer[] | null
}

/** How a generated value departs from a plausible one; `notes` names every departure (for the report). */
export interface GenerateOptions {
  /** Chance that a scalar takes an edge value instead of a plausible one. */
  edgeChance: number
  /** Chance that the request carries one array of many elements (an element-count bomb). */
  elementBombChance: number
}

export const defaultGenerateOptions: GenerateOptions = { edgeChance: 0.04, elementBombChance: 0.004 }

interface Context {
  rng: SeededRandom
  world: FuzzWorld
  version: number
  options: GenerateOptions
  notes: string[]
  topic: FuzzTopic | undefined
  /** Name of the config whose value is being generated (configs arrays). */
  configName: string | undefined
  /** Structs still allowed in this request: nested edge-length arrays must not multiply out of reach. */
  structsLeft: number
  /** Record-batch bytes still allowed in this request; past it, records fields get one small batch. */
  recordBytesLeft: number
}

/** Structs generated per request at most (element bombs aside, which copy one element). */
const STRUCTS_MAX = 2000
/** Bytes of record batches generated per request at most (bombs reuse prepared batches). */
const RECORD_BYTES_MAX = 4 * 1024 * 1024

// Beyond ±(2^53-1) a number cannot be written exactly; frame-mutator writes 2^63-1 and -2^63 into int64 bytes.
const INT64_EDGES = [0, -1, -2, -3, 1, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1)]
const INT32_EDGES = [0, -1, 1, 2 ** 31 - 1, -(2 ** 31), 65536, 1_000_000, 100_000]
const INT16_EDGES = [0, -1, 1, 32767, -32768]
const INT8_EDGES = [0, -1, 1, 127, -128]

/** Topic configs the fuzzer sets, with values a user might give (and a few hostile ones). */
const CONFIG_VALUES: Record<string, readonly string[]> = {
  'cleanup.policy': ['delete', 'compact', 'compact,delete', 'bogus'],
  'retention.ms': ['604800000', '-1', '86400000', 'abc'],
  'retention.bytes': ['-1', '1073741824', '1048576'],
  'segment.bytes': ['1073741824', '16777216', '1048576', '14', '-5'],
  'segment.ms': ['604800000', '3600000'],
  'max.message.bytes': ['1048588', '10485760', '100', '0'],
  'compression.type': ['producer', 'gzip', 'zstd', 'lz4', 'snappy', 'uncompressed', 'brotli'],
  'message.timestamp.type': ['CreateTime', 'LogAppendTime'],
  'min.insync.replicas': ['1', '2'],
  'min.cleanable.dirty.ratio': ['0.5', '0.01', '2'],
  'unknown.config.name': ['x'],
}
const CONFIG_NAMES = Object.keys(CONFIG_VALUES)
const REGEXES = ['fuzz-.*', '.*', 'fuzz-a', '[', '(a+)+$', '(a|aa)*b', 'a{1,100000}', '']

/** Generates the value of request `message` at `version`. Departures from plausible are named in `notes`. */
export function generateRequest(
  message: MessageDef,
  version: number,
  rng: SeededRandom,
  world: FuzzWorld,
  notes: string[],
  options: GenerateOptions = defaultGenerateOptions,
): Record<string, unknown> {
  const context: Context = {
    rng,
    world,
    version,
    options,
    notes,
    topic: undefined,
    configName: undefined,
    structsLeft: STRUCTS_MAX,
    recordBytesLeft: RECORD_BYTES_MAX,
  }
  const value = generateStruct(message.fields, '', context)
  if (rng.chance(options.elementBombChance)) elementBomb(message.fields, value, context)
  return value
}

function present(field: FieldDef, version: number): boolean {
  return inVersions(field.versions, version)
}

function nullable(field: FieldDef, version: number): boolean {
  return field.nullableVersions !== undefined && inVersions(field.nullableVersions, version)
}

function isTopicStruct(fields: readonly FieldDef[], parentName: string): boolean {
  return fields.some(
    (f) =>
      f.name === 'topicId' ||
      f.name === 'topic' ||
      f.name === 'topicName' ||
      (f.name === 'name' && /topic/i.test(parentName)),
  )
}

function generateStruct(
  fields: readonly FieldDef[],
  parentName: string,
  context: Context,
): Record<string, unknown> {
  const saved = context.topic
  const savedConfig = context.configName
  if (isTopicStruct(fields, parentName)) context.topic = pickTopic(context)
  const out: Record<string, unknown> = {}
  // Config names first, so that a config's value can follow from its name.
  const ordered = [...fields].sort((a, b) => (a.name === 'name' ? -1 : b.name === 'name' ? 1 : 0))
  for (const field of ordered) {
    if (!present(field, context.version)) continue
    out[field.name] = generateField(field, parentName, context)
  }
  context.topic = saved
  context.configName = savedConfig
  return out
}

function pickTopic(context: Context): FuzzTopic | undefined {
  const topics = context.world.topics
  if (topics.length === 0 || context.rng.chance(0.05)) return undefined
  return context.rng.pick(topics)
}

function arrayLength(field: FieldDef, context: Context): number {
  const { rng } = context
  if (rng.chance(context.options.edgeChance)) return rng.pick([0, 0, 1, 50, 300])
  if (/^(topics|topicData|resources|groups|members|protocols)$/.test(field.name)) return rng.intBetween(1, 3)
  return rng.intBetween(0, 3) === 0 ? 0 : rng.intBetween(1, 3)
}

function generateField(field: FieldDef, parentName: string, context: Context): unknown {
  const { rng, version } = context
  if (nullable(field, version) && rng.chance(field.name === 'topics' ? 0.1 : 0.03)) {
    // Some nullable fields are null in every plausible request (transactionalId, groupInstanceId).
    return null
  }
  if (field.type === 'struct')
    return generateStruct((field as { fields: readonly FieldDef[] }).fields, field.name, context)
  if (field.type === '[]') {
    const fields = (field as { fields: readonly FieldDef[] }).fields
    const count = Math.min(arrayLength(field, context), Math.max(0, context.structsLeft))
    context.structsLeft -= count
    const items: unknown[] = []
    for (let i = 0; i < count; i++) items.push(generateStruct(fields, field.name, context))
    return items
  }
  if (field.type.startsWith('[]')) {
    const element = field.type.slice(2)
    const count = arrayLength(field, context)
    const items: unknown[] = []
    for (let i = 0; i < count; i++) items.push(scalar(element, field.name, parentName, false, context))
    return items
  }
  return scalar(field.type, field.name, parentName, nullable(field, version), context)
}

function scalar(
  type: string,
  name: string,
  parentName: string,
  canBeNull: boolean,
  context: Context,
): unknown {
  const { rng } = context
  const edge = rng.chance(context.options.edgeChance)
  switch (type) {
    case 'bool':
      return rng.chance(0.5)
    case 'int8':
      return edge ? note(context, name, rng.pick(INT8_EDGES)) : int8Value(name, context)
    case 'int16':
      return edge ? note(context, name, rng.pick(INT16_EDGES)) : int16Value(name, context)
    case 'int32':
      return edge ? note(context, name, rng.pick(INT32_EDGES)) : int32Value(name, context)
    case 'int64':
      return edge ? note(context, name, rng.pick(INT64_EDGES)) : int64Value(name, context)
    case 'uint16':
      return rng.int(65536)
    case 'uint32':
      return rng.int(2 ** 32)
    case 'float64':
      return edge ? rng.pick([Number.NaN, Number.POSITIVE_INFINITY, -1]) : rng.next()
    case 'uuid':
      return uuidValue(name, edge, context)
    case 'string':
      return edge
        ? note(context, name, edgeString(rng, canBeNull))
        : stringValue(name, parentName, canBeNull, context)
    case 'bytes':
      return bytesValue(name, edge, context)
    case 'records': {
      if (context.recordBytesLeft <= 0) return context.world.records(rng, context.topic, [], -1)
      const records = context.world.records(rng, context.topic, context.notes, context.world.nowMs)
      if (records !== null) {
        for (const batch of Array.isArray(records) ? records : [records])
          context.recordBytesLeft -= batch.length
      }
      return records
    }
    default:
      throw new Error(`unknown field type ${type}`)
  }
}

function note<T>(context: Context, name: string, value: T): T {
  const shown = typeof value === 'string' ? `string(${value.length})` : String(value)
  context.notes.push(`${name}=${shown}`)
  return value
}

function partitionOf(context: Context): number {
  const { rng, topic } = context
  if (topic === undefined) return rng.int(4)
  return rng.chance(0.95) ? rng.int(topic.partitions) : topic.partitions + rng.int(3)
}

function int8Value(name: string, context: Context): number {
  const { rng } = context
  switch (name) {
    case 'isolationLevel':
      return rng.int(2)
    case 'resourceType':
      return rng.pick([2, 2, 2, 4, 8, 1])
    case 'configOperation':
      return rng.int(4)
    case 'keyType':
      return rng.pick([0, 0, 1, 2])
    case 'endpointType':
      return rng.pick([1, 2])
    case 'acknowledgeTypes':
      return rng.int(4)
    case 'shareAcquireMode':
      return rng.int(2)
    default:
      return rng.int(3)
  }
}

function int16Value(name: string, context: Context): number {
  const { rng } = context
  switch (name) {
    case 'acks':
      return rng.pick([-1, -1, -1, 1, 1, 0])
    case 'replicationFactor':
      return rng.pick([1, 1, -1])
    case 'producerEpoch':
      return rng.pick([-1, 0, 0, 1])
    default:
      return rng.int(4)
  }
}

function int32Value(name: string, context: Context): number {
  const { rng } = context
  switch (name) {
    case 'partition':
    case 'partitionIndex':
    case 'index':
    case 'partitionIndexes':
    case 'partitions':
      return partitionOf(context)
    case 'numPartitions':
      return rng.pick([1, 1, 2, 3, -1])
    case 'count':
      return (context.topic?.partitions ?? 1) + rng.int(2)
    case 'timeoutMs':
      return rng.intBetween(0, 2000)
    case 'maxWaitMs':
      return rng.intBetween(0, 300)
    case 'sessionTimeoutMs':
      return rng.intBetween(6000, 30000)
    case 'rebalanceTimeoutMs':
      return rng.pick([-1, 1000, 5000])
    case 'transactionTimeoutMs':
      return rng.pick([-1, 60000])
    case 'minBytes':
      return rng.int(2)
    case 'maxBytes':
    case 'partitionMaxBytes':
      return rng.pick([1, 1024, 65536, 1048576, 52428800])
    case 'generationId':
    case 'memberEpoch':
    case 'generationIdOrMemberEpoch':
      return rng.intBetween(-1, 3)
    case 'leaderEpoch':
    case 'currentLeaderEpoch':
    case 'lastFetchedEpoch':
    case 'committedLeaderEpoch':
    case 'replicaId':
      return rng.pick([-1, -1, 0])
    case 'sessionId':
    case 'sessionEpoch':
    case 'shareSessionEpoch':
      return rng.pick([0, -1, 0, 1])
    case 'maxNumOffsets':
      return 1
    case 'responsePartitionLimit':
      return rng.pick([1, 10, 2000])
    case 'brokerIds':
      return 1
    case 'batchSize':
    case 'maxRecords':
      return rng.intBetween(1, 500)
    default:
      return rng.int(10)
  }
}

function int64Value(name: string, context: Context): number {
  const { rng } = context
  switch (name) {
    case 'producerId':
      return context.world.producerIds.length > 0 && rng.chance(0.7)
        ? rng.pick(context.world.producerIds)
        : -1
    case 'timestamp':
      return rng.pick([-1, -2, -3, -4, -5, context.world.nowMs, 0])
    case 'retentionTimeMs':
    case 'commitTimestamp':
      return -1
    case 'replicaEpoch':
      return -1
    default:
      // Offsets: near the start of a partition, where records are.
      return rng.chance(0.1) ? -1 : rng.int(60)
  }
}

function uuidValue(name: string, edge: boolean, context: Context): string {
  const { rng } = context
  if (edge) return note(context, name, rng.chance(0.5) ? ZERO_UUID : rng.bytes(16).toString('base64url'))
  if (name === 'topicId' && context.topic !== undefined) return context.topic.topicId
  if (name === 'topicId' && context.world.topics.length > 0) return rng.pick(context.world.topics).topicId
  return ZERO_UUID
}

function edgeString(rng: SeededRandom, canBeNull: boolean): string | null {
  switch (rng.int(7)) {
    case 0:
      return ''
    case 1:
      return 'x'.repeat(rng.pick([249, 250, 256, 1000, 32767]))
    case 2:
      return '\u0000\uffff\ud83d\ude00é'
    case 3:
      return '../../etc/passwd'
    case 4:
      return canBeNull ? null : '.'
    case 5:
      return rng.bytes(rng.int(40)).toString('latin1')
    default:
      return '__consumer_offsets'
  }
}

function topicName(context: Context): string {
  const { rng } = context
  if (context.topic !== undefined && rng.chance(0.9)) return context.topic.name
  // A handful of new names, so auto-creation and CreateTopics make topics without filling the disk.
  return `fz-${rng.int(6)}`
}

function stringValue(name: string, parentName: string, canBeNull: boolean, context: Context): string | null {
  const { rng, world } = context
  switch (name) {
    case 'topic':
    case 'topicName':
    case 'topicNames':
    case 'subscribedTopicNames':
      return topicName(context)
    case 'name':
      if (/topic/i.test(parentName)) return topicName(context)
      if (parentName === 'configs') {
        context.configName = rng.pick(CONFIG_NAMES)
        return context.configName
      }
      if (parentName === 'protocols') return rng.pick(['range', 'roundrobin', 'cooperative-sticky'])
      return rng.pick(['x', 'fuzz'])
    case 'value': {
      const values = CONFIG_VALUES[context.configName ?? ''] ?? ['1']
      return canBeNull && rng.chance(0.05) ? null : rng.pick(values)
    }
    case 'configurationKeys':
      return rng.pick(CONFIG_NAMES)
    case 'resourceName':
      return rng.chance(0.8) && world.topics.length > 0
        ? rng.pick(world.topics).name
        : rng.pick(['1', '0', ''])
    case 'groupId':
    case 'groups':
    case 'groupsNames':
    case 'groupIds':
    case 'key':
    case 'coordinatorKeys':
      return world.groups.length > 0 ? rng.pick(world.groups) : 'fuzz-g'
    case 'memberId':
      return world.memberIds.length > 0 && rng.chance(0.6) ? rng.pick(world.memberIds) : ''
    case 'groupInstanceId':
    case 'instanceId':
      return canBeNull && rng.chance(0.7) ? null : `inst-${rng.int(3)}`
    case 'protocolType':
      return rng.chance(0.9) ? 'consumer' : 'connect'
    case 'protocolName':
      return rng.pick(['range', 'roundrobin'])
    case 'transactionalId':
      return canBeNull && rng.chance(0.9) ? null : `tx-${rng.int(3)}`
    case 'subscribedTopicRegex':
      return canBeNull && rng.chance(0.5) ? null : rng.pick(REGEXES)
    case 'serverAssignor':
      return canBeNull && rng.chance(0.5) ? null : rng.pick(['uniform', 'range', 'nope'])
    case 'mechanism':
      return rng.pick(['PLAIN', 'SCRAM-SHA-256', 'GSSAPI'])
    case 'clientSoftwareName':
      return 'brook-fuzz'
    case 'clientSoftwareVersion':
      return '1.0.0'
    case 'statesFilter':
      return rng.pick(['Stable', 'Empty', 'PreparingRebalance', 'Dead'])
    case 'typesFilter':
      return rng.pick(['classic', 'consumer', 'share'])
    case 'rackId':
    case 'clusterId':
    case 'reason':
    case 'committedMetadata':
      return canBeNull && rng.chance(0.5) ? null : ''
    default:
      return `s${rng.int(100)}`
  }
}

function bytesValue(name: string, edge: boolean, context: Context): Buffer {
  const { rng } = context
  if (edge) return note(context, name, rng.bytes(rng.pick([0, 1, 100_000])))
  if (name === 'authBytes') return Buffer.from('\u0000fuzz\u0000secret')
  if (name === 'metadata' || name === 'assignment') return consumerProtocolBytes(name, context)
  return rng.bytes(rng.int(32))
}

/** A consumer-protocol Subscription or Assignment naming known topics (what real clients send). */
function consumerProtocolBytes(name: string, context: Context): Buffer {
  const { rng, world } = context
  const topics = world.topics.length > 0 ? [rng.pick(world.topics)] : []
  const parts: Buffer[] = [int16(rng.int(4)), int32(topics.length)]
  for (const topic of topics) {
    const text = Buffer.from(topic.name)
    parts.push(int16(text.length), text)
    if (name === 'assignment') parts.push(int32(1), int32(0))
  }
  parts.push(int32(-1)) // user data: null
  return Buffer.concat(parts)
}

function int16(value: number): Buffer {
  const out = Buffer.alloc(2)
  out.writeInt16BE(value)
  return out
}

function int32(value: number): Buffer {
  const out = Buffer.alloc(4)
  out.writeInt32BE(value)
  return out
}

/** Replaces one array of the request with many copies of an element: tiny elements, a large count. */
function elementBomb(fields: readonly FieldDef[], value: Record<string, unknown>, context: Context): void {
  const arrays: { holder: Record<string, unknown>; name: string }[] = []
  const collect = (defs: readonly FieldDef[], holder: Record<string, unknown>) => {
    for (const def of defs) {
      const v = holder[def.name]
      // Only arrays of the protocol: a `records` value may be a list of batches, which copied a million
      // times came to more bytes than its int32 length can say (the fuzzer threw; #7).
      if (!Array.isArray(v) || !def.type.startsWith('[]')) continue
      arrays.push({ holder, name: def.name })
      const nested = (def as { fields?: readonly FieldDef[] }).fields
      if (nested !== undefined) for (const item of v) collect(nested, item as Record<string, unknown>)
    }
  }
  collect(fields, value)
  if (arrays.length === 0) return
  const target = context.rng.pick(arrays)
  const items = target.holder[target.name] as unknown[]
  // Around the broker's default --request-elements-max (100,000): below it the request is answered, above
  // it the connection is closed.
  const count = context.rng.pick([10_000, 30_000, 99_000, 100_001, 1_000_000, 3_000_000])
  const element = items.length > 0 ? items[0] : undefined
  if (element === undefined) return
  target.holder[target.name] = new Array(count).fill(element)
  context.notes.push(`element-bomb ${target.name}x${count}`)
}
