// Seeded whole-broker crash simulation: Produce with acks=all (and acks=1) through the real handlers to a
// broker on the simulated file system, topics created and deleted, offsets committed, power cut at a
// random moment, broker reopened on what survived. Every acknowledged acks=all record must be readable
// at its offset, committed offsets and topic ids must survive, and offsets must continue without gaps or
// reuse. Rerun one seed with SEED=<n> node --test dist/tests/simulation/broker-crash.test.js
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fetch } from '../../src/broker/handlers/fetch.js'
import { offsetCommit } from '../../src/broker/handlers/offset-commit.js'
import { offsetFetch } from '../../src/broker/handlers/offset-fetch.js'
import { produce } from '../../src/broker/handlers/produce.js'
import { ErrorCode } from '../../src/protocol/index.js'
import { buildRecordBatch, decodeBatch, iterateBatches } from '../../src/record-batch/index.js'
import { SeededRandom, SimFileSystem, type TestBroker, createTestBroker } from '../../src/testing/index.js'

const seedCount = Number(process.env.SEEDS ?? 60)
const onlySeed = process.env.SEED === undefined ? undefined : Number(process.env.SEED)
const TOPIC = 'events'
const PARTITIONS = 3

interface Acked {
  partition: number
  offset: number
  value: string
}

async function readPartition(
  broker: TestBroker,
  partition: number,
): Promise<{ offset: number; value: string }[]> {
  const out: { offset: number; value: string }[] = []
  let next = 0
  for (;;) {
    const response = await broker.call(fetch, 11, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      topics: [{ topic: TOPIC, partitions: [{ partition, fetchOffset: next, partitionMaxBytes: 1 << 20 }] }],
    })
    const answer = response.responses[0].partitions[0]
    assert.equal(answer.errorCode, ErrorCode.NONE)
    let progressed = false
    for (const { bytes } of iterateBatches(answer.records as Buffer)) {
      for (const record of decodeBatch(bytes).records) {
        if (record.offset < next) continue
        assert.equal(record.offset, next, `partition ${partition}: gap before offset ${record.offset}`)
        out.push({ offset: record.offset, value: String(record.value) })
        next = record.offset + 1
        progressed = true
      }
    }
    if (!progressed) {
      assert.equal(
        next,
        answer.highWatermark,
        `partition ${partition}: read stopped before the high watermark`,
      )
      return out
    }
  }
}

async function runSeed(seed: number): Promise<number> {
  const random = new SeededRandom(seed)
  let fs = new SimFileSystem({ seed })
  let broker = await createTestBroker({ fs, config: { numPartitions: PARTITIONS } })
  const created = await broker.topics.createTopic({ name: TOPIC, numPartitions: PARTITIONS })
  assert.ok(created.ok)
  const topicId = created.topic.topicId
  const acked: Acked[] = []
  let committed: number | undefined
  let counter = 0
  const crashes = random.intBetween(1, 3)
  for (let round = 0; round <= crashes; round++) {
    const label = `seed ${seed} round ${round}`
    // Check what survived.
    assert.equal(broker.topics.topic(TOPIC)?.topicId, topicId, `${label}: topic id changed`)
    const contents: { offset: number; value: string }[][] = []
    for (let p = 0; p < PARTITIONS; p++) contents.push(await readPartition(broker, p))
    for (const record of acked) {
      const found = contents[record.partition][record.offset]
      assert.equal(
        found?.value,
        record.value,
        `${label}: acknowledged ${record.value} lost at ${record.partition}/${record.offset}`,
      )
    }
    if (committed !== undefined) {
      const offsets = await broker.call(offsetFetch, 7, {
        groupId: 'g',
        topics: [{ name: TOPIC, partitionIndexes: [0] }],
      })
      assert.equal(
        offsets.topics[0].partitions[0].committedOffset,
        committed,
        `${label}: committed offset lost`,
      )
    }
    if (round === crashes) break
    // Work, with some acknowledgements still in flight when the power goes.
    let alive = true
    const inFlight: Promise<void>[] = []
    const steps = random.intBetween(1, 40)
    for (let step = 0; step < steps; step++) {
      const partition = random.int(PARTITIONS)
      const count = random.intBetween(1, 4)
      const valuesOfBatch = Array.from({ length: count }, () => `r${counter++}`)
      const acks = random.chance(0.8) ? -1 : 1
      const sending = broker
        .call(produce, 9, {
          acks,
          timeoutMs: 1000,
          topicData: [
            {
              name: TOPIC,
              partitionData: [
                {
                  index: partition,
                  records: buildRecordBatch(
                    valuesOfBatch.map((value) => ({ value })),
                    { nowMs: broker.clock.nowMs() },
                  ),
                },
              ],
            },
          ],
        })
        .then(
          (response) => {
            const answer = response.responses[0].partitionResponses[0]
            if (!alive || acks !== -1 || answer.errorCode !== ErrorCode.NONE) return
            for (const [i, value] of valuesOfBatch.entries()) {
              acked.push({ partition, offset: answer.baseOffset + i, value })
            }
          },
          () => {},
        )
      if (random.chance(0.5)) await sending
      else inFlight.push(sending)
      if (random.chance(0.1)) {
        const offset = random.int(1000)
        const response = await broker.call(offsetCommit, 2, {
          groupId: 'g',
          generationIdOrMemberEpoch: -1,
          memberId: '',
          topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: offset }] }],
        })
        if (response.topics[0].partitions[0].errorCode === ErrorCode.NONE) committed = offset
      }
      if (random.chance(0.3)) await fs.tick()
    }
    // Power cut: whatever resolves afterwards was never acknowledged.
    alive = false
    fs = fs.crash({ tearProbability: 0.5 })
    await Promise.allSettled(inFlight)
    broker = await createTestBroker({ fs, config: { numPartitions: PARTITIONS } })
    // Offsets continue right after what survived: a new record lands at the recovered end.
    for (let p = 0; p < PARTITIONS; p++) {
      const end = (await readPartition(broker, p)).length
      for (const record of acked) {
        if (record.partition === p)
          assert.ok(record.offset < end, `seed ${seed}: acknowledged offset beyond recovered end`)
      }
    }
  }
  await broker.close()
  return acked.length
}

test(`broker survives power cuts with every acks=all record (${onlySeed === undefined ? `${seedCount} seeds` : `seed ${onlySeed}`})`, async () => {
  const seeds = onlySeed === undefined ? Array.from({ length: seedCount }, (_, i) => i + 1) : [onlySeed]
  let ackedTotal = 0
  for (const seed of seeds) {
    try {
      ackedTotal += await runSeed(seed)
    } catch (error) {
      throw new Error(`failed with seed ${seed} (rerun with SEED=${seed}): ${(error as Error).message}`, {
        cause: error,
      })
    }
  }
  assert.ok(ackedTotal > 0, 'the simulation acknowledged records to check')
})
