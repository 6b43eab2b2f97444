// Handlers and the connection session (#7): pipelined produces append in request order through the
// session's sequencer, long polls end when their connection closes and never wait beyond the cap, and
// ApiVersions v3+ records the client's software on the session.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Session } from '../../network/index.js'
import { ErrorCode } from '../../protocol/index.js'
import { buildRecordBatch } from '../../record-batch/index.js'
import { type SimClock, createTestBroker } from '../../testing/index.js'
import { apiVersions } from './api-versions.js'
import { fetch } from './fetch.js'
import { produce } from './produce.js'

function idempotentBatch(value: string, baseSequence: number) {
  return buildRecordBatch([{ key: null, value, timestampMs: 1_700_000_000_000 }], {
    nowMs: 1_700_000_000_000,
    producerId: 7,
    producerEpoch: 0,
    baseSequence,
  })
}

/** Lets pending promise callbacks and I/O of the simulated file system run. */
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('session (#7)', () => {
  it('#7: pipelined produces of one connection append in request order while a log opens', async () => {
    const broker = await createTestBroker()
    try {
      assert.equal((await broker.topics.createTopic({ name: 't', numPartitions: 2 })).ok, true)
      // Partition 1's log is open; partition 0's is not, so the first request below waits on its opening.
      const first = await broker.call(produce, 9, {
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 't', partitionData: [{ index: 1, records: idempotentBatch('a', 0) }] }],
      })
      assert.equal(first.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
      // Pipelined on one connection: request A (partition 0, then partition 1 with sequence 1), then
      // request B (partition 1 with sequence 2). B must not reach partition 1 before A does.
      const a = broker.call(produce, 9, {
        acks: -1,
        timeoutMs: 1000,
        topicData: [
          {
            name: 't',
            partitionData: [
              { index: 0, records: idempotentBatch('p0', 0) },
              { index: 1, records: idempotentBatch('b', 1) },
            ],
          },
        ],
      })
      const b = broker.call(produce, 9, {
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 't', partitionData: [{ index: 1, records: idempotentBatch('c', 2) }] }],
      })
      const [answerA, answerB] = await Promise.all([a, b])
      assert.deepEqual(
        answerA.responses[0].partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset]),
        [
          [0, ErrorCode.NONE, 0],
          [1, ErrorCode.NONE, 1],
        ],
      )
      const onB = answerB.responses[0].partitionResponses[0]
      assert.deepEqual([onB.errorCode, onB.baseOffset], [ErrorCode.NONE, 2])
    } finally {
      await broker.close()
    }
  })

  it('#7: a long-polling Fetch ends when its connection closes, without waiting for its MaxWaitMs', async () => {
    const broker = await createTestBroker()
    try {
      assert.equal((await broker.topics.createTopic({ name: 't', numPartitions: 1 })).ok, true)
      let answered = false
      const polling = broker
        .call(fetch, 11, {
          maxWaitMs: 60_000,
          minBytes: 1,
          maxBytes: 1 << 20,
          topics: [
            { topic: 't', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] },
          ],
        })
        .then(() => (answered = true))
      for (let i = 0; i < 5; i++) await settle()
      assert.equal(answered, false, 'the fetch long-polls')
      broker.session.markClosed()
      for (let i = 0; i < 5 && !answered; i++) await settle()
      assert.equal(answered, true, 'closing the session ended the poll (the simulated clock did not move)')
      await polling
    } finally {
      await broker.close()
    }
  })

  it('#7: a Fetch asking for the longest MaxWaitMs waits at most fetchWaitMaxMs', async () => {
    const broker = await createTestBroker({ config: { fetchWaitMaxMs: 2000 } })
    const clock = broker.clock as SimClock
    try {
      assert.equal((await broker.topics.createTopic({ name: 't', numPartitions: 1 })).ok, true)
      let answered = false
      const polling = broker
        .call(fetch, 11, {
          maxWaitMs: 2_147_483_647,
          minBytes: 1,
          maxBytes: 1 << 20,
          topics: [
            { topic: 't', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] },
          ],
        })
        .then(() => (answered = true))
      for (let i = 0; i < 5; i++) await settle()
      await clock.advanceAsync(1999)
      assert.equal(answered, false)
      await clock.advanceAsync(1)
      for (let i = 0; i < 5 && !answered; i++) await settle()
      assert.equal(answered, true, 'answered at the cap')
      await polling
    } finally {
      await broker.close()
    }
  })

  it('#7: a Fetch of no partition waits out its time on the clock instead of spinning', async () => {
    const broker = await createTestBroker({ config: { fetchWaitMaxMs: 5000 } })
    const clock = broker.clock as SimClock
    const partitions = broker.context.partitions
    const waitForAppend = partitions.waitForAppend.bind(partitions)
    let waits = 0
    // Before the fix the handler called waitForAppend([]) in a loop of microtasks that never yields; fail
    // instead of hanging.
    partitions.waitForAppend = (watched, timeoutMs, signal) => {
      if (++waits > 1000) throw new Error('the long poll spins')
      return waitForAppend(watched, timeoutMs, signal)
    }
    try {
      let answered = false
      const polling = broker
        .call(fetch, 5, {
          maxWaitMs: 2_147_483_647,
          minBytes: 1,
          maxBytes: 1 << 20,
          topics: [{ topic: 'weird', partitions: [] }],
        })
        .then(() => (answered = true))
      for (let i = 0; i < 5; i++) await settle()
      assert.equal(answered, false, 'it waits')
      await clock.advanceAsync(5000)
      for (let i = 0; i < 5 && !answered; i++) await settle()
      assert.equal(answered, true, 'answered at the cap')
      await polling
    } finally {
      await broker.close()
    }
  })

  it('ApiVersions v3+ records the client software on the session; ids are unique in the process', async () => {
    const broker = await createTestBroker()
    try {
      await broker.call(apiVersions, 3, { clientSoftwareName: 'franz-go', clientSoftwareVersion: '1.18.0' })
      assert.equal(broker.session.clientSoftwareName, 'franz-go')
      assert.equal(broker.session.clientSoftwareVersion, '1.18.0')
      const other = await createTestBroker()
      const ids = new Set([broker.session.id, other.session.id])
      for (let i = 0; i < 10; i++)
        ids.add(new Session({ listener: 'x', remoteAddress: 'h:1', remoteHost: 'h' }).id)
      assert.equal(ids.size, 12, 'a second broker in the process does not restart the ids')
      await other.close()
    } finally {
      await broker.close()
    }
  })
})
