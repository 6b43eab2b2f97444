// `npm run bench`: Brook beside Apache Kafka 4.4 on this machine, in alternating rounds (Brook, Kafka, ...),
// driven by Kafka's ProducerPerformance / ConsumerPerformance / EndToEndLatency, by kafkajs and
// @platformatic/kafka loads, by Java share consumers (queue/QueueBench.java) and by a Java transactional
// producer (txn/TxnProduceBench.java). Prints medians with min..max, ratios and the issue-4 goals; writes JSON.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Admin } from '@platformatic/kafka'

const usage = `Usage: npm run bench -- [options]
  --quick            smaller record counts (finishes within about 5 minutes)
  --rounds N         rounds per broker, alternating Brook, Kafka, ... (default 3)
  --only LIST        comma-separated workloads: produce-1k,produce-100b,acks-all,consume,partitions-1000,
                     node-clients,latency,queue,txn,fetch-session,produce-recompress (start time and RSS
                     are measured in every round)
  --latency-rate N   records/s of the latency load (default: half of Kafka's measured produce-1k median)
  --out FILE         JSON path (default bench/results/bench-<time>.json)
  --brokers LIST     brokers of each round, in turn (default brook,kafka); brook-metrics is Brook with
                     /metrics scraped every second (brook runs with --no-console): e.g. brook,brook-metrics
                     measures what metrics cost
`

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const kafkaLibsDir = path.join(rootDir, '.cache', 'kafka', 'libs')
const kafkaScriptsDir = path.join(rootDir, 'bench', 'kafka')
const log4jConfig = path.join(kafkaScriptsDir, 'log4j2.properties')
const resultsDir = path.join(rootDir, 'bench', 'results')
const rssSampleIntervalMs = 200
const idleSettleMs = 2000
const startDeadlineMs = 120_000
const toolTimeoutMs = 600_000

const allWorkloads = [
  'produce-1k',
  'produce-100b',
  'acks-all',
  'consume',
  'partitions-1000',
  'node-clients',
  'latency',
  'queue',
  'txn',
  'fetch-session',
  'produce-recompress',
] as const
type Workload = (typeof allWorkloads)[number]
/** 'brook-metrics': Brook with its HTTP port open and /metrics scraped every second (--brokers). */
type BrokerName = 'brook' | 'kafka' | 'brook-metrics'
const brokerNames: readonly BrokerName[] = ['brook', 'kafka', 'brook-metrics']

/** Record counts and sizes of one run; quick and full differ only in counts. */
interface Settings {
  quick: boolean
  brokers: BrokerName[]
  rounds: number
  workloads: Set<Workload>
  latencyRate: number | undefined
  outPath: string
  /** 1 KiB records for produce-1k; also the consume backlog. */
  records1k: number
  records100b: number
  recordsAcksAll: number
  records1000p: number
  recordsNode: number
  latencyLoadSec: number
  latencyProbes: number
  /** Queue: records of the burst per worker count, and the fixed rate (records/s) and its duration. */
  queueBurstRecords: number
  queueRate: number
  queueRateSec: number
  /** Transactional produce (txn): records per run, each run once with 100 and once with 1,000 per transaction. */
  txnRecords: number
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      'latency-rate': { type: 'string' },
      out: { type: 'string' },
      brokers: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    process.stdout.write(usage)
    process.exit(0)
  }
  const quick = values.quick === true
  const workloads = new Set<Workload>()
  // Quick leaves out the two workloads dominated by set-up time (Kafka creates 1,000 partitions in ~20 s)
  // the queue cases (four share-group runs per round; `--quick --only queue` runs them alone) and the
  // transactional produce (`--quick --only txn`).
  const quickWorkloads = allWorkloads.filter(
    (w) =>
      w !== 'partitions-1000' &&
      w !== 'node-clients' &&
      w !== 'queue' &&
      w !== 'txn' &&
      w !== 'fetch-session' &&
      w !== 'produce-recompress',
  )
  for (const name of (values.only ?? (quick ? quickWorkloads : allWorkloads).join(',')).split(',')) {
    if (!(allWorkloads as readonly string[]).includes(name)) throw new Error(`unknown workload '${name}'`)
    workloads.add(name as Workload)
  }
  const rounds = Number(values.rounds ?? 3)
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer')
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const brokers = (values.brokers ?? 'brook,kafka').split(',') as BrokerName[]
  for (const name of brokers)
    if (!brokerNames.includes(name)) throw new Error(`unknown broker '${name}' (${brokerNames.join(', ')})`)
  return {
    quick,
    brokers,
    rounds,
    workloads,
    latencyRate: values['latency-rate'] === undefined ? undefined : Number(values['latency-rate']),
    outPath: values.out ?? path.join(resultsDir, `bench-${quick ? 'quick-' : ''}${stamp}.json`),
    // Full: a 1 GiB backlog; quick: 48 MiB.
    records1k: quick ? 49_152 : 1_048_576,
    records100b: quick ? 200_000 : 3_000_000,
    recordsAcksAll: quick ? 20_000 : 200_000,
    records1000p: quick ? 100_000 : 500_000,
    recordsNode: quick ? 20_000 : 100_000,
    latencyLoadSec: quick ? 5 : 15,
    latencyProbes: quick ? 500 : 3000,
    queueBurstRecords: quick ? 20_000 : 100_000,
    queueRate: quick ? 500 : 1000,
    queueRateSec: quick ? 5 : 10,
    txnRecords: quick ? 20_000 : 100_000,
  }
}

// ---------------------------------------------------------------- processes

const children = new Set<ChildProcess>()
const kafkaDataDirs = new Set<string>()
const tempDirs = new Set<string>()

interface RunOutput {
  code: number | null
  stdout: string
  stderr: string
  wallMs: number
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`)
}

/** Runs a command to its end (SIGKILLed after timeoutMs), collecting its output. */
function run(command: string, args: string[], timeoutMs = toolTimeoutMs): Promise<RunOutput> {
  return new Promise((resolve) => {
    const startMs = performance.now()
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', (error) => (stderr += String(error)))
    child.once('close', (code) => {
      clearTimeout(timer)
      children.delete(child)
      resolve({ code, stdout, stderr, wallMs: performance.now() - startMs })
    })
  })
}

function javaTool(className: string, args: string[]): Promise<RunOutput> {
  return run('java', [
    '-cp',
    `${kafkaLibsDir}/*`,
    `-Dlog4j2.configurationFile=${log4jConfig}`,
    `org.apache.kafka.tools.${className}`,
    ...args,
  ])
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** VmRSS of a process in KiB; undefined once it has exited. */
function rssKiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? undefined : Number(match[1])
  } catch {
    return undefined
  }
}

