// Brook only (it restarts the broker): committed offsets and records survive a broker restart, seen
// through the SDK with startBroker() on a data directory.
import { deepEqual } from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { Consumer, Producer, serializers, startBroker } from '../../src/index.js'

test('commits survive a broker restart: the group resumes after the last processed record', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'brook-sdk-restart-'))
  try {
    let broker = await startBroker({ port: 0, dataDir })
    const producer = new Producer({ bootstrap: broker.bootstrap, valueSerializer: serializers.string })
    for (let i = 0; i < 8; i++) await producer.send({ topic: 'orders', value: `o${i}` })
    await producer.close()
    const first = new Consumer({
      bootstrap: broker.bootstrap,
      groupId: 'billing',
      topics: ['orders'],
      fromBeginning: true,
      valueDeserializer: serializers.string,
    })
    const firstValues: string[] = []
    for await (const message of first) {
      firstValues.push(message.value as string)
      await first.commit(message)
      if (firstValues.length === 5) break
    }
    await first.close()
    await broker.close()

    broker = await startBroker({ port: 0, dataDir })
    const second = new Consumer({
      bootstrap: broker.bootstrap,
      groupId: 'billing',
      topics: ['orders'],
      fromBeginning: true,
      valueDeserializer: serializers.string,
    })
    const rest: string[] = []
    for await (const message of second) {
      rest.push(message.value as string)
      if (rest.length === 3) break
    }
    await second.close()
    await broker.close()
    deepEqual(firstValues, ['o0', 'o1', 'o2', 'o3', 'o4'])
    deepEqual(rest, ['o5', 'o6', 'o7'])
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
})
