// A test with its own broker: startBroker() runs Brook inside the test process, in memory, on a free port.
// `npm test` runs this file.
import { deepEqual } from 'node:assert/strict'
import { test } from 'node:test'
import { Consumer, Producer, serializers, startBroker } from '../src/index.js'

test('an order placed is seen by the billing consumer', async () => {
  const broker = await startBroker({ port: 0, memory: true })
  try {
    const producer = new Producer({ bootstrap: broker.bootstrap, valueSerializer: serializers.json<{ id: number }>() })
    await producer.send({ topic: 'orders', value: { id: 42 } })
    await producer.close()

    const consumer = new Consumer({
      bootstrap: broker.bootstrap,
      groupId: 'billing',
      topics: ['orders'],
      fromBeginning: true,
      valueDeserializer: serializers.json<{ id: number }>(),
    })
    for await (const message of consumer) {
      deepEqual(message.value, { id: 42 })
      break
    }
    await consumer.close()
  } finally {
    await broker.close()
  }
})
