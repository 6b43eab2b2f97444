// Dead-letter redrive has one meaning (#11, decision 0006): a redrive done by `brook queues redrive` is
// seen as done by the console's queue view and the other way round, and two share groups sharing one
// dead-letter topic each move only their own letters, the topic shrinking as both are moved.
import { deepStrictEqual, strictEqual } from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ConsoleApi, findUiFolder, folderAssets } from '../../src/console/index.js'
import { HttpListener, NodeFileSystem, SystemClock } from '../../src/io/index.js'
import { Admin, Consumer, Producer, QueueConsumer, type RunningBroker, startBroker } from '../../src/index.js'
import { runBrook } from '../cli/run-cli.js'

let broker: RunningBroker
let listener: HttpListener
let api: ConsoleApi
let base = ''

before(async () => {
  broker = await startBroker({ autoCreateTopics: false })
  const fs = new NodeFileSystem()
  api = new ConsoleApi({
    bootstrap: broker.bootstrap,
    readOnly: false,
    clock: new SystemClock(),
    assets: folderAssets(fs, await findUiFolder(fs)),
    boundHost: '127.0.0.1',
  })
  listener = await HttpListener.listen('127.0.0.1', 0, (request) => api.handle(request))
  base = `http://127.0.0.1:${listener.port}`
})

after(async () => {
  await listener.close()
  await api.close()
  await broker.close()
})

interface QueueView {
  deadLetters: {
    topic: string | null
    total: number
    pending: number
    exact: boolean
    letters: Array<{ offset: number; sourceTopic: string; redriven: boolean }>
  }
}

async function consoleView(group: string): Promise<QueueView['deadLetters']> {
  const answer = await fetch(`${base}/api/queues/${group}`)
  strictEqual(answer.status, 200)
  return ((await answer.json()) as QueueView).deadLetters
}

async function consoleListed(group: string): Promise<number | null> {
  const answer = (await (await fetch(`${base}/api/queues`)).json()) as {
    queues: Array<{ groupId: string; deadLetters: number | null }>
  }
  return answer.queues.find((q) => q.groupId === group)?.deadLetters ?? null
}

async function consoleRedrive(group: string): Promise<{ redriven: number; deleted: number }> {
  const answer = await fetch(`${base}/api/queues/${group}/redrive`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-brook-console': '1' },
    body: '{}',
  })
  strictEqual(answer.status, 200)
  return (await answer.json()) as { redriven: number; deleted: number }
}

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const http = args[1] === 'describe' ? ['--http', base] : []
  const run = await runBrook([...args, '--json', '-b', broker.bootstrap, ...http])
  strictEqual(run.code, 0, run.stderr)
  return JSON.parse(run.stdout) as Record<string, unknown>
}

async function readAll(topic: string): Promise<string[]> {
  const admin = new Admin({ bootstrap: broker.bootstrap })
  const end = (await admin.listOffsets(topic, 'latest')).get(0) ?? 0
  await admin.close()
  const consumer = new Consumer({ bootstrap: broker.bootstrap, topics: [topic], fromBeginning: true })
  const out: string[] = []
  if (end === 0) return out
  for await (const m of consumer) {
    out.push(`${m.value?.toString()}|${m.headers.map((h) => h.key).join(',')}`)
    if (m.offset + 1 >= end) break
  }
  await consumer.close()
  return out
}

