// The fuzzer's generator, checked without a broker (#7): every API at every version yields requests our
// own codec decodes back to the last byte when left intact, frames regenerate from their seed, and the
// mutations really change the frames.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Reader, allApis, requestCodec, skipHeaderTags, versionBounds } from '../../src/protocol/index.js'
import { SeededRandom } from '../../src/testing/index.js'
import { FRAME_BYTES_MAX, buildFrame, encodeBody } from './frame-mutator.js'
import { type FrameSource, makeFrame } from './frame-source.js'
import { BatchFactory } from './record-batches.js'
import { type FuzzWorld, defaultGenerateOptions, generateRequest } from './request-values.js'

const factory = new BatchFactory({ bombs: false })
const world: FuzzWorld = {
  topics: [
    {
      name: 'fuzz-a',
      topicId: new SeededRandom(1).bytes(16).toString('base64url'),
      partitions: 3,
      compacted: false,
    },
    {
      name: 'fuzz-compact',
      topicId: new SeededRandom(2).bytes(16).toString('base64url'),
      partitions: 2,
      compacted: true,
    },
  ],
  groups: ['g1', 'g2'],
  memberIds: ['m-1'],
  producerIds: [7],
  nowMs: 1_700_000_000_000,
  records: (rng, topic, notes, nowMs) => factory.records(rng, topic, notes, nowMs),
}
const advertised = new Map(allApis().map((api) => [api.apiKey, versionBounds(api.request.validVersions)]))

function source(seed: number, mutateChance: number, keys = [...advertised.keys()]): FrameSource {
  return { seed, world, advertised, keys, mutateChance, bombs: false }
}

/** Decodes an intact frame with the codec of the version in its header; returns what is left over. */
function decodeFrame(bytes: Buffer): { apiKey: number; version: number; left: number } {
  assert.equal(bytes.readInt32BE(0), bytes.length - 4, 'size prefix')
  const reader = new Reader(bytes.subarray(4))
  const apiKey = reader.int16()
  const version = reader.int16()
  reader.int32()
  reader.nullableString()
  const codec = requestCodec(apiKey, version)
  assert.ok(codec, `codec for ${apiKey} v${version}`)
  if (codec.flexible) skipHeaderTags(reader)
  codec.decode(reader)
  return { apiKey, version, left: reader.remaining }
}

test('#7 fuzzer: intact frames of every API at every version decode with our codec to the last byte', () => {
  for (const api of allApis()) {
    const { min, max } = versionBounds(api.request.validVersions)
    for (let version = min; version <= max; version++) {
      const only = new Map([[api.apiKey, { min: version, max: version }]])
      const frames = { ...source(version + 1000 * api.apiKey, 0, [api.apiKey]), advertised: only }
      for (let index = 0; index < 8; index++) {
        const sent = makeFrame(frames, 0, index, index + 1)
        assert.ok(sent.frame.intact)
        const decoded = decodeFrame(sent.frame.bytes)
        assert.deepEqual(
          decoded,
          { apiKey: api.apiKey, version, left: 0 },
          `${api.name} v${version} #${index}`,
        )
      }
    }
  }
})

test('#7 fuzzer: a frame is a function of its seed, connection and index', () => {
  for (let index = 0; index < 200; index++) {
    const a = makeFrame(source(42, 0.3), 3, index, 9)
    const b = makeFrame(source(42, 0.3), 3, index, 9)
    assert.deepEqual(a.frame.bytes, b.frame.bytes, `frame 42:3:${index}`)
    assert.deepEqual(a.frame.notes, b.frame.notes)
  }
  const other = makeFrame(source(43, 0.3), 3, 0, 9)
  assert.notDeepEqual(other.frame.bytes, makeFrame(source(42, 0.3), 3, 0, 9).frame.bytes)
})

test('#7 fuzzer: mutated frames differ from the intact frame of the same request and say how', () => {
  let mutated = 0
  let clean = 0
  for (let index = 0; index < 500; index++) {
    const sent = makeFrame(source(7, 1), 0, index, 1)
    assert.equal(sent.frame.intact, false)
    assert.ok(sent.frame.notes.length > 0, 'a mutation is named')
    assert.equal(sent.clean, false)
    mutated++
    const intact = makeFrame(source(7, 0), 0, index, 1)
    if (intact.clean) clean++
  }
  assert.equal(mutated, 500)
  // Most unmutated requests are plausible ones (no edge values, no hostile records), so the broker's
  // answers to them are checked. 500 frames: with 100, adding the transaction APIs moved the count from
  // just above half to exactly half (50), with no change in the share of plausible requests (56% of 500).
  assert.ok(clean > 250, `${clean} of 500 intact frames are clean`)
})

