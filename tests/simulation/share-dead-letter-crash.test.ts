// Seeded crash simulation of share-group dead letters (#8): a member rejects, releases (delivery count
// limit 2) and accepts records through the real ShareFetch handler on a broker over the simulated file
// system; the power goes (or the process is killed) at a random moment while the dead-letter writer is
// part way, and the broker reopens on what survived, up to three times. In the end every record whose
// REJECT (or RELEASE at the limit) was answered is in the dead-letter topic exactly once, no record is
// there twice, and none that was accepted is there. Rerun one seed with
// SEED=<n> node --test dist/tests/simulation/share-dead-letter-crash.test.js
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { incrementalAlterConfigs } from '../../src/broker/handlers/incremental-alter-configs.js'
import { produce } from '../../src/broker/handlers/produce.js'
import { shareFetch } from '../../src/broker/handlers/share-fetch.js'
import { shareGroupHeartbeat } from '../../src/broker/handlers/share-group-heartbeat.js'
import { ErrorCode } from '../../src/protocol/index.js'
import { buildRecordBatch, decodeBatch } from '../../src/record-batch/index.js'
import {
  SeededRandom,
  SimClock,
  SimFileSystem,
  type TestBroker,
  createTestBroker,
} from '../../src/testing/index.js'

const seedCount = Number(process.env.SEEDS ?? 100)
const onlySeed = process.env.SEED === undefined ? undefined : Number(process.env.SEED)
const RECORDS = 30
const LIMIT = 2
const ACCEPT = 1
const RELEASE = 2
const REJECT = 3

interface Acquired {
  firstOffset: number
  lastOffset: number
  deliveryCount: number
}

async function open(fs: SimFileSystem): Promise<TestBroker> {
  // A new clock per process: lock deadlines do not outlive a restart anyway.
  return createTestBroker({ fs, clock: new SimClock() })
}

function fetchInput(
  topicId: string,
  memberId: string,
  epoch: number,
  acks: { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }[],
) {
  return {
    groupId: 'g',
    memberId,
    shareSessionEpoch: epoch,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    maxRecords: 8,
    batchSize: 8,
    shareAcquireMode: 0,
    isRenewAck: false,
    topics: [
      { topicId, partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: acks }] },
    ],
    forgottenTopicsData: [],
  }
}

/** Source offsets of the letters in the dead-letter topic, with how often each appears. */
async function letters(broker: TestBroker): Promise<Map<number, number>> {
  const log = await broker.context.partitions.log('dlq', 0)
  assert.ok(log !== undefined)
  const counts = new Map<number, number>()
  let offset = log.logStartOffset
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, 1 << 20)
    if (read.batches.length === 0) break
    for (const batch of read.batches) {
      const decoded = decodeBatch(batch)
      for (const record of decoded.records) {
        const header = record.headers.find((h) => h.key === '__dlq.errors.offset')
        const source = Number(header?.value?.toString())
        counts.set(source, (counts.get(source) ?? 0) + 1)
      }
      offset = decoded.header.baseOffset + decoded.header.lastOffsetDelta + 1
    }
  }
  return counts
}

