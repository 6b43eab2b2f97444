// Crash safety of a real broker process: kafkajs produces keyed records with acks=-1 to a 3-partition
// topic, many sends in flight, and the broker is SIGKILLed after N acknowledgements. After a restart on the
// same data directory every acknowledged record must be at its acknowledged offset with the same key and
// value, and new records must continue right after the last surviving offset. Three kill points, one data
// directory, so each round also re-checks what earlier rounds acknowledged.
import assert from 'node:assert/strict'
import { appendFile } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import { Kafka, Partitioners, logLevel } from 'kafkajs'
import { ApiKey, ErrorCode } from '../../src/protocol/index.js'
import { buildRecordBatch, decodeBatch } from '../../src/record-batch/index.js'
import { BrookProcess } from './brook-process.js'
import {
  TOPIC_RESOURCE,
  createTopic,
  describeTopicConfigs,
  fetchPartition,
  metadata,
  producePartition,
} from './kafka-requests.js'
import { withConnection } from './raw-kafka-client.js'

const topic = 'crash'
const partitionCount = 3
const concurrentSenders = 16
const killPoints = [5, 60, 250]

interface Acked {
  partition: number
  offset: number
  key: string
  value: string
}

/**
 * Sends keyed records with kafkajs from `concurrentSenders` loops until `killAfter` are acknowledged, then
 * SIGKILLs the broker at once (other sends still in flight) and returns every acknowledgement received.
 */