const clockTicksPerSec = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())

/** Age of a process in ms from the kernel's record of its start (10 ms resolution at 100 ticks/s). */
function processAgeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const uptimeSec = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0])
  return Math.round((uptimeSec - Number(fields[19]) / clockTicksPerSec) * 1000)
}

/** Samples VmRSS every 200 ms while running and keeps the peak, in KiB. */
class RssSampler {
  private peakKiB = 0
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly pid: number) {}

  private sample(): void {
    const kib = rssKiB(this.pid)
    if (kib !== undefined && kib > this.peakKiB) this.peakKiB = kib
  }

  resume(): void {
    this.sample()
    this.timer ??= setInterval(() => this.sample(), rssSampleIntervalMs)
  }

  pause(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.sample()
  }

  get peak(): number | undefined {
    return this.peakKiB === 0 ? undefined : this.peakKiB
  }
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

interface BrokerHandle {
  pid: number
  port: number
  stop(): Promise<void>
}

/** Scrapes /metrics every second, as Prometheus would (more often than its usual 15 s); stops with `stop`. */
function scrapeEverySecond(url: string): () => void {
  let stopped = false
  const loop = async () => {
    while (!stopped) {
      await fetch(url)
        .then((r) => r.text())
        .catch(() => undefined)
      await sleep(1000)
    }
  }
  void loop()
  return () => {
    stopped = true
  }
}

