// The structure-aware fuzzer: starts a real `brook start` process, builds valid requests of every API it
// advertises at every version, damages some of them, and sends them over many connections while a
// bystander client, an RSS sampler and canary records watch for crashes, freezes, memory growth and lost
// data. Run with `npm run fuzz -- --help`; every failure prints its seed and frames and saves them.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import { ApiKey, ErrorCode, apiByKey, versionBounds } from '../../src/protocol/index.js'
import { decodeBatch } from '../../src/record-batch/index.js'
import { SeededRandom } from '../../src/testing/index.js'
import { BrookProcess } from '../integration/brook-process.js'
import { createTopic, fetchPartition, metadata, producePartition } from '../integration/kafka-requests.js'
import { RawKafkaClient } from '../integration/raw-kafka-client.js'
import type { BystanderData, BystanderMessage } from './bystander.js'
import { type FrameSource, frameSeed, makeFrame } from './frame-source.js'
import {
  type ConnectionProblem,
  FuzzConnection,
  type FuzzStats,
  newFuzzStats,
  type SentFrame,
} from './fuzz-connection.js'
import { BatchFactory } from './record-batches.js'
import type { FuzzTopic, FuzzWorld } from './request-values.js'

const usage = `Usage: npm run fuzz -- [options]

  --seconds N          how long to fuzz (default 60); --minutes N also works
  --seed N             seed (default: from the clock); a failure prints it
  --connections N      concurrent fuzzing connections (default 32)
  --rss-max-mib N      broker RSS bound (default 1024)
  --freeze-ms N        bystander latency that counts as a freeze (default 1000)
  --mutate P           share of frames damaged structurally, 0..1 (default 0.3)
  --no-bombs           no compression bombs, no element-count bombs
  --apis LIST          only these API keys, e.g. 0,1,3
  --skip-apis LIST     all advertised API keys but these
  --allow KINDS        report these per-request failure kinds without failing (e.g. closed-on-well-formed)
  --out DIR            where failures are saved (default fuzz-failures)
  --replay FILE        send the frames saved in FILE to a fresh broker, one at a time
  --concurrent         with --replay: each original connection's frames in order, all at once
  --only IDS           with --replay: only these frames (ids as printed, comma-separated)
  --broker-arg ARG     extra argument for brook start (repeatable)
`

interface Options {
  seconds: number
  seed: number
  connections: number
  rssMaxBytes: number
  freezeMs: number
  mutateChance: number
  bombs: boolean
  apis: Set<number> | undefined
  skipApis: Set<number>
  /** Failure kinds reported and saved but not failing the run (known defects awaiting their fix). */
  allow: Set<string>
  outDir: string
  replay: string | undefined
  concurrent: boolean
  /** Replay only the frames with these ids (seed:connection:index). */
  only: Set<string> | undefined
  brokerArgs: string[]
}

/** A saved failure: enough to understand it and to replay it. */
interface FailureRecord {
  kind: string
  message: string
  seed: number
  atSeconds: number
  command: string
  brokerArgs: string[]
  frames: {
    id: string
    apiKey: number
    version: number
    notes: string[]
    /** Absent in files saved before these fields existed. */
    clean?: boolean
    expectsAnswer?: boolean
    sentAgoMs: number
    base64: string
  }[]
  brokerOutputTail: string
}

/** Failures that end the run: the broker is no longer in a state worth fuzzing. */
const FATAL = new Set(['crash', 'freeze', 'hang', 'rss', 'bystander', 'canary', 'shutdown'])

