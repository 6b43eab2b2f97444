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
import { withConnection } from './raw-kafka-client.js'

const require = createRequire(import.meta.url)

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
})