test('#7 fuzzer: the encoder records where each integer went, so mutations hit real fields', () => {
  const { body, spans, bodyStart } = encodeBody(3, 12, 5, 'c', { topics: [{ name: 'fuzz-a' }] }, 0)
  assert.equal(body.readInt16BE(0), 3)
  const topicCount = spans.find((span) => span.at >= bodyStart && span.kind === 'uvarint')
  assert.ok(topicCount, 'the compact array length of topics is a span')
  assert.equal(body[topicCount.at], 2, 'one topic: compact length 2')
})

test('#7 fuzzer: a frame whose size prefix does not match its bytes ends the use of its connection', () => {
  // A prefix shorter than the frame leaves the rest of the frame on the stream, where the broker reads it
  // as the start of the next frame; a request sent after it is swallowed and can never be answered (CI
  // run of seed 745034081 blamed the broker for that). Either way the stream is unusable after it.
  let lies = 0
  for (let index = 0; index < 3000; index++) {
    const { frame } = makeFrame(source(11, 1), 0, index, 1)
    if (frame.bytes.length < 4) continue
    const size = frame.bytes.readInt32BE(0)
    if (size === frame.bytes.length - 4) continue
    lies++
    assert.equal(
      frame.promisesMore,
      true,
      `${frame.notes.join(' ')}: size ${size}, ${frame.bytes.length - 4} bytes`,
    )
  }
  assert.ok(lies > 20, `${lies} frames lie about their size`)
  const honest = [...Array(300).keys()].map((index) => makeFrame(source(11, 0), 0, index, 1).frame)
  assert.ok(
    honest.every((frame) => !frame.promisesMore),
    'an honest frame leaves the stream usable',
  )
})

test('#7 fuzzer: element bombs copy protocol arrays only, never the batches of a records value', () => {
  // Seed 1001 copied a Produce partition's list of batches (489,501 bytes) a million times: the records
  // length passed int32 and the fuzzer threw while encoding.
  const produce = allApis().find((api) => api.apiKey === 0)!
  const arrayFields = new Set<string>()
  const collect = (fields: readonly { name: string; type: string; fields?: readonly unknown[] }[]) => {
    for (const field of fields) {
      if (field.type.startsWith('[]')) arrayFields.add(field.name)
      if (field.fields !== undefined) collect(field.fields as typeof fields)
    }
  }
  collect(produce.request.fields as never)
  const listWorld: FuzzWorld = {
    ...world,
    records: (rng, topic, notes, nowMs) => {
      const batch = factory.records(rng, topic, notes, nowMs)
      return batch === null || Array.isArray(batch) ? batch : [batch, batch]
    },
  }
  let bombs = 0
  for (let seed = 1; seed <= 60; seed++) {
    const notes: string[] = []
    generateRequest(produce.request, 9, new SeededRandom(seed), listWorld, notes, {
      ...defaultGenerateOptions,
      elementBombChance: 1,
    })
    for (const note of notes.filter((n) => n.startsWith('element-bomb '))) {
      bombs++
      const field = note.slice('element-bomb '.length, note.lastIndexOf('x'))
      assert.ok(arrayFields.has(field), `seed ${seed}: bomb on ${field}, not a protocol array`)
    }
  }
  assert.ok(bombs >= 30, `only ${bombs} bombs in 60 requests`)
})

test('#7 fuzzer: an element bomb of record batches is cut to fit a frame, not encoded whole', () => {
  // 3 million copies of a partition with a batch passed through as a chunk came to 29.5 GB; the fuzzer
  // threw while joining them (the bounded writer does not count chunks).
  const value = {
    transactionalId: null,
    acks: 1,
    timeoutMs: 1000,
    topicData: [
      {
        name: 'fuzz-a',
        partitionData: new Array(3_000_000).fill({ index: 0, records: Buffer.alloc(10_000) }),
      },
    ],
  }
  const notes: string[] = []
  const frame = buildFrame(new SeededRandom(3), 0, 9, 1, value, notes, {
    mutateChance: 0,
    advertised,
    keys: [0],
  })
  assert.ok(notes.includes('shrunk'), notes.join(' '))
  assert.ok(frame.bytes.length <= FRAME_BYTES_MAX + 4, `${frame.bytes.length} bytes`)
})
