// One consumer-group member for the group checks, through kafkajs. Same output as member_kafka_python.py.
// Usage: node member-kafkajs.mjs HOST:PORT TOPIC GROUP RESET COMMIT SESSION_MS
import { Kafka, logLevel } from 'kafkajs'

const [bootstrap, topic, group, reset, commit, sessionMs] = process.argv.slice(2)
const say = (line) => process.stdout.write(`${line}\n`)
const kafka = new Kafka({ clientId: 'brook-groups', brokers: [bootstrap], logLevel: logLevel.NOTHING })
const settings = { groupId: group }
if (sessionMs !== 'default') {
  settings.sessionTimeout = Number(sessionMs)
  settings.heartbeatInterval = Math.max(500, Math.floor(Number(sessionMs) / 6))
}
const consumer = kafka.consumer(settings)
consumer.on(consumer.events.GROUP_JOIN, (e) => {
  const parts = (e.payload.memberAssignment[topic] ?? []).slice().sort((a, b) => a - b)
  say(`A ${parts.join(',')}`)
})
await consumer.connect()
await consumer.subscribe({ topics: [topic], fromBeginning: reset === 'earliest' })
await consumer.run({
  autoCommit: commit !== 'none',
  eachMessage: async ({ partition, message }) => {
    say(`R ${partition} ${message.offset} ${message.value.toString()}`)
  },
})
process.on('SIGTERM', async () => {
  await consumer.disconnect()
  say('CLOSED')
  process.exit(0)
})