const FUZZ_TOPICS = [
  { name: 'fuzz-a', partitions: 3, compacted: false },
  { name: 'fuzz-b', partitions: 1, compacted: false },
  { name: 'fuzz-compact', partitions: 2, compacted: true },
]
const CANARY_TOPICS = [
  { name: 'canary', partitions: 2, compacted: false },
  { name: 'canary-compact', partitions: 1, compacted: true },
]
const BYSTANDER_TOPIC = 'bystander'
const GROUPS = ['fuzz-g1', 'fuzz-g2', 'fuzz-g3']
// Errors only: a long run would otherwise log a line per closed connection. A short rebalance delay keeps
// JoinGroup requests from holding their connection for the default 3 s.
const BROKER_ARGS = ['--log-level', 'error', '--group-initial-rebalance-delay-ms', '100']

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string' },
      minutes: { type: 'string' },
      seed: { type: 'string' },
      connections: { type: 'string' },
      'rss-max-mib': { type: 'string' },
      'freeze-ms': { type: 'string' },
      mutate: { type: 'string' },
      'no-bombs': { type: 'boolean' },
      apis: { type: 'string' },
      'skip-apis': { type: 'string' },
      allow: { type: 'string' },
      out: { type: 'string' },
      replay: { type: 'string' },
      only: { type: 'string' },
      concurrent: { type: 'boolean' },
      'broker-arg': { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    process.stdout.write(usage)
    return undefined
  }
  const keys = (text: string | undefined) =>
    text === undefined ? undefined : new Set(text.split(',').map((key) => Number(key.trim())))
  return {
    seconds: values.minutes !== undefined ? Number(values.minutes) * 60 : Number(values.seconds ?? 60),
    seed: values.seed !== undefined ? Number(values.seed) >>> 0 : Date.now() % 2 ** 31,
    connections: Number(values.connections ?? 32),
    rssMaxBytes: Number(values['rss-max-mib'] ?? 1024) * 1024 * 1024,
    freezeMs: Number(values['freeze-ms'] ?? 1000),
    mutateChance: Number(values.mutate ?? 0.3),
    bombs: values['no-bombs'] !== true,
    apis: keys(values.apis),
    skipApis: keys(values['skip-apis']) ?? new Set(),
    allow: new Set(values.allow === undefined ? [] : values.allow.split(',')),
    outDir: values.out ?? 'fuzz-failures',
    replay: values.replay,
    concurrent: values.concurrent === true,
    only: values.only === undefined ? undefined : new Set(values.only.split(',')),
    brokerArgs: [...BROKER_ARGS, ...(values['broker-arg'] ?? [])],
  }
}

/** Versions of each API both advertised by the broker and known to our codec. */
async function advertisedApis(client: RawKafkaClient): Promise<Map<number, { min: number; max: number }>> {
  const answer = await client.request(ApiKey.ApiVersions, 3, {
    clientSoftwareName: 'brook-fuzz',
    clientSoftwareVersion: '1.0.0',
  })
  const apis = new Map<number, { min: number; max: number }>()
  for (const key of answer.apiKeys as { apiKey: number; minVersion: number; maxVersion: number }[]) {
    const api = apiByKey(key.apiKey)
    if (api === undefined) continue
    const known = versionBounds(api.request.validVersions)
    const min = Math.max(known.min, key.minVersion)
    const max = Math.min(known.max, key.maxVersion)
    if (min <= max) apis.set(key.apiKey, { min, max })
  }
  return apis
}

async function refreshTopics(client: RawKafkaClient, topics: FuzzTopic[]): Promise<void> {
  const answer = await metadata(
    client,
    topics.map((topic) => topic.name),
    true,
  )
  for (const found of answer.topics as {
    name: string
    topicId: string
    errorCode: number
    partitions: unknown[]
  }[]) {
    const topic = topics.find((t) => t.name === found.name)
    if (topic === undefined || found.errorCode !== ErrorCode.NONE) continue
    topic.topicId = found.topicId
    topic.partitions = Math.max(1, found.partitions.length)
  }
}

interface CanaryRecord {
  topic: string
  partition: number
  offset: number
  key: string
  value: string
}

