// Interoperability: records the SDK produces are read by kafka-python 3 and by the Java client's console
// consumer with the same keys, partitions, headers and values, and records they produce are read by the
// SDK the same way (keyed records land where the SDK's murmur2 says). Runs against the suite's target;
// a peer that is not installed (.cache/venv, .cache/java-libs) is reported as skipped.
import { execFile } from 'node:child_process'
import { deepEqual, equal } from 'node:assert/strict'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, describe, test } from 'node:test'
import { Admin, Consumer, Producer, partitionForKey, serializers } from '../../src/index.js'
import { type Target, startTarget, uniqueName } from './target.js'

const run = promisify(execFile)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const python = path.join(root, '.cache/venv/bin/python')
const javaLibs = path.join(root, '.cache/java-libs')
const log4j = path.join(root, 'tests/compat/java/log4j2.properties')
const hasPython = existsSync(python)
const hasJava = existsSync(javaLibs)

let target: Target
let admin: Admin

before(async () => {
  target = await startTarget()
  admin = new Admin({ bootstrap: target.bootstrap })
})

after(async () => {
  await admin.close()
  await target.close()
})

interface Row {
  partition: number
  key: string
  value: string
  headers: string[]
}

const sorted = (rows: Row[]) => [...rows].sort((a, b) => (a.key < b.key ? -1 : 1))

/** Records with keys, values and headers; every third one has an explicit partition. */
function sampleRows(count: number): Array<Row & { explicit: boolean }> {
  return Array.from({ length: count }, (_, i) => {
    const key = `key-${i}`
    const explicit = i % 3 === 0
    return {
      key,
      value: `value ${i} ✓`,
      headers: [`h-index=${i}`, 'h-source=sdk'],
      partition: explicit ? 2 : partitionForKey(Buffer.from(key), 3),
      explicit,
    }
  })
}

async function produceWithSdk(topic: string, rows: Array<Row & { explicit: boolean }>): Promise<void> {
  const producer = new Producer({
    bootstrap: target.bootstrap,
    keySerializer: serializers.string,
    valueSerializer: serializers.string,
  })
  for (const row of rows) {
    const headers = row.headers.map((h) => ({ key: h.split('=')[0], value: h.split('=')[1] }))
    const sent = await producer.send({
      topic,
      key: row.key,
      value: row.value,
      headers,
      partition: row.explicit ? row.partition : undefined,
    })
    equal(sent.partition, row.partition)
  }
  await producer.close()
}

async function consumeWithSdk(topic: string, count: number): Promise<Row[]> {
  const consumer = new Consumer({
    bootstrap: target.bootstrap,
    topics: [topic],
    fromBeginning: true,
    keyDeserializer: serializers.string,
    valueDeserializer: serializers.string,
  })
  const rows: Row[] = []
  const timer = setTimeout(() => void consumer.close(), 30_000)
  for await (const m of consumer) {
    rows.push({
      partition: m.partition,
      key: m.key as string,
      value: m.value as string,
      headers: m.headers.map((h) => `${h.key}=${h.value?.toString()}`),
    })
    if (rows.length === count) break
  }
  clearTimeout(timer)
  await consumer.close()
  return rows
}

const pythonConsume = `
import json, sys
from kafka import KafkaConsumer
bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset='earliest', consumer_timeout_ms=20000)
rows = []
for m in consumer:
    rows.append({'partition': m.partition, 'key': m.key.decode(), 'value': m.value.decode(),
                 'headers': [k + '=' + v.decode() for k, v in m.headers]})
    if len(rows) == count:
        break
consumer.close()
print(json.dumps(rows))
`

const pythonProduce = `
import sys
from kafka import KafkaProducer
bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
producer = KafkaProducer(bootstrap_servers=bootstrap)
for i in range(count):
    producer.send(topic, key=('py-%d' % i).encode(), value=('from python %d' % i).encode(),
                  headers=[('h-index', str(i).encode()), ('h-source', b'python')])
producer.flush()
producer.close()
`

