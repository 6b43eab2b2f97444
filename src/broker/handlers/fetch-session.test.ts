// Incremental fetch sessions (KIP-227, #9) through the Fetch handler: a full fetch opens a session,
// incremental ones carry only changed partitions and are answered only with partitions that changed;
// forgotten partitions, epochs, closing, topic ids and the slot limit.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode, ZERO_UUID } from '../../protocol/index.js'
import { buildRecordBatch, decodeBatch, iterateBatches } from '../../record-batch/index.js'
import { SeededRandom, type TestBroker, createTestBroker } from '../../testing/index.js'
import { fetch } from './fetch.js'
import { produce } from './produce.js'

async function send(broker: TestBroker, partition: number, value: string) {
  const records = buildRecordBatch([{ key: 'k', value, timestampMs: 1_700_000_000_000 }], {
    nowMs: 1_700_000_000_000,
  })
  const response = await broker.call(produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: 'orders', partitionData: [{ index: partition, records }] }],
  })
  assert.equal(response.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
}

interface Wanted {
  partition: number
  fetchOffset: number
}

function fetchInput(
  sessionId: number,
  sessionEpoch: number,
  wanted: Wanted[],
  forgotten: number[] = [],
  topicId?: string,
) {
  return {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    sessionId,
    sessionEpoch,
    topics:
      wanted.length === 0
        ? []
        : [
            {
              topic: 'orders',
              topicId: topicId ?? ZERO_UUID,
              partitions: wanted.map((w) => ({ ...w, partitionMaxBytes: 1 << 20 })),
            },
          ],
    forgottenTopicsData:
      forgotten.length === 0
        ? []
        : [{ topic: 'orders', topicId: topicId ?? ZERO_UUID, partitions: forgotten }],
  }
}

/** The answered partitions as "index:highWatermark:recordBytes>0". */
function summary(response: {
  responses: { partitions: { partitionIndex: number; highWatermark: number; records: unknown }[] }[]
}) {
  return response.responses.flatMap((t) =>
    t.partitions.map((p) => {
      const bytes = p.records instanceof Buffer ? p.records.length : 0
      return `${p.partitionIndex}:${p.highWatermark}:${bytes > 0 ? 'data' : 'none'}`
    }),
  )
}

async function withTopic(config: Parameters<typeof createTestBroker>[0] = {}) {
  const broker = await createTestBroker(config)
  const created = await broker.topics.createTopic({ name: 'orders', numPartitions: 3, configs: [] })
  assert.equal(created.ok, true)
  return broker
}

const all = [0, 1, 2].map((partition) => ({ partition, fetchOffset: 0 }))