async function runSeed(seed: number): Promise<number> {
  const random = new SeededRandom(seed)
  let fs = new SimFileSystem({ seed })
  let broker = await open(fs)
  const jobs = await broker.topics.createTopic({ name: 'jobs', numPartitions: 1 })
  assert.ok(jobs.ok)
  assert.ok((await broker.topics.createTopic({ name: 'dlq', numPartitions: 1 })).ok)
  const topicId = jobs.topic.topicId
  const produced = await broker.call(produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [
      {
        name: 'jobs',
        partitionData: [
          {
            index: 0,
            records: buildRecordBatch(
              Array.from({ length: RECORDS }, (_, i) => ({ value: `job ${i}` })),
              { nowMs: broker.clock.nowMs() },
            ),
          },
        ],
      },
    ],
  })
  assert.equal(produced.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
  const altered = await broker.call(incrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: 32,
        resourceName: 'g',
        configs: [
          { name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' },
          { name: 'share.delivery.count.limit', configOperation: 0, value: String(LIMIT) },
          { name: 'errors.deadletterqueue.topic.name', configOperation: 0, value: 'dlq' },
          {
            name: 'errors.deadletterqueue.copy.record.enable',
            configOperation: 0,
            value: String(random.chance(0.5)),
          },
        ],
      },
    ],
    validateOnly: false,
  })
  assert.equal(altered.responses[0].errorCode, ErrorCode.NONE)

  /** Offsets whose archiving (REJECT, or RELEASE at the limit) was answered, and whose ACCEPT was. */
  const archived = new Set<number>()
  const accepted = new Set<number>()
  const crashes = random.intBetween(1, 3)
  for (let round = 0; ; round++) {
    const member = `m${round}`
    const joined = await broker.call(shareGroupHeartbeat, 1, {
      groupId: 'g',
      memberId: member,
      memberEpoch: 0,
      rackId: null,
      subscribedTopicNames: ['jobs'],
    })
    assert.equal(joined.errorCode, ErrorCode.NONE)
    let epoch = 0
    let held: Acquired[] = []
    const last = round === crashes
    // The last round drains: it accepts everything until the queue is done.
    const steps = last ? 1000 : random.intBetween(1, 6)
    for (let step = 0; step < steps; step++) {
      const acks: { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }[] = []
      const sent = new Map<number, { type: number; deliveryCount: number }>()
      for (const range of held) {
        const types: number[] = []
        for (let offset = range.firstOffset; offset <= range.lastOffset; offset++) {
          const type = last ? ACCEPT : random.pick([ACCEPT, REJECT, RELEASE, RELEASE])
          types.push(type)
          sent.set(offset, { type, deliveryCount: range.deliveryCount })
        }
        acks.push({ firstOffset: range.firstOffset, lastOffset: range.lastOffset, acknowledgeTypes: types })
      }
      const response = await broker.call(shareFetch, 1, fetchInput(topicId, member, epoch++, acks))
      assert.equal(response.errorCode, ErrorCode.NONE, response.errorMessage ?? '')
      const answer = response.responses[0]?.partitions[0]
      if (acks.length > 0) {
        assert.equal(answer?.acknowledgeErrorCode, ErrorCode.NONE, answer?.acknowledgeErrorMessage ?? '')
        for (const [offset, { type, deliveryCount }] of sent) {
          if (type === ACCEPT) accepted.add(offset)
          else if (type === REJECT || deliveryCount >= LIMIT) archived.add(offset)
        }
      }
      held = (answer?.acquiredRecords ?? []) as Acquired[]
      for (const range of held)
        for (let offset = range.firstOffset; offset <= range.lastOffset; offset++) {
          assert.ok(!accepted.has(offset), `offset ${offset} delivered after its ACCEPT was answered`)
          assert.ok(!archived.has(offset), `offset ${offset} delivered after it was archived`)
        }
      const state = await broker.context.shares.partition('g', topicId, 0)
      if (last && held.length === 0 && state?.startOffset === RECORDS) break
    }
    if (last) break
    // Let the dead-letter writer go on, and cut the power (or kill the process) right before one of
    // the next syncs, so that the cut lands between any two of its durable steps (or after all of them).
    const processOnly = random.chance(0.3)
    let syncsLeft = random.int(10)
    let crashed: SimFileSystem | undefined
    const dying = fs
    dying.beforeSync = () => {
      if (crashed !== undefined || syncsLeft-- > 0) return
      crashed = dying.crash({ processOnly, tearProbability: 0.5 })
    }
    for (let turn = 0; turn < 50 && crashed === undefined; turn++)
      await new Promise((resolve) => setImmediate(resolve))
    fs = crashed ?? dying.crash({ processOnly, tearProbability: 0.5 })
    broker = await open(fs)
  }
  await broker.context.shares.deadLetters.settled()
  const state = await broker.context.shares.partition('g', topicId, 0)
  assert.equal(state?.startOffset, RECORDS, 'every record done')
  const found = await letters(broker)
  for (const [offset, count] of found) {
    assert.equal(count, 1, `offset ${offset} is in the dead-letter topic ${count} times`)
    assert.ok(!accepted.has(offset), `accepted offset ${offset} is in the dead-letter topic`)
  }
  for (const offset of archived)
    assert.ok(found.has(offset), `offset ${offset} was archived (answered) but its dead letter is lost`)
  await broker.close()
  return found.size
}

test(`#8: share-group dead letters are written exactly once across crashes (${onlySeed === undefined ? `${seedCount} seeds` : `seed ${onlySeed}`})`, async () => {
  const seeds = onlySeed === undefined ? Array.from({ length: seedCount }, (_, i) => i + 1) : [onlySeed]
  let total = 0
  for (const seed of seeds) {
    try {
      total += await runSeed(seed)
    } catch (error) {
      throw new Error(`seed ${seed} (rerun with SEED=${seed}): ${(error as Error).message}`, { cause: error })
    }
  }
  assert.ok(total > seeds.length, `too few dead letters to mean anything: ${total}`)
})
