// PartitionStore keeps the logs in step with the registry; here: a topic change waits only for earlier
// changes of its own topic, so one slow creation does not hold up the first produce to another topic.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type FileSystem, silentLogger } from '../core/index.js'
import { TopicRegistry } from '../metadata/index.js'
import { ErrorCode } from '../protocol/index.js'
import { SeededRandom, SimClock, SimFileSystem } from '../testing/index.js'
import { PartitionStore } from './partition-store.js'

/** A FileSystem whose directory creations and opens under `/logs/slow-` wait until `release()`. */
function slowTopicFileSystem(): { fs: FileSystem; release: () => void } {
  const inner = new SimFileSystem()
  let release!: () => void
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const held = async (path: string) => {
    if (path.includes('/logs/slow-')) await gate
  }
  const fs: FileSystem = {
    open: async (path, options) => {
      await held(path)
      return inner.open(path, options)
    },
    mkdir: async (path) => {
      await held(path)
      return inner.mkdir(path)
    },
    list: (path) => inner.list(path),
    exists: (path) => inner.exists(path),
    remove: (path) => inner.remove(path),
    rename: (from, to) => inner.rename(from, to),
    readFile: (path) => inner.readFile(path),
    writeFileAtomic: (path, data) => inner.writeFileAtomic(path, data),
    volumeSpace: (path) => inner.volumeSpace(path),
  }
  return { fs, release }
}

test('#7 the first produce to a new topic does not wait for a pending change of another topic', async () => {
  const { fs, release } = slowTopicFileSystem()
  const clock = new SimClock()
  const random = new SeededRandom(7)
  const topics = await TopicRegistry.open({
    fileSystem: fs,
    dir: '/meta',
    randomBytes: (length) => random.bytes(length),
  })
  const store = await PartitionStore.open({
    fs,
    clock,
    logger: silentLogger,
    topics,
    logsDir: '/logs',
    flushIntervalMs: 1000,
  })
  assert.ok((await topics.createTopic({ name: 'slow', numPartitions: 3 })).ok)
  assert.ok((await topics.createTopic({ name: 'fast', numPartitions: 1 })).ok)
  let opened = false
  const fast = store.log('fast', 0).then((log) => {
    opened = true
    return log
  })
  for (let turn = 0; turn < 100 && !opened; turn++) await new Promise((resolve) => setImmediate(resolve))
  assert.ok(opened, "opening fast-0 waited for slow's partitions")
  assert.ok((await fast) !== undefined)
  let slowOpened = false
  const slow = store.log('slow', 2).then((log) => {
    slowOpened = true
    return log
  })
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(slowOpened, false, 'slow-2 waits for its own topic change')
  release()
  assert.ok((await slow) !== undefined)
  await store.close()
  await topics.close()
})

test('#12 writeTxnMarker resolves once the marker is durable, with Kafka error codes', async () => {
  const fs = new SimFileSystem()
  const random = new SeededRandom(12)
  const topics = await TopicRegistry.open({
    fileSystem: fs,
    dir: '/meta',
    randomBytes: (length) => random.bytes(length),
  })
  const store = await PartitionStore.open({
    fs,
    clock: new SimClock(),
    logger: silentLogger,
    topics,
    logsDir: '/logs',
    flushIntervalMs: 60_000,
  })
  assert.ok((await topics.createTopic({ name: 'txn', numPartitions: 2 })).ok)
  const log = (await store.log('txn', 1))!
  const marker = { producerId: 3, producerEpoch: 4, commit: false, coordinatorEpoch: 0 }
  assert.equal(await store.writeTxnMarker('txn', 1, marker), ErrorCode.NONE)
  assert.equal(log.logEndOffset, 1)
  assert.equal(log.durableEndOffset, 1, 'the marker is durable when the promise resolves')
  assert.equal(log.producerState.get(3)?.producerEpoch, 4)
  assert.equal(
    await store.writeTxnMarker('txn', 1, { ...marker, producerEpoch: 3 }),
    ErrorCode.INVALID_PRODUCER_EPOCH,
  )
  assert.equal(await store.writeTxnMarker('txn', 2, marker), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  assert.equal(await store.writeTxnMarker('nope', 0, marker), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  assert.equal(log.logEndOffset, 1)
  await store.close()
})
