// An exactly-once pipeline for transactions.test.ts to SIGKILL: reads INPUT as GROUP, writes each value
// doubled to OUTPUT in transactions of TRANSACTIONAL_ID, and prints "processed N" after each commit.
// Usage: node eos-worker.js BOOTSTRAP GROUP INPUT OUTPUT TRANSACTIONAL_ID
import { pipeline, serializers } from '../../src/index.js'

const [bootstrap, groupId, input, output, transactionalId] = process.argv.slice(2)
let last = -1
const running = pipeline({
  consumer: {
    bootstrap,
    groupId,
    topics: [input],
    fromBeginning: true,
    valueDeserializer: serializers.json<number>(),
  },
  producer: { valueSerializer: serializers.json<{ doubled: number }>() },
  exactlyOnce: { transactionalId, transactionMessagesMax: 20 },
  transform: (message) => ({ topic: output, value: { doubled: message.value * 2 } }),
})
const timer = setInterval(() => {
  if (running.processedCount !== last) {
    last = running.processedCount
    process.stdout.write(`processed ${last}\n`)
  }
}, 20)
running.done.finally(() => clearInterval(timer))
