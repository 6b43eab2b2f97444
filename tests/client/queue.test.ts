// QueueConsumer (share groups, KIP-932) against a broker that serves ShareFetch: Apache Kafka 4.4 through
// BROOK_SDK_KAFKA_BOOTSTRAP, or Brook once its share groups answer ShareFetch. Against a broker without
// ShareFetch the suite reports itself skipped with that reason.
import { spawn } from 'node:child_process'
import { deepEqual, equal, ok, throws } from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { SystemClock, TcpTransport } from '../../src/io/index.js'
import { ClientConnection } from '../../src/network/index.js'
import { Admin, ClientError, Producer, QueueConsumer, serializers } from '../../src/index.js'
import { type Target, startTarget, uniqueName } from './target.js'

let target: Target
let admin: Admin
let hasShareFetch = false

before(async () => {
  target = await startTarget()
  admin = new Admin({ bootstrap: target.bootstrap })
  const [host, port] = target.bootstrap.split(':')
  const connection = await ClientConnection.open(new TcpTransport(), host, Number(port), {
    clock: new SystemClock(),
    clientId: 'probe',
  })
  hasShareFetch = connection.versionFor(78) !== undefined && connection.versionFor(76) !== undefined
  connection.close()
})

after(async () => {
  await admin.close()
  await target.close()
})

async function produce(topic: string, count: number, partitions = 1): Promise<void> {
  await admin.createTopics([{ topic, numPartitions: partitions }])
  const producer = new Producer({ bootstrap: target.bootstrap, valueSerializer: serializers.json<number>() })
  await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic, value: i })))
  await producer.close()
}

describe('queue consumers (share groups)', () => {
  test('workers share a topic with each record accepted once; a released record comes back with a higher delivery count', async (t) => {
    if (!hasShareFetch) return t.skip('the broker serves no ShareFetch')
    const topic = uniqueName('queue')
    await produce(topic, 60, 3)
    const groupId = uniqueName('workers')
    const accepted = new Map<number, number>()
    const deliveries: number[] = []
    const workers = [0, 1].map(
      () =>
        new QueueConsumer({
          bootstrap: target.bootstrap,
          groupId,
          topics: [topic],
          fromBeginning: true,
          valueDeserializer: serializers.json<number>(),
        }),
    )
    let finish: () => void = () => undefined
    const allAccepted = new Promise<void>((resolve) => (finish = resolve))
    const runs = workers.map((worker) =>
      worker.process(async (message) => {
        if (message.value === 7) deliveries.push(message.deliveryCount)
        if (message.value === 7 && message.deliveryCount === 1) {
          message.release()
          return
        }
        accepted.set(message.value, (accepted.get(message.value) ?? 0) + 1)
        if (accepted.size === 60) finish()
      }),
    )
    const timer = setTimeout(finish, 40_000)
    await allAccepted
    clearTimeout(timer)
    await Promise.all(workers.map((w) => w.close()))
    await Promise.all(runs)
    equal(accepted.size, 60)
    ok(
      [...accepted.values()].every((n) => n === 1),
      'every record accepted exactly once',
    )
    deepEqual(deliveries, [1, 2])
    const [description] = await admin.describeShareGroups([groupId])
    equal(description.type, 'share')
    equal(description.members.length, 0)
    ok((await admin.listShareGroups()).some((g) => g.groupId === groupId))
  })

  test('iteration accepts what the loop body finished and releases the message in hand when it throws', async (t) => {
    if (!hasShareFetch) return t.skip('the broker serves no ShareFetch')
    const topic = uniqueName('queue-iter')
    await produce(topic, 3)
    const groupId = uniqueName('iter')
    const first = new QueueConsumer({
      bootstrap: target.bootstrap,
      groupId,
      topics: [topic],
      fromBeginning: true,
      valueDeserializer: serializers.json<number>(),
    })
    const seen: number[] = []
    try {
      for await (const message of first) {
        seen.push(message.value)
        if (message.value === 1) throw new Error('processing failed')
      }
    } catch (error) {
      equal((error as Error).message, 'processing failed')
    }
    throws(
      () => first[Symbol.asyncIterator](),
      (e: unknown) => e instanceof ClientError && e.code === 'BROOK_ERR_ALREADY_ITERATING',
    )
    await first.close()
    deepEqual(seen, [0, 1])

    const second = new QueueConsumer({
      bootstrap: target.bootstrap,
      groupId,
      topics: [topic],
      valueDeserializer: serializers.json<number>(),
    })
    const again: Array<[number, number]> = []
    const timer = setTimeout(() => void second.close(), 30_000)
    for await (const message of second) {
      again.push([message.value, message.deliveryCount])
      if (again.length === 2) break
    }
    clearTimeout(timer)
    await second.close()
    // 0 was accepted; 1 was released by the throw, 2 was released by close(): both come back.
    deepEqual(again.sort(), [
      [1, 2],
      [2, 2],
    ])
  })

  test("a killed worker's records are redelivered to another", async (t) => {
    if (!hasShareFetch) return t.skip('the broker serves no ShareFetch')
    const topic = uniqueName('queue-kill')
    await produce(topic, 5)
    const groupId = uniqueName('kill')
    const script = fileURLToPath(new URL('./queue-worker.js', import.meta.url))
    const child = spawn(process.execPath, [script, target.bootstrap, groupId, topic], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve())
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)))
    })
    child.kill('SIGKILL')
    const survivor = new QueueConsumer({
      bootstrap: target.bootstrap,
      groupId,
      topics: [topic],
      valueDeserializer: serializers.json<number>(),
    })
    const got: Array<[number, number]> = []
    const timer = setTimeout(() => void survivor.close(), 60_000)
    for await (const message of survivor) {
      got.push([message.value, message.deliveryCount])
      if (got.length === 5) break
    }
    clearTimeout(timer)
    await survivor.close()
    equal(got.length, 5)
    ok(
      got.some(([, count]) => count >= 2),
      `a record the killed worker held came back: ${JSON.stringify(got)}`,
    )
  })
})

