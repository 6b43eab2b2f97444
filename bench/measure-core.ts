// Brook beside Apache Kafka on this machine, driven by Kafka's own load tools and kcat: produce throughput
// (acks=1, acks=all), consume throughput, start-to-first-acknowledged-produce time, idle and peak RSS.
// Run: bash bench/measure-core.sh [--rounds 3] [--records 500000] [--only brook|kafka]  (see usage below)
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const usage = `Usage: node dist/bench/measure-core.js [options]
  --rounds N          rounds per broker, run alternately Brook, Kafka, Brook, ... (default 3)
  --records N         records per produce run (default 500000)
  --record-bytes N    record value size in bytes (default 1024)
  --batch-bytes N     producer batch.size in bytes (default 65536)
  --linger-ms N       producer linger.ms (default 5)
  --partitions N      partitions of the benchmark topics (default 16)
  --only NAME         brook or kafka: measure one broker only
  --out FILE          JSON result path (default bench/results/core-<time>.json)
`

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const kafkaLibsDir = path.join(rootDir, '.cache', 'kafka', 'libs')
const kafkaScriptsDir = path.join(rootDir, 'bench', 'kafka')
const log4jConfig = path.join(kafkaScriptsDir, 'log4j2.properties')
const rssSampleIntervalMs = 200
const idleSettleMs = 3000
const startDeadlineMs = 120_000
const toolTimeoutMs = 900_000

/** Settings of one benchmark run. */
interface Settings {
  rounds: number
  records: number
  recordBytes: number
  batchBytes: number
  lingerMs: number
  partitions: number
  only: 'brook' | 'kafka' | undefined
  outPath: string
}

/** What ProducerPerformance printed on its closing line. */
interface ProduceResult {
  recordsSent: number
  recordsPerSec: number
  mbPerSec: number
  latencyAvgMs: number
  latencyMaxMs: number
  latencyP50Ms: number
  latencyP99Ms: number
  /** Lines in which the producer logged an error response (retried), e.g. OUT_OF_ORDER_SEQUENCE_NUMBER. */
  errorLines: number
  errorSample: string | undefined
  wallMs: number
}

/** What ConsumerPerformance printed; fetch* exclude the group rebalance time. */
interface ConsumeResult {
  records: number
  mb: number
  mbPerSec: number
  recordsPerSec: number
  rebalanceMs: number
  fetchMs: number
  fetchMbPerSec: number
  fetchRecordsPerSec: number
  wallMs: number
}

/** One round against one broker; a field is undefined when its step failed (see errors). */
interface RoundResult {
  broker: 'brook' | 'kafka'
  round: number
  /** From the broker process's start (its /proc start time) to the first produce acknowledged (acks=1). */
  startToFirstAckMs: number | undefined
  /** From our spawn to the "listening" line on stdout (Brook only). */
  startToListeningMs: number | undefined
  idleRssKiB: number | undefined
  peakProduceRssKiB: number | undefined
  peakConsumeRssKiB: number | undefined
  produceAcks1: ProduceResult | undefined
  produceAcksAll: ProduceResult | undefined
  consume: ConsumeResult | undefined
  errors: string[]
}

/** A running broker: its pid (the process whose RSS is sampled) and how to stop it. */
interface BrokerHandle {
  pid: number
  port: number
  listeningMs: Promise<number | undefined>
  stop(): Promise<void>
}

