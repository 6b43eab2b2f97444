// Creating and deleting a topic while producing to it, against a real broker process (#7): every Produce
// gets a clean answer (no KAFKA_STORAGE_ERROR, no ENOENT in the broker's log), a SIGTERM stop is clean,
// and after a restart no partition directory is left that no topic owns.
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import { ApiKey, ErrorCode, ZERO_UUID } from '../../src/protocol/index.js'
import { buildRecordBatch } from '../../src/record-batch/index.js'
import { BrookProcess } from './brook-process.js'
import { produceBody } from './kafka-requests.js'
import { RawKafkaClient } from './raw-kafka-client.js'

const topic = 'churn'
const partitions = 3
const rounds = 25

test('#7: topics created and deleted while producers write to them answer cleanly and leave nothing half-made', async () => {
  const brook = await BrookProcess.start({ args: ['--no-auto-create-topics'] })
  try {
    const admin = await RawKafkaClient.connect(brook.port)
    const producers = await Promise.all([0, 1, 2].map(() => RawKafkaClient.connect(brook.port)))
    const codes = new Map<number, number>()
    let stop = false
    const produceLoop = async (client: RawKafkaClient, seed: number) => {
      let n = seed
      while (!stop) {
        const batch = buildRecordBatch([{ key: `k${n}`, value: `v${n}`, timestampMs: 1_700_000_000_000 }])
        const acks = [1, -1, 1][n % 3]
        const pending = [0, 1, 2].map((p) =>
          client.request(ApiKey.Produce, 9, produceBody(topic, p, Buffer.from(batch), acks)),
        )
        for (const response of await Promise.all(pending)) {
          const code = response.responses[0].partitionResponses[0].errorCode as number
          codes.set(code, (codes.get(code) ?? 0) + 1)
        }
        n++
      }
    }
    const loops = producers.map((client, i) => produceLoop(client, i))
    for (let round = 0; round < rounds; round++) {
      const created = await admin.request(ApiKey.CreateTopics, 7, {
        topics: [
          { name: topic, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] },
        ],
        timeoutMs: 10000,
        validateOnly: false,
      })
      assert.equal(created.topics[0].errorCode, ErrorCode.NONE, created.topics[0].errorMessage)
      await new Promise((resolve) => setTimeout(resolve, round % 4))
      const deleted = await admin.request(ApiKey.DeleteTopics, 6, {
        topics: [{ name: topic, topicId: ZERO_UUID }],
        timeoutMs: 10000,
      })
      assert.equal(deleted.responses[0].errorCode, ErrorCode.NONE)
      await new Promise((resolve) => setTimeout(resolve, round % 3))
    }
    // End with the topic present, so the restart has a partition set to compare against.
    await admin.request(ApiKey.CreateTopics, 7, {
      topics: [
        { name: topic, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] },
      ],
      timeoutMs: 10000,
      validateOnly: false,
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    stop = true
    await Promise.all(loops)
    for (const client of [admin, ...producers]) await client.close()
    const allowed = new Set<number>([
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
    ])
    for (const [code, count] of codes)
      assert.ok(allowed.has(code), `${count} answers with error ${code}: ${[...codes]}`)
    assert.ok((codes.get(ErrorCode.NONE) ?? 0) > 0, 'some produces succeeded')
    const exit = await brook.stop()
    assert.equal(exit.code, 0, brook.output.slice(-3000))
    assert.doesNotMatch(brook.output, /ENOENT/, 'no ENOENT in the broker log')
    assert.doesNotMatch(brook.output, /"level":"error"/, 'no errors in the broker log')
    const restarted = await brook.restart()
    try {
      const dirs = (await readdir(path.join(restarted.dataDir, 'logs')))
        .filter((d) => d.startsWith(`${topic}-`))
        .sort()
      assert.deepEqual(
        dirs,
        Array.from({ length: partitions }, (_, p) => `${topic}-${p}`),
      )
      assert.doesNotMatch(restarted.output, /removing the log of a deleted partition|"level":"(error|warn)"/)
    } finally {
      await restarted.stop()
      await restarted.cleanup?.()
    }
  } finally {
    if (!brook.hasExited) await brook.kill()
  }
})
