// A queue worker for queue.test.ts to SIGKILL: joins the share group, prints the first offset it holds,
// and never acknowledges it. Usage: node queue-worker.js BOOTSTRAP GROUP TOPIC
import { QueueConsumer } from '../../src/index.js'

const [bootstrap, groupId, topic] = process.argv.slice(2)
const queue = new QueueConsumer({ bootstrap, groupId, topics: [topic], fromBeginning: true })
for await (const message of queue) {
  process.stdout.write(`holding ${message.offset}\n`)
  await new Promise(() => undefined)
}