const children = new Set<ChildProcess>()
const kafkaDataDirs = new Set<string>()
const tempDirs = new Set<string>()

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      records: { type: 'string' },
      'record-bytes': { type: 'string' },
      'batch-bytes': { type: 'string' },
      'linger-ms': { type: 'string' },
      partitions: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    process.stdout.write(usage)
    process.exit(0)
  }
  const int = (v: string | undefined, d: number): number => {
    const n = v === undefined ? d : Number(v)
    if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got '${v}'`)
    return n
  }
  const only = values.only
  if (only !== undefined && only !== 'brook' && only !== 'kafka') throw new Error('--only is brook or kafka')
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  return {
    rounds: int(values.rounds, 3),
    records: int(values.records, 500_000),
    recordBytes: int(values['record-bytes'], 1024),
    batchBytes: int(values['batch-bytes'], 65536),
    lingerMs: int(values['linger-ms'], 5),
    partitions: int(values.partitions, 16),
    only,
    outPath: values.out ?? path.join(rootDir, 'bench', 'results', `core-${stamp}.json`),
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
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

/** Resident set size of a process, in KiB; undefined once it has exited. */
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
  // Field 22 (starttime) counted after the parenthesised command name, which may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const startTicks = Number(fields[19])
  const uptimeSec = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0])
  return Math.round((uptimeSec - startTicks / clockTicksPerSec) * 1000)
}

/** Samples VmRSS every 200 ms and keeps the peak, in KiB. */
class RssSampler {
  private peakKiB = 0
  private readonly timer: NodeJS.Timeout

  constructor(private readonly pid: number) {
    this.sample()
    this.timer = setInterval(() => this.sample(), rssSampleIntervalMs)
  }

  private sample(): void {
    const kib = rssKiB(this.pid)
    if (kib !== undefined && kib > this.peakKiB) this.peakKiB = kib
  }

  stop(): number {
    clearInterval(this.timer)
    this.sample()
    return this.peakKiB
  }
}

interface RunOutput {
  code: number | null
  stdout: string
  stderr: string
  wallMs: number
}

/** Runs a command to its end (killed after timeoutMs), collecting its output. */
function run(
  command: string,
  args: string[],
  options: { timeoutMs: number; input?: string },
): Promise<RunOutput> {
  return new Promise((resolve) => {
    const startMs = performance.now()
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    children.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.once('error', (error) => {
      stderr += String(error)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      children.delete(child)
      resolve({ code, stdout, stderr, wallMs: performance.now() - startMs })
    })
  })
}

function javaTool(className: string, args: string[]): Promise<RunOutput> {
  return run(
    'java',
    ['-cp', `${kafkaLibsDir}/*`, `-Dlog4j2.configurationFile=${log4jConfig}`, className, ...args],
    { timeoutMs: toolTimeoutMs },
  )
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

async function startBrook(port: number, dataDir: string, partitions: number): Promise<BrokerHandle> {
  const spawnMs = performance.now()
  const child = spawn(
    process.execPath,
    [
      path.join(rootDir, 'bin', 'brook.js'),
      'start',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--num-partitions',
      String(partitions),
      // Kafka's start.sh sets group.initial.rebalance.delay.ms=0; match it so consume runs compare alike.
      '--group-initial-rebalance-delay-ms',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  children.add(child)
  let output = ''
  const listeningMs = new Promise<number | undefined>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      output += s
      if (/listening on 127\.0\.0\.1:/.test(output)) resolve(performance.now() - spawnMs)
    })
    child.once('exit', () => resolve(undefined))
  })
  child.stderr.resume()
  if (child.pid === undefined) throw new Error('could not spawn brook')
  return {
    pid: child.pid,
    port,
    listeningMs,
    async stop() {
      child.kill('SIGINT')
      if (!(await waitExit(child, 15_000))) child.kill('SIGKILL')
      await waitExit(child, 5000)
      children.delete(child)
    },
  }
}

async function startKafka(port: number, dataDir: string, partitions: number): Promise<BrokerHandle> {
  kafkaDataDirs.add(dataDir)
  // start.sh formats the data dir with a separate JVM first, then launches the broker JVM and writes its pid;
  // the start time is measured from that broker JVM's own start, so formatting is not counted.
  const script = spawn('bash', [path.join(kafkaScriptsDir, 'start.sh'), String(port), dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KAFKA_NUM_PARTITIONS: String(partitions) },
  })
  children.add(script)
  script.stdout.resume()
  let scriptErr = ''
  script.stderr.setEncoding('utf8').on('data', (s: string) => (scriptErr += s))
  script.once('exit', () => children.delete(script))
  const pidFile = path.join(dataDir, 'kafka.pid')
  const deadline = performance.now() + startDeadlineMs
  while (!existsSync(pidFile)) {
    if (script.exitCode !== null) throw new Error(`kafka start.sh exited: ${scriptErr.slice(-500)}`)
    if (performance.now() > deadline) throw new Error('kafka pid file did not appear')
    await sleep(5)
  }
  let pid = Number.NaN
  while (!Number.isInteger(pid) || pid <= 0) {
    pid = Number(readFileSync(pidFile, 'utf8').trim())
    if (!Number.isInteger(pid) || pid <= 0) await sleep(5)
  }
  return {
    pid,
    port,
    listeningMs: Promise.resolve(undefined),
    async stop() {
      await run('bash', [path.join(kafkaScriptsDir, 'stop.sh'), dataDir], { timeoutMs: 60_000 })
      await waitExit(script, 5000)
      kafkaDataDirs.delete(dataDir)
    },
  }
}

/** Waits for the port, then repeats a one-record kcat produce (acks=1) until one is acknowledged. */
async function timeFirstAck(broker: BrokerHandle): Promise<number> {
  const deadline = performance.now() + startDeadlineMs
  while (!(await canConnect(broker.port))) {
    if (performance.now() > deadline) throw new Error('broker port never opened')
    if (rssKiB(broker.pid) === undefined) throw new Error('broker exited during start')
    await sleep(10)
  }
  for (;;) {
    const result = await run(
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
      { timeoutMs: 10_000, input: 'x\n' },
    )
    if (result.code === 0) return processAgeMs(broker.pid)
    if (performance.now() > deadline) throw new Error(`no produce acknowledged: ${result.stderr.slice(-300)}`)
    await sleep(10)
  }
}

function parseProduce(output: RunOutput): ProduceResult {
  const text = output.stdout + output.stderr
  const m =
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(
      text,
    )
  if (m === null || output.code !== 0)
    throw new Error(`ProducerPerformance failed (exit ${output.code}): ${text.slice(-800)}`)
  const errorLines = text.split('\n').filter((line) => /Got error produce response|ERROR/.test(line))
  return {
    recordsSent: Number(m[1]),
    recordsPerSec: Number(m[2]),
    mbPerSec: Number(m[3]),
    latencyAvgMs: Number(m[4]),
    latencyMaxMs: Number(m[5]),
    latencyP50Ms: Number(m[6]),
    latencyP99Ms: Number(m[8]),
    errorLines: errorLines.length,
    errorSample: errorLines[0]?.slice(0, 400),
    wallMs: Math.round(output.wallMs),
  }
}

function parseConsume(output: RunOutput): ConsumeResult {
  // Columns: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
  // rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const line = output.stdout.split('\n').find((l) => /^\d{4}-\d\d-\d\d .*, .*, [\d.]+, /.test(l))
  if (line === undefined || output.code !== 0)
    throw new Error(
      `ConsumerPerformance failed (exit ${output.code}): ${(output.stdout + output.stderr).slice(-800)}`,
    )
  const f = line.split(',').map((s) => s.trim())
  return {
    mb: Number(f[2]),
    mbPerSec: Number(f[3]),
    records: Number(f[4]),
    recordsPerSec: Number(f[5]),
    rebalanceMs: Number(f[6]),
    fetchMs: Number(f[7]),
    fetchMbPerSec: Number(f[8]),
    fetchRecordsPerSec: Number(f[9]),
    wallMs: Math.round(output.wallMs),
  }
}

function produceArgs(settings: Settings, port: number, topic: string, acks: string): string[] {
  return [
    '--topic',
    topic,
    '--num-records',
    String(settings.records),
    '--record-size',
    String(settings.recordBytes),
    '--throughput',
    '-1',
    '--command-property',
    `bootstrap.servers=127.0.0.1:${port}`,
    `acks=${acks}`,
    `linger.ms=${settings.lingerMs}`,
    `batch.size=${settings.batchBytes}`,
  ]
}

function consumeArgs(settings: Settings, port: number, topic: string): string[] {
  return [
    '--bootstrap-server',
    `127.0.0.1:${port}`,
    '--topic',
    topic,
    '--num-records',
    String(settings.records),
  ]
}

async function measureRound(
  name: 'brook' | 'kafka',
  round: number,
  settings: Settings,
): Promise<RoundResult> {
  const result: RoundResult = {
    broker: name,
    round,
    startToFirstAckMs: undefined,
    startToListeningMs: undefined,
    idleRssKiB: undefined,
    peakProduceRssKiB: undefined,
    peakConsumeRssKiB: undefined,
    produceAcks1: undefined,
    produceAcksAll: undefined,
    consume: undefined,
    errors: [],
  }
  // Same disk as the repository (/tmp and /work share it here); a fresh directory every round.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `bench-core-${name}-`))
  tempDirs.add(dataDir)
  const port = await freePort()
  log(`[${name} ${round}] starting on port ${port}, data ${dataDir}`)
  let broker: BrokerHandle | undefined
  try {
    broker =
      name === 'brook'
        ? await startBrook(port, dataDir, settings.partitions)
        : await startKafka(port, path.join(dataDir, 'kafka'), settings.partitions)
    result.startToFirstAckMs = await timeFirstAck(broker)
    result.startToListeningMs = await Promise.race([broker.listeningMs, Promise.resolve(undefined)])
    log(`[${name} ${round}] first produce acknowledged ${result.startToFirstAckMs} ms after process start`)
    await sleep(idleSettleMs)
    const idle: number[] = []
    for (let i = 0; i < 5; i++) {
      const kib = rssKiB(broker.pid)
      if (kib !== undefined) idle.push(kib)
      await sleep(rssSampleIntervalMs)
    }
    result.idleRssKiB = median(idle)

    const produceSampler = new RssSampler(broker.pid)
    try {
      for (const acks of ['1', 'all'] as const) {
        const topic = `bench-acks-${acks}`
        const output = await javaTool(
          'org.apache.kafka.tools.ProducerPerformance',
          produceArgs(settings, port, topic, acks),
        )
        try {
          const produced = parseProduce(output)
          if (acks === '1') result.produceAcks1 = produced
          else result.produceAcksAll = produced
          log(
            `[${name} ${round}] produce acks=${acks}: ${produced.recordsPerSec.toFixed(0)} rec/s, ${produced.mbPerSec.toFixed(2)} MB/s, p50 ${produced.latencyP50Ms} ms, ${produced.errorLines} error lines`,
          )
        } catch (error) {
          result.errors.push(String(error))
          log(`[${name} ${round}] ${String(error)}`)
        }
      }
    } finally {
      result.peakProduceRssKiB = produceSampler.stop()
    }

    const consumeSampler = new RssSampler(broker.pid)
    try {
      const output = await javaTool(
        'org.apache.kafka.tools.ConsumerPerformance',
        consumeArgs(settings, port, 'bench-acks-1'),
      )
      result.consume = parseConsume(output)
      log(
        `[${name} ${round}] consume: ${result.consume.fetchMbPerSec.toFixed(2)} MB/s fetch, ${result.consume.mbPerSec.toFixed(2)} MB/s with rebalance ${result.consume.rebalanceMs} ms`,
      )
    } catch (error) {
      result.errors.push(String(error))
      log(`[${name} ${round}] ${String(error)}`)
    } finally {
      result.peakConsumeRssKiB = consumeSampler.stop()
    }
  } catch (error) {
    result.errors.push(String(error))
    log(`[${name} ${round}] ${String(error)}`)
  } finally {
    await broker?.stop()
    rmSync(dataDir, { recursive: true, force: true })
    tempDirs.delete(dataDir)
  }
  return result
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Median, min and max of one metric over rounds, ignoring rounds where it is missing. */
interface Spread {
  median: number | undefined
  min: number | undefined
  max: number | undefined
  n: number
}

function spread(values: (number | undefined)[]): Spread {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v))
  return {
    median: median(present),
    min: present.length === 0 ? undefined : Math.min(...present),
    max: present.length === 0 ? undefined : Math.max(...present),
    n: present.length,
  }
}

