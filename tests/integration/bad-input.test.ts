// A real broker process fed bad input over TCP: garbage, absurd frame sizes, unknown APIs and versions,
// corrupt batches, truncated frames. After each, a second connection proves the broker still serves and
// still returns the data written before.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiKey, ErrorCode } from '../../src/protocol/index.js'
import { BatchOffsets, buildRecordBatch, computeBatchCrc, decodeBatch } from '../../src/record-batch/index.js'
import { SeededRandom } from '../../src/testing/index.js'
import { BrookProcess } from './brook-process.js'
import {
  assertServes,
  createTopic,
  fetchPartition,
  metadata,
  produceBody,
  producePartition,
} from './kafka-requests.js'
import { RawKafkaClient, rawRequestFrame, withConnection } from './raw-kafka-client.js'

const seedTopic = 'seed'
const seedRecords = [
  { key: 'k0', value: 'written before any bad input' },
  { key: 'k1', value: 'second record' },
]
const closeTimeoutMs = 2000

describe('bad input to a broker process', () => {
  let brook: BrookProcess

  before(async () => {
    brook = await BrookProcess.start({ args: ['--group-initial-rebalance-delay-ms', '0'] })
    await withConnection(brook.port, async (client) => {
      await createTopic(client, seedTopic, 1)
      const result = await producePartition(client, seedTopic, 0, buildRecordBatch(seedRecords))
      assert.equal(result.errorCode, ErrorCode.NONE)
      assert.equal(result.baseOffset, 0)
    })
  })

  after(async () => {
    if (process.env.BROOK_IT_DUMP) process.stderr.write(brook?.output ?? '')
    await brook?.cleanup()
  })

  /** The broker process lives, answers ApiVersions and Metadata, and returns the seed records. */
  async function assertHealthy(): Promise<void> {
    assert.equal(brook.hasExited, false, `broker exited\n${brook.output}`)
    await withConnection(brook.port, async (client) => {
      await assertServes(client)
      const fetched = await fetchPartition(client, seedTopic, 0)
      assert.equal(fetched.errorCode, ErrorCode.NONE)
      assert.ok(fetched.batches.length >= 1)
      const records = decodeBatch(fetched.batches[0]).records
      assert.deepEqual(
        records.map((r) => [r.offset, r.key?.toString(), r.value?.toString()]),
        seedRecords.map((r, i) => [i, r.key, r.value]),
      )
    })
  }

  /** Writes `bytes` on a fresh connection and asserts the broker closes it promptly. */
  async function assertClosesOn(bytes: Buffer, label: string): Promise<void> {
    const client = await RawKafkaClient.connect(brook.port)
    try {
      client.writeRaw(bytes)
      assert.equal(await client.waitClosed(closeTimeoutMs), true, `${label}: connection was not closed`)
      assert.deepEqual(client.received, [], `${label}: got a response`)
    } finally {
      await client.close()
    }
    await assertHealthy()
  }

  it('closes the connection on garbage frames of plausible size', async () => {
    const random = new SeededRandom(20240611)
    for (let i = 0; i < 6; i++) {
      const size = random.intBetween(8, 300)
      const frame = Buffer.alloc(4 + size)
      frame.writeInt32BE(size, 0)
      random.bytes(size).copy(frame, 4)
      // ApiKey 18 at a version we lack is answered (KIP-511), not closed: keep garbage off that key.
      if (frame.readInt16BE(4) === ApiKey.ApiVersions) frame.writeInt16BE(-1, 4)
      await assertClosesOn(frame, `garbage frame ${i}`)
    }
  })

  it('closes the connection on valid headers followed by garbage bodies', async () => {
    const random = new SeededRandom(77)
    const headers = [
      [ApiKey.Produce, 9],
      [ApiKey.Produce, 3],
      [ApiKey.Fetch, 12],
      [ApiKey.Metadata, 12],
      [ApiKey.CreateTopics, 7],
      [ApiKey.JoinGroup, 5],
    ]
    for (const [apiKey, version] of headers) {
      // 0xff first: as a compact string length or array count it is a varint that runs past the body,
      // and as a classic int16/int32 length it is negative.
      const body = Buffer.concat([
        Buffer.from([0xff, 0xff, 0xff, 0xff]),
        random.bytes(random.intBetween(1, 200)),
      ])
      await assertClosesOn(
        rawRequestFrame(apiKey, version, 5, body),
        `api ${apiKey} v${version} garbage body`,
      )
    }
  })

  it('closes the connection on a known header followed by an impossible array count', async () => {
    // Metadata v1: topics array claiming 2^31-1 elements in a 4-byte body.
    const body = Buffer.alloc(4)
    body.writeInt32BE(0x7fffffff, 0)
    await assertClosesOn(rawRequestFrame(ApiKey.Metadata, 1, 7, body), 'huge array count')
  })

  it('closes a connection whose frame claims 2 GB, promptly and without allocating it', async () => {
    const rssBefore = await brook.residentBytes()
    const bytes = Buffer.alloc(4 + 64, 0x41)
    bytes.writeInt32BE(0x7fffffff, 0)
    const startedMs = performance.now()
    await assertClosesOn(bytes, '2 GB frame')
    assert.ok(performance.now() - startedMs < closeTimeoutMs + 1000)
    const rssAfter = await brook.residentBytes()
    if (rssBefore !== undefined && rssAfter !== undefined) {
      assert.ok(rssAfter - rssBefore < 256 * 1024 * 1024, `RSS grew by ${rssAfter - rssBefore} bytes`)
    }
  })

  it('closes a connection that sends an empty frame', async () => {
    await assertClosesOn(Buffer.alloc(4), 'size 0')
  })

  it('answers a request sent one byte at a time', async () => {
    await withConnection(brook.port, async (client) => {
      const frame = rawRequestFrame(ApiKey.ApiVersions, 0, 99)
      const response = client.sendFrame(Buffer.alloc(0), {
        apiKey: ApiKey.ApiVersions,
        version: 0,
        correlationId: 99,
      })
      for (const byte of frame) {
        client.writeRaw(Buffer.from([byte]))
        await sleep(1)
      }
      assert.equal((await response).body.errorCode, ErrorCode.NONE)
    })
  })

  it('answers 500 pipelined requests in order (more than the in-flight limit)', async () => {
    await withConnection(brook.port, async (client) => {
      const answeredBefore = client.received.length
      const pending = []
      for (let i = 0; i < 500; i++) {
        pending.push(
          i % 2 === 0
            ? client.requestWithId(ApiKey.ApiVersions, 2, {})
            : client.requestWithId(ApiKey.Metadata, 12, {
                topics: [{ name: seedTopic }],
                allowAutoTopicCreation: false,
              }),
        )
      }
      const responses = await Promise.all(pending)
      assert.deepEqual(
        client.received.slice(answeredBefore),
        responses.map((r) => r.correlationId),
      )
    })
    await assertHealthy()
  })

  it('answers Produce and Fetch for a partition beyond the topic with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await withConnection(brook.port, async (client) => {
      const result = await producePartition(client, seedTopic, 7, buildRecordBatch([{ value: 'nowhere' }]))
      assert.equal(result.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      const fetched = await fetchPartition(client, seedTopic, 7)
      assert.equal(fetched.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      const negative = await producePartition(client, seedTopic, -1, buildRecordBatch([{ value: 'nowhere' }]))
      assert.equal(negative.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    })
    await assertHealthy()
  })

  it('closes a connection whose frame size is negative', async () => {
    const bytes = Buffer.alloc(4 + 16)
    bytes.writeInt32BE(-5, 0)
    await assertClosesOn(bytes, 'negative size')
    bytes.writeInt32BE(-2147483648, 0)
    await assertClosesOn(bytes, 'minimum int32 size')
  })

  it('closes the connection on an unknown API key', async () => {
    await assertClosesOn(rawRequestFrame(9999, 0, 1), 'api key 9999')
  })

  it('closes the connection on unsupported versions of Produce, Metadata and Fetch', async () => {
    await assertClosesOn(rawRequestFrame(ApiKey.Produce, 99, 1, Buffer.alloc(32)), 'Produce v99')
    await assertClosesOn(rawRequestFrame(ApiKey.Metadata, 99, 1, Buffer.alloc(32)), 'Metadata v99')
    await assertClosesOn(rawRequestFrame(ApiKey.Fetch, -1, 1, Buffer.alloc(32)), 'Fetch v-1')
  })

  it('answers ApiVersions v99 with a v0 body: UNSUPPORTED_VERSION and the supported ranges', async () => {
    await withConnection(brook.port, async (client) => {
      const response = await client.sendFrame(rawRequestFrame(ApiKey.ApiVersions, 99, 4242), {
        apiKey: ApiKey.ApiVersions,
        version: 0,
        correlationId: 4242,
      })
      assert.equal(response.body.errorCode, ErrorCode.UNSUPPORTED_VERSION)
      const apiVersions = response.body.apiKeys.find(
        (k: { apiKey: number }) => k.apiKey === ApiKey.ApiVersions,
      )
      assert.ok(apiVersions !== undefined, 'ApiVersions missing from the list')
      assert.equal(apiVersions.minVersion, 0)
      assert.ok(apiVersions.maxVersion >= 3)
      // The connection stays usable: the client retries with a version from the list.
      await assertServes(client)
    })
    await assertHealthy()
  })

  it('answers Produce v9 with a wrong CRC with CORRUPT_MESSAGE and appends nothing', async () => {
    const batch = buildRecordBatch([{ key: 'x', value: 'corrupted in flight' }])
    batch[batch.length - 1] ^= 0xff
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'bad-crc', 1)
      const result = await producePartition(client, 'bad-crc', 0, batch)
      assert.equal(result.errorCode, ErrorCode.CORRUPT_MESSAGE)
      const fetched = await fetchPartition(client, 'bad-crc', 0)
      assert.equal(fetched.highWatermark, 0)
      assert.deepEqual(fetched.batches, [])
    })
    await assertHealthy()
  })

  it('answers Produce v9 whose recordsCount disagrees with lastOffsetDelta with INVALID_RECORD', async () => {
    const batch = buildRecordBatch([{ value: 'a' }, { value: 'b' }, { value: 'c' }])
    batch.writeInt32BE(5, BatchOffsets.recordsCount)
    batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc)
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'bad-count', 1)
      const result = await producePartition(client, 'bad-count', 0, batch)
      assert.equal(result.errorCode, ErrorCode.INVALID_RECORD)
      assert.equal((await fetchPartition(client, 'bad-count', 0)).highWatermark, 0)
    })
    await assertHealthy()
  })

  it('answers Produce v9 carrying two batches for one partition with INVALID_RECORD', async () => {
    const two = Buffer.concat([buildRecordBatch([{ value: 'one' }]), buildRecordBatch([{ value: 'two' }])])
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'two-batches', 1)
      const result = await producePartition(client, 'two-batches', 0, two)
      assert.equal(result.errorCode, ErrorCode.INVALID_RECORD)
      assert.equal((await fetchPartition(client, 'two-batches', 0)).highWatermark, 0)
    })
    await assertHealthy()
  })

  it('answers Produce with acks=5 with INVALID_REQUIRED_ACKS', async () => {
    await withConnection(brook.port, async (client) => {
      const result = await producePartition(client, seedTopic, 0, buildRecordBatch([{ value: 'v' }]), {
        acks: 5,
      })
      assert.equal(result.errorCode, ErrorCode.INVALID_REQUIRED_ACKS)
      assert.equal((await fetchPartition(client, seedTopic, 0)).highWatermark, seedRecords.length)
    })
    await assertHealthy()
  })

  it('stays healthy when a client sends a truncated frame and hangs up', async () => {
    const client = await RawKafkaClient.connect(brook.port)
    const frame = rawRequestFrame(ApiKey.Metadata, 1, 1, Buffer.alloc(200))
    client.writeRaw(frame.subarray(0, 40))
    await sleep(50)
    await client.close()
    await assertHealthy()
  })

  it('sends no response to Produce with acks=0 yet appends the records', async () => {
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'acks-zero', 1)
      const answeredBefore = client.received.length
      client.send(
        ApiKey.Produce,
        9,
        produceBody('acks-zero', 0, buildRecordBatch([{ key: 'z', value: 'fire and forget' }]), 0),
      )
      // The next response on this connection must be ApiVersions' own: a Produce response would arrive
      // first with the other correlation id and fail the match.
      const versions = await client.requestWithId(ApiKey.ApiVersions, 2, {})
      assert.equal(versions.body.errorCode, ErrorCode.NONE)
      assert.deepEqual(client.received.slice(answeredBefore), [versions.correlationId])
    })
    await withConnection(brook.port, async (client) => {
      let fetched = await fetchPartition(client, 'acks-zero', 0)
      for (let i = 0; i < 50 && fetched.highWatermark < 1; i++) {
        await sleep(20)
        fetched = await fetchPartition(client, 'acks-zero', 0)
      }
      assert.equal(fetched.batches.length, 1)
      const [record] = decodeBatch(fetched.batches[0]).records
      assert.equal(record.key?.toString(), 'z')
      assert.equal(record.value?.toString(), 'fire and forget')
    })
    await assertHealthy()
  })

  it('answers in request order when a long-poll Fetch is pipelined before ApiVersions', async () => {
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'long-poll', 1)
      const answeredBefore = client.received.length
      const startedMs = performance.now()
      const fetch = client.requestWithId(ApiKey.Fetch, 12, {
        replicaId: -1,
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 1024 * 1024,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: 'long-poll',
            partitions: [
              { partition: 0, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1024 * 1024 },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      })
      const versions = client.requestWithId(ApiKey.ApiVersions, 2, {})
      const [fetchResponse, versionsResponse] = await Promise.all([fetch, versions])
      const elapsedMs = performance.now() - startedMs
      assert.deepEqual(client.received.slice(answeredBefore), [
        fetchResponse.correlationId,
        versionsResponse.correlationId,
      ])
      assert.ok(elapsedMs >= 400, `the Fetch did not long-poll (${elapsedMs} ms)`)
      assert.equal(fetchResponse.body.responses[0].partitions[0].errorCode, ErrorCode.NONE)
      assert.equal(versionsResponse.body.errorCode, ErrorCode.NONE)
    })
    await assertHealthy()
  })
})

describe('a broker process started with --no-auto-create-topics', () => {
  let brook: BrookProcess

  before(async () => {
    brook = await BrookProcess.start({ args: ['--no-auto-create-topics'] })
  })

  after(async () => {
    await brook?.cleanup()
  })

  it('answers Produce and Metadata for an unknown topic with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await withConnection(brook.port, async (client) => {
      const result = await producePartition(client, 'nowhere', 0, buildRecordBatch([{ value: 'lost' }]))
      assert.equal(result.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      const meta = await metadata(client, ['nowhere'], true)
      assert.equal(meta.topics.length, 1)
      assert.equal(meta.topics[0].name, 'nowhere')
      assert.equal(meta.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      const all = await metadata(client, null)
      assert.deepEqual(all.topics, [])
    })
    await withConnection(brook.port, assertServes)
    assert.equal(brook.hasExited, false)
  })
})