describe('dead-letter redrive, one meaning for the CLI and the console (#11)', () => {
  test('CLI redrive seen by the console and console redrive seen by the CLI; two groups share one dead-letter topic', async () => {
    const admin = new Admin({ bootstrap: broker.bootstrap })
    const producer = new Producer({ bootstrap: broker.bootstrap, acks: -1 })
    try {
      await admin.createTopics([
        { topic: 'jobs-a', numPartitions: 1 },
        { topic: 'jobs-b', numPartitions: 1 },
        { topic: 'dlq.shared', numPartitions: 1 },
      ])
      // Two share groups, both dead-lettering into dlq.shared.
      for (const [group, topic] of [
        ['workers-a', 'jobs-a'],
        ['workers-b', 'jobs-b'],
      ]) {
        await admin.alterConfigs(
          { type: 'group', name: group },
          { 'errors.deadletterqueue.topic.name': 'dlq.shared' },
        )
        const member = new QueueConsumer({ bootstrap: broker.bootstrap, groupId: group, topics: [topic] })
        await member.start()
        await member.close()
      }
      const letter = (group: string, topic: string, offset: number, value: string) =>
        producer.send({
          topic: 'dlq.shared',
          partition: 0,
          value: Buffer.from(value),
          headers: {
            'app-trace': 'kept',
            '__dlq.errors.topic': topic,
            '__dlq.errors.partition': '0',
            '__dlq.errors.offset': String(offset),
            '__dlq.errors.group': group,
            '__dlq.errors.delivery.count': '5',
            '__dlq.errors.message': 'Offset rejected by client.',
          },
        })
      // Interleaved: a-0, b-0, a-1, b-1 at offsets 0..3.
      await letter('workers-a', 'jobs-a', 0, 'a-0')
      await letter('workers-b', 'jobs-b', 0, 'b-0')
      await letter('workers-a', 'jobs-a', 1, 'a-1')
      await letter('workers-b', 'jobs-b', 1, 'b-1')

      let a = await consoleView('workers-a')
      deepStrictEqual([a.topic, a.total, a.pending, a.exact], ['dlq.shared', 4, 2, true])
      strictEqual((await cli(['queues', 'redrive', 'workers-a', '--dry-run'])).movable, 2)
      strictEqual((await cli(['queues', 'describe', 'workers-b'])).deadLetterPending, 2)

      // The CLI moves workers-a's letters (past workers-b's), only a-0 can leave the topic (b-0 follows it).
      const moved = await cli(['queues', 'redrive', 'workers-a'])
      deepStrictEqual([moved.redriven, moved.skipped, moved.deleted], [2, 2, 1])
      deepStrictEqual(moved.bySource, { 'jobs-a': 2 })
      deepStrictEqual(await readAll('jobs-a'), ['a-0|app-trace', 'a-1|app-trace'])
      // The console sees them as redriven; workers-b's are still waiting.
      a = await consoleView('workers-a')
      deepStrictEqual([a.total, a.pending], [3, 0])
      deepStrictEqual(
        a.letters.map((l) => [l.offset, l.redriven]),
        [[2, true]],
      )
      strictEqual(await consoleListed('workers-a'), 0)
      const b = await consoleView('workers-b')
      deepStrictEqual([b.total, b.pending], [3, 2])
      deepStrictEqual(b.letters.map((l) => [l.offset, l.redriven]).sort(), [
        [1, false],
        [3, false],
      ])
      // A second redrive of workers-a moves nothing again.
      strictEqual((await cli(['queues', 'redrive', 'workers-a'])).redriven, 0)
      deepStrictEqual(await readAll('jobs-a'), ['a-0|app-trace', 'a-1|app-trace'])

      // The console moves workers-b's: now every letter is redriven and the topic empties.
      const fromConsole = await consoleRedrive('workers-b')
      deepStrictEqual([fromConsole.redriven, fromConsole.deleted], [2, 3])
      deepStrictEqual(await readAll('jobs-b'), ['b-0|app-trace', 'b-1|app-trace'])
      const described = await cli(['queues', 'describe', 'workers-b'])
      deepStrictEqual([described.deadLetterRecords, described.deadLetterPending], [0, 0])
      strictEqual((await cli(['queues', 'redrive', 'workers-b', '--dry-run'])).movable, 0)
      strictEqual((await consoleRedrive('workers-b')).redriven, 0)

      // New letters: the count limit moves one at a time, and each side sees the other's progress.
      await letter('workers-a', 'jobs-a', 2, 'a-2')
      await letter('workers-a', 'jobs-a', 3, 'a-3')
      strictEqual((await consoleView('workers-a')).pending, 2)
      const one = await cli(['queues', 'redrive', 'workers-a', '--count', '1'])
      deepStrictEqual([one.redriven, one.remaining], [1, 1])
      strictEqual((await consoleView('workers-a')).pending, 1)
      strictEqual((await consoleRedrive('workers-a')).redriven, 1)
      strictEqual((await cli(['queues', 'describe', 'workers-a'])).deadLetterPending, 0)
      deepStrictEqual(await readAll('jobs-a'), [
        'a-0|app-trace',
        'a-1|app-trace',
        'a-2|app-trace',
        'a-3|app-trace',
      ])
    } finally {
      await producer.close()
      await admin.close()
    }
  })
})