describe('fetch sessions (#9)', () => {
  it('answers an incremental fetch only with partitions that have records or new offsets', async () => {
    const broker = await withTopic()
    await send(broker, 0, 'a')
    const full = await broker.call(fetch, 12, fetchInput(0, 0, all))
    assert.equal(full.errorCode, ErrorCode.NONE)
    assert.ok(full.sessionId > 0, 'a full fetch with epoch 0 opens a session')
    assert.deepEqual(summary(full), ['0:1:data', '1:0:none', '2:0:none'])
    const id = full.sessionId

    // The client moved partition 0 on; nothing else changed: an empty answer.
    const idle = await broker.call(fetch, 12, fetchInput(id, 1, [{ partition: 0, fetchOffset: 1 }]))
    assert.equal(idle.errorCode, ErrorCode.NONE)
    assert.equal(idle.sessionId, id)
    assert.deepEqual(summary(idle), [])
    assert.deepEqual(summary(await broker.call(fetch, 12, fetchInput(id, 2, []))), [])

    await send(broker, 1, 'b')
    assert.deepEqual(summary(await broker.call(fetch, 12, fetchInput(id, 3, []))), ['1:1:data'])
    // The session keeps fetch offset 0 for partition 1 until the client names a new one, so the records
    // are read again (as Kafka does); once it does, nothing changed and nothing is answered.
    assert.deepEqual(summary(await broker.call(fetch, 12, fetchInput(id, 4, []))), ['1:1:data'])
    assert.deepEqual(
      summary(await broker.call(fetch, 12, fetchInput(id, 5, [{ partition: 1, fetchOffset: 1 }]))),
      [],
    )

    // Forgetting partition 2: its records are no longer fetched.
    assert.deepEqual(summary(await broker.call(fetch, 12, fetchInput(id, 6, [], [2]))), [])
    await send(broker, 2, 'c')
    assert.deepEqual(summary(await broker.call(fetch, 12, fetchInput(id, 7, []))), [])
    // Adding it back answers it at once.
    assert.deepEqual(
      summary(await broker.call(fetch, 12, fetchInput(id, 8, [{ partition: 2, fetchOffset: 0 }]))),
      ['2:1:data'],
    )
    assert.equal(broker.context.fetchSessions.get(id)?.size, 3)
    await broker.close()
  })

  it('checks epochs and ids, closes on epoch -1, and serves epoch -1 with id 0 without a session', async () => {
    const broker = await withTopic()
    const { sessionId: id } = await broker.call(fetch, 12, fetchInput(0, 0, all))
    const wrongEpoch = await broker.call(fetch, 12, fetchInput(id, 5, []))
    assert.equal(wrongEpoch.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH)
    assert.equal(wrongEpoch.sessionId, 0)
    const unknown = await broker.call(fetch, 12, fetchInput(id + 1, 1, []))
    assert.equal(unknown.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
    // A wrong epoch does not end the session: the right one still works.
    assert.equal((await broker.call(fetch, 12, fetchInput(id, 1, []))).errorCode, ErrorCode.NONE)

    const closing = await broker.call(fetch, 12, fetchInput(id, -1, all))
    assert.equal(closing.sessionId, 0)
    assert.equal(summary(closing).length, 3, 'a sessionless fetch answers every partition')
    assert.equal(
      (await broker.call(fetch, 12, fetchInput(id, 2, []))).errorCode,
      ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
    )
    assert.equal(broker.context.fetchSessions.size, 0)

    const sessionless = await broker.call(fetch, 12, fetchInput(0, -1, all))
    assert.equal(sessionless.sessionId, 0)
    assert.equal(broker.context.fetchSessions.size, 0)

    // A full fetch with epoch 0 naming a session replaces it.
    const first = await broker.call(fetch, 12, fetchInput(0, 0, all))
    const second = await broker.call(fetch, 12, fetchInput(first.sessionId, 0, all))
    assert.notEqual(second.sessionId, first.sessionId)
    assert.equal(broker.context.fetchSessions.size, 1)
    await broker.close()
  })

  it('keeps topic ids for Fetch v13+ and refuses mixing a session across the name/id versions', async () => {
    const broker = await withTopic()
    const topicId = broker.topics.topic('orders')!.topicId
    const full = await broker.call(fetch, 13, fetchInput(0, 0, all, [], topicId))
    assert.ok(full.sessionId > 0)
    assert.equal(full.responses[0].topicId, topicId)
    await send(broker, 2, 'x')
    const next = await broker.call(fetch, 13, fetchInput(full.sessionId, 1, [], [0], topicId))
    assert.deepEqual(summary(next), ['2:1:data'])
    assert.equal(next.responses[0].topicId, topicId)
    assert.equal(broker.context.fetchSessions.get(full.sessionId)?.size, 2, 'partition 0 forgotten by id')
    const mixed = await broker.call(fetch, 12, fetchInput(full.sessionId, 2, []))
    assert.equal(mixed.errorCode, ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR)
    await broker.close()
  })

  it('re-sends a partition after its error clears, and answers a deleted topic with an error', async () => {
    const broker = await withTopic()
    const { sessionId: id } = await broker.call(fetch, 12, fetchInput(0, 0, all))
    const outOfRange = await broker.call(fetch, 12, fetchInput(id, 1, [{ partition: 0, fetchOffset: 5 }]))
    assert.equal(outOfRange.responses[0].partitions[0].errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
    const back = await broker.call(fetch, 12, fetchInput(id, 2, [{ partition: 0, fetchOffset: 0 }]))
    assert.deepEqual(summary(back), ['0:0:none'], 'after an error the partition is answered again')
    await broker.topics.deleteTopic('orders')
    const gone = await broker.call(fetch, 12, fetchInput(id, 3, []))
    assert.equal(gone.responses.flatMap((t) => t.partitions).length, 3)
    for (const p of gone.responses.flatMap((t) => t.partitions))
      assert.equal(p.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    await broker.close()
  })

  it('wakes an idle incremental long poll when a session partition gets records, twice', async () => {
    const broker = await withTopic()
    const { sessionId: id } = await broker.call(fetch, 12, fetchInput(0, 0, all))
    for (const [epoch, partition] of [
      [1, 2],
      [3, 0],
    ]) {
      const polled = broker.call(fetch, 12, { ...fetchInput(id, epoch, []), maxWaitMs: 20_000, minBytes: 1 })
      await new Promise((resolve) => setImmediate(resolve))
      await send(broker, partition, `late-${epoch}`)
      const answer = await polled
      assert.equal(answer.errorCode, ErrorCode.NONE)
      assert.deepEqual(summary(answer), [`${partition}:1:data`])
      assert.equal(broker.context.fetchSessions.get(id)?.watchList?.length, 3, 'the long poll kept its list')
      // The client takes the record: the next poll names the new position.
      assert.deepEqual(
        summary(await broker.call(fetch, 12, fetchInput(id, epoch + 1, [{ partition, fetchOffset: 1 }]))),
        [],
      )
      assert.equal(
        broker.context.fetchSessions.get(id)?.watchList,
        undefined,
        'a changed partition clears it',
      )
    }
    await broker.close()
  })

  it('limit: max.incremental.fetch.session.cache.slots bounds the sessions; beyond, full fetches go on', async () => {
    const broker = await withTopic({ config: { fetchSessionCacheSlots: 2 } })
    const ids = []
    for (let i = 0; i < 4; i++) ids.push((await broker.call(fetch, 12, fetchInput(0, 0, all))).sessionId)
    assert.ok(ids[0] > 0 && ids[1] > 0)
    assert.deepEqual(ids.slice(2), [0, 0], 'no slot and no evictable session: no session, a full answer')
    assert.equal(broker.context.fetchSessions.size, 2)
    await broker.close()
  })
})

describe('fetch sessions under churn (#9)', () => {
  it('delivers every record once, in order, while records arrive and partitions leave and return', async () => {
    const broker = await createTestBroker()
    const partitionCount = 12
    const created = await broker.topics.createTopic({
      name: 'orders',
      numPartitions: partitionCount,
      configs: [],
    })
    assert.equal(created.ok, true)
    const random = new SeededRandom(2026)
    const draw = (n: number) => random.bytes(1)[0] % n
    const produced: string[][] = Array.from({ length: partitionCount }, () => [])
    const delivered: string[][] = Array.from({ length: partitionCount }, () => [])
    /** The client's view: its fetch position per assigned partition. */
    const position = new Map<number, number>()
    for (let p = 0; p < partitionCount; p += 2) position.set(p, 0)
    let sessionId = 0
    let epoch = 0
    /** Partitions whose position the broker does not know yet (added or moved since the last request). */
    const changed = new Set<number>(position.keys())
    const forgotten = new Set<number>()
    const fetchOnce = async () => {
      const wanted = [...changed].map((partition) => ({ partition, fetchOffset: position.get(partition)! }))
      const input =
        epoch === 0
          ? fetchInput(
              sessionId,
              0,
              [...position].map(([partition, fetchOffset]) => ({ partition, fetchOffset })),
            )
          : fetchInput(sessionId, epoch, wanted, [...forgotten])
      const response = await broker.call(fetch, 12, input)
      assert.equal(response.errorCode, ErrorCode.NONE)
      changed.clear()
      forgotten.clear()
      sessionId = response.sessionId
      epoch = epoch === 0 ? 1 : epoch + 1
      for (const topic of response.responses) {
        for (const answer of topic.partitions) {
          assert.equal(answer.errorCode, ErrorCode.NONE)
          const p = answer.partitionIndex
          assert.ok(position.has(p), `partition ${p} is answered only while assigned`)
          if (!(answer.records instanceof Buffer) || answer.records.length === 0) continue
          let next = position.get(p)!
          for (const { bytes, header } of iterateBatches(answer.records)) {
            for (const record of decodeBatch(bytes).records) {
              const offset = header.baseOffset + record.offsetDelta
              if (offset < next) continue
              assert.equal(offset, next)
              delivered[p].push(String(record.value))
              next++
            }
          }
          position.set(p, next)
          changed.add(p)
        }
      }
    }
    for (let step = 0; step < 300; step++) {
      const action = draw(10)
      if (action < 5) {
        const p = draw(partitionCount)
        const value = `${p}-${produced[p].length}`
        produced[p].push(value)
        await send(broker, p, value)
      } else if (action === 5) {
        // Rebalance: a partition is revoked (forgotten) or assigned (added at the committed position).
        const p = draw(partitionCount)
        if (position.has(p)) {
          position.delete(p)
          changed.delete(p)
          forgotten.add(p)
        } else {
          position.set(p, delivered[p].length)
          changed.add(p)
          forgotten.delete(p)
        }
      }
      await fetchOnce()
    }
    // Everything assigned at the end is caught up; the rest is read by a new assignment of it.
    for (let p = 0; p < partitionCount; p++) {
      if (!position.has(p)) {
        position.set(p, delivered[p].length)
        changed.add(p)
      }
    }
    for (let i = 0; i < 5; i++) await fetchOnce()
    assert.deepEqual(delivered, produced)
    assert.equal(broker.context.fetchSessions.size, 1, 'one session served the whole run')
    await broker.close()
  })
})