async function produceUntilKilled(brook: BrookProcess, round: number, killAfter: number): Promise<Acked[]> {
  const kafka = new Kafka({
    clientId: `crash-round-${round}`,
    brokers: [`127.0.0.1:${brook.port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    requestTimeout: 10000,
    retry: { retries: 0 },
  })
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    retry: { retries: 0 },
  })
  await producer.connect()
  const acked: Acked[] = []
  let killed = false
  let sequence = 0
  const sender = async (senderId: number) => {
    while (!killed) {
      const n = sequence++
      const key = `r${round}-k${n % 37}`
      const value = `round ${round} sender ${senderId} record ${n} ${'x'.repeat(n % 50)}`
      let metadata: Awaited<ReturnType<typeof producer.send>>
      try {
        metadata = await producer.send({ topic, acks: -1, messages: [{ key, value }] })
      } catch {
        if (killed) return
        throw new Error(`send failed before the broker was killed\n${brook.output}`)
      }
      const [answer] = metadata
      assert.equal(answer.errorCode, 0)
      acked.push({ partition: answer.partition, offset: Number(answer.baseOffset), key, value })
      if (!killed && acked.length >= killAfter) {
        killed = true
        // Synchronously, so the other senders' requests are still in flight when the broker dies.
        process.kill(brook.pid, 'SIGKILL')
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrentSenders }, (_, i) => sender(i)))
  } finally {
    killed = true
    await brook.kill()
    await Promise.race([producer.disconnect().catch(() => {}), new Promise((r) => setTimeout(r, 2000))])
  }
  const exit = await brook.waitForExit()
  assert.equal(exit.signal, 'SIGKILL')
  return acked
}

/** Reads every partition from offset 0 and checks contiguity; returns records by partition and offset. */
async function readBack(
  port: number,
): Promise<{ records: Map<number, Map<number, Acked>>; endOffsets: number[] }> {
  const records = new Map<number, Map<number, Acked>>()
  const endOffsets: number[] = []
  await withConnection(port, async (client) => {
    for (let partition = 0; partition < partitionCount; partition++) {
      const fetched = await fetchPartition(client, topic, partition, 0)
      assert.equal(fetched.errorCode, ErrorCode.NONE)
      assert.equal(fetched.logStartOffset, 0)
      const byOffset = new Map<number, Acked>()
      let nextOffset = 0
      for (const batch of fetched.batches) {
        const decoded = decodeBatch(batch)
        assert.equal(
          decoded.header.baseOffset,
          nextOffset,
          `partition ${partition}: gap or overlap at ${nextOffset}`,
        )
        for (const record of decoded.records) {
          byOffset.set(record.offset, {
            partition,
            offset: record.offset,
            key: record.key?.toString() ?? '',
            value: record.value?.toString() ?? '',
          })
        }
        nextOffset = decoded.header.baseOffset + decoded.header.lastOffsetDelta + 1
      }
      assert.equal(
        nextOffset,
        fetched.highWatermark,
        `partition ${partition}: log does not reach the high watermark`,
      )
      records.set(partition, byOffset)
      endOffsets.push(fetched.highWatermark)
    }
  })
  return { records, endOffsets }
}

test('acknowledged acks=-1 records survive SIGKILL at three points, and offsets continue after restart', async (t) => {
  let brook = await BrookProcess.start({ args: ['--group-initial-rebalance-delay-ms', '0'] })
  try {
    await withConnection(brook.port, (client) => createTopic(client, topic, partitionCount))
    const allAcked: Acked[] = []
    for (const [round, killAfter] of killPoints.entries()) {
      const acked = await produceUntilKilled(brook, round, killAfter)
      assert.ok(acked.length >= killAfter, `round ${round}: only ${acked.length} acknowledged`)
      allAcked.push(...acked)
      brook = await brook.restart()

      const { records, endOffsets } = await readBack(brook.port)
      for (const expected of allAcked) {
        const found = records.get(expected.partition)!.get(expected.offset)
        assert.deepEqual(found, expected, `round ${round}: acknowledged record lost or changed`)
      }
      const seen = new Set(allAcked.map((a) => `${a.partition}:${a.offset}`))
      assert.equal(seen.size, allAcked.length, `round ${round}: two acknowledgements share an offset`)
      const stored = endOffsets.reduce((sum, end) => sum + end, 0)
      t.diagnostic(
        `round ${round}: ${acked.length} acknowledged before the kill, ${stored - allAcked.length} unacknowledged records survived, end offsets ${endOffsets.join('/')}`,
      )

      // New records continue right after the last surviving offset of each partition.
      await withConnection(brook.port, async (client) => {
        for (let partition = 0; partition < partitionCount; partition++) {
          const key = `after-${round}-${partition}`
          const result = await producePartition(
            client,
            topic,
            partition,
            buildRecordBatch([
              { key, value: 'a' },
              { key, value: 'b' },
            ]),
          )
          assert.equal(result.errorCode, ErrorCode.NONE)
          assert.equal(
            result.baseOffset,
            endOffsets[partition],
            `partition ${partition}: offsets do not continue`,
          )
          allAcked.push({ partition, offset: result.baseOffset, key, value: 'a' })
          allAcked.push({ partition, offset: result.baseOffset + 1, key, value: 'b' })
        }
      })
      const after = await readBack(brook.port)
      for (let partition = 0; partition < partitionCount; partition++) {
        assert.equal(after.endOffsets[partition], endOffsets[partition] + 2)
      }
    }
  } finally {
    await brook.cleanup()
  }
})

test('a topic, its id and a config override acknowledged just before SIGKILL survive it', async () => {
  let brook = await BrookProcess.start()
  try {
    const topicId = await withConnection(brook.port, async (client) => {
      const id = await createTopic(client, 'born-before-crash', 2, { 'retention.ms': '7200000' })
      const altered = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
        resources: [
          {
            resourceType: TOPIC_RESOURCE,
            resourceName: 'born-before-crash',
            configs: [{ name: 'max.message.bytes', configOperation: 0, value: '65536' }],
          },
        ],
        validateOnly: false,
      })
      assert.equal(altered.responses[0].errorCode, ErrorCode.NONE)
      return id
    })
    await brook.kill()
    brook = await brook.restart()
    await withConnection(brook.port, async (client) => {
      const meta = await metadata(client, ['born-before-crash'])
      assert.equal(meta.topics[0].errorCode, ErrorCode.NONE)
      assert.equal(meta.topics[0].topicId, topicId)
      assert.equal(meta.topics[0].partitions.length, 2)
      const configs = await describeTopicConfigs(client, 'born-before-crash')
      assert.equal(configs.get('retention.ms')?.value, '7200000')
      assert.equal(configs.get('max.message.bytes')?.value, '65536')
    })
  } finally {
    await brook.cleanup()
  }
})

test('a torn or corrupt tail in the active segment after SIGKILL is cut off on restart', async () => {
  let brook = await BrookProcess.start()
  try {
    const segmentPath = path.join(brook.dataDir, 'logs', 'torn-0', '00000000000000000000.log')
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'torn', 1)
      for (let i = 0; i < 3; i++) {
        const result = await producePartition(
          client,
          'torn',
          0,
          buildRecordBatch([{ key: `k${i}`, value: `v${i}` }]),
        )
        assert.equal(result.baseOffset, i)
      }
    })
    const tails: [string, Buffer][] = []
    const next = buildRecordBatch([{ key: 'torn', value: 'never acknowledged' }], { baseOffset: 3 })
    tails.push(['a partial batch', next.subarray(0, 30)])
    const corrupt = Buffer.from(next)
    corrupt[corrupt.length - 1] ^= 0x55
    tails.push(['a whole batch with a bad CRC', corrupt])
    let expected = 3
    for (const [label, tail] of tails) {
      await brook.kill()
      await appendFile(segmentPath, tail)
      brook = await brook.restart()
      await withConnection(brook.port, async (client) => {
        const fetched = await fetchPartition(client, 'torn', 0)
        assert.equal(fetched.highWatermark, expected, `${label}: the torn tail was not cut off`)
        assert.deepEqual(
          fetched.batches.map((b) => decodeBatch(b).records[0].value?.toString()),
          Array.from({ length: expected }, (_, i) => (i < 3 ? `v${i}` : `after ${i}`)),
        )
        const result = await producePartition(
          client,
          'torn',
          0,
          buildRecordBatch([{ value: `after ${expected}` }]),
        )
        assert.equal(result.baseOffset, expected, `${label}: offsets do not continue after the cut`)
        expected++
      })
    }
  } finally {
    await brook.cleanup()
  }
})
