// One consumer-group member for the group checks, through @platformatic/kafka (classic protocol). Same output
// as member_kafka_python.py. Usage: node member-platformatic.mjs HOST:PORT TOPIC GROUP RESET COMMIT SESSION_MS
import { Consumer, stringDeserializers } from '@platformatic/kafka'

const [bootstrap, topic, group, reset, commit, sessionMs] = process.argv.slice(2)
const say = (line) => process.stdout.write(`${line}\n`)
const groupSettings = {}
if (sessionMs !== 'default') {
  groupSettings.sessionTimeout = Number(sessionMs)
  groupSettings.heartbeatInterval = Math.max(500, Math.floor(Number(sessionMs) / 6))
}
const consumer = new Consumer({
  clientId: 'brook-groups',
  groupId: group,
  bootstrapBrokers: [bootstrap],
  deserializers: stringDeserializers,
  ...groupSettings,
})
consumer.on('consumer:group:join', (e) => {
  const mine = (e.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions)
  say(`A ${mine.sort((a, b) => a - b).join(',')}`)
})
// 'committed' resumes from the group's offsets; the fallback applies to partitions without one.
const stream = await consumer.consume({
  topics: [topic],
  mode: 'committed',
  fallbackMode: reset === 'earliest' ? 'earliest' : 'latest',
  autocommit: commit !== 'none',
  maxWaitTime: 500,
  ...groupSettings,
})
stream.on('data', (message) => {
  say(`R ${message.partition} ${message.offset} ${message.value}`)
})
stream.on('error', (error) => process.stderr.write(`stream error: ${error?.stack ?? error}\n`))
process.on('SIGTERM', async () => {
  await stream.close()
  await consumer.close(true)
  say('CLOSED')
  process.exit(0)
})
