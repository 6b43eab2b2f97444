// A group consumer for sdk.test.ts to SIGKILL: joins, prints "assigned N" once it owns partitions, and
// then reads without committing. Usage: node consumer-worker.js BOOTSTRAP GROUP TOPIC PROTOCOL
import { Consumer } from '../../src/index.js'

const [bootstrap, groupId, topic, protocol] = process.argv.slice(2)
const consumer = new Consumer({
  bootstrap,
  groupId,
  topics: [topic],
  groupProtocol: protocol as 'consumer' | 'classic',
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  autoCommit: false,
  onAssign: (partitions) => void process.stdout.write(`assigned ${partitions.length}\n`),
})
for await (const message of consumer) void message