async function startBrook(port: number, dataDir: string, metrics = false): Promise<BrokerHandle> {
  const consolePort = metrics ? await freePort() : 0
  const child = spawn(
    process.execPath,
    [
      path.join(rootDir, 'bin', 'brook.js'),
      'start',
      ...(metrics ? ['--console-port', String(consolePort)] : ['--no-console']),
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--num-partitions',
      '16',
      '--group-initial-rebalance-delay-ms',
      '0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  children.add(child)
  child.stderr.resume()
  if (child.pid === undefined) throw new Error('could not spawn brook')
  const stopScraping = metrics ? scrapeEverySecond(`http://127.0.0.1:${consolePort}/metrics`) : () => {}
  return {
    pid: child.pid,
    port,
    async stop() {
      stopScraping()
      child.kill('SIGINT')
      if (!(await waitExit(child, 15_000))) child.kill('SIGKILL')
      await waitExit(child, 5000)
      children.delete(child)
    },
  }
}

async function startKafka(port: number, dataDir: string): Promise<BrokerHandle> {
  kafkaDataDirs.add(dataDir)
  // start.sh formats with a separate JVM first; start time counts from the broker JVM's own start.
  const script = spawn('bash', [path.join(kafkaScriptsDir, 'start.sh'), String(port), dataDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, KAFKA_NUM_PARTITIONS: '16' },
  })
  children.add(script)
  let scriptErr = ''
  script.stderr.setEncoding('utf8').on('data', (s: string) => (scriptErr += s))
  script.once('exit', () => children.delete(script))
  const pidFile = path.join(dataDir, 'kafka.pid')
  const deadline = performance.now() + startDeadlineMs
  let pid = Number.NaN
  while (!Number.isInteger(pid) || pid <= 0) {
    if (existsSync(pidFile)) pid = Number(readFileSync(pidFile, 'utf8').trim())
    else if (script.exitCode !== null) throw new Error(`kafka start.sh exited: ${scriptErr.slice(-500)}`)
    if (performance.now() > deadline) throw new Error('kafka pid file did not appear')
    if (!Number.isInteger(pid) || pid <= 0) await sleep(5)
  }
  return {
    pid,
    port,
    async stop() {
      await run('bash', [path.join(kafkaScriptsDir, 'stop.sh'), dataDir], 60_000)
      await waitExit(script, 5000)
      kafkaDataDirs.delete(dataDir)
    },
  }
}

/** Waits for the port, then repeats a one-record acks=1 produce until one is acknowledged. */
async function timeFirstAck(broker: BrokerHandle): Promise<number> {
  const deadline = performance.now() + startDeadlineMs
  while (!(await canConnect(broker.port))) {
    if (performance.now() > deadline) throw new Error('broker port never opened')
    if (rssKiB(broker.pid) === undefined) throw new Error('broker exited during start')
    await sleep(10)
  }
  for (;;) {
    const result = await new Promise<RunOutput>((resolve) => {
      const child = spawn(
        'kcat',
        [
          '-P',
          '-b',
          `127.0.0.1:${broker.port}`,
          '-t',
          'bench-ready',
          '-X',
          'acks=1',
          '-X',
          'message.timeout.ms=2000',
        ],
        { stdio: ['pipe', 'ignore', 'pipe'] },
      )
      children.add(child)
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
      child.stdin.on('error', () => {})
      child.stdin.end('x\n')
      child.once('close', (code) => {
        children.delete(child)
        resolve({ code, stdout: '', stderr, wallMs: 0 })
      })
    })
    if (result.code === 0) return processAgeMs(broker.pid)
    if (performance.now() > deadline) throw new Error(`no produce acknowledged: ${result.stderr.slice(-300)}`)
    await sleep(10)
  }
}

async function createTopics(
  port: number,
  topics: { name: string; partitions: number; configs?: Record<string, string> }[],
): Promise<void> {
  const admin = new Admin({ clientId: 'brook-bench', bootstrapBrokers: [`127.0.0.1:${port}`] })
  try {
    for (const topic of topics) {
      await admin.createTopics({
        topics: [topic.name],
        partitions: topic.partitions,
        replicas: 1,
        configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
      })
    }
    const deadline = performance.now() + 60_000
    for (const topic of topics) {
      for (;;) {
        const metadata = await admin.metadata({ topics: [topic.name], forceUpdate: true })
        const t = metadata.topics.get(topic.name)
        if (t?.partitionsCount === topic.partitions && t.partitions.every((p) => p.leader >= 0)) break
        if (performance.now() > deadline) throw new Error(`topic ${topic.name} not ready`)
        await sleep(100)
      }
    }
  } finally {
    await admin.close()
  }
}

// ---------------------------------------------------------------- tools and parsing

/** What ProducerPerformance printed on its closing line; latencies are send-to-ack, in ms. */
interface ProduceResult {
  recordsPerSec: number
  mbPerSec: number
  p50Ms: number
  p99Ms: number
  p999Ms: number
}

function produceArgs(
  port: number,
  topic: string,
  records: number,
  recordBytes: number,
  acks: string,
  throughput = -1,
): string[] {
  return [
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    String(recordBytes),
    '--throughput',
    String(throughput),
    '--command-property',
    `bootstrap.servers=127.0.0.1:${port}`,
    `acks=${acks}`,
    'linger.ms=5',
    'batch.size=65536',
  ]
}

async function producePerf(args: string[]): Promise<ProduceResult> {
  const output = await javaTool('ProducerPerformance', args)
  const text = output.stdout + output.stderr
  const m =
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th, (\d+) ms 99.9th/.exec(
      text,
    )
  if (m === null || output.code !== 0)
    throw new Error(`ProducerPerformance failed (exit ${output.code}): ${text.slice(-600)}`)
  return {
    recordsPerSec: Number(m[2]),
    mbPerSec: Number(m[3]),
    p50Ms: Number(m[4]),
    p99Ms: Number(m[5]),
    p999Ms: Number(m[6]),
  }
}

interface ConsumeResult {
  fetchMbPerSec: number
  mbPerSec: number
  rebalanceMs: number
}

async function consumePerf(port: number, topic: string, records: number): Promise<ConsumeResult> {
  const output = await javaTool('ConsumerPerformance', [
    '--bootstrap-server',
    `127.0.0.1:${port}`,
    '--topic',
    topic,
    '--num-records',
    String(records),
  ])
  // Columns: start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, ...
  const line = output.stdout.split('\n').find((l) => /^\d{4}-\d\d-\d\d .*, .*, [\d.]+, /.test(l))
  if (line === undefined || output.code !== 0)
    throw new Error(
      `ConsumerPerformance failed (exit ${output.code}): ${(output.stdout + output.stderr).slice(-600)}`,
    )
  const f = line.split(',').map((s) => Number(s.trim()))
  return { mbPerSec: f[3], rebalanceMs: f[6], fetchMbPerSec: f[8] }
}

/** EndToEndLatency: one record at a time, produce then consume; percentiles in ms. */
async function endToEndLatency(
  port: number,
  topic: string,
  probes: number,
): Promise<{ p50: number; p99: number; p999: number; avg: number }> {
  const output = await javaTool('EndToEndLatency', [`127.0.0.1:${port}`, topic, String(probes), '1', '1024'])
  const text = output.stdout + output.stderr
  const avg = /Avg latency: ([\d.]+) ms/.exec(text)
  const pct = /Percentiles: 50th = (\d+), 99th = (\d+), 99.9th = (\d+)/.exec(text)
  if (avg === null || pct === null)
    throw new Error(`EndToEndLatency failed (exit ${output.code}): ${text.slice(-600)}`)
  return { avg: Number(avg[1]), p50: Number(pct[1]), p99: Number(pct[2]), p999: Number(pct[3]) }
}

async function nodeClientLoad(
  client: string,
  port: number,
  topic: string,
  records: number,
): Promise<Record<string, number>> {
  const output = await run(process.execPath, [
    path.join(rootDir, 'dist', 'bench', 'node-client-load.js'),
    '--client',
    client,
    '--bootstrap',
    `127.0.0.1:${port}`,
    '--topic',
    topic,
    '--records',
    String(records),
  ])
  const line = output.stdout.trim().split('\n').pop() ?? ''
  if (output.code !== 0 || !line.startsWith('{'))
    throw new Error(`node-client-load ${client} failed (exit ${output.code}): ${output.stderr.slice(-600)}`)
  return JSON.parse(line) as Record<string, number>
}

/** What QueueBench printed: records/s of the burst, rate-phase latency (ms), records accepted per worker. */
interface QueueResult {
  recordsPerSec: number
  burstProduceMs: number
  burstMs: number
  burstPerWorker: number[]
  burstDuplicates: number
  warmupMs: number
  ackErrors: number
  latencyP50Ms?: number
  latencyP99Ms?: number
  latencyP999Ms?: number
  ratePerWorker?: number[]
  rateDuplicates?: number
}

const queueBenchSource = path.join(rootDir, 'bench', 'queue', 'QueueBench.java')
const queueBenchClasses = path.join(rootDir, '.cache', 'bench-java')

/** Compiles QueueBench.java against Kafka's client jar, again only when the source changed. */
function compileQueueBench(): void {
  const hash = execFileSync('sha1sum', [queueBenchSource], { encoding: 'utf8' }).slice(0, 12)
  const stamp = path.join(queueBenchClasses, `.stamp-${hash}`)
  if (existsSync(stamp)) return
  rmSync(queueBenchClasses, { recursive: true, force: true })
  mkdirSync(queueBenchClasses, { recursive: true })
  execFileSync('javac', ['-d', queueBenchClasses, '-cp', `${kafkaLibsDir}/*`, queueBenchSource], {
    stdio: 'inherit',
  })
  writeFileSync(stamp, '')
}

/** One share group of `workers` Java share consumers on a new topic (see QueueBench.java). */
async function queueBench(
  port: number,
  name: string,
  workers: number,
  partitions: number,
  burst: number,
  rate: number,
  rateSec: number,
  workMs: number,
): Promise<QueueResult> {
  const output = await run('java', [
    '-cp',
    `${queueBenchClasses}:${kafkaLibsDir}/*`,
    `-Dlog4j2.configurationFile=${log4jConfig}`,
    'QueueBench',
    `127.0.0.1:${port}`,
    name,
    `${name}-group`,
    String(workers),
    String(partitions),
    String(burst),
    String(rate),
    String(rateSec),
    String(workMs),
  ])
  const line = output.stdout.trim().split('\n').pop() ?? ''
  if (output.code !== 0 || !line.startsWith('{'))
    throw new Error(`QueueBench ${name} failed (exit ${output.code}): ${output.stderr.slice(-600)}`)
  return JSON.parse(line) as QueueResult
}

const txnBenchSource = path.join(rootDir, 'bench', 'txn', 'TxnProduceBench.java')
const txnBenchClasses = path.join(rootDir, '.cache', 'bench-txn-java')

/** Compiles TxnProduceBench.java against Kafka's client jar, again only when the source changed. */
function compileTxnBench(): void {
  const hash = execFileSync('sha1sum', [txnBenchSource], { encoding: 'utf8' }).slice(0, 12)
  const stamp = path.join(txnBenchClasses, `.stamp-${hash}`)
  if (existsSync(stamp)) return
  rmSync(txnBenchClasses, { recursive: true, force: true })
  mkdirSync(txnBenchClasses, { recursive: true })
  execFileSync('javac', ['-d', txnBenchClasses, '-cp', `${kafkaLibsDir}/*`, txnBenchSource], {
    stdio: 'inherit',
  })
  writeFileSync(stamp, '')
}

/** What TxnProduceBench printed: throughput from the first send to the last commit, commit latencies in ms. */
interface TxnResult {
  records: number
  transactions: number
  recordsPerSec: number
  mbPerSec: number
  commitP50Ms: number
  commitP99Ms: number
}

/** One transactional producer sending `records` 1 KiB records to `topic`, `txnSize` per transaction. */
async function txnBench(port: number, topic: string, records: number, txnSize: number): Promise<TxnResult> {
  const output = await run('java', [
    '-cp',
    `${txnBenchClasses}:${kafkaLibsDir}/*`,
    `-Dlog4j2.configurationFile=${log4jConfig}`,
    'TxnProduceBench',
    `127.0.0.1:${port}`,
    topic,
    String(records),
    String(txnSize),
    '1024',
  ])
  const line = output.stdout.trim().split('\n').pop() ?? ''
  if (output.code !== 0 || !line.startsWith('{'))
    throw new Error(`TxnProduceBench ${topic} failed (exit ${output.code}): ${output.stderr.slice(-600)}`)
  return JSON.parse(line) as TxnResult
}

/** The smallest worker's part of a phase as a fraction of an even split (1 = perfectly even). */
function minShare(perWorker: number[]): number {
  const total = perWorker.reduce((a, b) => a + b, 0)
  return total === 0 ? 0 : (Math.min(...perWorker) * perWorker.length) / total
}

// ---------------------------------------------------------------- rounds

/** One round against one broker: metric name to value (undefined metrics are absent). */
interface RoundResult {
  broker: BrokerName
  phase: 'throughput' | 'latency'
  round: number
  metrics: Record<string, number>
  /** Per-worker record counts of the queue cases by case name, and the load average at the round's start. */
  details: Record<string, unknown>
  errors: string[]
}

async function measureRound(
  broker: BrokerName,
  phase: RoundResult['phase'],
  round: number,
  settings: Settings,
  latencyRate: number,
): Promise<RoundResult> {
  const result: RoundResult = { broker, phase, round, metrics: {}, details: {}, errors: [] }
  const m = result.metrics
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `bench-${broker}-`))
  tempDirs.add(dataDir)
  const port = await freePort()
  const tag = `[${phase} ${broker} ${round}]`
  const step = async (name: string, body: () => Promise<void>): Promise<void> => {
    try {
      await body()
    } catch (error) {
      result.errors.push(`${name}: ${String(error)}`)
      log(`${tag} ${name} failed: ${String(error).slice(0, 400)}`)
    }
  }
  let handle: BrokerHandle | undefined
  try {
    handle =
      broker === 'kafka'
        ? await startKafka(port, path.join(dataDir, 'kafka'))
        : await startBrook(port, dataDir, broker === 'brook-metrics')
    m.startToFirstAckMs = await timeFirstAck(handle)
    await sleep(idleSettleMs)
    const idle: number[] = []
    for (let i = 0; i < 5; i++) {
      const kib = rssKiB(handle.pid)
      if (kib !== undefined) idle.push(kib)
      await sleep(rssSampleIntervalMs)
    }
    m.idleRssMiB = (median(idle) ?? 0) / 1024
    log(
      `${tag} first ack ${m.startToFirstAckMs} ms after process start, idle RSS ${m.idleRssMiB.toFixed(1)} MiB`,
    )
    // The machine is shared: the 1-minute load average at the start of each round goes into the JSON.
    result.details.loadAverage1m = os.loadavg()[0]
    const w = settings.workloads
    const sampler = new RssSampler(handle.pid)
    const p = handle.port

    if (phase === 'latency' || latencyRate > 0) {
      await step('latency', async () => {
        await createTopics(p, [
          { name: 'lat-load', partitions: 16 },
          { name: 'lat-probe', partitions: 1 },
        ])
        const records = Math.round(latencyRate * settings.latencyLoadSec)
        const load = producePerf(produceArgs(p, 'lat-load', records, 1024, '1', latencyRate))
        await sleep(1500)
        const probe = await endToEndLatency(p, 'lat-probe', settings.latencyProbes)
        const loaded = await load
        m.latencyE2eP50Ms = probe.p50
        m.latencyE2eP99Ms = probe.p99
        m.latencyE2eP999Ms = probe.p999
        m.latencyAckP99Ms = loaded.p99Ms
        m.latencyAckP999Ms = loaded.p999Ms
        m.latencyLoadRecordsPerSec = loaded.recordsPerSec
        log(
          `${tag} latency e2e p50/p99/p99.9 ${probe.p50}/${probe.p99}/${probe.p999} ms, load ${loaded.recordsPerSec.toFixed(0)} rec/s`,
        )
      })
      if (phase === 'latency') return result
    }

    const topics = [{ name: 'p16', partitions: 16 }]
    if (w.has('produce-100b')) topics.push({ name: 'p1-100b', partitions: 1 })
    if (w.has('acks-all')) topics.push({ name: 'all16', partitions: 16 })
    await createTopics(p, topics)
    if (broker === 'kafka' && w.has('acks-all'))
      await createTopics(p, [{ name: 'all16-flush', partitions: 16, configs: { 'flush.messages': '1' } }])

    if (w.has('produce-1k') || w.has('consume')) {
      await step('produce-1k', async () => {
        sampler.resume()
        const r = await producePerf(produceArgs(p, 'p16', settings.records1k, 1024, '1'))
        sampler.pause()
        m.produce1kRecordsPerSec = r.recordsPerSec
        m.produce1kMbPerSec = r.mbPerSec
        m.produce1kP99Ms = r.p99Ms
        log(
          `${tag} produce 1KiB x16 acks=1: ${r.recordsPerSec.toFixed(0)} rec/s, ${r.mbPerSec.toFixed(1)} MB/s`,
        )
      })
    }
    if (w.has('produce-100b')) {
      await step('produce-100b', async () => {
        sampler.resume()
        const r = await producePerf(produceArgs(p, 'p1-100b', settings.records100b, 100, '1'))
        sampler.pause()
        m.produce100bRecordsPerSec = r.recordsPerSec
        log(`${tag} produce 100B x1 acks=1: ${r.recordsPerSec.toFixed(0)} rec/s`)
      })
    }
    if (w.has('acks-all')) {
      await step('acks-all', async () => {
        sampler.resume()
        const r = await producePerf(produceArgs(p, 'all16', settings.recordsAcksAll, 1024, 'all'))
        m.acksAllRecordsPerSec = r.recordsPerSec
        m.acksAllP99Ms = r.p99Ms
        log(`${tag} produce acks=all: ${r.recordsPerSec.toFixed(0)} rec/s, p99 ${r.p99Ms} ms`)
        if (broker === 'kafka') {
          const f = await producePerf(produceArgs(p, 'all16-flush', settings.recordsAcksAll, 1024, 'all'))
          m.acksAllFlushRecordsPerSec = f.recordsPerSec
          log(`${tag} produce acks=all flush.messages=1: ${f.recordsPerSec.toFixed(0)} rec/s`)
        }
        sampler.pause()
      })
    }
    if (w.has('consume')) {
      await step('consume', async () => {
        const r = await consumePerf(p, 'p16', settings.records1k)
        m.consumeFetchMbPerSec = r.fetchMbPerSec
        m.consumeMbPerSec = r.mbPerSec
        log(`${tag} consume: ${r.fetchMbPerSec.toFixed(1)} MB/s fetch (${r.mbPerSec.toFixed(1)} with join)`)
      })
    }
    if (w.has('partitions-1000')) {
      await step('partitions-1000', async () => {
        await createTopics(p, [{ name: 'p1000', partitions: 1000 }])
        const same = Math.min(settings.records1000p, settings.records1k)
        sampler.resume()
        // Same record count on both topics, so the 16-partition reference is not favoured by a longer run.
        const r1000 = await producePerf(produceArgs(p, 'p1000', same, 1024, '1'))
        sampler.pause()
        m.p1000RecordsPerSec = r1000.recordsPerSec
        log(`${tag} produce 1KiB x1000: ${r1000.recordsPerSec.toFixed(0)} rec/s`)
      })
    }
    if (w.has('produce-recompress')) {
      // The topic stores gzip (compression.type=gzip) while the producer sends lz4: every batch is
      // decompressed, checked and compressed again by the broker, as Kafka does (#9).
      await step('produce-recompress', async () => {
        await createTopics(p, [
          { name: 'recompress16', partitions: 16, configs: { 'compression.type': 'gzip' } },
        ])
        sampler.resume()
        const r = await producePerf([
          ...produceArgs(p, 'recompress16', settings.records1k, 1024, '1'),
          'compression.type=lz4',
        ])
        sampler.pause()
        m.recompressRecordsPerSec = r.recordsPerSec
        m.recompressP99Ms = r.p99Ms
        log(
          `${tag} produce 1KiB x16 lz4 into a gzip topic: ${r.recordsPerSec.toFixed(0)} rec/s, p99 ${r.p99Ms} ms`,
        )
      })
    }
    if (w.has('fetch-session')) {
      // An idle consumer of 1,000 partitions: request + response bytes per poll (KIP-227 sessions, #9).
      await step('fetch-session', async () => {
        const output = await run(process.execPath, [
          path.join(rootDir, 'dist', 'bench', 'fetch-session-bytes.js'),
          '--bootstrap',
          `127.0.0.1:${p}`,
          '--partitions',
          '1000',
          '--topic',
          'idle1000',
        ])
        const line = output.stdout.trim().split('\n').pop() ?? ''
        if (output.code !== 0 || !line.startsWith('{'))
          throw new Error(`fetch-session-bytes failed (exit ${output.code}): ${output.stderr.slice(-600)}`)
        const r = JSON.parse(line) as { bytesPerIdlePoll: number; fullFetches: number }
        m.idlePollBytes1000p = r.bytesPerIdlePoll
        m.idlePollFullFetches1000p = r.fullFetches
        log(`${tag} idle consumer of 1,000 partitions: ${r.bytesPerIdlePoll} B per poll`)
      })
    }
    if (w.has('node-clients')) {
      for (const client of ['kafkajs', 'platformatic', 'sdk'] as const) {
        await step(`node-${client}`, async () => {
          const topic = `node-${client}`
          await createTopics(p, [{ name: topic, partitions: 16 }])
          const r = await nodeClientLoad(client, p, topic, settings.recordsNode)
          m[`${client}ProduceRecordsPerSec`] = r.produceRecordsPerSec
          m[`${client}ConsumeRecordsPerSec`] = r.consumeRecordsPerSec
          log(
            `${tag} ${client}: produce ${r.produceRecordsPerSec.toFixed(0)} rec/s, consume ${r.consumeRecordsPerSec.toFixed(0)} rec/s`,
          )
        })
      }
    }
    if (w.has('queue')) {
      // 1, 4 and 16 workers on 16 partitions, no work per record; then three workers on one partition, each
      // spending 5 ms per record (the fairness case of tests/compat/share: each should take about a third).
      const cases = [
        { key: 'queue1', workers: 1, partitions: 16, workMs: 0 },
        { key: 'queue4', workers: 4, partitions: 16, workMs: 0 },
        { key: 'queue16', workers: 16, partitions: 16, workMs: 0 },
        { key: 'queueFair3', workers: 3, partitions: 1, workMs: 5 },
      ]
      for (const c of cases) {
        await step(c.key, async () => {
          const fair = c.key === 'queueFair3'
          const r = await queueBench(
            p,
            c.key.toLowerCase(),
            c.workers,
            c.partitions,
            fair ? 3000 : settings.queueBurstRecords,
            fair ? 0 : settings.queueRate,
            settings.queueRateSec,
            c.workMs,
          )
          if (!fair) m[`${c.key}RecordsPerSec`] = r.recordsPerSec
          m[`${c.key}MinShare`] = minShare(r.burstPerWorker)
          m[`${c.key}Duplicates`] = r.burstDuplicates + (r.rateDuplicates ?? 0)
          if (r.latencyP50Ms !== undefined) m[`${c.key}P50Ms`] = r.latencyP50Ms
          if (r.latencyP99Ms !== undefined) m[`${c.key}P99Ms`] = r.latencyP99Ms
          result.details[c.key] = {
            burstPerWorker: r.burstPerWorker,
            ratePerWorker: r.ratePerWorker,
            burstProduceMs: r.burstProduceMs,
            burstMs: r.burstMs,
            warmupMs: r.warmupMs,
            ackErrors: r.ackErrors,
          }
          log(
            `${tag} ${c.key}: ${fair ? '' : `${r.recordsPerSec.toFixed(0)} rec/s, p50/p99 ${r.latencyP50Ms}/${r.latencyP99Ms} ms at ${settings.queueRate}/s, `}per worker [${r.burstPerWorker.join(' ')}]`,
          )
        })
      }
    }
    if (w.has('txn')) {
      // Transactions of 100 and of 1,000 1 KiB records from one Java producer into 16 partitions.
      for (const txnSize of [100, 1000]) {
        await step(`txn-${txnSize}`, async () => {
          const topic = `txn16-${txnSize}`
          await createTopics(p, [{ name: topic, partitions: 16 }])
          const r = await txnBench(p, topic, settings.txnRecords, txnSize)
          m[`txn${txnSize}RecordsPerSec`] = r.recordsPerSec
          m[`txn${txnSize}CommitP99Ms`] = r.commitP99Ms
          log(
            `${tag} txn of ${txnSize}: ${r.recordsPerSec.toFixed(0)} rec/s, ${r.mbPerSec.toFixed(1)} MB/s, commit p50/p99 ${r.commitP50Ms}/${r.commitP99Ms} ms (${r.transactions} transactions)`,
          )
        })
      }
    }
    if (sampler.peak !== undefined) m.peakProduceRssMiB = sampler.peak / 1024
  } catch (error) {
    result.errors.push(String(error))
    log(`${tag} ${String(error).slice(0, 400)}`)
  } finally {
    await handle?.stop()
    rmSync(dataDir, { recursive: true, force: true })
    tempDirs.delete(dataDir)
  }
  return result
}

