// Consumer groups attacked through a real broker process (issue #7): a KIP-848 regex that backtracks, and
// a committed offset no JavaScript number holds. Each check proves a bystander connection is still served.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ApiKey, ErrorCode, encodeRequestFrame } from '../../src/protocol/index.js'
import { BrookProcess } from './brook-process.js'
import { assertServes, createTopic } from './kafka-requests.js'
import { RawKafkaClient, withConnection } from './raw-kafka-client.js'

/** How long a bystander may wait for ApiVersions while another connection's request is handled. */
const bystanderBoundMs = 2000

function heartbeatBody(groupId: string, regex: string) {
  return {
    groupId,
    memberId: 'member-regex-0000000001',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30000,
    subscribedTopicNames: null,
    subscribedTopicRegex: regex,
    serverAssignor: null,
    topicPartitions: [],
  }
}

/** Sends OffsetCommit v8 of `offset` (any int64, as a bigint) for partition 0 of `topic`. */
async function commitRawOffset(client: RawKafkaClient, groupId: string, topic: string, offset: bigint) {
  // The codec holds int64 fields as numbers, so encode a marker and patch the eight bytes in place.
  const marker = 0x0a0b0c0d0e0f01
  const correlationId = client.allocateCorrelationId()
  const frame = Buffer.concat(
    encodeRequestFrame(ApiKey.OffsetCommit, 8, correlationId, 'brook-it', {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: topic,
          partitions: [
            { partitionIndex: 0, committedOffset: marker, committedLeaderEpoch: -1, committedMetadata: '' },
          ],
        },
      ],
    }),
  )
  const pattern = Buffer.alloc(8)
  pattern.writeBigInt64BE(BigInt(marker))
  const at = frame.indexOf(pattern)
  assert.ok(at > 0)
  frame.writeBigInt64BE(offset, at)
  const response = await client.sendFrame(frame, { apiKey: ApiKey.OffsetCommit, version: 8, correlationId })
  return response.body.topics[0].partitions[0].errorCode as number
}

async function fetchGroupOffsets(client: RawKafkaClient, groupId: string): Promise<[string, number][]> {
  const response = await client.request(ApiKey.OffsetFetch, 8, {
    groups: [{ groupId, topics: null }],
    requireStable: false,
  })
  const group = response.groups[0]
  assert.equal(group.errorCode, ErrorCode.NONE)
  return group.topics.flatMap((t: { name: string; partitions: { committedOffset: number }[] }) =>
    t.partitions.map((p) => [t.name, p.committedOffset]),
  )
}

describe('consumer groups under hostile input, on a broker process (#7)', () => {
  let brook: BrookProcess

  before(async () => {
    brook = await BrookProcess.start({ args: ['--group-initial-rebalance-delay-ms', '0'] })
  })

  after(async () => {
    if (process.env.BROOK_IT_DUMP) process.stderr.write(brook?.output ?? '')
    await brook?.cleanup()
  })

  it('#7 ReDoS: a (a+)+ subscription regex over a 30-character topic does not stall a bystander', async () => {
    // A backtracking engine tries 2^29 ways to split these a's before failing on the final '-' (V8 on
    // Node 20: about 0.5 s at 26 characters, 7 s at 30).
    const evilTopic = `${'a'.repeat(29)}-`
    await withConnection(brook.port, async (admin) => {
      await createTopic(admin, evilTopic, 1)
      await createTopic(admin, 'aaaa', 2)
    })
    const member = await RawKafkaClient.connect(brook.port)
    const bystander = await RawKafkaClient.connect(brook.port)
    try {
      const answer = member.request(ApiKey.ConsumerGroupHeartbeat, 1, heartbeatBody('redos', '(a+)+'))
      const startedMs = performance.now()
      const served = await Promise.race([
        bystander
          .request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'bystander', clientSoftwareVersion: '1' })
          .then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), bystanderBoundMs).unref()),
      ])
      const waitedMs = performance.now() - startedMs
      assert.ok(served, `bystander not served within ${bystanderBoundMs} ms`)
      const response = await answer
      assert.equal(response.errorCode, ErrorCode.NONE, response.errorMessage)
      // RE2 semantics, whole-name match: 'aaaa' matches, the 30-character name does not.
      const assigned = response.assignment.topicPartitions.flatMap(
        (tp: { partitions: number[] }) => tp.partitions,
      )
      assert.deepEqual(assigned.sort(), [0, 1], `assignment ${JSON.stringify(response.assignment)}`)
      assert.ok(waitedMs < bystanderBoundMs, `bystander waited ${waitedMs} ms`)
    } finally {
      member.socket.destroy()
      bystander.socket.destroy()
    }
    await withConnection(brook.port, assertServes)
  })

  it('#7 a pattern RE2 refuses, or one over the length cap, gets INVALID_REGULAR_EXPRESSION', async () => {
    await withConnection(brook.port, async (client) => {
      for (const regex of ['(a', '(a)\\1', '(?=a)a', `a{1,1000}`.repeat(11), 'a'.repeat(1025)]) {
        const response = await client.request(
          ApiKey.ConsumerGroupHeartbeat,
          1,
          heartbeatBody(`bad-regex-${regex.length}`, regex),
        )
        assert.equal(response.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION, regex.slice(0, 40))
        assert.ok(response.errorMessage.length > 0)
      }
      await assertServes(client)
    })
  })

  it('#7 an OffsetCommit of 2^63 - 1 gets OFFSET_OUT_OF_RANGE and leaves the group readable, across a restart', async () => {
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'poison', 1)
      assert.equal(await commitRawOffset(client, 'poison-group', 'poison', 41n), ErrorCode.NONE)
      assert.equal(
        await commitRawOffset(client, 'poison-group', 'poison', 2n ** 63n - 1n),
        ErrorCode.OFFSET_OUT_OF_RANGE,
      )
      assert.equal(
        await commitRawOffset(client, 'poison-group', 'poison', 2n ** 53n),
        ErrorCode.OFFSET_OUT_OF_RANGE,
      )
      assert.deepEqual(await fetchGroupOffsets(client, 'poison-group'), [['poison', 41]])
      assert.equal(client.isClosed, false)
    })
    await brook.stop()
    brook = await brook.restart()
    await withConnection(brook.port, async (client) => {
      assert.deepEqual(await fetchGroupOffsets(client, 'poison-group'), [['poison', 41]])
      await assertServes(client)
    })
  })
})