async function writeCanary(
  client: RawKafkaClient,
  factory: BatchFactory,
  seed: number,
): Promise<CanaryRecord[]> {
  const expected: CanaryRecord[] = []
  const { buildRecordBatch } = await import('../../src/record-batch/index.js')
  let n = 0
  for (const topic of CANARY_TOPICS) {
    for (let partition = 0; partition < topic.partitions; partition++) {
      for (const codec of factory.codecs) {
        const records = [0, 1, 2].map(() => ({
          key: `canary-${seed}-${n}`,
          value: `value-${n++}-${'v'.repeat(n % 50)}`,
        }))
        const answer = await producePartition(
          client,
          topic.name,
          partition,
          buildRecordBatch(records, { compression: codec }),
        )
        if (answer.errorCode !== ErrorCode.NONE)
          throw new Error(`canary produce failed: error ${answer.errorCode}`)
        for (const [i, record] of records.entries()) {
          expected.push({ topic: topic.name, partition, offset: answer.baseOffset + i, ...record })
        }
      }
    }
  }
  return expected
}

/** Reads every canary partition back; returns what differs from what was written (empty if nothing). */
async function checkCanary(client: RawKafkaClient, expected: readonly CanaryRecord[]): Promise<string[]> {
  const problems: string[] = []
  const seen = new Map<string, { key: string | undefined; value: string | undefined }>()
  for (const topic of CANARY_TOPICS) {
    for (let partition = 0; partition < topic.partitions; partition++) {
      const read = await fetchPartition(client, topic.name, partition)
      if (read.errorCode !== ErrorCode.NONE)
        problems.push(`${topic.name}-${partition}: fetch error ${read.errorCode}`)
      for (const batch of read.batches) {
        for (const record of decodeBatch(batch).records) {
          seen.set(`${topic.name}/${partition}/${record.offset}`, {
            key: record.key?.toString('utf8'),
            value: record.value?.toString('utf8'),
          })
        }
      }
    }
  }
  for (const record of expected) {
    const got = seen.get(`${record.topic}/${record.partition}/${record.offset}`)
    if (got === undefined) problems.push(`${record.topic}-${record.partition}@${record.offset}: missing`)
    else if (got.key !== record.key || got.value !== record.value)
      problems.push(
        `${record.topic}-${record.partition}@${record.offset}: ${got.key}=${got.value}, wrote ${record.key}=${record.value}`,
      )
  }
  return problems
}

/** A bystander request unanswered this long is a hang, whatever the broker's CPU use. */
const HANG_MS = 10000

/** Resident set size and its peak (VmHWM), in bytes, of a process (Linux). */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status)
    const peak = /^VmHWM:\s+(\d+) kB$/m.exec(status)
    if (rss === null || peak === null) return undefined
    return { rss: Number(rss[1]) * 1024, peak: Number(peak[1]) * 1024 }
  } catch {
    return undefined
  }
}

function shortNotes(notes: readonly string[]): string {
  return notes.length <= 6 ? notes.join(' ') : `${notes.slice(0, 6).join(' ')} +${notes.length - 6} more`
}

function tail(text: string, chars: number): string {
  return text.length <= chars ? text : text.slice(text.length - chars)
}

class Run {
  readonly stats: FuzzStats = newFuzzStats()
  readonly failures: FailureRecord[] = []
  readonly recent: SentFrame[] = []
  readonly connections: FuzzConnection[] = []
  stopped = false
  peakRss = 0
  peakHwm = 0
  bystanderRounds = 0
  bystanderWorstMs = 0
  bystanderLatencies: number[] = []
  /** Bystander waits over the bound while the broker's main thread mostly did not run (an overloaded machine, slow I/O). */
  stalls = 0
  /** CPU time the fuzzer process itself used while fuzzing, in seconds. */
  fuzzerCpuSeconds = 0
  worstStallMs = 0
  private readonly startedMs = performance.now()
  private readonly problemKeys = new Set<string>()

  constructor(
    readonly options: Options,
    public brook: BrookProcess,
  ) {}

  get elapsedSeconds(): number {
    return (performance.now() - this.startedMs) / 1000
  }

  remember(sent: SentFrame): void {
    this.recent.push(sent)
    if (this.recent.length > 3000) this.recent.splice(0, this.recent.length - 3000)
  }

