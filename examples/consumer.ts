// The seed's consumer in the SDK: reads `my_topic` in group `my-group` until Ctrl-C; offsets are committed
// after each message is processed. Run with `node dist/examples/consumer.js`.
import { Consumer, serializers } from '../src/index.js'

const consumer = new Consumer({
  bootstrap: process.env.BOOTSTRAP ?? 'localhost:9092',
  groupId: 'my-group',
  topics: ['my_topic'],
  fromBeginning: true,
  valueDeserializer: serializers.json<{ hello: string }>(),
})
process.once('SIGINT', () => void consumer.close())
for await (const message of consumer) console.log(message.offset, message.value.hello)