/** The metrics of the table: label, how to read one round, and whether higher is better. */
const metrics: readonly {
  key: string
  label: string
  read: (r: RoundResult) => number | undefined
}[] = [
  {
    key: 'produceAcks1RecordsPerSec',
    label: 'produce acks=1 records/s',
    read: (r) => r.produceAcks1?.recordsPerSec,
  },
  { key: 'produceAcks1MbPerSec', label: 'produce acks=1 MB/s', read: (r) => r.produceAcks1?.mbPerSec },
  {
    key: 'produceAcks1P50Ms',
    label: 'produce acks=1 p50 latency ms',
    read: (r) => r.produceAcks1?.latencyP50Ms,
  },
  {
    key: 'produceAcks1P99Ms',
    label: 'produce acks=1 p99 latency ms',
    read: (r) => r.produceAcks1?.latencyP99Ms,
  },
  {
    key: 'produceAcksAllRecordsPerSec',
    label: 'produce acks=all records/s',
    read: (r) => r.produceAcksAll?.recordsPerSec,
  },
  { key: 'produceAcksAllMbPerSec', label: 'produce acks=all MB/s', read: (r) => r.produceAcksAll?.mbPerSec },
  {
    key: 'produceAcksAllP50Ms',
    label: 'produce acks=all p50 latency ms',
    read: (r) => r.produceAcksAll?.latencyP50Ms,
  },
  {
    key: 'produceAcksAllP99Ms',
    label: 'produce acks=all p99 latency ms',
    read: (r) => r.produceAcksAll?.latencyP99Ms,
  },
  {
    key: 'produceErrorLines',
    label: 'producer error-response lines',
    read: (r) => (r.produceAcks1?.errorLines ?? 0) + (r.produceAcksAll?.errorLines ?? 0),
  },
  { key: 'consumeFetchMbPerSec', label: 'consume MB/s (fetch only)', read: (r) => r.consume?.fetchMbPerSec },
  {
    key: 'consumeFetchRecordsPerSec',
    label: 'consume records/s (fetch only)',
    read: (r) => r.consume?.fetchRecordsPerSec,
  },
  { key: 'consumeMbPerSec', label: 'consume MB/s (incl. group join)', read: (r) => r.consume?.mbPerSec },
  { key: 'consumeRebalanceMs', label: 'consume group join ms', read: (r) => r.consume?.rebalanceMs },
  { key: 'startToFirstAckMs', label: 'start to first acked produce ms', read: (r) => r.startToFirstAckMs },
  { key: 'idleRssMiB', label: 'idle RSS MiB', read: (r) => mib(r.idleRssKiB) },
  { key: 'peakProduceRssMiB', label: 'peak RSS under produce MiB', read: (r) => mib(r.peakProduceRssKiB) },
  { key: 'peakConsumeRssMiB', label: 'peak RSS under consume MiB', read: (r) => mib(r.peakConsumeRssKiB) },
]