  /** Frames that may have caused a failure seen now: all in flight, and all sent in the last `windowMs`. */
  suspects(windowMs = 3000): SentFrame[] {
    const nowMs = performance.now()
    const set = new Set<SentFrame>()
    for (const connection of this.connections) for (const sent of connection.inFlight) set.add(sent)
    for (const sent of this.recent) if (nowMs - sent.sentMs < windowMs) set.add(sent)
    return [...set].sort((a, b) => a.sentMs - b.sentMs)
  }

  /** Failures being written to disk; awaited before the process exits. */
  readonly writes: Promise<void>[] = []

  fail(kind: string, message: string, frames: SentFrame[]): Promise<void> {
    const write = this.record(kind, message, frames)
    this.writes.push(write)
    return write
  }

  private async record(kind: string, message: string, frames: SentFrame[]): Promise<void> {
    // After a fatal failure, requests cut off by the stop are not failures of their own.
    if (this.stopped && !FATAL.has(kind)) return
    const first = frames[0]
    const key = `${kind}:${first?.frame.apiKey}:${first?.frame.version}`
    if (!FATAL.has(kind) && (this.problemKeys.has(key) || this.problemKeys.size >= 30)) return
    this.problemKeys.add(key)
    if (FATAL.has(kind)) {
      this.stopped = true
      for (const connection of this.connections) connection.drop()
    }
    const nowMs = performance.now()
    const entries = await readdir(this.brook.dataDir).catch(() => [])
    const record: FailureRecord = {
      kind,
      message: `${message} (data dir holds ${entries.length} entries)`,
      seed: this.options.seed,
      atSeconds: Math.round(this.elapsedSeconds * 10) / 10,
      command: `npm run fuzz -- --seed ${this.options.seed}`,
      brokerArgs: this.options.brokerArgs,
      frames: frames.map((sent) => ({
        id: sent.id,
        apiKey: sent.frame.apiKey,
        version: sent.frame.version,
        notes: sent.frame.notes,
        clean: sent.clean,
        expectsAnswer: sent.expectsAnswer,
        sentAgoMs: Math.round(nowMs - sent.sentMs),
        base64: sent.frame.bytes.toString('base64'),
      })),
      brokerOutputTail: tail(this.brook.output, 4000),
    }
    const file = path.join(
      this.options.outDir,
      `${this.options.seed}-${kind}-${this.failures.push(record)}.json`,
    )
    await mkdir(this.options.outDir, { recursive: true })
    await writeFile(file, JSON.stringify(record, null, 1))
    process.stdout.write(
      `\nFAILURE ${kind} (seed ${this.options.seed}, at ${record.atSeconds} s): ${message}\n`,
    )
    for (const sent of frames.slice(-8)) {
      process.stdout.write(
        `  frame ${sent.id} api ${sent.frame.apiKey} v${sent.frame.version} [${shortNotes(sent.frame.notes)}] ${sent.frame.bytes.length} B: ${sent.frame.bytes.subarray(0, 48).toString('hex')}${sent.frame.bytes.length > 48 ? '...' : ''}\n`,
      )
    }
    if (frames.length > 8) process.stdout.write(`  ... ${frames.length - 8} more frames\n`)
    process.stdout.write(`  saved to ${file}; replay: npm run fuzz -- --replay ${file}\n`)
  }
}

