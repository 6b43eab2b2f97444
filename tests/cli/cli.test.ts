// The `brook` CLI as a user runs it: the real binary against a real `brook start` process (or, with
// BROOK_CLI_BOOTSTRAP=host:port, against another cluster such as Apache Kafka), checking output and exit codes.
import { deepStrictEqual, match, ok, strictEqual } from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { BrookProcess } from '../integration/brook-process.js'
import { runBrook } from './run-cli.js'

let brook: BrookProcess | undefined
let bootstrap = process.env.BROOK_CLI_BOOTSTRAP ?? ''
const b = () => ['-b', bootstrap]
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`

before(async () => {
  if (bootstrap === '') {
    brook = await BrookProcess.start({ args: ['--no-auto-create-topics'] })
    bootstrap = `${brook.host}:${brook.port}`
  }
})
after(async () => {
  await brook?.cleanup()
})

/** No stack trace and one line: what a user error must look like. */
function oneLineError(stderr: string): void {
  strictEqual(stderr.trim().split('\n').length, 1, `expected one line, got:\n${stderr}`)
  ok(!/\n\s+at /.test(stderr), `stack trace on stderr:\n${stderr}`)
}

describe('brook CLI usage (#11)', () => {
  test('--help everywhere exits 0 and names the commands', async () => {
    const top = await runBrook(['--help'])
    strictEqual(top.code, 0)
    for (const name of ['start', 'topics', 'produce', 'consume', 'groups', 'configs', 'cluster', 'queues'])
      match(top.stdout, new RegExp(`\\n  ${name}\\b`))
    match(top.stdout, /Options for start:/)
    for (const args of [
      ['topics', '--help'],
      ['topics', 'create', '--help'],
      ['consume', '--help'],
      ['groups', 'describe', '--help'],
    ]) {
      const run = await runBrook(args)
      strictEqual(run.code, 0, args.join(' '))
      match(run.stdout, /-b, --bootstrap <host:port>|Commands:/)
    }
    const consume = await runBrook(['consume', '--help'])
    match(consume.stdout, /--from-beginning/)
    match(consume.stdout, /--format/)
  })

  test('brook start --help still prints the broker options', async () => {
    const run = await runBrook(['start', '--help'])
    strictEqual(run.code, 0)
    match(run.stdout, /--data-dir DIR/)
  })

  test('unknown command, subcommand and flag exit 2 with one line', async () => {
    for (const args of [['bogus'], ['topics', 'bogus'], ['topics', 'list', '--bogus'], ['consume']]) {
      const run = await runBrook(args)
      strictEqual(run.code, 2, `${args.join(' ')}: ${run.stderr}`)
      ok(run.stderr.length > 0)
      ok(!/\n\s+at /.test(run.stderr))
    }
    const bad = await runBrook(['topics', 'create', 'x', '--partitions', 'many'])
    strictEqual(bad.code, 2)
    match(bad.stderr, /not an integer/)
  })

  test('an unreachable bootstrap fails within the timeout with a clear line', async () => {
    const started = Date.now()
    const run = await runBrook(['topics', 'list', '-b', '127.0.0.1:1', '--timeout', '500'], {
      timeoutMs: 15000,
    })
    strictEqual(run.code, 1)
    oneLineError(run.stderr)
    match(run.stderr, /^brook: cannot reach the cluster at 127\.0\.0\.1:1/)
    ok(Date.now() - started < 10000, `took ${Date.now() - started} ms`)
  })
})

describe('brook CLI against a broker (#11)', () => {
  test('topics create, list --json, describe, alter, delete', async () => {
    const topic = unique('cli-topic')
    const created = await runBrook(['topics', 'create', topic, '--partitions', '3', ...b()])
    strictEqual(created.code, 0, created.stderr)
    const list = await runBrook(['topics', 'list', '--json', ...b()])
    strictEqual(list.code, 0, list.stderr)
    const found = (JSON.parse(list.stdout) as Array<{ name: string; partitions: number }>).find(
      (t) => t.name === topic,
    )
    strictEqual(found?.partitions, 3)
    const again = await runBrook(['topics', 'create', topic, ...b()])
    strictEqual(again.code, 1)
    oneLineError(again.stderr)
    match(again.stderr, /TOPIC_ALREADY_EXISTS/)
    const altered = await runBrook([
      'topics',
      'alter',
      topic,
      '--partitions',
      '4',
      '--config',
      'retention.ms=3600000',
      ...b(),
    ])
    strictEqual(altered.code, 0, altered.stderr)
    const described = await runBrook(['topics', 'describe', topic, '--json', ...b()])
    strictEqual(described.code, 0, described.stderr)
    const info = JSON.parse(described.stdout) as {
      partitions: Array<{ partition: number; latestOffset: number }>
      configs: Record<string, string>
    }
    deepStrictEqual(
      info.partitions.map((p) => p.partition),
      [0, 1, 2, 3],
    )
    strictEqual(info.configs['retention.ms'], '3600000')
    const text = await runBrook(['topics', 'describe', topic, ...b()])
    match(text.stdout, /PARTITION\s+LEADER/)
    const deleted = await runBrook(['topics', 'delete', topic, ...b()])
    strictEqual(deleted.code, 0, deleted.stderr)
    const after = JSON.parse((await runBrook(['topics', 'list', '--json', ...b()])).stdout) as Array<{
      name: string
    }>
    ok(!after.some((t) => t.name === topic))
  })

  test('a missing topic is one clear line and exit 1', async () => {
    for (const args of [
      ['topics', 'describe', 'no-such-topic'],
      ['consume', 'no-such-topic', '--exit'],
    ]) {
      const run = await runBrook([...args, ...b()])
      strictEqual(run.code, 1, run.stderr)
      oneLineError(run.stderr)
      match(run.stderr, /no-such-topic/)
    }
  })

  test('produce lines with keys and headers, consume them with --format and --exit', async () => {
    const topic = unique('cli-produce')
    strictEqual((await runBrook(['topics', 'create', topic, '--partitions', '2', ...b()])).code, 0)
    const produced = await runBrook(
      [
        'produce',
        topic,
        '-K',
        ':',
        '-H',
        'source=cli',
        '-H',
        'n=1',
        '--partition',
        '1',
        '--compression',
        'gzip',
        '--acks',
        '1',
        ...b(),
      ],
      { stdin: 'k1:v1\nk2:v2\nk3:hello:world\n' },
    )
    strictEqual(produced.code, 0, produced.stderr)
    match(produced.stderr, /produced 3 record/)
    const consumed = await runBrook([
      'consume',
      topic,
      '--from-beginning',
      '--exit',
      '-f',
      '%t|%p|%o|%k|%s|%h\\n',
      ...b(),
    ])
    strictEqual(consumed.code, 0, consumed.stderr)
    strictEqual(
      consumed.stdout,
      [
        `${topic}|1|0|k1|v1|source=cli,n=1`,
        `${topic}|1|1|k2|v2|source=cli,n=1`,
        `${topic}|1|2|k3|hello:world|source=cli,n=1`,
        '',
      ].join('\n'),
    )
    const fromOffset = await runBrook([
      'consume',
      topic,
      '--offset',
      '2',
      '--partition',
      '1',
      '--exit',
      ...b(),
    ])
    strictEqual(fromOffset.stdout, 'hello:world\n')
    const counted = await runBrook(['consume', topic, '--from-beginning', '--count', '2', ...b()])
    strictEqual(counted.code, 0)
    strictEqual(counted.stdout, 'v1\nv2\n')
    const noSeparator = await runBrook(['produce', topic, '-K', ':', ...b()], { stdin: 'novalue\n' })
    strictEqual(noSeparator.code, 1)
    match(noSeparator.stderr, /line 1 has no key separator/)
  })

  test('produce --json rejects a malformed line by number; consume --pretty indents JSON', async () => {
    const topic = unique('cli-json')
    strictEqual((await runBrook(['topics', 'create', topic, ...b()])).code, 0)
    const bad = await runBrook(['produce', topic, '--json', ...b()], {
      stdin: '{"a":1}\n[2]\n{oops\n{"d":4}\n',
    })
    strictEqual(bad.code, 1)
    oneLineError(bad.stderr)
    match(bad.stderr, /^brook: line 3 is not valid JSON/)
    const consumed = await runBrook(['consume', topic, '--from-beginning', '--exit', '--pretty', ...b()])
    strictEqual(consumed.code, 0, consumed.stderr)
    strictEqual(consumed.stdout, '{\n  "a": 1\n}\n[\n  2\n]\n')
  })

  test('groups list, describe --json with lag, reset-offsets, delete', async () => {
    const topic = unique('cli-groups')
    const group = unique('cli-group')
    strictEqual((await runBrook(['topics', 'create', topic, '--partitions', '2', ...b()])).code, 0)
    const lines = Array.from({ length: 10 }, (_, i) => `v${i}`).join('\n')
    strictEqual(
      (await runBrook(['produce', topic, '--partition', '0', ...b()], { stdin: `${lines}\n` })).code,
      0,
    )
    strictEqual(
      (await runBrook(['produce', topic, '--partition', '1', ...b()], { stdin: 'w0\nw1\n' })).code,
      0,
    )
    const consumed = await runBrook(
      ['consume', topic, '--group', group, '--from-beginning', '--count', '12', ...b()],
      {
        timeoutMs: 60000,
      },
    )
    strictEqual(consumed.code, 0, consumed.stderr)
    strictEqual(consumed.stdout.trim().split('\n').length, 12)
    strictEqual(
      (await runBrook(['produce', topic, '--partition', '0', ...b()], { stdin: 'x\ny\nz\n' })).code,
      0,
    )
    const listed = await runBrook(['groups', 'list', '--json', ...b()])
    strictEqual(listed.code, 0, listed.stderr)
    ok((JSON.parse(listed.stdout) as Array<{ groupId: string }>).some((g) => g.groupId === group))
    const described = await runBrook(['groups', 'describe', group, '--json', ...b()])
    strictEqual(described.code, 0, described.stderr)
    const info = JSON.parse(described.stdout) as {
      lag: number
      partitions: Array<{ partition: number; offset: number; lag: number }>
    }
    deepStrictEqual(
      info.partitions.map((p) => [p.partition, p.offset, p.lag]),
      [
        [0, 10, 3],
        [1, 2, 0],
      ],
    )
    strictEqual(info.lag, 3)
    const reset = await runBrook([
      'groups',
      'reset-offsets',
      group,
      '--topic',
      topic,
      '--to-earliest',
      '--json',
      ...b(),
    ])
    strictEqual(reset.code, 0, reset.stderr)
    deepStrictEqual(
      (JSON.parse(reset.stdout) as Array<{ offset: number; lag: number }>).map((o) => [o.offset, o.lag]),
      [
        [0, 13],
        [0, 2],
      ],
    )
    const badReset = await runBrook(['groups', 'reset-offsets', group, '--topic', topic, ...b()])
    strictEqual(badReset.code, 2)
    const deleted = await runBrook(['groups', 'delete', group, ...b()])
    strictEqual(deleted.code, 0, deleted.stderr)
    const gone = JSON.parse((await runBrook(['groups', 'list', '--json', ...b()])).stdout) as Array<{
      groupId: string
    }>
    ok(!gone.some((g) => g.groupId === group))
  })

  test('configs get and set, cluster status', async () => {
    const topic = unique('cli-configs')
    strictEqual((await runBrook(['topics', 'create', topic, ...b()])).code, 0)
    const set = await runBrook(['configs', 'set', 'topic', topic, 'retention.ms=120000', ...b()])
    strictEqual(set.code, 0, set.stderr)
    const got = await runBrook(['configs', 'get', 'topic', topic, 'retention.ms', '--json', ...b()])
    strictEqual(got.code, 0, got.stderr)
    strictEqual((JSON.parse(got.stdout) as Record<string, string>)['retention.ms'], '120000')
    const badType = await runBrook(['configs', 'get', 'table', topic, ...b()])
    strictEqual(badType.code, 2)
    const status = await runBrook(['cluster', 'status', '--json', ...b()])
    strictEqual(status.code, 0, status.stderr)
    const cluster = JSON.parse(status.stdout) as {
      brokers: Array<{ nodeId: number; port: number }>
      topics: number
    }
    ok(cluster.brokers.length >= 1)
    ok(cluster.topics >= 1)
    const queues = await runBrook(['queues', 'list', '--json', ...b()])
    strictEqual(queues.code, 0, queues.stderr)
    ok(Array.isArray(JSON.parse(queues.stdout)))
  })
})

describe('brook produce bounds what it has in flight (#11)', () => {
  test('produce more lines than pendingSendsMax (1000): every line arrives, in order', async () => {
    const topic = unique('cli-many')
    strictEqual((await runBrook(['topics', 'create', topic, ...b()])).code, 0)
    const lines = Array.from({ length: 2500 }, (_, i) => `line-${i}`)
    const produced = await runBrook(['produce', topic, ...b()], {
      stdin: `${lines.join('\n')}\n`,
      timeoutMs: 60000,
    })
    strictEqual(produced.code, 0, produced.stderr)
    match(produced.stderr, /produced 2500 record/)
    const consumed = await runBrook(['consume', topic, '--from-beginning', '--exit', ...b()], {
      timeoutMs: 60000,
    })
    strictEqual(consumed.code, 0, consumed.stderr)
    deepStrictEqual(consumed.stdout.trim().split('\n'), lines)
  })
})

describe('brook queues (#11)', () => {
  test('queues list and describe --json show a share group with its member and assignment', async () => {
    const { QueueConsumer } = await import('../../src/client/index.js')
    const topic = unique('cli-queue')
    const group = unique('cli-share')
    strictEqual((await runBrook(['topics', 'create', topic, '--partitions', '2', ...b()])).code, 0)
    strictEqual((await runBrook(['produce', topic, ...b()], { stdin: 'job-1\njob-2\n' })).code, 0)
    const worker = new QueueConsumer({ bootstrap, groupId: group, topics: [topic], fromBeginning: true })
    const received = (async () => {
      for await (const message of worker) return message.value?.toString('utf8')
      return undefined
    })()
    try {
      ok(['job-1', 'job-2'].includes((await received) as string))
      const listed = await runBrook(['queues', 'list', '--json', ...b()])
      strictEqual(listed.code, 0, listed.stderr)
      ok(
        (JSON.parse(listed.stdout) as Array<{ groupId: string }>).some((g) => g.groupId === group),
        listed.stdout,
      )
      const described = await runBrook(['queues', 'describe', group, '--json', ...b()])
      strictEqual(described.code, 0, described.stderr)
      const info = JSON.parse(described.stdout) as {
        type: string
        members: Array<{ assignment: Array<{ topic: string; partition: number }> }>
      }
      strictEqual(info.type, 'share')
      strictEqual(info.members.length, 1)
      deepStrictEqual(info.members[0].assignment.map((tp) => `${tp.topic}-${tp.partition}`).sort(), [
        `${topic}-0`,
        `${topic}-1`,
      ])
    } finally {
      await worker.close()
    }
  })
})

describe('brook queues describe, peek, redrive, purge (#11)', () => {
  test('in flight and delivery counts, peek without acquiring, dead letters redriven, the queue purged', async () => {
    const { QueueConsumer } = await import('../../src/client/index.js')
    const topic = unique('cli-jobs')
    // Kafka 4.4 wants dead-letter topics named dlq.*; Brook takes any name.
    const dlq = unique('dlq.cli-jobs')
    const group = unique('cli-workers')
    const onBrook = brook !== undefined
    const http = onBrook ? ['--http', await brook!.consoleUrl()] : []
    for (const name of [topic, dlq]) strictEqual((await runBrook(['topics', 'create', name, ...b()])).code, 0)
    const configured = await runBrook([
      'configs',
      'set',
      'group',
      group,
      'share.auto.offset.reset=earliest',
      `errors.deadletterqueue.topic.name=${dlq}`,
      'errors.deadletterqueue.copy.record.enable=true',
      ...b(),
    ])
    strictEqual(configured.code, 0, configured.stderr)
    const jobs = ['job-0', 'job-1', 'job-2', 'job-3', 'job-4']
    strictEqual((await runBrook(['produce', topic, ...b()], { stdin: `${jobs.join('\n')}\n` })).code, 0)

    // A worker holds job-0 and job-1 (then fails them: released), rejects job-2 and accepts the rest.
    let letGo!: () => void
    const holding = new Promise<void>((resolve) => (letGo = resolve))
    const worker = new QueueConsumer({ bootstrap, groupId: group, topics: [topic], maxWaitMs: 200 })
    const working = worker.process(
      async (message) => {
        const value = message.value?.toString()
        if (value === 'job-2') message.reject()
        else if (value === 'job-0' || value === 'job-1') {
          await holding
          throw new Error('failed, give it back')
        }
      },
      { concurrency: 5 },
    )
    type Described = {
      members: unknown[]
      lag: number | null
      inFlight: number | null
      deadLetterTopic: string | null
      deadLetterRecords: number | null
      partitions: Array<{
        startOffset: number
        lag: number
        inFlight: number | null
        deliveryCounts: unknown
      }>
    }
    const describe = async (): Promise<Described> => {
      const run = await runBrook(['queues', 'describe', group, '--json', ...http, ...b()])
      strictEqual(run.code, 0, run.stderr)
      return JSON.parse(run.stdout) as Described
    }
    try {
      let info = await describe()
      // Brook writes job-2's dead letter itself; the Kafka 4.4 of these tests runs a share.version without
      // dead letters (tests/compat/share/run-share.sh), so there the letter is written as Kafka's would be.
      const settled = (d: Described) => d.lag === 2 && (!onBrook || d.deadLetterRecords === 1)
      for (let i = 0; i < 100 && !settled(info); i++) {
        await new Promise((resolve) => setTimeout(resolve, 200))
        info = await describe()
      }
      if (!onBrook) {
        const letter = await runBrook(
          [
            'produce',
            dlq,
            ...['-H', `__dlq.errors.topic=${topic}`, '-H', '__dlq.errors.partition=0'],
            ...['-H', '__dlq.errors.offset=2', '-H', `__dlq.errors.group=${group}`],
            ...[
              '-H',
              '__dlq.errors.delivery.count=1',
              '-H',
              '__dlq.errors.message=Offset rejected by client.',
            ],
            ...b(),
          ],
          { stdin: 'job-2\n' },
        )
        strictEqual(letter.code, 0, letter.stderr)
        info = await describe()
      }
      strictEqual(info.members.length, 1)
      strictEqual(info.lag, 2, 'job-0 and job-1 are not acknowledged')
      strictEqual(info.partitions[0].startOffset, 0)
      strictEqual(info.deadLetterTopic, dlq)
      strictEqual(info.deadLetterRecords, 1, 'job-2 was rejected into the dead-letter topic')
      if (onBrook) {
        strictEqual(info.inFlight, 2)
        deepStrictEqual(info.partitions[0].deliveryCounts, { '1': 2 })
        const text = await runBrook(['queues', 'describe', group, ...http, ...b()])
        match(text.stdout, /IN-FLIGHT/)
        match(text.stdout, /dead letters: 1 record\(s\) in /)
        const peeked = await runBrook(['queues', 'peek', group, '--json', ...http, ...b()])
        strictEqual(peeked.code, 0, peeked.stderr)
        deepStrictEqual(
          (JSON.parse(peeked.stdout) as Array<{ value: string; state: string; deliveryCount: number }>).map(
            (r) => [r.value, r.state, r.deliveryCount],
          ),
          [
            ['job-0', 'ACQUIRED', 1],
            ['job-1', 'ACQUIRED', 1],
          ],
        )
      }
      letGo()
      await worker.close()
      await working
    } finally {
      letGo()
      await worker.close()
    }

    // Released, job-0 and job-1 wait again; peeking (twice) acquires nothing, so the next worker gets them
    // on their second delivery.
    for (let i = 0; i < 2; i++) {
      const peeked = await runBrook(['queues', 'peek', group, '--json', ...http, ...b()])
      strictEqual(peeked.code, 0, peeked.stderr)
      const values = (JSON.parse(peeked.stdout) as Array<{ value: string }>).map((r) => r.value)
      ok(values.includes('job-0') && values.includes('job-1'), peeked.stdout)
      if (onBrook)
        deepStrictEqual(values, ['job-0', 'job-1'], 'acknowledged and archived records are not shown')
    }
    const again = new QueueConsumer({ bootstrap, groupId: group, topics: [topic], maxWaitMs: 200 })
    const seen: Array<[string, number]> = []
    try {
      for await (const message of again) {
        seen.push([message.value?.toString() ?? '', message.deliveryCount])
        message.release()
        if (seen.length === 2) break
      }
    } finally {
      await again.close()
    }
    deepStrictEqual(seen.sort(), [
      ['job-0', 2],
      ['job-1', 2],
    ])

    // Redrive: job-2 goes back to its topic (its record, without the __dlq headers) and leaves the DLQ.
    const dry = await runBrook(['queues', 'redrive', group, '--dry-run', '--json', ...b()])
    strictEqual(dry.code, 0, dry.stderr)
    strictEqual((JSON.parse(dry.stdout) as { movable: number }).movable, 1)
    const redriven = await runBrook(['queues', 'redrive', group, '--json', ...b()])
    strictEqual(redriven.code, 0, redriven.stderr)
    deepStrictEqual(JSON.parse(redriven.stdout).bySource, { [topic]: 1 })
    const back = await runBrook(['consume', topic, '--offset', '5', '--exit', '-f', '%s|%h\\n', ...b()])
    strictEqual(back.stdout, 'job-2|\n')
    strictEqual((await describe()).deadLetterRecords, 0)

    // Purge: refused without --yes when not on a terminal; then the queue's start moves to the end.
    const unconfirmed = await runBrook(['queues', 'purge', group, ...b()])
    strictEqual(unconfirmed.code, 2)
    match(unconfirmed.stderr, /add --yes/)
    const purged = await runBrook(['queues', 'purge', group, '--yes', '--json', ...b()])
    strictEqual(purged.code, 0, purged.stderr)
    strictEqual(
      (JSON.parse(purged.stdout) as { purged: number }).purged,
      3,
      'job-0, job-1 and the redriven job-2',
    )
    const after = await describe()
    strictEqual(after.lag, 0)
    strictEqual(after.partitions[0].startOffset, 6)
    const empty = await runBrook(['queues', 'peek', group, '--json', ...http, ...b()])
    deepStrictEqual(JSON.parse(empty.stdout), [])
  })

  test('a missing group and a group without a dead-letter topic are one clear line', async () => {
    const missing = await runBrook(['queues', 'describe', unique('no-such-queue'), ...b()])
    strictEqual(missing.code, 1)
    oneLineError(missing.stderr)
    match(missing.stderr, /GROUP_ID_NOT_FOUND/)
    const none = await runBrook(['queues', 'redrive', unique('no-dlq'), ...b()])
    strictEqual(none.code, 1)
    oneLineError(none.stderr)
    match(none.stderr, /has no dead-letter topic/)
  })
})

describe('progress on a terminal only (#11)', () => {
  test('consume into a file from a terminal shows a counter on stderr; piped, nothing', async () => {
    const topic = unique('cli-progress')
    strictEqual((await runBrook(['topics', 'create', topic, ...b()])).code, 0)
    const lines = Array.from({ length: 300 }, (_, i) => `r${i}`).join('\n')
    strictEqual((await runBrook(['produce', topic, ...b()], { stdin: `${lines}\n` })).code, 0)
    const piped = await runBrook(['consume', topic, '--from-beginning', '--exit', ...b()])
    strictEqual(piped.code, 0)
    ok(!piped.stderr.includes('\r'), `no progress when piped: ${JSON.stringify(piped.stderr)}`)
    const { spawnSync } = await import('node:child_process')
    const { brookBinPath } = await import('../integration/brook-process.js')
    const out = `/tmp/brook-progress-${process.pid}.txt`
    // `script` gives the command a pseudo-terminal: stderr is a TTY, stdout goes to a file.
    const tty = spawnSync(
      'script',
      [
        '-qec',
        `${process.execPath} ${brookBinPath} consume ${topic} --from-beginning --exit -b ${bootstrap} > ${out}`,
        '/dev/null',
      ],
      { encoding: 'utf8', timeout: 60000 },
    )
    strictEqual(tty.status, 0, tty.stderr)
    match(tty.stdout, new RegExp(`consumed from ${topic} \\d+`))
    ok(tty.stdout.includes('\r\x1b[2K'), 'the line is redrawn in place and cleared')
    const { readFileSync, rmSync } = await import('node:fs')
    strictEqual(readFileSync(out, 'utf8').trim().split('\n').length, 300, 'the records are untouched')
    rmSync(out)
  })
})
