// Admin share-group offsets (#8): describe start offsets and lag, reset them (to an offset, earliest,
// latest, a time) and delete them, against the in-process Brook and, through BROOK_SDK_KAFKA_BOOTSTRAP,
// Apache Kafka 4.4 (tests/client/run-against-kafka.sh). A broker without these APIs skips the suite.
import { deepEqual, equal, ok, rejects } from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { SystemClock, TcpTransport } from '../../src/io/index.js'
import { ClientConnection } from '../../src/network/index.js'
import { Admin, KafkaError, Producer, QueueConsumer, serializers } from '../../src/index.js'
import { type Target, startTarget, uniqueName } from './target.js'

let target: Target
let admin: Admin
let served = false

before(async () => {
  target = await startTarget()
  admin = new Admin({ bootstrap: target.bootstrap })
  const [host, port] = target.bootstrap.split(':')
  const connection = await ClientConnection.open(new TcpTransport(), host, Number(port), {
    clock: new SystemClock(),
    clientId: 'probe',
  })
  served = [78, 90, 91, 92].every((key) => connection.versionFor(key) !== undefined)
  connection.close()
})

after(async () => {
  await admin.close()
  await target.close()
})

/** Reads `count` records as a queue worker of `groupId`, accepting each: [value, deliveryCount] pairs. */
async function consume(groupId: string, topic: string, count: number): Promise<Array<[number, number]>> {
  const worker = new QueueConsumer({
    bootstrap: target.bootstrap,
    groupId,
    topics: [topic],
    fromBeginning: true,
    valueDeserializer: serializers.json<number>(),
  })
  const got: Array<[number, number]> = []
  const timer = setTimeout(() => void worker.close(), 40_000)
  for await (const message of worker) {
    got.push([message.value, message.deliveryCount])
    // Leaving the loop releases the message in hand unless it was acknowledged.
    message.accept()
    if (got.length === count) break
  }
  clearTimeout(timer)
  await worker.close()
  return got.sort((a, b) => a[0] - b[0])
}

const isKafkaError = (name: string) => (e: unknown) => e instanceof KafkaError && e.kafkaName === name

describe('share-group offsets (Admin)', () => {
  test('describe, reset to an offset, earliest, latest and a time, refused while a worker is in the group, then delete', async (t) => {
    if (!served) return t.skip('the broker serves no share-group offsets APIs')
    const topic = uniqueName('share-offsets')
    await admin.createTopics([{ topic, numPartitions: 1 }])
    const producer = new Producer({
      bootstrap: target.bootstrap,
      valueSerializer: serializers.json<number>(),
    })
    await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send({ topic, value: i })))
    await producer.close()
    const groupId = uniqueName('offsets')
    const ten = Array.from({ length: 10 }, (_, i): [number, number] => [i, 1])
    deepEqual(await consume(groupId, topic, 10), ten)

    // All ten accepted: nothing left. (Kafka may report start offset 0 here: it moves it lazily.)
    const [afterAll, ...more] = await admin.shareGroupOffsets(groupId)
    deepEqual(more, [])
    deepEqual([afterAll.topic, afterAll.partition, afterAll.lag], [topic, 0, 0])

    const offsetOf = async () => {
      const [one] = await admin.shareGroupOffsets(groupId, { topics: [topic] })
      return [one.startOffset, one.lag]
    }
    await admin.resetShareGroupOffsets(groupId, topic, { 0: 5 })
    deepEqual(await offsetOf(), [5, 5])
    await admin.resetShareGroupOffsets(groupId, topic, 'latest')
    deepEqual(await offsetOf(), [10, 0])
    await admin.resetShareGroupOffsets(groupId, topic, { timestampMs: 0 })
    deepEqual(await offsetOf(), [0, 10])
    await admin.resetShareGroupOffsets(groupId, topic, 'latest')
    await admin.resetShareGroupOffsets(groupId, topic, 'earliest')
    deepEqual(await offsetOf(), [0, 10])
    // The reset forgot the earlier deliveries: the ten come again, each for the first time.
    deepEqual(await consume(groupId, topic, 10), ten)

    // A worker in the group: offsets may not change.
    const member = new QueueConsumer({ bootstrap: target.bootstrap, groupId, topics: [topic] })
    const iteration = member[Symbol.asyncIterator]()
    const pending = iteration.next()
    for (let i = 0; i < 100; i++) {
      const [group] = await admin.describeShareGroups([groupId])
      if (group.members.length > 0) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await rejects(admin.resetShareGroupOffsets(groupId, topic, 'earliest'), isKafkaError('NON_EMPTY_GROUP'))
    await rejects(admin.deleteShareGroupOffsets(groupId, [topic]), isKafkaError('NON_EMPTY_GROUP'))
    await member.close()
    await pending.catch(() => undefined)

    await admin.deleteShareGroupOffsets(groupId, [topic])
    deepEqual(await admin.shareGroupOffsets(groupId), [])
    deepEqual(await offsetOf(), [-1, -1])
    await rejects(admin.deleteShareGroupOffsets(groupId, [topic]), isKafkaError('UNKNOWN_TOPIC_OR_PARTITION'))
    await rejects(
      admin.deleteShareGroupOffsets(uniqueName('nobody'), [topic]),
      isKafkaError('GROUP_ID_NOT_FOUND'),
    )
    // A group with neither members nor state: nothing to list, -1 for named partitions.
    const nobody = uniqueName('nobody')
    deepEqual(await admin.shareGroupOffsets(nobody), [])
    deepEqual(await admin.shareGroupOffsets(nobody, { topics: [topic] }), [
      { topic, partition: 0, startOffset: -1, lag: -1 },
    ])
    ok((await admin.listShareGroups()).some((g) => g.groupId === groupId))
    equal((await admin.describeShareGroups([groupId]))[0].members.length, 0)
  })
})