function startBystander(run: Run, port: number): { worker: Worker; stopped: Promise<void> } {
  const data: BystanderData = {
    port,
    topic: BYSTANDER_TOPIC,
    intervalMs: 100,
    freezeMs: run.options.freezeMs,
    hangMs: HANG_MS,
    brokerPid: run.brook.pid,
  }
  const worker = new Worker(new URL('./bystander.js', import.meta.url), { workerData: data })
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (message: BystanderMessage) => {
      switch (message.type) {
        case 'sample': {
          const worst = Math.max(message.produceMs, message.fetchMs)
          run.bystanderRounds++
          run.bystanderLatencies.push(worst)
          if (worst > run.bystanderWorstMs) run.bystanderWorstMs = worst
          break
        }
        case 'freeze':
          void run.fail(
            'freeze',
            `bystander ${message.op} unanswered for ${message.ageMs} ms (bound ${run.options.freezeMs} ms) while the broker's main thread ran ${message.brokerRanMs ?? '(unknown)'} ms; bystander's own event-loop lag ${Math.round(message.selfLagMs)} ms`,
            run.suspects(),
          )
          break
        case 'slow':
          // The machine may be shared and overloaded: a wait during which the broker mostly did not run is
          // not a freeze of its event loop (freeze-judge.ts); it is counted and reported.
          run.stalls++
          run.worstStallMs = Math.max(run.worstStallMs, message.ageMs)
          break
        case 'hang':
          void run.fail(
            'hang',
            `bystander ${message.op} unanswered for ${message.ageMs} ms`,
            run.suspects(message.ageMs + 2000),
          )
          break
        case 'error':
          if (!run.stopped) void run.fail('bystander', `bystander failed: ${message.message}`, run.suspects())
          resolve()
          break
        case 'stopped':
          resolve()
          break
      }
    })
    worker.on('error', (error) => {
      void run.fail('bystander', `bystander worker died: ${error.message}`, [])
      resolve()
    })
    worker.on('exit', () => resolve())
  })
  return { worker, stopped }
}

interface Setup {
  world: FuzzWorld
  topics: FuzzTopic[]
  advertised: Map<number, { min: number; max: number }>
  canary: CanaryRecord[]
  factory: BatchFactory
}

async function setUp(brook: BrookProcess, options: Options): Promise<Setup> {
  const factory = new BatchFactory({ bombs: options.bombs })
  const client = await RawKafkaClient.connect(brook.port)
  try {
    const advertised = await advertisedApis(client)
    for (const topic of [...FUZZ_TOPICS, ...CANARY_TOPICS]) {
      await createTopic(
        client,
        topic.name,
        topic.partitions,
        topic.compacted ? { 'cleanup.policy': 'compact' } : {},
      )
    }
    await createTopic(client, BYSTANDER_TOPIC, 1)
    const topics: FuzzTopic[] = FUZZ_TOPICS.map((t) => ({ ...t, topicId: '' }))
    await refreshTopics(client, topics)
    const producerIds: number[] = []
    for (let i = 0; i < 3; i++) {
      const answer = await client.request(ApiKey.InitProducerId, 4, {
        transactionalId: null,
        transactionTimeoutMs: 60000,
        producerId: -1,
        producerEpoch: -1,
      })
      producerIds.push(answer.producerId)
    }
    const memberIds: string[] = []
    for (const groupId of GROUPS) {
      const answer = await client.request(ApiKey.JoinGroup, 4, {
        groupId,
        sessionTimeoutMs: 6000,
        rebalanceTimeoutMs: 6000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      })
      if (answer.memberId) memberIds.push(answer.memberId)
    }
    const canary = await writeCanary(client, factory, options.seed)
    const world: FuzzWorld = {
      topics,
      groups: GROUPS,
      memberIds,
      producerIds,
      nowMs: Date.now(),
      records: (rng, topic, notes, nowMs) => factory.records(rng, topic, notes, nowMs),
    }
    return { world, topics, advertised, canary, factory }
  } finally {
    await client.close()
  }
}

async function fuzzLoop(
  run: Run,
  source: FrameSource,
  connection: number,
  deadlineMs: number,
): Promise<void> {
  const fuzz = new FuzzConnection(run.brook.port, run.stats, (problem: ConnectionProblem) => {
    void run.fail(problem.kind, problem.message, problem.frames)
  })
  run.connections.push(fuzz)
  const rng = new SeededRandom(frameSeed(run.options.seed, connection, -1))
  let index = 0
  let correlationId = 1
  while (!run.stopped && performance.now() < deadlineMs) {
    const count = rng.chance(0.2) ? rng.intBetween(2, 8) : 1
    const frames: SentFrame[] = []
    for (let i = 0; i < count; i++) {
      const sent = makeFrame(source, connection, index++, correlationId++)
      if (correlationId > 0x7ffffff0) correlationId = 1
      frames.push(sent)
      run.remember(sent)
    }
    try {
      await fuzz.sendAll(frames, 20000)
    } catch (error) {
      // Cannot connect: the broker is gone (the crash monitor reports it) or out of connections.
      if (run.brook.hasExited) return
      await new Promise((resolve) => setTimeout(resolve, 100))
      void error
    }
  }
  fuzz.drop()
}