// ---------------------------------------------------------------- summary

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

interface Spread {
  median: number | undefined
  min: number | undefined
  max: number | undefined
  n: number
}

function spread(values: (number | undefined)[]): Spread {
  const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x))
  return {
    median: median(v),
    min: v.length === 0 ? undefined : Math.min(...v),
    max: v.length === 0 ? undefined : Math.max(...v),
    n: v.length,
  }
}

/** One table row: the Brook metric, the Kafka metric it is compared with, and the goal on their medians. */
interface Row {
  label: string
  brook: string
  kafka: string
  goal?: string
  /** Whether the goal holds, from Brook's and Kafka's medians and the ratio Brook/Kafka. */
  met?: (brook: number, kafka: number, ratio: number, all: Record<string, Spread>) => boolean
}

const rows: readonly Row[] = [
  {
    label: 'produce 1KiB x16 acks=1, records/s',
    brook: 'produce1kRecordsPerSec',
    kafka: 'produce1kRecordsPerSec',
    goal: '>= 1.0x (aim 1.5x)',
    met: (_b, _k, r) => r >= 1.0,
  },
  { label: 'produce 1KiB x16 acks=1, MB/s', brook: 'produce1kMbPerSec', kafka: 'produce1kMbPerSec' },
  {
    label: 'produce 100B x1 acks=1, records/s',
    brook: 'produce100bRecordsPerSec',
    kafka: 'produce100bRecordsPerSec',
    goal: '>= 1.0x',
    met: (_b, _k, r) => r >= 1.0,
  },
  {
    label: 'acks=all 1KiB x16 (Brook fsync) vs Kafka default, rec/s',
    brook: 'acksAllRecordsPerSec',
    kafka: 'acksAllRecordsPerSec',
    goal: '>= 1.0x',
    met: (_b, _k, r) => r >= 1.0,
  },
  {
    label: 'acks=all (Brook fsync) vs Kafka flush.messages=1, rec/s',
    brook: 'acksAllRecordsPerSec',
    kafka: 'acksAllFlushRecordsPerSec',
    goal: '>= 3.0x',
    met: (_b, _k, r) => r >= 3.0,
  },
  {
    label: 'consume backlog, MB/s (fetch time)',
    brook: 'consumeFetchMbPerSec',
    kafka: 'consumeFetchMbPerSec',
    goal: '>= 1.0x',
    met: (_b, _k, r) => r >= 1.0,
  },
  { label: 'consume backlog, MB/s (incl. group join)', brook: 'consumeMbPerSec', kafka: 'consumeMbPerSec' },
  { label: 'e2e latency at fixed rate, p50 ms', brook: 'latencyE2eP50Ms', kafka: 'latencyE2eP50Ms' },
  {
    label: 'e2e latency at fixed rate, p99 ms',
    brook: 'latencyE2eP99Ms',
    kafka: 'latencyE2eP99Ms',
    goal: '<= 0.5x',
    met: (_b, _k, r) => r <= 0.5,
  },
  { label: 'e2e latency at fixed rate, p99.9 ms', brook: 'latencyE2eP999Ms', kafka: 'latencyE2eP999Ms' },
  { label: 'produce ack latency at fixed rate, p99 ms', brook: 'latencyAckP99Ms', kafka: 'latencyAckP99Ms' },
  {
    label: 'idle RSS, MiB',
    brook: 'idleRssMiB',
    kafka: 'idleRssMiB',
    goal: 'Brook <= 60 MB',
    met: (b) => b * 1.048576 <= 60,
  },
  {
    label: 'peak RSS under produce load, MiB',
    brook: 'peakProduceRssMiB',
    kafka: 'peakProduceRssMiB',
    goal: '<= 0.25x',
    met: (_b, _k, r) => r <= 0.25,
  },
  {
    label: 'produce 1KiB x16 lz4 into a gzip topic (recompressed), records/s',
    brook: 'recompressRecordsPerSec',
    kafka: 'recompressRecordsPerSec',
  },
  {
    label: 'idle consumer of 1,000 partitions, bytes per poll',
    brook: 'idlePollBytes1000p',
    kafka: 'idlePollBytes1000p',
  },
  {
    label: 'process start to first acked produce, ms',
    brook: 'startToFirstAckMs',
    kafka: 'startToFirstAckMs',
    goal: '<= 300 ms and <= 0.15x',
    met: (b, _k, r) => b <= 300 && r <= 0.15,
  },
  {
    label: 'produce 1KiB x1000 partitions, records/s',
    brook: 'p1000RecordsPerSec',
    kafka: 'p1000RecordsPerSec',
    goal: 'Brook x1000 >= 0.8x its x16',
    met: (b, _k, _r, all) => {
      const p16 = all.brook_produce1kRecordsPerSec?.median
      return p16 !== undefined && b >= 0.8 * p16
    },
  },
  {
    label: 'kafkajs produce 1KiB x16, records/s',
    brook: 'kafkajsProduceRecordsPerSec',
    kafka: 'kafkajsProduceRecordsPerSec',
  },
  {
    label: 'kafkajs consume, records/s',
    brook: 'kafkajsConsumeRecordsPerSec',
    kafka: 'kafkajsConsumeRecordsPerSec',
  },
  {
    label: '@platformatic/kafka produce 1KiB x16, records/s',
    brook: 'platformaticProduceRecordsPerSec',
    kafka: 'platformaticProduceRecordsPerSec',
  },
  {
    label: '@platformatic/kafka consume, records/s',
    brook: 'platformaticConsumeRecordsPerSec',
    kafka: 'platformaticConsumeRecordsPerSec',
  },
  {
    label: "Brook's SDK produce 1KiB x16, records/s",
    brook: 'sdkProduceRecordsPerSec',
    kafka: 'sdkProduceRecordsPerSec',
    goal: 'SDK >= @platformatic/kafka on the same broker (issue 10)',
    met: (b, _k, _r, all) => {
      const platformatic = all.brook_platformaticProduceRecordsPerSec?.median
      return platformatic !== undefined && b >= platformatic
    },
  },
  {
    label: "Brook's SDK consume, records/s",
    brook: 'sdkConsumeRecordsPerSec',
    kafka: 'sdkConsumeRecordsPerSec',
    goal: 'SDK >= @platformatic/kafka on the same broker (issue 10)',
    met: (b, _k, _r, all) => {
      const platformatic = all.brook_platformaticConsumeRecordsPerSec?.median
      return platformatic !== undefined && b >= platformatic
    },
  },
  {
    label: 'queue 1 worker x16 partitions, per-record ACCEPT, records/s',
    brook: 'queue1RecordsPerSec',
    kafka: 'queue1RecordsPerSec',
  },
  {
    label: 'queue 1 worker, produce-to-accept p99 ms at a fixed rate',
    brook: 'queue1P99Ms',
    kafka: 'queue1P99Ms',
  },
  {
    label: 'queue 4 workers x16 partitions, per-record ACCEPT, records/s',
    brook: 'queue4RecordsPerSec',
    kafka: 'queue4RecordsPerSec',
  },
  {
    label: 'queue 4 workers, produce-to-accept p99 ms at a fixed rate',
    brook: 'queue4P99Ms',
    kafka: 'queue4P99Ms',
  },
  {
    label: 'queue 4 workers, smallest worker part (1 = even)',
    brook: 'queue4MinShare',
    kafka: 'queue4MinShare',
  },
  {
    label: 'queue 16 workers x16 partitions, per-record ACCEPT, records/s',
    brook: 'queue16RecordsPerSec',
    kafka: 'queue16RecordsPerSec',
  },
  {
    label: 'queue 16 workers, produce-to-accept p99 ms at a fixed rate',
    brook: 'queue16P99Ms',
    kafka: 'queue16P99Ms',
  },
  {
    label: 'queue 16 workers, smallest worker part (1 = even)',
    brook: 'queue16MinShare',
    kafka: 'queue16MinShare',
  },
  {
    label: 'queue 3 workers x1 partition, 5 ms/record, smallest part (1 = even)',
    brook: 'queueFair3MinShare',
    kafka: 'queueFair3MinShare',
    goal: 'each worker >= 0.3 of an even part',
    met: (b) => b >= 0.3,
  },
  {
    label: 'transactional produce 1KiB, 100 per transaction, records/s',
    brook: 'txn100RecordsPerSec',
    kafka: 'txn100RecordsPerSec',
  },
  {
    label: 'transactional produce, 100 per transaction, commit p99 ms',
    brook: 'txn100CommitP99Ms',
    kafka: 'txn100CommitP99Ms',
  },
  {
    label: 'transactional produce 1KiB, 1,000 per transaction, records/s',
    brook: 'txn1000RecordsPerSec',
    kafka: 'txn1000RecordsPerSec',
  },
  {
    label: 'transactional produce, 1,000 per transaction, commit p99 ms',
    brook: 'txn1000CommitP99Ms',
    kafka: 'txn1000CommitP99Ms',
  },
]