describe('lock renewal (KIP-1222)', () => {
  test('renew() keeps a record from coming back while the lock of one not renewed expires', async (t) => {
    if (!hasShareFetch) return t.skip('the broker serves no ShareFetch')
    const topic = uniqueName('queue-renew')
    await produce(topic, 2)
    const groupId = uniqueName('renew')
    const lockMs = 15_000 // the smallest lock Kafka 4.4 allows for a group
    await admin.alterConfigs(
      { type: 'group', name: groupId },
      { 'share.record.lock.duration.ms': String(lockMs) },
    )
    const holder = new QueueConsumer({
      bootstrap: target.bootstrap,
      groupId,
      topics: [topic],
      fromBeginning: true,
      // With the second record buffered the holder is full, so it stops fetching and cannot take it back.
      maxRecords: 1,
      valueDeserializer: serializers.json<number>(),
    })
    // One ShareFetch acquires both records (brokers acquire whole batches): the first is delivered and renewed, the second stays buffered and
    // unrenewed, so its lock runs out and it goes to the other worker.
    const iterator = holder[Symbol.asyncIterator]()
    const first = await iterator.next()
    ok(!first.done)
    const renewed = first.value
    equal(renewed.deliveryCount, 1)
    const startMs = performance.now()
    const other = new QueueConsumer({
      bootstrap: target.bootstrap,
      groupId,
      topics: [topic],
      valueDeserializer: serializers.json<number>(),
    })
    const otherGot: Array<[number, number]> = []
    const otherRun = other.process((message) => {
      otherGot.push([message.value, message.deliveryCount])
    })
    // Renew every 5 s for well over one lock duration.
    while (performance.now() - startMs < lockMs + 7_000) {
      await new Promise((resolve) => setTimeout(resolve, 5_000))
      await renewed.renew()
    }
    equal(renewed.acknowledgement, undefined, 'renew() is not an acknowledgement')
    deepEqual(otherGot, [[1 - renewed.value, 2]], 'only the record whose lock was not renewed came back')
    renewed.accept()
    await iterator.return?.()
    await holder.close()
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    await other.close()
    await otherRun
    deepEqual(otherGot, [[1 - renewed.value, 2]], 'the renewed record was accepted once, by its holder')
  })
})