async function fuzz(options: Options): Promise<number> {
  process.stdout.write(
    `fuzz: seed ${options.seed}, ${options.seconds} s, ${options.connections} connections, RSS bound ${options.rssMaxBytes / 1048576} MiB, freeze bound ${options.freezeMs} ms\n`,
  )
  const brook = await BrookProcess.start({ args: options.brokerArgs })
  const run = new Run(options, brook)
  let monitor: NodeJS.Timeout | undefined
  try {
    const setup = await setUp(brook, options)
    const keys = [...setup.advertised.keys()].filter(
      (key) => (options.apis === undefined || options.apis.has(key)) && !options.skipApis.has(key),
    )
    process.stdout.write(
      `fuzz: ${keys.length} APIs (${keys.join(',')}), ${setup.canary.length} canary records, bombs: ${setup.factory.describeBombs().join(', ') || 'none'}\n`,
    )
    void brook.waitForExit().then((exit) => {
      if (!run.stopped) void run.fail('crash', `the broker exited: ${JSON.stringify(exit)}`, run.suspects())
    })
    monitor = setInterval(async () => {
      const memory = await memoryOf(brook.pid)
      if (memory === undefined) return
      run.peakRss = Math.max(run.peakRss, memory.rss)
      run.peakHwm = Math.max(run.peakHwm, memory.peak)
      if (memory.rss > options.rssMaxBytes && !run.stopped)
        void run.fail(
          'rss',
          `broker RSS ${Math.round(memory.rss / 1048576)} MiB is over the ${options.rssMaxBytes / 1048576} MiB bound`,
          run.suspects(),
        )
    }, 100)
    const refresher = setInterval(async () => {
      try {
        const client = await RawKafkaClient.connect(brook.port)
        await refreshTopics(client, setup.topics).finally(() => client.close())
      } catch {
        // The monitors report a broker that stopped answering.
      }
    }, 3000)
    const bystander = startBystander(run, brook.port)
    const deadlineMs = performance.now() + options.seconds * 1000
    const progress = setInterval(() => {
      process.stdout.write(
        `  ${Math.round(run.elapsedSeconds)} s: ${run.stats.framesSent} frames, ${Math.round(run.peakRss / 1048576)} MiB peak RSS, bystander worst ${Math.round(run.bystanderWorstMs)} ms, ${run.failures.length} failures\n`,
      )
    }, 10000)
    const source: FrameSource = {
      seed: options.seed,
      world: setup.world,
      advertised: setup.advertised,
      keys,
      mutateChance: options.mutateChance,
      bombs: options.bombs,
    }
    const fuzzStartMs = performance.now()
    const fuzzCpu = process.cpuUsage()
    await Promise.all(
      Array.from({ length: options.connections }, (_, c) => fuzzLoop(run, source, c, deadlineMs)),
    )
    const fuzzSeconds = (performance.now() - fuzzStartMs) / 1000
    const used = process.cpuUsage(fuzzCpu)
    run.fuzzerCpuSeconds = (used.user + used.system) / 1e6
    clearInterval(progress)
    clearInterval(refresher)
    bystander.worker.postMessage('stop')
    await Promise.race([bystander.stopped, new Promise((resolve) => setTimeout(resolve, 5000))])
    await bystander.worker.terminate()
    const fatal = run.failures.some((failure) => FATAL.has(failure.kind))
    if (!fatal) await checkAfter(run, setup)
    await Promise.all(run.writes)
    report(run, fuzzSeconds)
    return run.failures.some((failure) => !options.allow.has(failure.kind)) ? 1 : 0
  } finally {
    clearInterval(monitor)
    await run.brook.cleanup()
  }
}

