// Hostile input to a real broker process (issue #7): requests and batches that used to crash, stall or
// poison the broker. Each test names the defect it guards; after each, the broker still serves.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import { ApiKey, ErrorCode } from '../../src/protocol/index.js'
import {
  assembleBatch,
  Compression,
  decodeBatch,
  encodeRecords,
  type Record,
} from '../../src/record-batch/index.js'
import { BrookProcess } from './brook-process.js'
import { assertServes, createTopic, fetchPartition, metadata, producePartition } from './kafka-requests.js'
import { RawKafkaClient, rawRequestFrame, withConnection } from './raw-kafka-client.js'

const require = createRequire(import.meta.url)

/** A flexible request body: header tags (none), `body`, body tags (none). */
function flexibleBody(...parts: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([0]), ...parts, Buffer.from([0])])
}

/** An unsigned LEB128 varint. */
function uvarint(value: number): Buffer {
  const bytes: number[] = []
  let v = value
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  bytes.push(v)
  return Buffer.from(bytes)
}

/** A compact array of `count` empty compact strings: one byte each, the cheapest element there is. */
function emptyStrings(count: number): Buffer {
  return Buffer.concat([uvarint(count + 1), Buffer.alloc(count, 1)])
}

/** A classic (non-flexible) STRING. */
function classicString(text: string): Buffer {
  const bytes = Buffer.from(text)
  const length = Buffer.alloc(2)
  length.writeInt16BE(bytes.length)
  return Buffer.concat([length, bytes])
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32BE(value)
  return b
}

/** 2^62 + 1 as the eight bytes of an int64: far beyond what a number holds exactly. */
const int64Beyond2e53 = Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 1])

/** A batch around `recordsBytes` (encoded records, compressed with `codec` by the caller). */
function rawBatch(recordsBytes: Buffer, codec: number, recordsCount: number): Buffer {
  const nowMs = Date.now()
  return assembleBatch(recordsBytes, {
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    attributes: codec,
    lastOffsetDelta: recordsCount - 1,
    baseTimestamp: nowMs,
    maxTimestamp: nowMs,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    recordsCount,
  })
}

/** `count` records with keys k0.., each value `valueBytes` long. */
function recordsOf(count: number, valueBytes: number): Record[] {
  return Array.from({ length: count }, (_, i) => ({
    offsetDelta: i,
    timestampDelta: 0,
    key: Buffer.from(`k${i}`),
    value: Buffer.alloc(valueBytes, 0x76),
    headers: [],
  }))
}