describe('interoperability with kafka-python and the Java client', () => {
  test('kafka-python reads what the SDK wrote, and the SDK reads what kafka-python wrote', async (t) => {
    if (!hasPython) return t.skip('kafka-python is not installed in .cache/venv')
    const topic = uniqueName('interop-py')
    await admin.createTopics([{ topic, numPartitions: 3 }])
    const rows = sampleRows(12)
    await produceWithSdk(topic, rows)
    const { stdout } = await run(
      python,
      ['-c', pythonConsume, target.bootstrap, topic, String(rows.length)],
      { timeout: 60_000 },
    )
    deepEqual(sorted(JSON.parse(stdout) as Row[]), sorted(rows.map(({ explicit, ...row }) => row)))

    const back = uniqueName('interop-py-back')
    await admin.createTopics([{ topic: back, numPartitions: 3 }])
    await run(python, ['-c', pythonProduce, target.bootstrap, back, '9'], { timeout: 60_000 })
    const read = await consumeWithSdk(back, 9)
    deepEqual(
      sorted(read),
      sorted(
        Array.from({ length: 9 }, (_, i) => ({
          partition: partitionForKey(Buffer.from(`py-${i}`), 3),
          key: `py-${i}`,
          value: `from python ${i}`,
          headers: [`h-index=${i}`, 'h-source=python'],
        })),
      ),
    )
  })

  test("the Java client's console tools read what the SDK wrote, and the SDK reads what they wrote", async (t) => {
    if (!hasJava) return t.skip('the Java client is not installed in .cache/java-libs')
    const java = [`-Dlog4j2.configurationFile=${log4j}`, '-cp', `${javaLibs}/*`]
    const topic = uniqueName('interop-java')
    await admin.createTopics([{ topic, numPartitions: 3 }])
    const rows = sampleRows(6)
    await produceWithSdk(topic, rows)
    const { stdout } = await run(
      'java',
      [
        ...java,
        'org.apache.kafka.tools.consumer.ConsoleConsumer',
        '--bootstrap-server',
        target.bootstrap,
        '--topic',
        topic,
        '--from-beginning',
        '--max-messages',
        String(rows.length),
        '--timeout-ms',
        '30000',
        '--formatter-property',
        'print.key=true',
        '--formatter-property',
        'print.partition=true',
        '--formatter-property',
        'print.headers=true',
        '--formatter-property',
        'headers.separator=;',
      ],
      { timeout: 90_000 },
    )
    const javaRows = stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [partition, headers, key, value] = line.split('\t')
        return {
          partition: Number(partition.replace('Partition:', '')),
          key,
          value,
          headers: headers.split(';').map((h) => h.replace(':', '=')),
        }
      })
    deepEqual(sorted(javaRows), sorted(rows.map(({ explicit, ...row }) => row)))

    const back = uniqueName('interop-java-back')
    await admin.createTopics([{ topic: back, numPartitions: 3 }])
    const input = Array.from(
      { length: 5 },
      (_, i) => `h-index:${i},h-source:java\tjava-${i}\tfrom java ${i}`,
    ).join('\n')
    const producer = execFile(
      'java',
      [
        ...java,
        'org.apache.kafka.tools.ConsoleProducer',
        '--bootstrap-server',
        target.bootstrap,
        '--topic',
        back,
        '--reader-property',
        'parse.key=true',
        '--reader-property',
        'parse.headers=true',
      ],
      { timeout: 90_000 },
    )
    const exited = new Promise<number | null>((resolve) => producer.once('exit', resolve))
    producer.stdin?.end(`${input}\n`)
    equal(await exited, 0)
    const read = await consumeWithSdk(back, 5)
    deepEqual(
      sorted(read),
      sorted(
        Array.from({ length: 5 }, (_, i) => ({
          partition: partitionForKey(Buffer.from(`java-${i}`), 3),
          key: `java-${i}`,
          value: `from java ${i}`,
          headers: [`h-index=${i}`, 'h-source=java'],
        })),
      ),
    )
  })
})