/** Canary records readable at the end, then after a clean stop and a restart. */
async function checkAfter(run: Run, setup: Setup): Promise<void> {
  const client = await RawKafkaClient.connect(run.brook.port)
  const before = await checkCanary(client, setup.canary).finally(() => client.close())
  if (before.length > 0)
    return run.fail('canary', `canary records lost before restart: ${before.slice(0, 5).join('; ')}`, [])
  run.stopped = true
  try {
    await run.brook.stop('SIGTERM', 20000)
  } catch (error) {
    return run.fail('shutdown', (error as Error).message.split('\n')[0], [])
  }
  run.brook = await run.brook.restart()
  const again = await RawKafkaClient.connect(run.brook.port)
  const after = await checkCanary(again, setup.canary).finally(() => again.close())
  if (after.length > 0)
    return run.fail('canary', `canary records lost after restart: ${after.slice(0, 5).join('; ')}`, [])
}

function verdict(run: Run): string {
  const failing = run.failures.filter((f) => !run.options.allow.has(f.kind)).map((f) => f.kind)
  const allowed = run.failures.filter((f) => run.options.allow.has(f.kind)).map((f) => f.kind)
  const known =
    allowed.length === 0 ? '' : ` (allowed, known: ${[...new Set(allowed)].join(', ')} x${allowed.length})`
  return failing.length === 0 ? `PASS${known}` : `FAIL (${failing.join(', ')})${known}`
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

function report(run: Run, seconds: number): void {
  const s = run.stats
  const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`
  const byApi = [...s.byApi]
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([k, n]) => `${k}:${n}`)
    .join(' ')
  process.stdout.write(
    [
      '',
      `fuzz result (seed ${run.options.seed}): ${verdict(run)}`,
      `  frames ${s.framesSent} in ${seconds.toFixed(1)} s (${Math.round(s.framesSent / seconds)} frames/s), ${mib(s.bytesSent)} sent, ${s.answered} answered, ${s.mutated} mutated, ${s.closedByBroker} connections closed by the broker, ${s.gaveUpPartial} closed by us after a partial frame, ${s.gaveUpWaiting} after waiting in vain`,
      `  by API key: ${byApi}`,
      `  fuzzer CPU ${run.fuzzerCpuSeconds.toFixed(1)} s (its own share of the load)`,
      `  broker peak RSS ${mib(run.peakHwm)} (VmHWM; sampled VmRSS max ${mib(run.peakRss)}), bound ${mib(run.options.rssMaxBytes)}`,
      `  bystander: ${run.bystanderRounds} rounds, worst ${Math.round(run.bystanderWorstMs)} ms, p99 ${Math.round(percentile(run.bystanderLatencies, 99))} ms, bound ${run.options.freezeMs} ms; ${run.stalls} waits over the bound with the broker's main thread mostly not running (worst ${Math.round(run.worstStallMs)} ms)`,
      `  canary: ${run.failures.some((f) => f.kind === 'canary') ? 'LOST' : 'intact at the end and after a restart'}`,
      '',
    ].join('\n'),
  )
}

type SavedFrame = FailureRecord['frames'][number]

function toSent(frame: SavedFrame): SentFrame {
  const bytes = Buffer.from(frame.base64, 'base64')
  return {
    id: frame.id,
    frame: {
      apiKey: frame.apiKey,
      version: frame.version,
      correlationId: bytes.length >= 12 ? bytes.readInt32BE(8) : 0,
      bytes,
      notes: frame.notes,
      intact: frame.notes.length === 0,
      promisesMore: bytes.length >= 4 && bytes.readInt32BE(0) > bytes.length - 4,
    },
    clean: frame.clean ?? false,
    expectsAnswer: frame.expectsAnswer ?? true,
    sentMs: 0,
  }
}

/**
 * Sends the saved frames to a fresh broker and says after which one it failed: one at a time, each on a
 * connection of its own; or with --concurrent, each original connection's frames in order on one
 * connection, all connections at once (for failures that need requests to overlap).
 */