function mib(kib: number | undefined): number | undefined {
  return kib === undefined ? undefined : kib / 1024
}

function fmt(value: number | undefined): string {
  if (value === undefined) return '-'
  if (Math.abs(value) >= 1000) return value.toFixed(0)
  if (Math.abs(value) >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

function fmtSpread(s: Spread): string {
  if (s.median === undefined) return '-'
  return `${fmt(s.median)} [${fmt(s.min)}..${fmt(s.max)}]`
}

function summarise(
  rounds: RoundResult[],
): Record<string, { brook: Spread; kafka: Spread; ratio: number | undefined }> {
  const summary: Record<string, { brook: Spread; kafka: Spread; ratio: number | undefined }> = {}
  for (const metric of metrics) {
    const brook = spread(rounds.filter((r) => r.broker === 'brook').map(metric.read))
    const kafka = spread(rounds.filter((r) => r.broker === 'kafka').map(metric.read))
    const ratio =
      brook.median !== undefined && kafka.median !== undefined && kafka.median !== 0
        ? brook.median / kafka.median
        : undefined
    summary[metric.key] = { brook, kafka, ratio }
  }
  return summary
}

function table(summary: ReturnType<typeof summarise>): string {
  const rows = [['metric', 'Brook median [min..max]', 'Kafka median [min..max]', 'Brook/Kafka']]
  for (const metric of metrics) {
    const s = summary[metric.key]
    rows.push([
      metric.label,
      fmtSpread(s.brook),
      fmtSpread(s.kafka),
      s.ratio === undefined ? '-' : s.ratio.toFixed(2),
    ])
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  return rows
    .map((row, index) => {
      const line = row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join('  ')
      return index === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line
    })
    .join('\n')
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`)
}

function versionOf(command: string, args: string[]): string {
  // java -version writes to stderr; kcat -V to stdout.
  const result = spawnSync(command, args, { encoding: 'utf8' })
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n')[0] ?? 'unknown'
}

/** Stops every process this run started; used on normal exit and on SIGINT/SIGTERM. */
function cleanup(): void {
  for (const child of children) child.kill('SIGKILL')
  for (const dir of kafkaDataDirs) {
    try {
      execFileSync('bash', [path.join(kafkaScriptsDir, 'stop.sh'), dir, '--kill'], { stdio: 'ignore' })
    } catch {}
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
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
  if (!existsSync(kafkaLibsDir))
    execFileSync('bash', [path.join(kafkaScriptsDir, 'install.sh')], { stdio: 'inherit' })

  const brokers = settings.only === undefined ? (['brook', 'kafka'] as const) : ([settings.only] as const)
  const rounds: RoundResult[] = []
  for (let round = 1; round <= settings.rounds; round++) {
    for (const name of brokers) rounds.push(await measureRound(name, round, settings))
  }
  const summary = summarise(rounds)
  const producer = (acks: string) =>
    `java -cp '${kafkaLibsDir}/*' org.apache.kafka.tools.ProducerPerformance ${produceArgs(settings, 0, `bench-acks-${acks}`, acks).join(' ')}`.replace(
      '127.0.0.1:0',
      '127.0.0.1:PORT',
    )
  const report = {
    createdAt: new Date().toISOString(),
    settings: { ...settings, outPath: undefined },
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(),
      node: process.version,
      java: versionOf('java', ['-version']),
      kcat: versionOf('kcat', ['-V']),
    },
    commands: {
      brook: `node bin/brook.js start --port PORT --data-dir DIR --num-partitions ${settings.partitions} --group-initial-rebalance-delay-ms 0`,
      kafka: `KAFKA_NUM_PARTITIONS=${settings.partitions} bash bench/kafka/start.sh PORT DIR (heap 1G, G1, no fsync per write)`,
      produceAcks1: producer('1'),
      produceAcksAll: producer('all'),
      consume: `java -cp '${kafkaLibsDir}/*' org.apache.kafka.tools.ConsumerPerformance ${consumeArgs(settings, 0, 'bench-acks-1').join(' ').replace('127.0.0.1:0', '127.0.0.1:PORT')}`,
      firstAck:
        'kcat -P -b 127.0.0.1:PORT -t bench-ready -X acks=1 -X message.timeout.ms=2000 (repeated after the port opens)',
      rss: `VmRSS of the broker process from /proc/PID/status every ${rssSampleIntervalMs} ms; idle = median of 5 samples ${idleSettleMs} ms after the first ack`,
    },
    notes: [
      'Kafka acks=all on one node does not fsync (log.flush.* defaults); Brook acks=all waits for a group-committed fdatasync.',
      'The Java producer is idempotent with acks=all (enable.idempotence defaults to true) and not with acks=1.',
      'Clients and broker share the 2 cores; consume reads what was just written (page cache).',
    ],
    summary,
    rounds,
  }
  mkdirSync(path.dirname(settings.outPath), { recursive: true })
  writeFileSync(settings.outPath, `${JSON.stringify(report, null, 2)}\n`)
  process.stdout.write(
    `${table(summary)}\n\nrounds per broker: ${settings.rounds}; JSON: ${settings.outPath}\n`,
  )
  const failed = rounds.filter((r) => r.errors.length > 0)
  for (const r of failed)
    process.stdout.write(`errors in ${r.broker} round ${r.round}: ${r.errors.join(' | ')}\n`)
}

main().catch((error) => {
  log(`measure-core: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exitCode = 1
})
