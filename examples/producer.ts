// The seed's producer in the SDK: JSON records to `my_topic`. Run a broker (`npx brook start`), then
// `node dist/examples/producer.js`. In your own project, import from 'brook' instead of '../src/index.js'.
import { Producer, serializers } from '../src/index.js'

const producer = new Producer({ bootstrap: process.env.BOOTSTRAP ?? 'localhost:9092', valueSerializer: serializers.json<{ hello: string }>() })
const sent = await producer.send({ topic: 'my_topic', value: { hello: 'world' } })
console.log(`sent to ${sent.topic}-${sent.partition} at offset ${sent.offset}`)
await producer.close()