async function replay(options: Options): Promise<number> {
  const saved = JSON.parse(await readFile(options.replay!, 'utf8')) as FailureRecord
  process.stdout.write(`replay: ${saved.kind} from seed ${saved.seed}: ${saved.message}\n`)
  const frames = saved.frames.filter((frame) => options.only === undefined || options.only.has(frame.id))
  // Warnings on, so that each close says why.
  const brook = await BrookProcess.start({ args: [...saved.brokerArgs, '--log-level', 'warn'] })
  const run = new Run({ ...options, seed: saved.seed }, brook)
  try {
    await setUp(brook, { ...options, seed: saved.seed })
    const bystander = startBystander(run, brook.port)
    const onProblem = (problem: ConnectionProblem) =>
      void run.fail(problem.kind, problem.message, problem.frames)
    let failedAt: string | undefined
    let outputSeen = 0
    const check = async (frame: SavedFrame, outcome: string) => {
      const said = brook.output
        .slice(outputSeen)
        .split('\n')
        .filter((line) => line.includes('closing'))
      outputSeen = brook.output.length
      if (said.length > 0)
        outcome += ` (${said.map((line) => line.slice(line.indexOf('"msg"'), line.indexOf('"msg"') + 240)).join('; ')})`
      const memory = await memoryOf(brook.pid)
      const rss = memory === undefined ? '?' : `${Math.round(memory.rss / 1048576)} MiB`
      process.stdout.write(
        `  ${frame.id} api ${frame.apiKey} v${frame.version} [${shortNotes(frame.notes)}]: ${outcome}, RSS ${rss}, bystander worst ${Math.round(run.bystanderWorstMs)} ms\n`,
      )
      if (memory !== undefined && memory.rss > options.rssMaxBytes)
        await run.fail('rss', `RSS ${rss} after ${frame.id}`, [])
      if (brook.hasExited) await run.fail('crash', `the broker exited after ${frame.id}`, [])
      if (run.failures.length > 0 && failedAt === undefined) failedAt = frame.id
    }
    const sendOne = async (connection: FuzzConnection, frame: SavedFrame) => {
      const answeredBefore = run.stats.answered
      const closedBefore = run.stats.closedByBroker
      await connection.sendAll([toSent(frame)], 5000).catch(() => undefined)
      const outcome =
        run.stats.answered > answeredBefore
          ? 'answered'
          : run.stats.closedByBroker > closedBefore
            ? 'closed by the broker'
            : 'no answer'
      await check(frame, outcome)
    }
    if (options.concurrent) {
      const groups = new Map<string, SavedFrame[]>()
      for (const frame of frames) {
        const key = frame.id.split(':')[1]
        groups.set(key, [...(groups.get(key) ?? []), frame])
      }
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const connection = new FuzzConnection(brook.port, run.stats, onProblem)
          for (const frame of group) if (failedAt === undefined) await sendOne(connection, frame)
          connection.drop()
        }),
      )
    } else {
      for (const frame of frames) {
        if (failedAt !== undefined) break
        const connection = new FuzzConnection(brook.port, run.stats, onProblem)
        await sendOne(connection, frame)
        connection.drop()
      }
    }
    // Effects may come late (a hang is only reported after HANG_MS): watch a little longer.
    for (let waited = 0; failedAt === undefined && waited < HANG_MS + 2000; waited += 500) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      if (run.failures.length > 0) failedAt = 'the last frame'
    }
    process.stdout.write(`  bystander worst ${Math.round(run.bystanderWorstMs)} ms\n`)
    bystander.worker.postMessage('stop')
    await Promise.race([bystander.stopped, new Promise((resolve) => setTimeout(resolve, 3000))])
    await bystander.worker.terminate()
    process.stdout.write(
      failedAt === undefined ? 'replay: no failure reproduced\n' : `replay: failure after ${failedAt}\n`,
    )
    return failedAt === undefined ? 0 : 1
  } finally {
    await brook.cleanup()
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2))
  if (options === undefined) return 0
  return options.replay !== undefined ? replay(options) : fuzz(options)
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`fuzz: ${(error as Error).stack}\n`)
    process.exit(2)
  },
)