describe('hostile input to a broker process (#7)', () => {
  let brook: BrookProcess

  before(async () => {
    brook = await BrookProcess.start()
  })

  after(async () => {
    if (process.env.BROOK_IT_DUMP) process.stderr.write(brook?.output ?? '')
    await brook?.cleanup()
  })

  async function assertHealthy(): Promise<void> {
    assert.equal(brook.hasExited, false, `broker exited\n${brook.output}`)
    await withConnection(brook.port, assertServes)
  }

  it('answers Metadata v1-v11 naming an empty topic with INVALID_TOPIC_EXCEPTION, keeping the connection (#7)', async () => {
    await withConnection(brook.port, async (client) => {
      for (const version of [1, 4, 9, 10, 11]) {
        const answer = await client.request(ApiKey.Metadata, version, {
          topics: [{ name: '' }],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        })
        assert.equal(answer.topics.length, 1, `v${version}`)
        assert.equal(answer.topics[0].name, '', `v${version}`)
        assert.equal(answer.topics[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION, `v${version}`)
      }
      const v12 = await metadata(client, [''])
      assert.equal(v12.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_ID)
      await assertServes(client)
    })
    await assertHealthy()
  })

  it('answers FindCoordinator for a transactional id with a non-retriable error (#7)', async () => {
    // COORDINATOR_NOT_AVAILABLE made the Java client and franz-go retry until their timeouts.
    await withConnection(brook.port, async (client) => {
      const v3 = await client.request(ApiKey.FindCoordinator, 3, { key: 'tx', keyType: 1 })
      assert.equal(v3.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
      const v4 = await client.request(ApiKey.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['a', 'b'] })
      assert.deepEqual(
        v4.coordinators.map((c: { errorCode: number }) => c.errorCode),
        [ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED],
      )
    })
    await assertHealthy()
  })

  it('accepts a zstd batch without a content size whose records fill 128 KiB exactly, on a compacted topic (#7)', async () => {
    const zstd = require('zstd-napi') as {
      compress(input: Buffer, parameters: { contentSizeFlag: boolean }): Buffer
    }
    // Records whose encoding is exactly 128 KiB: grow the last value until the size fits.
    const target = 128 * 1024
    const records = recordsOf(16, 8000)
    let body = encodeRecords(records)
    for (let i = 0; body.length !== target && i < 8; i++) {
      records[15].value = Buffer.alloc(records[15].value!.length + target - body.length, 0x76)
      body = encodeRecords(records)
    }
    assert.equal(body.length, target)
    const batch = rawBatch(zstd.compress(body, { contentSizeFlag: false }), Compression.zstd, records.length)
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'zstd-compacted', 1, { 'cleanup.policy': 'compact' })
      const result = await producePartition(client, 'zstd-compacted', 0, batch)
      assert.equal(result.errorCode, ErrorCode.NONE, result.errorMessage ?? '')
      const fetched = await fetchPartition(client, 'zstd-compacted', 0)
      assert.equal(decodeBatch(fetched.batches[0]).records.length, records.length)
    })
    await assertHealthy()
  })

  /** Sends `frame` on a fresh connection and asserts the broker closes it without answering. */
  async function assertClosesOn(frame: Buffer, label: string, timeoutMs = 10_000): Promise<void> {
    const client = await RawKafkaClient.connect(brook.port)
    try {
      client.writeRaw(frame)
      assert.equal(await client.waitClosed(timeoutMs), true, `${label}: connection was not closed`)
      assert.deepEqual(client.received, [], `${label}: got a response`)
    } finally {
      await client.close()
    }
    await assertHealthy()
  }

  it('closes a connection whose request holds more array elements than request-elements-max (#7)', async () => {
    // DescribeGroups v5 with 1,000,001 empty group ids in 1 MB (42 million of them ran the heap out),
    // and FindCoordinator v4 with as many batched keys.
    const count = 1_000_001
    const describe = flexibleBody(emptyStrings(count), Buffer.from([0]))
    const find = flexibleBody(Buffer.from([0]), emptyStrings(count))
    const bystander = await RawKafkaClient.connect(brook.port)
    try {
      await assertClosesOn(rawRequestFrame(ApiKey.DescribeGroups, 5, 1, describe), 'DescribeGroups v5')
      await assertClosesOn(rawRequestFrame(ApiKey.FindCoordinator, 4, 1, find), 'FindCoordinator v4')
      await assertServes(bystander)
    } finally {
      await bystander.close()
    }
    // Just below the bound is still answered.
    await withConnection(brook.port, async (client) => {
      const answer = await client.request(ApiKey.FindCoordinator, 4, {
        keyType: 0,
        coordinatorKeys: Array.from({ length: 1000 }, (_, i) => `g${i}`),
      })
      assert.equal(answer.coordinators.length, 1000)
    })
  })

  it('closes a connection on an int64 beyond 2^53 in APIs that cannot take one, answers Fetch (#7)', async () => {
    // ListOffsets v1: replicaId, [topic, [partition, timestamp]].
    const listOffsets = Buffer.concat([
      int32(-1),
      int32(1),
      classicString('beyond'),
      int32(1),
      int32(0),
      int64Beyond2e53,
    ])
    // DeleteRecords v0: [topic, [partition, offset]], timeoutMs.
    const deleteRecords = Buffer.concat([
      int32(1),
      classicString('beyond'),
      int32(1),
      int32(0),
      int64Beyond2e53,
      int32(1000),
    ])
    // InitProducerId v3: transactionalId (null), transactionTimeoutMs, producerId, producerEpoch.
    const initProducerId = flexibleBody(Buffer.from([0]), int32(60000), int64Beyond2e53, Buffer.from([0, 0]))
    await withConnection(brook.port, (client) => createTopic(client, 'beyond', 1))
    await assertClosesOn(rawRequestFrame(ApiKey.ListOffsets, 1, 1, listOffsets), 'ListOffsets v1')
    await assertClosesOn(rawRequestFrame(ApiKey.DeleteRecords, 0, 1, deleteRecords), 'DeleteRecords v0')
    await assertClosesOn(rawRequestFrame(ApiKey.InitProducerId, 3, 1, initProducerId), 'InitProducerId v3')
    // Fetch v4: replicaId, maxWaitMs, minBytes, maxBytes, isolationLevel, [topic, [partition, offset, max]].
    const fetch = Buffer.concat([
      int32(-1),
      int32(0),
      int32(1),
      int32(1 << 20),
      Buffer.from([0]),
      int32(1),
      classicString('beyond'),
      int32(1),
      int32(0),
      int64Beyond2e53,
      int32(1 << 20),
    ])
    await withConnection(brook.port, async (client) => {
      const response = await client.sendFrame(rawRequestFrame(ApiKey.Fetch, 4, 77, fetch), {
        apiKey: ApiKey.Fetch,
        version: 4,
        correlationId: 77,
      })
      assert.equal(response.body.responses[0].partitions[0].errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
    })
    await assertHealthy()
  })
})

describe('a broker process with a small answer-bytes-max (#7)', () => {
  let brook: BrookProcess

  before(async () => {
    brook = await BrookProcess.start({ args: ['--answer-bytes-max', '65536'] })
  })

  after(async () => {
    await brook?.cleanup()
  })

  it('closes a connection whose answer would encode more than answer-bytes-max, and serves others (#7)', async () => {
    // 20,000 empty group ids (20 KB) ask for an answer of more than 64 KiB.
    const body = flexibleBody(emptyStrings(20_000), Buffer.from([0]))
    const client = await RawKafkaClient.connect(brook.port)
    try {
      client.writeRaw(rawRequestFrame(ApiKey.DescribeGroups, 5, 1, body))
      assert.equal(await client.waitClosed(10_000), true, 'connection was not closed')
      assert.deepEqual(client.received, [])
    } finally {
      await client.close()
    }
    await withConnection(brook.port, assertServes)
    assert.equal(brook.hasExited, false)
  })
})