function summarise(rounds: RoundResult[]): Record<string, Spread> {
  const keys = new Set(rounds.flatMap((r) => Object.keys(r.metrics)))
  const out: Record<string, Spread> = {}
  for (const broker of brokerNames)
    for (const key of keys)
      out[`${broker}_${key}`] = spread(rounds.filter((r) => r.broker === broker).map((r) => r.metrics[key]))
  return out
}

function fmt(value: number | undefined): string {
  if (value === undefined) return '-'
  if (Math.abs(value) >= 1000) return value.toFixed(0)
  if (Math.abs(value) >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

function fmtSpread(s: Spread | undefined): string {
  if (s?.median === undefined) return '-'
  return `${fmt(s.median)} [${fmt(s.min)}..${fmt(s.max)}]`
}

interface TableRow {
  label: string
  brook: Spread | undefined
  kafka: Spread | undefined
  ratio: number | undefined
  goal: string
  verdict: string
}

function tableRows(summary: Record<string, Spread>): TableRow[] {
  const out: TableRow[] = []
  for (const row of rows) {
    const brook = summary[`brook_${row.brook}`]
    const kafka = summary[`kafka_${row.kafka}`]
    if (brook?.median === undefined && kafka?.median === undefined) continue
    const b = brook?.median
    const k = kafka?.median
    const ratio = b !== undefined && k !== undefined && k !== 0 ? b / k : undefined
    let verdict = ''
    if (row.met !== undefined && b !== undefined)
      verdict = row.met(b, k ?? Number.NaN, ratio ?? Number.NaN, summary) ? 'met' : 'NOT met'
    out.push({ label: row.label, brook, kafka, ratio, goal: row.goal ?? '', verdict })
  }
  return out
}

function renderTable(table: TableRow[]): string {
  const cells = [
    ['workload', 'Brook median [min..max]', 'Kafka median [min..max]', 'Brook/Kafka', 'goal', ''],
  ]
  for (const r of table)
    cells.push([
      r.label,
      fmtSpread(r.brook),
      fmtSpread(r.kafka),
      r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
      r.goal,
      r.verdict,
    ])
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)))
  return cells
    .map((row, index) => {
      const line = row
        .map((c, i) => (i === 0 || i >= 4 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
        .join('  ')
      return index === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line.trimEnd()
    })
    .join('\n')
}

function versionOf(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n')[0] ?? 'unknown'
}

/** Stops every process this run started; runs on normal exit and on SIGINT/SIGTERM. */
function cleanup(): void {
  for (const child of children) child.kill('SIGKILL')
  for (const dir of kafkaDataDirs) {
    try {
      execFileSync('bash', [path.join(kafkaScriptsDir, 'stop.sh'), dir, '--kill'], { stdio: 'ignore' })
    } catch {}
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
}

/** Half of Kafka's produce-1k median from the newest earlier result, when this run did not measure it. */
function previousKafkaRate(): number | undefined {
  if (!existsSync(resultsDir)) return undefined
  const files = spawnSync('ls', ['-t', resultsDir], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((f) => f.startsWith('bench-') && f.endsWith('.json'))
  for (const file of files) {
    try {
      const json = JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8')) as {
        summary?: Record<string, Spread>
      }
      const k = json.summary?.kafka_produce1kRecordsPerSec?.median
      if (k !== undefined) return k
    } catch {}
  }
  return undefined
}

/** Brook without metrics beside Brook with /metrics scraped every second: medians (min..max) and the change. */
function metricsCost(summary: Record<string, Spread>): string {
  const keys = Object.keys(summary)
    .filter(
      (k) => k.startsWith('brook_') && summary[`brook-metrics_${k.slice('brook_'.length)}`] !== undefined,
    )
    .map((k) => k.slice('brook_'.length))
  const lines = [
    'metric                               brook (no metrics)          brook-metrics (scraped 1/s)  change',
  ]
  const show = (s: Spread) => `${fmt(s.median)} (${fmt(s.min)}..${fmt(s.max)})`
  for (const key of keys) {
    const off = summary[`brook_${key}`]
    const on = summary[`brook-metrics_${key}`]
    if (off.median === undefined || on.median === undefined) continue
    const change = off.median === 0 ? '-' : `${(((on.median - off.median) / off.median) * 100).toFixed(1)}%`
    lines.push(`${key.padEnd(37)}${show(off).padEnd(28)}${show(on).padEnd(29)}${change}`)
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2))
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping brokers and tools`)
      cleanup()
      process.exit(130)
    })
  }
  process.on('exit', cleanup)
  execFileSync('bash', [path.join(kafkaScriptsDir, 'install.sh')], { stdio: 'inherit' })
  if (spawnSync('kcat', ['-V']).status !== 0) throw new Error('kcat is needed (Debian package kcat)')
  if (settings.workloads.has('queue')) compileQueueBench()
  if (settings.workloads.has('txn')) compileTxnBench()
  const startedMs = performance.now()
  const rounds: RoundResult[] = []
  const throughputWorkloads = [...settings.workloads].filter((w) => w !== 'latency')
  // Full runs measure latency in a second phase at half of this run's Kafka maximum. Quick runs save the
  // extra broker starts: they measure it inside the same rounds at a rate known beforehand (--latency-rate,
  // else half of Kafka's produce-1k median from the newest bench/results JSON).
  const previousKafkaMax = previousKafkaRate()
  let latencyRate = 0
  let latencySource = ''
  const inSession =
    settings.quick &&
    settings.workloads.has('latency') &&
    throughputWorkloads.length > 0 &&
    (settings.latencyRate !== undefined || previousKafkaMax !== undefined)
  if (inSession) {
    latencyRate = settings.latencyRate ?? Math.round((previousKafkaMax ?? 0) / 2)
    latencySource =
      settings.latencyRate !== undefined
        ? '--latency-rate'
        : `half of Kafka's ${Math.round(previousKafkaMax ?? 0)} rec/s in an earlier run`
    log(`latency in-round at ${latencyRate} records/s of 1 KiB (${latencySource})`)
  }
  if (throughputWorkloads.length > 0 || !settings.workloads.has('latency')) {
    for (let round = 1; round <= settings.rounds; round++)
      for (const broker of settings.brokers)
        rounds.push(await measureRound(broker, 'throughput', round, settings, latencyRate))
  }
  if (settings.workloads.has('latency') && !inSession) {
    const measured = spread(
      rounds.filter((r) => r.broker === 'kafka').map((r) => r.metrics.produce1kRecordsPerSec),
    ).median
    const kafkaMax = measured ?? previousKafkaMax ?? 20_000
    latencyRate = settings.latencyRate ?? Math.round(kafkaMax / 2)
    latencySource =
      settings.latencyRate !== undefined
        ? '--latency-rate'
        : `half of Kafka's ${Math.round(kafkaMax)} rec/s ${measured !== undefined ? 'in this run' : 'in an earlier run (or a default)'}`
    log(`latency phase at ${latencyRate} records/s of 1 KiB (${latencySource})`)
    for (let round = 1; round <= settings.rounds; round++)
      for (const broker of settings.brokers)
        rounds.push(await measureRound(broker, 'latency', round, settings, latencyRate))
  }
  const summary = summarise(rounds)
  const table = tableRows(summary)
  const report = {
    createdAt: new Date().toISOString(),
    elapsedSec: Math.round((performance.now() - startedMs) / 1000),
    settings: { ...settings, workloads: [...settings.workloads], outPath: undefined },
    latencyRate,
    latencySource,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(),
      node: process.version,
      java: versionOf('java', ['-version']),
      kcat: versionOf('kcat', ['-V']),
    },
    notes: [
      'Each round starts a fresh broker with an empty data dir in os.tmpdir(); Kafka is one KRaft node, 1 GB heap, G1.',
      'Java tools: ProducerPerformance linger.ms=5 batch.size=65536; acks=all producers are idempotent (default).',
      'Kafka acks=all does not fsync unless the topic has flush.messages=1; Brook acks=all waits for a group-committed fdatasync.',
      'Latency: ProducerPerformance at a fixed rate into 16 partitions, with EndToEndLatency probing a 1-partition topic meanwhile.',
      'Start time: from the broker process start (/proc) to the first kcat produce acknowledged with acks=1.',
      'Brokers and load tools share the same cores.',
      'Queue: QueueBench.java, W KafkaShareConsumer threads in one JVM, explicit ACCEPT per record and commitSync per poll; records/s from the first send of a burst to its last confirmed ACCEPT (one producer sends the burst meanwhile); latency from CreateTime to confirmed ACCEPT at a fixed rate.',
    ],
    table,
    summary,
    rounds,
  }
  mkdirSync(path.dirname(settings.outPath), { recursive: true })
  writeFileSync(settings.outPath, `${JSON.stringify(report, null, 2)}\n`)
  process.stdout.write(
    `\n${renderTable(table)}\n\nrounds per broker: ${settings.rounds} (${settings.quick ? 'quick' : 'full'}), latency rate ${latencyRate} rec/s (${latencySource}), ${report.elapsedSec} s; JSON: ${path.relative(rootDir, settings.outPath)}\n`,
  )
  if (settings.brokers.includes('brook-metrics')) process.stdout.write(`\n${metricsCost(summary)}\n`)
  for (const r of rounds.filter((x) => x.errors.length > 0))
    process.stdout.write(
      `errors in ${r.phase} ${r.broker} round ${r.round}: ${r.errors.join(' | ').slice(0, 600)}\n`,
    )
}

main().catch((error) => {
  log(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exitCode = 1
})
